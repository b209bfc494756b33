#include "core/yaml_fields.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace hookwarden {

SourceLocation yaml_location(const YAML::Node& node, const std::string& file) {
    const YAML::Mark mark = node.Mark();
    if (mark.is_null())
        return {file};
    return {file, mark.line + 1, mark.column + 1};
}

std::optional<std::vector<YAML::Node>> parse_yaml_documents(const std::string& text,
                                                            const std::string& file,
                                                            Diagnostics& diagnostics) {
    std::vector<YAML::Node> documents;
    try {
        for (auto& document : YAML::LoadAll(text))
            if (!document.IsNull())
                documents.push_back(std::move(document));
    } catch (const YAML::DeepRecursion& e) {
        diagnostics.error({file, e.mark.line + 1, e.mark.column + 1},
                          "YAML is nested too deeply to be a manifest");
        return std::nullopt;
    } catch (const YAML::Exception& e) {
        SourceLocation where{file};
        if (!e.mark.is_null())
            where = {file, e.mark.line + 1, e.mark.column + 1};
        diagnostics.error(where, "invalid YAML: " + e.msg);
        return std::nullopt;
    }
    return documents;
}

namespace {

const char* node_kind(const YAML::Node& node) {
    switch (node.Type()) {
    case YAML::NodeType::Null: return "null";
    case YAML::NodeType::Scalar: return "a scalar";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Undefined: break;
    }
    return "undefined";
}

// A scalar written in quotes or with an explicit !!str tag is a string even
// when it looks like a number or a boolean.
bool is_quoted_or_string_tagged(const YAML::Node& node) {
    return node.Tag() == "!" || node.Tag() == "tag:yaml.org,2002:str";
}

} // namespace

YamlMap::YamlMap(YAML::Node node, std::string path, const std::string& file,
                 Diagnostics& diagnostics)
    : node_(std::move(node)), path_(std::move(path)), file_(&file), diagnostics_(&diagnostics) {
    if (!node_.IsMap()) {
        diagnostics.error(location(), (path_.empty() ? std::string("document")
                                                     : "field '" + path_ + "'") +
                                          " must be a mapping, not " + node_kind(node_));
        return;
    }
    valid_ = true;
    for (auto it = node_.begin(); it != node_.end(); ++it) {
        // A copy, not a reference: yaml-cpp's `it->` returns a proxy that
        // dies at the end of the expression (ASan: stack-use-after-scope).
        const YAML::Node key = it->first;
        if (!key.IsScalar()) {
            diagnostics.error(yaml_location(key, file), "keys must be plain strings");
            continue;
        }
        const std::string text = key.Scalar();
        auto same = std::find_if(keys_.begin(), keys_.end(),
                                 [&](const auto& k) { return k.first == text; });
        if (same != keys_.end()) {
            diagnostics.error(yaml_location(key, file),
                              "duplicate field '" + child_path(text) + "' (first at line " +
                                  std::to_string(same->second.Mark().line + 1) + ")");
            continue;
        }
        keys_.emplace_back(text, key);
    }
    taken_.assign(keys_.size(), false);
}

std::string YamlMap::child_path(const std::string& key) const {
    return path_.empty() ? key : path_ + '.' + key;
}

std::optional<YamlField> YamlMap::take(const std::string& key) {
    if (!valid_)
        return std::nullopt;
    for (std::size_t i = 0; i < keys_.size(); ++i) {
        if (keys_[i].first != key)
            continue;
        taken_[i] = true;
        // Look the value up through the key node itself: node_[key] would
        // return the first of two duplicate keys, and loses nothing here.
        for (auto it = node_.begin(); it != node_.end(); ++it)
            if (it->first.is(keys_[i].second))
                return YamlField{it->second, child_path(key), file_};
    }
    return std::nullopt;
}

std::optional<YamlField> YamlMap::require(const std::string& key) {
    auto field = take(key);
    if (!field && valid_)
        diagnostics_->error(location(), "missing required field '" + child_path(key) + "'");
    return field;
}

void YamlMap::finish(const std::vector<std::string>& allowed) {
    for (std::size_t i = 0; i < keys_.size(); ++i) {
        if (taken_[i])
            continue;
        std::string message = "unknown field '" + child_path(keys_[i].first) + "'";
        if (auto near = suggest(keys_[i].first, allowed))
            message += " (did you mean '" + *near + "'?)";
        diagnostics_->error(yaml_location(keys_[i].second, *file_), message);
    }
}

std::vector<std::pair<YamlField, YamlField>> YamlMap::entries() {
    std::vector<std::pair<YamlField, YamlField>> out;
    if (!valid_)
        return out;
    for (auto it = node_.begin(); it != node_.end(); ++it) {
        if (!it->first.IsScalar())
            continue;
        const std::string path = child_path(it->first.Scalar());
        out.emplace_back(YamlField{it->first, path, file_}, YamlField{it->second, path, file_});
    }
    std::fill(taken_.begin(), taken_.end(), true);
    return out;
}

std::optional<std::string> read_string(const YamlField& field, Diagnostics& diagnostics) {
    if (!field.node.IsScalar()) {
        diagnostics.error(field.location(), "field '" + field.path + "' must be a string, not " +
                                                node_kind(field.node));
        return std::nullopt;
    }
    return field.node.Scalar();
}

std::optional<bool> read_bool(const YamlField& field, Diagnostics& diagnostics) {
    if (field.node.IsScalar() && !is_quoted_or_string_tagged(field.node)) {
        const std::string& s = field.node.Scalar();
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
    if (field.node.IsScalar() && !is_quoted_or_string_tagged(field.node)) {
        const std::string& s = field.node.Scalar();
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
