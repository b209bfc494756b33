#include "core/yaml_tree.hpp"

#include "core/source_file.hpp"

#include <yaml.h>

#include <map>
#include <memory>

namespace hookwarden {

namespace {

constexpr std::string_view str_tag = "tag:yaml.org,2002:str";
constexpr std::string_view null_tag = "tag:yaml.org,2002:null";

std::string_view text_of(const yaml_char_t* text) {
    return text ? std::string_view(reinterpret_cast<const char*>(text)) : std::string_view();
}

struct ParserDeleter {
    void operator()(yaml_parser_t* parser) const {
        yaml_parser_delete(parser);
        delete parser;
    }
};

struct EventDeleter {
    void operator()(yaml_event_t* event) const { yaml_event_delete(event); }
};

} // namespace

SourceLocation yaml_location(const YamlNode& node, const std::string& file) {
    if (node.line() == 0)
        return {file};
    return {file, node.line(), node.column()};
}

// Turns libyaml's event stream into YamlNode trees, one per document.
class YamlTreeBuilder {
public:
    YamlTreeBuilder(const std::string& text, const std::string& file, Diagnostics& diagnostics)
        : text_(text), file_(file), diagnostics_(diagnostics) {}

    std::optional<std::vector<YamlNode>> build() {
        std::unique_ptr<yaml_parser_t, ParserDeleter> parser(new yaml_parser_t);
        if (!yaml_parser_initialize(parser.get())) {
            diagnostics_.error({file_}, "out of memory while reading YAML");
            return std::nullopt;
        }
        yaml_parser_set_input_string(parser.get(), reinterpret_cast<const unsigned char*>(text_.data()),
                                     text_.size());
        std::vector<YamlNode> documents;
        for (;;) {
            yaml_event_t raw;
            if (!yaml_parser_parse(parser.get(), &raw)) {
                report_parser_error(*parser);
                return std::nullopt;
            }
            std::unique_ptr<yaml_event_t, EventDeleter> event(&raw);
            switch (raw.type) {
            case YAML_STREAM_END_EVENT: return documents;
            case YAML_DOCUMENT_START_EVENT:
                // Anchors belong to their document.
                anchors_.clear();
                root_.reset();
                break;
            case YAML_DOCUMENT_END_EVENT:
                if (root_ && !root_->is_null())
                    documents.push_back(std::move(*root_));
                root_.reset();
                break;
            case YAML_SCALAR_EVENT:
                if (!attach(scalar(raw), text_of(raw.data.scalar.anchor)))
                    return std::nullopt;
                break;
            case YAML_ALIAS_EVENT:
                if (!alias(raw))
                    return std::nullopt;
                break;
            case YAML_SEQUENCE_START_EVENT:
            case YAML_MAPPING_START_EVENT:
                if (!open(raw))
                    return std::nullopt;
                break;
            case YAML_SEQUENCE_END_EVENT:
            case YAML_MAPPING_END_EVENT: {
                Frame frame = std::move(open_.back());
                open_.pop_back();
                if (!attach(std::move(frame.node), frame.anchor))
                    return std::nullopt;
                break;
            }
            case YAML_NO_EVENT:
            case YAML_STREAM_START_EVENT: break;
            }
        }
    }

private:
    struct Frame {
        YamlNode node;
        std::string anchor;
    };

    static YamlNode located(const yaml_mark_t& mark) {
        YamlNode node;
        node.line_ = static_cast<int>(mark.line + 1);
        node.column_ = static_cast<int>(mark.column + 1);
        return node;
    }

    static YamlNode scalar(const yaml_event_t& event) {
        const auto& data = event.data.scalar;
        YamlNode node = located(event.start_mark);
        const std::string_view tag = text_of(data.tag);
        const bool plain = data.style == YAML_PLAIN_SCALAR_STYLE;
        node.scalar_.assign(reinterpret_cast<const char*>(data.value), data.length);
        node.string_typed_ = tag == "!" || tag == str_tag || (tag.empty() && !plain);
        const bool null_text = node.scalar_.empty() || node.scalar_ == "~" || node.scalar_ == "null" ||
                               node.scalar_ == "Null" || node.scalar_ == "NULL";
        node.kind_ = tag == null_tag || (tag.empty() && plain && null_text) ? YamlNode::Kind::null
                                                                            : YamlNode::Kind::scalar;
        return node;
    }

    bool open(const yaml_event_t& event) {
        if (open_.size() >= max_yaml_depth) {
            error(event.start_mark, "YAML is nested more than " + std::to_string(max_yaml_depth) +
                                        " levels deep");
            return false;
        }
        const bool mapping = event.type == YAML_MAPPING_START_EVENT;
        Frame frame{located(event.start_mark),
                    std::string(text_of(mapping ? event.data.mapping_start.anchor
                                                : event.data.sequence_start.anchor))};
        frame.node.kind_ = mapping ? YamlNode::Kind::mapping : YamlNode::Kind::sequence;
        open_.push_back(std::move(frame));
        return true;
    }

    bool alias(const yaml_event_t& event) {
        const std::string name(text_of(event.data.alias.anchor));
        const auto anchored = anchors_.find(name);
        if (anchored == anchors_.end()) {
            error(event.start_mark, "alias '*" + name + "' names no anchor defined before it");
            return false;
        }
        alias_nodes_ += anchored->second.weight();
        if (alias_nodes_ > max_yaml_alias_nodes) {
            error(event.start_mark, "YAML aliases expand to more than " +
                                        std::to_string(max_yaml_alias_nodes) +
                                        " nodes; refusing what looks like an alias bomb");
            return false;
        }
        // The copy points at the alias, where a message about it belongs.
        YamlNode copy = anchored->second;
        copy.line_ = static_cast<int>(event.start_mark.line + 1);
        copy.column_ = static_cast<int>(event.start_mark.column + 1);
        return attach(std::move(copy), {});
    }

    bool attach(YamlNode node, std::string_view anchor) {
        if (!anchor.empty())
            anchors_.insert_or_assign(std::string(anchor), node);
        if (open_.empty()) {
            root_ = std::move(node);
            return true;
        }
        YamlNode& parent = open_.back().node;
        parent.weight_ += node.weight_;
        parent.children_.push_back(std::move(node));
        return true;
    }

    void report_parser_error(const yaml_parser_t& parser) {
        if (parser.error == YAML_MEMORY_ERROR) {
            diagnostics_.error({file_}, "out of memory while reading YAML");
            return;
        }
        if (parser.error == YAML_READER_ERROR) {
            // The reader's errors (bad encoding, a control character) come
            // with a byte offset rather than a mark.
            diagnostics_.error(location_of_offset(text_, parser.problem_offset, file_),
                               std::string("invalid YAML: ") + (parser.problem ? parser.problem : "bad encoding"));
            return;
        }
        std::string message = "invalid YAML: ";
        message += parser.problem ? parser.problem : "syntax error";
        if (parser.context)
            message += std::string(" (") + parser.context + " that starts at line " +
                       std::to_string(parser.context_mark.line + 1) + ", column " +
                       std::to_string(parser.context_mark.column + 1) + ")";
        error(parser.problem_mark, std::move(message));
    }

    void error(const yaml_mark_t& mark, std::string message) {
        diagnostics_.error({file_, static_cast<int>(mark.line + 1),
                            static_cast<int>(mark.column + 1)},
                           std::move(message));
    }

    const std::string& text_;
    const std::string& file_;
    Diagnostics& diagnostics_;
    std::vector<Frame> open_;
    std::optional<YamlNode> root_;
    std::map<std::string, YamlNode, std::less<>> anchors_;
    std::size_t alias_nodes_ = 0;
};

std::optional<std::vector<YamlNode>> parse_yaml_documents(const std::string& text,
                                                          const std::string& file,
                                                          Diagnostics& diagnostics) {
    return YamlTreeBuilder(text, file, diagnostics).build();
}

} // namespace hookwarden
