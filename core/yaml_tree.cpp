#include "core/yaml_tree.hpp"

#include "core/source_file.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <istream>
#include <streambuf>
#include <string_view>
#include <unordered_map>

namespace hookwarden {

namespace {

constexpr std::string_view str_tag = "tag:yaml.org,2002:str";
constexpr std::string_view null_tag = "tag:yaml.org,2002:null";
/// yaml-cpp's non-specific tags: "?" for a plain scalar or a collection,
/// "!" for a quoted or block scalar (or one tagged `!`).
constexpr std::string_view plain_tag = "?";
constexpr std::string_view non_plain_tag = "!";

/// Thrown by the tree builder to stop yaml-cpp once a diagnostic is
/// recorded (too deep, an alias bomb). Not a YAML::Exception, so it is never
/// mistaken for one of the parser's errors.
struct StopParsing {};

/// Lets yaml-cpp read the text where it is: it takes an std::istream, and an
/// istringstream would copy every file once more. Never written through
/// (yaml-cpp only puts back the characters it read).
class TextBuffer : public std::streambuf {
public:
    explicit TextBuffer(const std::string& text) {
        char* begin = const_cast<char*>(text.data());
        setg(begin, begin, begin + text.size());
    }
};

/// yaml-cpp's marks are 0-based and count bytes; ours are 1-based and count
/// characters. Line starts are found once, so converting a mark costs the
/// length of its line's prefix, not of the text before it.
class Positions {
public:
    explicit Positions(const std::string& text) : text_(text) {
        // yaml-cpp eats a UTF-8 byte order mark before it counts anything.
        const std::size_t first = text.starts_with("\xEF\xBB\xBF") ? 3 : 0;
        starts_.push_back(first);
        cursor_offset_ = first;
        for (const char* p = text.data() + first, *end = text.data() + text.size();
             (p = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p))));)
            starts_.push_back(static_cast<std::size_t>(++p - text.data()));
    }

    /// Byte offset of `mark` in the text (clamped to its end).
    std::size_t offset(const YAML::Mark& mark) const {
        const std::size_t line = std::min<std::size_t>(static_cast<std::size_t>(std::max(mark.line, 0)),
                                                       starts_.size() - 1);
        return std::min(starts_[line] + static_cast<std::size_t>(std::max(mark.column, 0)), text_.size());
    }

    /// 1-based line and character column of `mark`. Marks mostly come in
    /// document order, so counting goes on from the last one on the same
    /// line: a long line costs its length once, not once per node on it.
    std::pair<int, int> location(const YAML::Mark& mark) const {
        const std::size_t line = std::min<std::size_t>(static_cast<std::size_t>(std::max(mark.line, 0)),
                                                       starts_.size() - 1);
        const std::size_t end = offset(mark);
        if (line != cursor_line_ || end < cursor_offset_) {
            cursor_line_ = line;
            cursor_offset_ = starts_[line];
            cursor_column_ = 1;
        }
        for (; cursor_offset_ < end; ++cursor_offset_)
            if ((static_cast<unsigned char>(text_[cursor_offset_]) & 0xC0) != 0x80)
                ++cursor_column_; // continuation bytes belong to the character before
        return {static_cast<int>(line) + 1, cursor_column_};
    }

private:
    const std::string& text_;
    std::vector<std::size_t> starts_;
    mutable std::size_t cursor_line_ = 0;
    mutable std::size_t cursor_offset_ = 0;
    mutable int cursor_column_ = 1;
};

/// The first character YAML does not allow anywhere in a stream (C0 and C1
/// controls other than tab, line feed, carriage return and NEL; DEL), or
/// npos. yaml-cpp takes them as text; libyaml and the YAML spec refuse them.
std::size_t find_control_character(const std::string& text) {
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F)
            return i;
        if (c == 0xC2 && i + 1 < text.size()) {
            const auto next = static_cast<unsigned char>(text[i + 1]);
            if (next >= 0x80 && next <= 0x9F && next != 0x85)
                return i;
        }
    }
    return std::string::npos;
}

/// Just past the closing quote of the quoted scalar whose opening quote is
/// at `open`, or npos when the text ends first.
std::size_t quoted_scalar_end(const std::string& text, std::size_t open) {
    const char quote = text[open];
    for (std::size_t i = open + 1; i < text.size();) {
        // Two characters that stand for one: a backslash escape (perhaps of
        // the quote) in a double-quoted scalar, '' in a single-quoted one.
        const bool escape = quote == '"' && text[i] == '\\';
        const bool doubled_quote =
            quote == '\'' && text[i] == '\'' && i + 1 < text.size() && text[i + 1] == '\'';
        if (escape || doubled_quote)
            i += 2;
        else if (text[i] == quote)
            return i + 1;
        else
            ++i;
    }
    return std::string::npos;
}

/// Where flow collections (`[`, `{`) first nest deeper than `max_depth`, or
/// npos. yaml-cpp keeps every token of a line buffered while the bracket
/// that opened it might still turn out to be a mapping key, so a file of a
/// million `[` costs it a quarter of a gigabyte and seconds before the tree
/// builder sees the 65th level; this scan finds that level first, in one
/// cheap pass. It errs towards counting too little (the tree builder still
/// enforces the limit exactly): brackets count only where YAML can open a
/// collection, never inside quoted, plain or block scalars or comments.
std::size_t find_deep_flow_nesting(const std::string& text, std::size_t max_depth) {
    const std::size_t n = text.size();
    const auto is_blank = [&](std::size_t i) {
        return i >= n || text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n';
    };
    const auto skip_quoted = [&](std::size_t open) {
        const std::size_t end = quoted_scalar_end(text, open);
        return end == std::string::npos ? n : end;
    };
    const auto line_end = [&](std::size_t i) {
        const auto* p = static_cast<const char*>(std::memchr(text.data() + i, '\n', n - i));
        return p ? static_cast<std::size_t>(p - text.data()) : n;
    };
    std::size_t depth = 0;
    std::size_t i = 0;
    std::size_t skip_deeper_than = std::string::npos; // block scalar or plain continuation
    while (i < n) {
        // At a line start in block context.
        std::size_t indent = 0;
        while (i + indent < n && text[i + indent] == ' ')
            ++indent;
        const std::size_t first = i + indent;
        if (skip_deeper_than != std::string::npos &&
            (first >= n || text[first] == '\n' || text[first] == '\r' || indent > skip_deeper_than)) {
            i = line_end(i) + 1;
            continue;
        }
        skip_deeper_than = std::string::npos;
        bool node_start = true;
        std::size_t end = line_end(i);
        i = first;
        while (i < end) {
            const char c = text[i];
            if (depth > 0) {
                // Flow context: brackets are structure wherever they are
                // (plain scalars cannot hold them); quotes only open a
                // scalar where a node starts.
                if (c == '[' || c == '{') {
                    if (++depth > max_depth)
                        return i;
                    node_start = true;
                } else if (c == ']' || c == '}') {
                    --depth;
                    node_start = false;
                } else if (c == ',') {
                    node_start = true;
                } else if (c == '#' && i > 0 && is_blank(i - 1)) {
                    i = end;
                    continue;
                } else if (node_start && (c == '"' || c == '\'')) {
                    i = skip_quoted(i);
                    end = i < n ? std::max(end, line_end(i)) : n;
                    node_start = false;
                    continue;
                } else if (c == ':' || c == '?' || c == '-') {
                    node_start = is_blank(i + 1) || (i + 1 < n && std::strchr(",[]{}", text[i + 1]));
                } else if (!is_blank(i)) {
                    node_start = false;
                }
                ++i;
                if (i == end && depth > 0 && end < n)
                    end = line_end(++i); // a flow collection goes on over lines
                continue;
            }
            // Block context.
            if (!node_start) {
                // Inside a plain scalar: only ": " starts a value, " #" a comment.
                if (c == ':' && is_blank(i + 1))
                    node_start = true;
                else if (c == '#' && is_blank(i - 1))
                    break;
                ++i;
                continue;
            }
            if (c == ' ' || c == '\t' || c == '\r' ||
                ((c == '-' || c == '?' || c == ':') && is_blank(i + 1))) {
                ++i; // a blank, or an indicator after which a node still starts
            } else if (c == '#') {
                break;
            } else if (c == '&' || c == '!') {
                while (i < end && !is_blank(i))
                    ++i;
            } else if (c == '[' || c == '{') {
                if (++depth > max_depth)
                    return i;
                ++i;
            } else if (c == '"' || c == '\'') {
                i = skip_quoted(i);
                if (i >= n)
                    return std::string::npos;
                end = line_end(i);
                node_start = false;
            } else if (c == '|' || c == '>') {
                skip_deeper_than = indent; // the block scalar's lines
                break;
            } else if (i == first && indent == 0 && (text.compare(i, 3, "---") == 0 ||
                                                      text.compare(i, 3, "...") == 0) &&
                       is_blank(i + 3)) {
                i += 3; // a document marker; a node may follow on its line
            } else {
                node_start = false; // a plain scalar
                ++i;
            }
        }
        if (!node_start && depth == 0 && skip_deeper_than == std::string::npos) {
            // A plain scalar ran to the end of the line: more indented lines
            // after it continue it.
            skip_deeper_than = indent;
        }
        i = end + 1;
    }
    return std::string::npos;
}

/// True when the quoted scalar whose node starts at `offset` (possibly
/// after a tag or an anchor) has its closing quote. Block scalars (`|`,
/// `>`) always end. yaml-cpp 0.7 takes a quoted scalar that runs into the
/// end of the input as if it were closed there.
bool quoted_scalar_closed(const std::string& text, std::size_t offset) {
    std::size_t i = offset;
    // Skip the node's properties (`!tag`, `&anchor`) and the space after them.
    while (i < text.size()) {
        const char c = text[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            ++i;
        } else if (c == '!' || c == '&') {
            while (i < text.size() && text[i] != ' ' && text[i] != '\t' && text[i] != '\n')
                ++i;
        } else {
            break;
        }
    }
    if (i >= text.size() || (text[i] != '"' && text[i] != '\''))
        return true;
    return quoted_scalar_end(text, i) != std::string::npos;
}

/// yaml-cpp's messages are terse fragments; these say the same as a sentence.
std::string describe_parser_error(const std::string& message) {
    static const std::unordered_map<std::string_view, std::string_view> sentences{
        {YAML::ErrorMsg::END_OF_SEQ_FLOW, "a flow sequence is not closed with ']'"},
        {YAML::ErrorMsg::END_OF_MAP_FLOW, "a flow mapping is not closed with '}'"},
        {YAML::ErrorMsg::END_OF_SEQ, "expected another '- ' item or the end of the list here"},
        {YAML::ErrorMsg::END_OF_MAP, "expected another 'key: value' entry or the end of the mapping here"},
        {YAML::ErrorMsg::MAP_VALUE, "a ':' is not allowed here; check the indentation, or quote a value "
                                    "that holds ': '"},
        {YAML::ErrorMsg::MAP_KEY, "a '?' key is not allowed here"},
        {YAML::ErrorMsg::BLOCK_ENTRY, "a '- ' item is not allowed here; check the indentation"},
        {YAML::ErrorMsg::FLOW_END, "a closing ']' or '}' has no opening one"},
        {YAML::ErrorMsg::TAB_IN_INDENTATION, "a tab is used for indentation; YAML indents with spaces"},
        {YAML::ErrorMsg::UNKNOWN_TOKEN, "unexpected text"},
        {YAML::ErrorMsg::DOC_IN_SCALAR, "a document marker ('---' or '...') is inside a quoted scalar"},
    };
    const auto found = sentences.find(message);
    return std::string(found == sentences.end() ? std::string_view(message) : found->second);
}

} // namespace

SourceLocation yaml_location(const YamlNode& node, const std::string& file) {
    if (node.line() == 0)
        return {file};
    return {file, node.line(), node.column()};
}

// Turns yaml-cpp's events into YamlNode trees, one per document.
class YamlTreeBuilder final : public YAML::EventHandler {
public:
    YamlTreeBuilder(const std::string& text, const std::string& file, Diagnostics& diagnostics)
        : text_(text), file_(file), diagnostics_(diagnostics), positions_(text) {}

    std::optional<std::vector<YamlNode>> build() {
        if (const std::size_t bad = find_control_character(text_); bad != std::string::npos) {
            char code[8]; // U+0000 .. U+00FF and the NUL
            (void)std::snprintf(code, sizeof code, "U+%04X",
                                static_cast<unsigned char>(text_[bad]) == 0xC2
                                    ? static_cast<unsigned>(static_cast<unsigned char>(text_[bad + 1]))
                                    : static_cast<unsigned>(static_cast<unsigned char>(text_[bad])));
            diagnostics_.error(location_of_offset(text_, bad, file_),
                               std::string("invalid YAML: control character ") + code +
                                   " is not allowed in a YAML file");
            return std::nullopt;
        }
        if (const std::size_t deep = find_deep_flow_nesting(text_, max_yaml_depth);
            deep != std::string::npos) {
            diagnostics_.error(location_of_offset(text_, deep, file_), nesting_message());
            return std::nullopt;
        }
        TextBuffer buffer(text_);
        std::istream input(&buffer);
        try {
            YAML::Parser parser(input);
            while (parser.HandleNextDocument(*this)) {
            }
        } catch (const StopParsing&) {
            return std::nullopt;
        } catch (const YAML::Exception& e) {
            report_parser_error(e);
            return std::nullopt;
        }
        if (last_non_plain_scalar_ && !quoted_scalar_closed(text_, *last_non_plain_scalar_)) {
            diagnostics_.error(location_of_offset(text_, *last_non_plain_scalar_, file_),
                               "invalid YAML: the quoted scalar that starts here is never closed "
                               "(its closing quote is missing before the end of the file)");
            return std::nullopt;
        }
        return std::move(documents_);
    }

    void OnDocumentStart(const YAML::Mark& mark) override {
        // yaml-cpp 0.7 never gets past a ',' outside a flow collection at
        // the start of a document: it reports an empty document there, again
        // and again, for ever (found by tests/fuzz/manifest_fuzz: a file
        // holding "," hung validate and the daemon). A document that starts
        // where the previous one started is that loop.
        const std::size_t offset = positions_.offset(mark);
        if (last_document_start_ && *last_document_start_ == offset)
            stop(mark, "invalid YAML: a ',' is only allowed between the items of a [ ] or { } list; "
                       "quote a value that starts with one");
        last_document_start_ = offset;
        // Anchors belong to their document (yaml-cpp numbers them afresh).
        anchors_.clear();
        open_.clear();
        root_.reset();
    }

    void OnDocumentEnd() override {
        if (root_ && !root_->is_null())
            documents_.push_back(std::move(*root_));
        root_.reset();
    }

    void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
        attach(located(mark), anchor);
    }

    void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  const std::string& value) override {
        YamlNode node = located(mark);
        node.scalar_ = value;
        node.string_typed_ = tag == non_plain_tag || tag == str_tag;
        node.kind_ = tag == null_tag ? YamlNode::Kind::null : YamlNode::Kind::scalar;
        if (tag != plain_tag)
            last_non_plain_scalar_ = positions_.offset(mark);
        attach(std::move(node), anchor);
    }

    void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
        const auto anchored = anchors_.find(anchor);
        if (anchored == anchors_.end()) {
            // yaml-cpp knows the anchor, but its node is not finished: the
            // alias sits inside the node it names.
            stop(mark, "alias '*" + alias_name(mark) + "' refers to the node that contains it");
        }
        alias_nodes_ += anchored->second.weight();
        if (alias_nodes_ > max_yaml_alias_nodes)
            stop(mark, "YAML aliases expand to more than " + std::to_string(max_yaml_alias_nodes) +
                           " nodes; refusing what looks like an alias bomb");
        // The copy points at the alias, where a message about it belongs.
        YamlNode copy = anchored->second;
        const auto [line, column] = positions_.location(mark);
        copy.line_ = line;
        copy.column_ = column;
        attach(std::move(copy), YAML::NullAnchor);
    }

    void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                         YAML::EmitterStyle::value style) override {
        open(mark, YamlNode::Kind::sequence, anchor, style);
    }

    void OnSequenceEnd() override { close(); }

    void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                    YAML::EmitterStyle::value style) override {
        open(mark, YamlNode::Kind::mapping, anchor, style);
    }

    void OnMapEnd() override { close(); }

private:
    struct Frame {
        YamlNode node;
        YAML::anchor_t anchor;
        bool flow;
    };

    static std::string nesting_message() {
        return "YAML is nested more than " + std::to_string(max_yaml_depth) + " levels deep";
    }

    YamlNode located(const YAML::Mark& mark) const {
        YamlNode node;
        const auto [line, column] = positions_.location(mark);
        node.line_ = line;
        node.column_ = column;
        return node;
    }

    // yaml-cpp announces each collection before it parses what is inside,
    // so stopping here bounds its recursion too: no pre-scan of the text
    // is needed to keep a deeply nested file from exhausting the stack.
    void open(const YAML::Mark& mark, YamlNode::Kind kind, YAML::anchor_t anchor,
              YAML::EmitterStyle::value style) {
        if (open_.size() >= max_yaml_depth)
            stop(mark, nesting_message());
        Frame frame{located(mark), anchor, style == YAML::EmitterStyle::Flow};
        frame.node.kind_ = kind;
        open_.push_back(std::move(frame));
    }

    void close() {
        Frame frame = std::move(open_.back());
        open_.pop_back();
        attach(std::move(frame.node), frame.anchor);
    }

    void attach(YamlNode node, YAML::anchor_t anchor) {
        if (anchor != YAML::NullAnchor)
            anchors_.insert_or_assign(anchor, node);
        if (open_.empty()) {
            root_ = std::move(node);
            return;
        }
        YamlNode& parent = open_.back().node;
        parent.weight_ += node.weight_;
        parent.children_.push_back(std::move(node));
    }

    /// The name after the `*` at `mark`.
    std::string alias_name(const YAML::Mark& mark) const {
        std::size_t begin = positions_.offset(mark);
        if (begin < text_.size() && text_[begin] == '*')
            ++begin;
        std::size_t end = begin;
        while (end < text_.size() && !std::strchr(" \t\r\n,[]{}", text_[end]))
            ++end;
        return text_.substr(begin, end - begin);
    }

    void report_parser_error(const YAML::Exception& e) {
        if (e.mark.is_null()) {
            diagnostics_.error({file_}, "invalid YAML: " + describe_parser_error(e.msg));
            return;
        }
        if (e.msg == YAML::ErrorMsg::UNKNOWN_ANCHOR) {
            error(e.mark, "alias '*" + alias_name(e.mark) + "' names no anchor defined before it");
            return;
        }
        std::string message = "invalid YAML: " + describe_parser_error(e.msg);
        if (!open_.empty()) {
            // What was being read when the parser gave up: often the real
            // mistake (a bracket never closed) is where that started.
            const Frame& inner = open_.back();
            const std::string what = std::string(inner.flow ? "flow " : "block ") +
                                     (inner.node.is_mapping() ? "mapping" : "sequence") +
                                     " that starts at line " + std::to_string(inner.node.line()) +
                                     ", column " + std::to_string(inner.node.column());
            const bool unclosed_sequence = e.msg == YAML::ErrorMsg::END_OF_SEQ_FLOW && inner.flow &&
                                           inner.node.is_sequence();
            const bool unclosed_mapping = e.msg == YAML::ErrorMsg::END_OF_MAP_FLOW && inner.flow &&
                                          inner.node.is_mapping();
            if (unclosed_sequence || unclosed_mapping)
                message = "invalid YAML: the " + what + " is not closed with '" +
                          (unclosed_sequence ? "]" : "}") + "' before this point";
            else
                message += " (while reading the " + what + ")";
        }
        error(e.mark, std::move(message));
    }

    void error(const YAML::Mark& mark, std::string message) {
        const auto [line, column] = positions_.location(mark);
        diagnostics_.error({file_, line, column}, std::move(message));
    }

    [[noreturn]] void stop(const YAML::Mark& mark, std::string message) {
        error(mark, std::move(message));
        throw StopParsing{};
    }

    const std::string& text_;
    const std::string& file_;
    Diagnostics& diagnostics_;
    Positions positions_;
    std::vector<YamlNode> documents_;
    std::vector<Frame> open_;
    std::optional<YamlNode> root_;
    std::unordered_map<YAML::anchor_t, YamlNode> anchors_;
    std::size_t alias_nodes_ = 0;
    /// Where the last quoted or block scalar starts (byte offset): only the
    /// last one can run into the end of the input.
    std::optional<std::size_t> last_non_plain_scalar_;
    std::optional<std::size_t> last_document_start_; ///< offset of the last document's first event
};

std::optional<std::vector<YamlNode>> parse_yaml_documents(const std::string& text,
                                                          const std::string& file,
                                                          Diagnostics& diagnostics) {
    return YamlTreeBuilder(text, file, diagnostics).build();
}

} // namespace hookwarden
