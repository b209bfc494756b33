#include "core/yaml_fields.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace hookwarden {

namespace {

const char* node_kind(const YamlNode& node) {
    switch (node.kind()) {
    case YamlNode::Kind::null: return "null";
    case YamlNode::Kind::scalar: return "a scalar";
    case YamlNode::Kind::sequence: return "a list";
    case YamlNode::Kind::mapping: return "a mapping";
    }
    return "unknown";
}

} // namespace

YamlMap::YamlMap(const YamlNode& node, std::string path, const std::string& file,
                 Diagnostics& diagnostics)
    : node_(&node), path_(std::move(path)), file_(&file), diagnostics_(&diagnostics) {
    if (!node.is_mapping()) {
        diagnostics.error(location(), (path_.empty() ? std::string("document")
                                                     : "field '" + path_ + "'") +
                                          " must be a mapping, not " + node_kind(node));
        return;
    }
    valid_ = true;
    const auto& children = node.children();
    entries_.reserve(children.size() / 2);
    index_.reserve(children.size() / 2);
    for (std::size_t i = 0; i + 1 < children.size(); i += 2) {
        const YamlNode& key = children[i];
        if (!key.is_scalar()) {
            diagnostics.error(yaml_location(key, file), "keys must be plain strings");
            continue;
        }
        const auto [first, inserted] = index_.try_emplace(key.scalar(), entries_.size());
        if (!inserted) {
            diagnostics.error(yaml_location(key, file),
                              "duplicate field '" + child_path(key.scalar()) + "' (first at line " +
                                  std::to_string(entries_[first->second].key->line()) + ")");
            continue;
        }
        entries_.push_back({&key, &children[i + 1]});
    }
}

std::string YamlMap::child_path(const std::string& key) const {
    return path_.empty() ? key : path_ + '.' + key;
}

std::optional<YamlField> YamlMap::take(const std::string& key) {
    const auto found = index_.find(key);
    if (found == index_.end())
        return std::nullopt;
    Entry& entry = entries_[found->second];
    entry.taken = true;
    return YamlField{*entry.value, child_path(key), file_};
}

std::optional<YamlField> YamlMap::require(const std::string& key) {
    auto field = take(key);
    if (!field && valid_)
        diagnostics_->error(location(), "missing required field '" + child_path(key) + "'");
    return field;
}

void YamlMap::finish(const std::vector<std::string>& allowed) {
    for (const auto& entry : entries_) {
        if (entry.taken)
            continue;
        const std::string& key = entry.key->scalar();
        std::string message = "unknown field '" + child_path(key) + "'";
        if (auto near = suggest(key, allowed))
            message += " (did you mean '" + *near + "'?)";
        diagnostics_->error(yaml_location(*entry.key, *file_), message);
    }
}

std::vector<std::pair<YamlField, YamlField>> YamlMap::entries() {
    std::vector<std::pair<YamlField, YamlField>> out;
    out.reserve(entries_.size());
    for (auto& entry : entries_) {
        entry.taken = true;
        const std::string path = child_path(entry.key->scalar());
        out.emplace_back(YamlField{*entry.key, path, file_}, YamlField{*entry.value, path, file_});
    }
    return out;
}

std::optional<std::string> read_string(const YamlField& field, Diagnostics& diagnostics) {
    if (!field.node.is_scalar()) {
        diagnostics.error(field.location(), "field '" + field.path + "' must be a string, not " +
                                                node_kind(field.node));
        return std::nullopt;
    }
    return field.node.scalar();
}

std::optional<bool> read_bool(const YamlField& field, Diagnostics& diagnostics) {
    if (field.node.is_scalar() && !field.node.string_typed()) {
        const std::string& s = field.node.scalar();
        if (s == "true" || s == "True" || s == "TRUE")
            return true;
        if (s == "false" || s == "False" || s == "FALSE")
            return false;
    }
    diagnostics.error(field.location(), "field '" + field.path + "' must be true or false");
    return std::nullopt;
}

std::optional<std::int64_t> read_integer(const YamlField& field, std::int64_t min, std::int64_t max,
                                         Diagnostics& diagnostics) {
    const std::string range = std::to_string(min) + ".." + std::to_string(max);
    if (field.node.is_scalar() && !field.node.string_typed()) {
        const std::string& s = field.node.scalar();
        std::int64_t value = 0;
        auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
        if (ec == std::errc{} && end == s.data() + s.size() && !s.empty()) {
            if (value >= min && value <= max)
                return value;
            diagnostics.error(field.location(), "field '" + field.path + "' must be in " + range +
                                                    ", not " + s);
            return std::nullopt;
        }
    }
    diagnostics.error(field.location(),
                      "field '" + field.path + "' must be a whole number in " + range);
    return std::nullopt;
}

namespace {

std::size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                              std::tolower(static_cast<unsigned char>(b[j - 1]));
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (same ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

} // namespace

std::optional<std::string> suggest(const std::string& word,
                                   const std::vector<std::string>& candidates) {
    std::optional<std::string> best;
    std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
    for (const auto& candidate : candidates) {
        const std::size_t d = edit_distance(word, candidate);
        if (d < best_distance) {
            best_distance = d;
            best = candidate;
        }
    }
    return best;
}

} // namespace hookwarden
