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

#include <boost/json/fwd.hpp>

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

    /// The key node of `key` if present, for an error about the field
    /// itself (one that must not be there, one that clashes with another).
    /// Does not mark it known: `take` it too.
    std::optional<YamlField> key(const std::string& key) const;

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
/// `max` = the largest int makes the range a lower bound in messages
/// ("must be at least 10").
std::optional<std::int64_t> read_integer(const YamlField& field, std::int64_t min, std::int64_t max,
                                         Diagnostics& diagnostics);

/// A scalar as a JSON value, read the way YAML 1.2 reads it: a quoted or
/// block scalar is a string; plain `true`/`false` (also `True`, `TRUE`, ...)
/// a boolean; a plain number written as JSON writes numbers an integer
/// (int64, else uint64, else double, as Boost.JSON parses) or a double; any
/// other plain scalar a string. Refused, with an error at the node: a null,
/// a list or a mapping, and the plain scalars YAML readers disagree about —
/// YAML 1.1's yes/no/on/off/y/n and numbers that JSON cannot write as they
/// are (+1, 012, .5, 1., 0x1F, 0o17, 0b101, .inf, .nan) — so that nothing
/// is silently read as another type than the author meant.
std::optional<boost::json::value> read_json_scalar(const YamlField& field, Diagnostics& diagnostics);

/// True when `text` written as a plain (unquoted) scalar reads back through
/// read_json_scalar as the string `text`; when false, a writer must quote it.
bool plain_scalar_is_string(std::string_view text);

/// The closest of `candidates` to `word` when it is a plausible typo.
std::optional<std::string> suggest(const std::string& word,
                                   const std::vector<std::string>& candidates);

} // namespace hookwarden
