// Unit tests of the YAML layer: the located tree parsed with yaml-cpp
// (core/yaml_tree.hpp) and the writer behind `export` (core/yaml_writer.hpp).
#include <doctest/doctest.h>

#include "core/yaml_fields.hpp"
#include "core/yaml_tree.hpp"
#include "core/yaml_writer.hpp"

#include <chrono>
#include <string>
#include <tuple>
#include <vector>

using namespace hookwarden;

namespace {

const std::string file = "t.yaml";

std::vector<YamlNode> parse_ok(const std::string& text) {
    Diagnostics diagnostics;
    auto documents = parse_yaml_documents(text, file, diagnostics);
    INFO(text);
    REQUIRE(documents.has_value());
    REQUIRE(diagnostics.size() == 0);
    return std::move(*documents);
}

Diagnostic parse_error(const std::string& text) {
    Diagnostics diagnostics;
    auto documents = parse_yaml_documents(text, file, diagnostics);
    INFO(text);
    CHECK_FALSE(documents.has_value());
    REQUIRE(diagnostics.size() == 1);
    return diagnostics.all().front();
}

const YamlNode& value_of(const YamlNode& mapping, const std::string& key) {
    for (std::size_t i = 0; i + 1 < mapping.children().size(); i += 2)
        if (mapping.children()[i].scalar() == key)
            return mapping.children()[i + 1];
    FAIL("no key " << key);
    throw;
}

} // namespace

TEST_SUITE("yaml tree") {

TEST_CASE("scalars: plain ones may be typed, quoted, block and !!str ones are strings") {
    const auto doc = parse_ok("a: 42\nb: \"42\"\nc: '42'\nd: !!str 42\ne: |\n  42\nf: ! 42\ng: plain text\n").front();
    CHECK_FALSE(value_of(doc, "a").string_typed());
    CHECK(value_of(doc, "a").scalar() == "42");
    for (const char* key : {"b", "c", "d", "f"}) {
        INFO(key);
        CHECK(value_of(doc, key).string_typed());
        CHECK(value_of(doc, key).scalar() == "42");
    }
    CHECK(value_of(doc, "e").string_typed());
    CHECK(value_of(doc, "e").scalar() == "42\n");
    CHECK(value_of(doc, "g").scalar() == "plain text");
}

TEST_CASE("plain empty, ~ and null are null; quoted ones are strings") {
    const auto doc = parse_ok("a:\nb: ~\nc: null\nd: NULL\ne: \"null\"\nf: ''\ng: !!null x\n").front();
    for (const char* key : {"a", "b", "c", "d", "g"}) {
        INFO(key);
        CHECK(value_of(doc, key).is_null());
    }
    CHECK(value_of(doc, "e").is_scalar());
    CHECK(value_of(doc, "f").is_scalar());
    CHECK(value_of(doc, "f").scalar().empty());
}

TEST_CASE("nodes carry 1-based positions; mappings alternate keys and values") {
    const auto doc = parse_ok("# comment\nouter:\n  inner: [x, y]\n").front();
    REQUIRE(doc.is_mapping());
    CHECK(doc.size() == 1);
    CHECK(doc.children()[0].line() == 2);
    CHECK(doc.children()[0].column() == 1);
    const YamlNode& outer = value_of(doc, "outer");
    const YamlNode& inner = value_of(outer, "inner");
    REQUIRE(inner.is_sequence());
    CHECK(inner.size() == 2);
    CHECK(inner.children()[1].scalar() == "y");
    CHECK(inner.children()[1].line() == 3);
    CHECK(inner.children()[1].column() == 14);
    CHECK(yaml_location(inner, file) == SourceLocation{file, 3, 10});
}

TEST_CASE("every document is returned; empty and null documents are dropped") {
    const auto docs = parse_ok("a: 1\n---\n---\n~\n---\n- b\n");
    REQUIRE(docs.size() == 2);
    CHECK(docs[0].is_mapping());
    CHECK(docs[1].is_sequence());
    CHECK(parse_ok("").empty());
    CHECK(parse_ok("# only a comment\n").empty());
}

TEST_CASE("an alias is a copy of its anchor, located at the alias") {
    const auto doc = parse_ok("common: &events [user:login, user:logout]\nmine: *events\n").front();
    const YamlNode& mine = value_of(doc, "mine");
    REQUIRE(mine.is_sequence());
    CHECK(mine.size() == 2);
    CHECK(mine.children()[1].scalar() == "user:logout");
    CHECK(mine.line() == 2);
    CHECK(mine.column() == 7);
}

TEST_CASE("an alias without an anchor before it is an error at the alias") {
    const auto error = parse_error("a: *nowhere\n");
    CHECK(error.location == SourceLocation{file, 1, 4});
    CHECK(error.message.find("'*nowhere'") != std::string::npos);
    // Anchors are per document.
    CHECK(parse_error("a: &x 1\n---\nb: *x\n").location.line == 3);
}

TEST_CASE("aliases that expand past the budget are refused at the alias that crosses it") {
    std::string text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
    char previous = 'a';
    for (char c = 'b'; c <= 'f'; ++c) {
        text += std::string(1, c) + ": &" + c + " [";
        for (int i = 0; i < 10; ++i)
            text += std::string(i ? ", " : "") + "*" + previous;
        text += "]\n";
        previous = c;
    }
    const auto error = parse_error(text);
    CHECK(error.message.find("alias bomb") != std::string::npos);
    CHECK(error.location.line >= 5);
}

TEST_CASE("nesting is bounded") {
    CHECK(parse_ok(std::string(max_yaml_depth, '[') + std::string(max_yaml_depth, ']')).size() == 1);
    const auto error = parse_error(std::string(max_yaml_depth + 1, '[') + std::string(max_yaml_depth + 1, ']'));
    CHECK(error.location == SourceLocation{file, 1, static_cast<int>(max_yaml_depth) + 1});
    CHECK(error.message.find("nested") != std::string::npos);
}

TEST_CASE("brackets in scalars and comments are not nesting") {
    const std::string deep(max_yaml_depth + 10, '[');
    const auto doc = parse_ok("a: \"" + deep + "\"\n"
                              "b: '" + deep + "'\n"
                              "c: x" + deep + "\n"
                              "d: it's " + deep + "\n"
                              "e: |\n  " + deep + "\n  " + deep + "\n"
                              "f: plain text that goes on\n  " + deep + "\n"
                              "# " + deep + "\n"
                              "g: [ok, \"" + deep + "\", '" + deep + "'] # " + deep + "\n").front();
    CHECK(value_of(doc, "c").scalar() == "x" + deep);
    CHECK(value_of(doc, "e").scalar() == deep + "\n" + deep + "\n");
    CHECK(value_of(doc, "f").scalar() == "plain text that goes on " + deep);
    CHECK(value_of(doc, "g").size() == 3);
}

TEST_CASE("a megabyte of open brackets is one error at the first level too deep, found at once") {
    // yaml-cpp would buffer every token of the line first (a quarter of a
    // gigabyte); the pre-scan stops at the 65th bracket.
    const auto started = std::chrono::steady_clock::now();
    const auto error = parse_error("key:\n  - " + std::string(1024 * 1024 - 10, '['));
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(2));
    CHECK(error.location == SourceLocation{file, 2, 5 + static_cast<int>(max_yaml_depth)});
    CHECK(error.message.find("nested") != std::string::npos);
}

TEST_CASE("a long line of flow items is read in linear time") {
    // Converting yaml-cpp's byte columns from the line start for every
    // node made a 300 KB one-line mapping take minutes.
    std::string text = "k: {";
    for (int i = 0; i < 30'000; ++i)
        text += "a" + std::to_string(i) + ": b, ";
    text += "}\n";
    const auto started = std::chrono::steady_clock::now();
    const auto doc = parse_ok(text).front();
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
    const YamlNode& k = value_of(doc, "k");
    REQUIRE(k.size() == 30'000);
    CHECK(k.children().back().column() == static_cast<int>(text.size()) - 4); // the last "b"
}

TEST_CASE("a syntax error names the problem, where it is and what was being read") {
    const auto error = parse_error("a:\n  b: [1, 2\nc: 3\n");
    CHECK(error.message.starts_with("invalid YAML: "));
    CHECK(error.message.find("flow sequence that starts at line 2, column 6") != std::string::npos);
    CHECK(error.location.line == 3);
}

TEST_CASE("a ',' that yaml-cpp cannot get past is an error at the comma, not an endless run of documents") {
    // Found by tests/fuzz/manifest_fuzz: yaml-cpp 0.7 reports an empty
    // document at such a comma for ever; a file holding "," hung validate.
    for (const auto& [text, line, column] : {std::tuple{std::string(","), 1, 1}, std::tuple{std::string(", x\n"), 1, 1},
                                             std::tuple{std::string("--- a\n--- ,\n---\nb: 2\n"), 2, 5}}) {
        const auto error = parse_error(text);
        CHECK(error.message.find("','") != std::string::npos);
        CHECK(error.location.line == line);
        CHECK(error.location.column == column);
    }
    // Documents of their own, one after the other, are still read.
    CHECK(parse_ok("--- a\n---\n--- b\n...\n--- [c, d]\n").size() == 3);
}

TEST_CASE("a quoted scalar left open at the end of the input is an error") {
    const auto error = parse_error("a: \"open\n");
    CHECK(error.message.find("quoted scalar") != std::string::npos);
}

TEST_CASE("yaml-cpp takes an unclosed quoted scalar as closed at the end; we do not") {
    // yaml-cpp 0.7 reads each of these as a complete document.
    for (const char* text : {"a: 'open\n", "a: \"ends in an escaped quote\\\"\n", "a: 'it''s\n",
                             "- ok\n- \"open\n  over lines\n", "a: &x !!str \"open\n"}) {
        INFO(text);
        const auto error = parse_error(text);
        CHECK(error.message.find("quoted scalar") != std::string::npos);
    }
    const auto error = parse_error("a: 1\nb: \"open\n");
    CHECK(error.location == SourceLocation{file, 2, 4});
    // Closed ones, escaped quotes inside, and block scalars are fine.
    const auto doc = parse_ok("a: \"x\\\"y\"\nb: 'it''s'\nc: |\n  \"\nd: >\n  '\n").front();
    CHECK(value_of(doc, "a").scalar() == "x\"y");
    CHECK(value_of(doc, "b").scalar() == "it's");
}

TEST_CASE("a bad character is located by line and character, as the UTF-8 check locates one") {
    // Two-byte characters before it on its line: the column counts
    // characters, as check_source_text does (yaml-cpp's marks count bytes).
    const auto error = parse_error("a: 1\n\xc3\xa9\xc3\xa9: \x07\n");
    CHECK(error.location == SourceLocation{file, 2, 5});
    CHECK(error.message.find("invalid YAML") != std::string::npos);
}

} // TEST_SUITE

TEST_SUITE("yaml writer") {

TEST_CASE("a document is written in block style with plain scalars where they are safe") {
    YamlWriter yaml;
    yaml.begin_mapping();
    yaml.string("name").string("Monitor-1");
    yaml.string("events").begin_sequence().string("user:login").string("user:logout").end_sequence();
    yaml.string("enabled").boolean(true);
    yaml.string("retries").integer(3);
    yaml.string("template").quoted("{{event}}");
    yaml.end_mapping();
    // yaml-cpp's emitter indents a list under its key (libyaml's did not).
    CHECK(yaml.finish() == "name: Monitor-1\n"
                           "events:\n"
                           "  - user:login\n"
                           "  - user:logout\n"
                           "enabled: true\n"
                           "retries: 3\n"
                           "template: \"{{event}}\"\n");
}

TEST_CASE("every string reads back as the same string") {
    const std::vector<std::string> texts{
        "true", "False", "yes", "off", "null", "~", "", "42", "-7", "1e3", ".5", "0x1F", "0o17", "007",
        "- a", "a: b", "#not a comment", "  leading", "trailing ", "multi\nline", "tab\there",
        "quote \" and ' both", "ünïcødé", "https://example.com/a?b=c#d", "{{event}}", "[x]", "*star", "&amp", "!bang",
        "%percent", "@at", "`tick", "|pipe", ">fold", "12:30", "1_000"};
    YamlWriter yaml;
    yaml.begin_sequence();
    for (const auto& text : texts)
        yaml.string(text);
    yaml.end_sequence();
    const std::string written = yaml.finish();
    INFO(written);
    const auto docs = parse_ok(written);
    REQUIRE(docs.size() == 1);
    REQUIRE(docs[0].size() == texts.size());
    Diagnostics diagnostics;
    for (std::size_t i = 0; i < texts.size(); ++i) {
        const YamlNode& node = docs[0].children()[i];
        INFO(texts[i]);
        REQUIRE(node.is_scalar());
        CHECK(node.scalar() == texts[i]);
        // What looks typed must come back as a string, not as a bool or number.
        const YamlField field{node, "x", &file};
        const bool reads_as_bool = read_bool(field, diagnostics).has_value();
        const bool reads_as_integer = read_integer(field, -1000, 1000, diagnostics).has_value();
        CHECK_FALSE(reads_as_bool);
        CHECK_FALSE(reads_as_integer);
    }
}

} // TEST_SUITE

TEST_SUITE("yaml fields") {

TEST_CASE("a duplicate key is reported at the second occurrence, naming the first one's line") {
    const auto doc = parse_ok("a: 1\nb: 2\na: 3\n").front();
    Diagnostics diagnostics;
    YamlMap map(doc, "spec", file, diagnostics);
    REQUIRE(diagnostics.size() == 1);
    CHECK(diagnostics.all()[0].format() == "t.yaml:3:1: error: duplicate field 'spec.a' (first at line 1)");
    const auto a = map.take("a");
    REQUIRE(a);
    CHECK(a->node.scalar() == "1");
}

TEST_CASE("a mapping of 50,000 keys is read in linear time") {
    // Finding duplicates used to compare each key with every earlier one:
    // a 950 KB mapping took 39 s.
    constexpr int keys = 50'000;
    std::string text;
    for (int i = 0; i < keys; ++i)
        text += "key" + std::to_string(i) + ": " + std::to_string(i) + "\n";
    text += "key7: again\n";
    const auto started = std::chrono::steady_clock::now();
    const auto doc = parse_ok(text).front();
    Diagnostics diagnostics;
    YamlMap map(doc, "", file, diagnostics);
    const auto last = map.take("key" + std::to_string(keys - 1));
    map.finish({});
    const auto elapsed = std::chrono::steady_clock::now() - started;
    REQUIRE(last);
    CHECK(last->node.scalar() == std::to_string(keys - 1));
    // The one duplicate, then every key left untaken as unknown.
    REQUIRE(diagnostics.size() == keys);
    CHECK(diagnostics.all()[0].message == "duplicate field 'key7' (first at line 8)");
    CHECK(elapsed < std::chrono::seconds(5)); // well under a second when linear
}

} // TEST_SUITE
