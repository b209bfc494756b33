// Strict, located reading of YAML mappings for manifests and config.
//
// A `YamlMap` walks one mapping node the way a schema would: the reader
// asks for the fields it knows with `take`, and `finish` reports everything
// else as an unknown field at the key's position (with a suggestion when it
// looks like a typo). Duplicate keys, wrong node types and bad scalars become
// diagnostics pointing at the offending node, never exceptions. Field names in
// messages are full paths (`spec.retryPolicy.maxRetries`) so that a message
// stands on its own.
#pragma once

#include "core/diagnostic.hpp"
#include "core/yaml_tree.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace hookwarden {

/// Where a value being read sits: its node, its full field path, its file.
/// Refers to the node: the parsed document must outlive it.
struct YamlField {
    const YamlNode& node;
    std::string path; ///< e.g. "spec.retryPolicy.maxRetries"
    const std::string* file;
    SourceLocation location() const { return yaml_location(node, *file); }
};

class YamlMap {
public:
    /// `node` must be a mapping; otherwise an error is reported at it and
    /// `valid()` is false. `path` is the mapping's own path ("" for the root).
    YamlMap(const YamlNode& node, std::string path, const std::string& file, Diagnostics& diagnostics);

    bool valid() const noexcept { return valid_; }

    /// The value of `key` if present (and marks it known).
    std::optional<YamlField> take(const std::string& key);

    /// Like take, but reports "missing required field" at the mapping.
    std::optional<YamlField> require(const std::string& key);

    /// Reports every key not taken as an unknown field, suggesting the
    /// closest of `allowed` when the key looks like a typo of it.
    void finish(const std::vector<std::string>& allowed);

    /// Every key/value in order, marking all known (for free-form maps).
    std::vector<std::pair<YamlField, YamlField>> entries();

    SourceLocation location() const { return yaml_location(*node_, *file_); }
    std::string child_path(const std::string& key) const;

private:
    const YamlNode* node_;
    std::string path_;
    const std::string* file_;
    Diagnostics* diagnostics_;
    bool valid_ = false;
    struct Entry {
        const YamlNode* key;
        const YamlNode* value;
        bool taken = false;
    };
    std::vector<Entry> entries_; ///< in document order, duplicates dropped
    /// Key text (in the nodes) to its index in entries_: duplicates are
    /// found in linear time, not by comparing each key with all before it.
    std::unordered_map<std::string_view, std::size_t> index_;
};

/// Typed scalar reads. Each reports a precise error at the value and returns
/// nothing when the node is not of the expected form.
std::optional<std::string> read_string(const YamlField& field, Diagnostics& diagnostics);
std::optional<bool> read_bool(const YamlField& field, Diagnostics& diagnostics);
std::optional<std::int64_t> read_integer(const YamlField& field, std::int64_t min, std::int64_t max,
                                         Diagnostics& diagnostics);

/// The closest of `candidates` to `word` when it is a plausible typo.
std::optional<std::string> suggest(const std::string& word,
                                   const std::vector<std::string>& candidates);

} // namespace hookwarden
