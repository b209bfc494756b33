#include "core/yaml_fields.hpp"

#include <boost/json/value.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <limits>

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

std::optional<YamlField> YamlMap::key(const std::string& key) const {
    const auto found = index_.find(key);
    if (found == index_.end())
        return std::nullopt;
    return YamlField{*entries_[found->second].key, child_path(key), file_};
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
    // A range up to the largest int is a lower bound only, and said so.
    const bool at_least = max == std::numeric_limits<int>::max();
    const std::string range = at_least ? "of at least " + std::to_string(min)
                                       : "in " + std::to_string(min) + ".." + std::to_string(max);
    if (field.node.is_scalar() && !field.node.string_typed()) {
        const std::string& s = field.node.scalar();
        std::int64_t value = 0;
        auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
        if (ec == std::errc{} && end == s.data() + s.size() && !s.empty()) {
            if (value >= min && value <= max)
                return value;
            const std::string bound = !at_least    ? "in " + std::to_string(min) + ".." + std::to_string(max)
                                      : value < min ? "at least " + std::to_string(min)
                                                    : "at most " + std::to_string(max);
            diagnostics.error(field.location(), "field '" + field.path + "' must be " + bound +
                                                    ", not " + s);
            return std::nullopt;
        }
    }
    diagnostics.error(field.location(),
                      "field '" + field.path + "' must be a whole number " + range);
    return std::nullopt;
}

namespace {

// What a plain scalar is, for read_json_scalar.
enum class PlainScalar { string, null, boolean, number, ambiguous_word, ambiguous_number, not_finite };

bool all_of_range(std::string_view text, std::size_t from, bool (*pred)(char)) {
    if (from >= text.size())
        return false;
    return std::all_of(text.begin() + static_cast<std::ptrdiff_t>(from), text.end(), pred);
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
bool is_json_number(std::string_view s) {
    std::size_t i = 0;
    const auto digits = [&] {
        const std::size_t start = i;
        while (i < s.size() && is_digit(s[i]))
            ++i;
        return i - start;
    };
    if (i < s.size() && s[i] == '-')
        ++i;
    if (i < s.size() && s[i] == '0')
        ++i;
    else if (digits() == 0)
        return false;
    if (i < s.size() && s[i] == '.') {
        ++i;
        if (digits() == 0)
            return false;
    }
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < s.size() && (s[i] == '+' || s[i] == '-'))
            ++i;
        if (digits() == 0)
            return false;
    }
    return i == s.size();
}

// YAML 1.2 core schema numbers (and YAML 1.1's 0b binary) that are not
// JSON numbers: `[-+]?[0-9]+`, `0o[0-7]+`, `0x[0-9a-fA-F]+`,
// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, `0b[01]+`.
bool is_other_yaml_number(std::string_view s) {
    if (s.size() > 2 && s[0] == '0') {
        if (s[1] == 'o')
            return all_of_range(s, 2, [](char c) { return c >= '0' && c <= '7'; });
        if (s[1] == 'x')
            return all_of_range(s, 2, [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
        if (s[1] == 'b')
            return all_of_range(s, 2, [](char c) { return c == '0' || c == '1'; });
    }
    std::size_t i = 0;
    if (i < s.size() && (s[i] == '-' || s[i] == '+'))
        ++i;
    std::size_t mantissa_digits = 0;
    while (i < s.size() && is_digit(s[i]))
        ++i, ++mantissa_digits;
    if (i < s.size() && s[i] == '.') {
        ++i;
        while (i < s.size() && is_digit(s[i]))
            ++i, ++mantissa_digits;
    }
    if (mantissa_digits == 0)
        return false;
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < s.size() && (s[i] == '+' || s[i] == '-'))
            ++i;
        return all_of_range(s, i, is_digit);
    }
    return i == s.size();
}

PlainScalar classify_plain(std::string_view s) {
    static constexpr std::array<std::string_view, 5> nulls{"", "~", "null", "Null", "NULL"};
    static constexpr std::array<std::string_view, 6> booleans{"true", "True", "TRUE",
                                                              "false", "False", "FALSE"};
    static constexpr std::array<std::string_view, 16> yaml11_booleans{
        "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF"};
    static constexpr std::array<std::string_view, 9> not_finite{
        ".inf", ".Inf", ".INF", "-.inf", "-.Inf", "-.INF", "+.inf", "+.Inf", "+.INF"};
    static constexpr std::array<std::string_view, 3> nans{".nan", ".NaN", ".NAN"};
    const auto in = [s](const auto& words) { return std::find(words.begin(), words.end(), s) != words.end(); };
    if (in(nulls))
        return PlainScalar::null;
    if (in(booleans))
        return PlainScalar::boolean;
    if (in(yaml11_booleans))
        return PlainScalar::ambiguous_word;
    if (in(not_finite) || in(nans))
        return PlainScalar::not_finite;
    if (is_json_number(s))
        return PlainScalar::number;
    if (is_other_yaml_number(s))
        return PlainScalar::ambiguous_number;
    return PlainScalar::string;
}

// A JSON number's text as Boost.JSON would hold it.
std::optional<boost::json::value> json_number(const std::string& s) {
    const char* first = s.data();
    const char* last = s.data() + s.size();
    if (s.find_first_of(".eE") == std::string::npos) {
        std::int64_t signed_value = 0;
        if (auto [end, ec] = std::from_chars(first, last, signed_value); ec == std::errc{} && end == last)
            return boost::json::value(signed_value);
        std::uint64_t unsigned_value = 0;
        if (auto [end, ec] = std::from_chars(first, last, unsigned_value); ec == std::errc{} && end == last)
            return boost::json::value(unsigned_value);
    }
    double real = 0;
    if (auto [end, ec] = std::from_chars(first, last, real); ec == std::errc{} && end == last)
        return boost::json::value(real);
    return std::nullopt; // out of a double's range
}

} // namespace

std::optional<boost::json::value> read_json_scalar(const YamlField& field, Diagnostics& diagnostics) {
    const auto fail = [&](const std::string& message) -> std::optional<boost::json::value> {
        diagnostics.error(field.location(), "field '" + field.path + "' " + message);
        return std::nullopt;
    };
    if (field.node.is_null())
        return fail("must be a string, a number or true/false, not null");
    if (!field.node.is_scalar())
        return fail("must be one value (a string, a number or true/false), not " +
                    std::string(node_kind(field.node)));
    const std::string& text = field.node.scalar();
    if (field.node.string_typed())
        return boost::json::value(text);
    switch (classify_plain(text)) {
    case PlainScalar::string:
        return boost::json::value(text);
    case PlainScalar::null:
        return fail("must be a string, a number or true/false, not null (write '" + text +
                    "' in quotes for the text)");
    case PlainScalar::boolean:
        return boost::json::value(text[0] == 't' || text[0] == 'T');
    case PlainScalar::number:
        if (auto number = json_number(text))
            return number;
        return fail("is " + text + ", a number too large for JSON");
    case PlainScalar::ambiguous_word:
        return fail("is " + text + ", which YAML readers disagree about; write true or false, or \"" +
                    text + "\" in quotes for the text");
    case PlainScalar::ambiguous_number:
        return fail("is " + text + ", which is not a number as JSON writes it; write the number "
                    "in decimal (e.g. 12, -3, 0.5, 1.0), or \"" + text + "\" in quotes for the text");
    case PlainScalar::not_finite:
        return fail("is " + text + ", but JSON numbers are finite; write \"" + text +
                    "\" in quotes for the text");
    }
    return fail("must be a string, a number or true/false");
}

bool plain_scalar_is_string(std::string_view text) {
    return classify_plain(text) == PlainScalar::string;
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
