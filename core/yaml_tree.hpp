// YAML documents as trees of located nodes, parsed with yaml-cpp.
//
// Manifests and the config are read through this tree (see yaml_fields.hpp).
// The tree is built from yaml-cpp's event interface (`YAML::Parser` with an
// `EventHandler`) rather than from `YAML::LoadAll`: a `YAML::Node` graph is a
// web of reference-counted nodes that would be built only to be copied
// once more into this tree, and that copy was most of the cost of a load.
//
// Where yaml-cpp 0.7 falls short, this layer makes up for it: it accepts a
// quoted scalar left open at the end of the input (reported here as an
// error), it lets control characters through (refused here, as YAML
// requires), and its messages are short fragments (rewritten into sentences
// that say what was being read). Positions are 1-based and columns count
// UTF-8 characters, as the checks in source_file.hpp count them; yaml-cpp's
// own marks are 0-based and count bytes.
//
// Hostile input stays bounded: nesting deeper than `max_yaml_depth` is an
// error as soon as it is seen, and aliases are expanded into copies only
// while the copies of one file stay under `max_yaml_alias_nodes` nodes, so a
// "billion laughs" file is one error, not an exhausted machine.
#pragma once

#include "core/diagnostic.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hookwarden {

inline constexpr std::size_t max_yaml_depth = 64;
inline constexpr std::size_t max_yaml_alias_nodes = 100'000;

class YamlNode {
public:
    enum class Kind : std::uint8_t { null, scalar, sequence, mapping };

    Kind kind() const noexcept { return kind_; }
    bool is_null() const noexcept { return kind_ == Kind::null; }
    bool is_scalar() const noexcept { return kind_ == Kind::scalar; }
    bool is_sequence() const noexcept { return kind_ == Kind::sequence; }
    bool is_mapping() const noexcept { return kind_ == Kind::mapping; }

    /// The text of a scalar; empty for any other kind.
    const std::string& scalar() const noexcept { return scalar_; }

    /// True for a scalar that is a string whatever it looks like: written in
    /// quotes or as a block scalar, or tagged `!` or `!!str`. Such a scalar
    /// is never read as a number or a boolean.
    bool string_typed() const noexcept { return string_typed_; }

    /// The items of a sequence; for a mapping, keys and values alternate
    /// (the key of entry i at 2i, its value at 2i + 1). Empty for scalars.
    const std::vector<YamlNode>& children() const noexcept { return children_; }

    /// Items of a sequence, entries of a mapping, 0 otherwise.
    std::size_t size() const noexcept {
        return kind_ == Kind::mapping ? children_.size() / 2 : children_.size();
    }

    /// 1-based position of the node's first character.
    int line() const noexcept { return line_; }
    int column() const noexcept { return column_; }

    /// This node and all nodes under it.
    std::size_t weight() const noexcept { return weight_; }

private:
    friend class YamlTreeBuilder;

    Kind kind_ = Kind::null;
    bool string_typed_ = false;
    int line_ = 0;
    int column_ = 0;
    std::size_t weight_ = 1;
    std::string scalar_;
    std::vector<YamlNode> children_;
};

/// 1-based location of `node` in `file`.
SourceLocation yaml_location(const YamlNode& node, const std::string& file);

/// Parses every document of `text`. A syntax error, an unknown alias, too
/// deep a nesting or an alias bomb becomes one diagnostic at its position
/// and no document is returned. Documents that are entirely empty (or only
/// `~`/`null`) are dropped.
std::optional<std::vector<YamlNode>> parse_yaml_documents(const std::string& text,
                                                          const std::string& file,
                                                          Diagnostics& diagnostics);

} // namespace hookwarden
