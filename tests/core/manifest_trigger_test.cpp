// `kind: Trigger` manifests (SPEC §8): every rule of the loader at the exact
// place it reports, defaults, names unique per kind, and the parallel and
// cached loads giving what the serial load gives.
#include "core/manifest.hpp"
#include "core/manifest_cache.hpp"
#include "core/manifest_rules.hpp"
#include "daemon/service/thread_pool.hpp"
#include "tests/core/manifest_fixtures.hpp"
#include "tests/support/scratch_dir.hpp"

#include <boost/json/value.hpp>
#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

using namespace hookwarden;
using namespace hookwarden::testing;
namespace json = boost::json;

namespace {

constexpr const char* workflow_id = "5f6e1c2a-0d3b-4a8e-9c7f-2b1d0e4f6a8b";

/// A trigger document whose parts can be replaced. Line numbers are fixed:
///   1 apiVersion  2 kind  3 metadata:  4 name  5 spec:  6 topicName
///   7 target:  8 type  9 id  10.. `target_extra` (four-space indented
///   target lines), then `extra` (two-space indented spec lines)
struct TriggerDoc {
    std::string kind = "Trigger";
    std::string name = "SMS after chat error";
    std::string topic = "v2.detail.events.conversation.{id}.customer.end";
    std::string type = "Workflow";
    std::string id = workflow_id;
    std::string target_extra;
    std::string extra;

    std::string text() const {
        return "apiVersion: hookwarden/v1\nkind: " + kind + "\nmetadata:\n  name: " + name +
               "\nspec:\n  topicName: " + topic + "\n  target:\n    type: " + type +
               "\n    id: " + id + "\n" + target_extra + extra;
    }
};

constexpr int t_name_line = 4, t_name_column = 9;
constexpr int topic_line = 6, topic_column = 14;
constexpr int type_line = 8, type_column = 11;
constexpr int id_line = 9, id_column = 9;
constexpr int first_extra_line = 10;

/// `extra` lines for a matchCriteria list of flow mappings, one a line:
/// criterion i is on line first_extra_line + 1 + i (no target_extra).
std::string criteria(std::initializer_list<std::string_view> items) {
    std::string out = "  matchCriteria:\n";
    for (auto item : items)
        out += "    - " + std::string(item) + "\n";
    return out;
}

/// The column of `needle` in criterion `item` as criteria() writes it.
int criterion_column(std::string_view item, std::string_view needle) {
    const auto at = item.find(needle);
    REQUIRE(at != std::string_view::npos);
    return static_cast<int>(at) + 7; // "    - " before the item, 1-based
}

int criterion_line(int index) { return first_extra_line + 1 + index; }

ManifestSet load_trigger(const TriggerDoc& doc) {
    return load_text(doc.text());
}

/// The one trigger of a valid document.
TriggerManifest only_trigger(const std::string& text) {
    const auto set = load_text(text);
    INFO(dump(set.diagnostics));
    REQUIRE(set.ok());
    REQUIRE(set.webhooks.empty());
    REQUIRE(set.triggers.size() == 1);
    return set.triggers[0];
}

struct ErrorAt {
    int line;
    int column;
    std::string_view fragment;
};

/// The trigger of `text` is refused, with an error at each place given
/// whose message holds its fragment.
void check_refused_text(const std::string& text, std::initializer_list<ErrorAt> errors) {
    const auto set = load_text(text);
    INFO(text);
    INFO(dump(set.diagnostics));
    CHECK(set.triggers.empty());
    for (const auto& e : errors)
        CHECK(has_error_at(set.diagnostics, "m.yaml", e.line, e.column, {e.fragment}));
}

/// The document is refused with an error at exactly LINE:COLUMN holding
/// every fragment.
void check_refused(const TriggerDoc& doc, int line, int column,
                   std::initializer_list<std::string_view> fragments) {
    const auto set = load_trigger(doc);
    INFO(doc.text());
    INFO(dump(set.diagnostics));
    CHECK(set.triggers.empty());
    CHECK(has_error_at(set.diagnostics, "m.yaml", line, column, fragments));
}

/// A trigger document's first lines, down to `spec:`, named T.
const std::string head = "apiVersion: hookwarden/v1\nkind: Trigger\nmetadata:\n  name: T\nspec:\n";

json::value scalar_of(const std::string& yaml_value) {
    TriggerDoc doc;
    doc.extra = criteria({"{jsonPath: a, operator: Equal, value: " + yaml_value + "}"});
    const auto trigger = only_trigger(doc.text());
    REQUIRE(trigger.match_criteria.size() == 1);
    REQUIRE(trigger.match_criteria[0].value.has_value());
    return *trigger.match_criteria[0].value;
}

} // namespace

TEST_SUITE("trigger manifests") {

// ============================================================== valid

TEST_CASE("a minimal trigger loads with the defaults of SPEC §8") {
    const auto trigger = only_trigger(TriggerDoc{}.text());
    CHECK(trigger.name == "SMS after chat error");
    CHECK(trigger.topic_name == "v2.detail.events.conversation.{id}.customer.end");
    CHECK(trigger.target.type == "Workflow");
    CHECK(trigger.target.id == workflow_id);
    CHECK(trigger.target.data_format == "Json");
    CHECK(trigger.match_criteria.empty());
    CHECK(trigger.enabled);
    CHECK_FALSE(trigger.event_ttl_seconds.has_value());
    CHECK_FALSE(trigger.delay_by_seconds.has_value());
    CHECK(trigger.description.empty());
    CHECK(trigger.labels.empty());
    CHECK(trigger.location == SourceLocation{"m.yaml", t_name_line, t_name_column});
}

TEST_CASE("the trigger of SPEC §8 loads with every field as written") {
    const std::string text = "apiVersion: hookwarden/v1\n"
                             "kind: Trigger\n"
                             "metadata:\n"
                             "  name: SMS after chat error\n"
                             "  labels: {team: contact-center}\n"
                             "spec:\n"
                             "  topicName: v2.detail.events.conversation.{id}.customer.end\n"
                             "  target:\n"
                             "    type: Workflow\n"
                             "    id: 5f6e1c2a-0d3b-4a8e-9c7f-2b1d0e4f6a8b\n"
                             "    dataFormat: TopLevelPrimitives\n"
                             "  matchCriteria:\n"
                             "    - {jsonPath: mediaType, operator: Equal, value: CHAT}\n"
                             "    - {jsonPath: disconnectType, operator: In, values: [error, transfer]}\n"
                             "  enabled: false\n"
                             "  eventTTLSeconds: 60\n"
                             "  description: Text the customer when a chat ends badly\n";
    const auto trigger = only_trigger(text);
    CHECK(trigger.labels == std::map<std::string, std::string>{{"team", "contact-center"}});
    CHECK(trigger.target.data_format == "TopLevelPrimitives");
    REQUIRE(trigger.match_criteria.size() == 2);
    CHECK(trigger.match_criteria[0] ==
          MatchCriterion{"mediaType", "Equal", json::value("CHAT"), std::nullopt});
    CHECK(trigger.match_criteria[1] ==
          MatchCriterion{"disconnectType", "In", std::nullopt,
                         std::vector<json::value>{json::value("error"), json::value("transfer")}});
    CHECK_FALSE(trigger.enabled);
    CHECK(trigger.event_ttl_seconds == 60);
    CHECK_FALSE(trigger.delay_by_seconds.has_value());
    CHECK(trigger.description == "Text the customer when a chat ends badly");
}

TEST_CASE("every operator of the API is accepted, and an empty matchCriteria list means none") {
    for (auto op : match_operators) {
        INFO(std::string(op));
        TriggerDoc doc;
        doc.extra = criteria({"{jsonPath: a, operator: " + std::string(op) + ", value: 1}"});
        CHECK(only_trigger(doc.text()).match_criteria.at(0).op == op);
    }
    TriggerDoc none;
    none.extra = "  matchCriteria: []\n";
    CHECK(only_trigger(none.text()).match_criteria.empty());
}

// ========================================================= name (§8)

TEST_CASE("a trigger name may hold spaces and any printable character, unlike a webhook's") {
    for (const std::string& name : std::vector<std::string>{
             "SMS after chat error", "Ünïcödé trigger 🚀", "\"a: b # c\"", "'it''s #1'", "x",
             std::string(128, 'n'), "\"" + std::string(63, 'a') + "  " + std::string(63, 'b') + "\""}) {
        INFO(name);
        TriggerDoc doc;
        doc.name = name;
        CHECK_FALSE(only_trigger(doc.text()).name.empty());
    }
    // 128 characters of two bytes each: characters are counted, not bytes.
    std::string accents;
    for (int i = 0; i < 128; ++i)
        accents += "é";
    TriggerDoc doc;
    doc.name = accents;
    CHECK(only_trigger(doc.text()).name == accents);
}

TEST_CASE("a bad trigger name is reported at metadata.name") {
    const std::vector<std::pair<std::string, std::string>> cases{
        {"\"\"", "must not be empty"},
        {std::string(129, 'n'), "at most 128 characters long, not 129"},
        {"\" leading\"", "must not start or end with a space"},
        {"\"trailing \"", "must not start or end with a space"},
        {"\"tab\\there\"", "printable"},
        {"\"new\\nline\"", "printable"},
        {"\"bell\\a\"", "printable"},
        {"\"c1\\x85control\"", "printable"},
    };
    for (const auto& [name, fragment] : cases) {
        TriggerDoc doc;
        doc.name = name;
        check_refused(doc, t_name_line, t_name_column, {"metadata.name", fragment});
    }
}

TEST_CASE("a trigger name with a space is still refused for a webhook") {
    Doc webhook;
    webhook.name = "with space";
    const auto set = load_text(webhook.text());
    CHECK(set.webhooks.empty());
    CHECK(has_error_at(set.diagnostics, "m.yaml", name_line, name_column, {"may only hold letters"}));
}

// ======================================================== topicName

TEST_CASE("topicName must match ^v2(\\.[A-Za-z0-9_{}-]+)+$") {
    for (const char* topic : {"v2.users.{id}.presence", "v2.audits.entitytype.{name}.entityid.{id}",
                              "v2.routing.queues.{id}.members", "v2.a_b-C9"}) {
        TriggerDoc doc;
        doc.topic = topic;
        CHECK(only_trigger(doc.text()).topic_name == topic);
    }
    for (const char* topic : {"v3.users.{id}.presence", "v2", "v2.", "v2..users", "users.v2",
                              "v2.users.{id}.presence!", "v2.users/{id}", "V2.users", "v2users",
                              "\"v2.users .presence\""}) {
        TriggerDoc doc;
        doc.topic = topic;
        check_refused(doc, topic_line, topic_column, {"spec.topicName", "must look like"});
    }
}

// ============================================================ target

TEST_CASE("target.type must be Workflow") {
    TriggerDoc doc;
    doc.type = "Webhook";
    check_refused(doc, type_line, type_column, {"spec.target.type", "must be Workflow", "'Webhook'"});
    doc.type = "workflow";
    check_refused(doc, type_line, type_column, {"spec.target.type"});
}

TEST_CASE("target.type and target.id are required, reported at the target mapping") {
    check_refused_text(head + "  topicName: v2.users.{id}.presence\n  target:\n    dataFormat: Json\n",
                       {{8, 5, "missing required field 'spec.target.type'"},
                        {8, 5, "missing required field 'spec.target.id'"}});
}

TEST_CASE("target.id must be a UUID, in either case") {
    TriggerDoc upper;
    upper.id = "5F6E1C2A-0D3B-4A8E-9C7F-2B1D0E4F6A8B";
    CHECK(only_trigger(upper.text()).target.id == upper.id);
    for (const char* id : {"workflow-1", "5f6e1c2a0d3b4a8e9c7f2b1d0e4f6a8b",
                           "5f6e1c2a-0d3b-4a8e-9c7f-2b1d0e4f6a8", "5f6e1c2a-0d3b-4a8e-9c7f-2b1d0e4f6a8bb",
                           "5f6e1c2a-0d3b-4a8e-9c7f_2b1d0e4f6a8b", "gf6e1c2a-0d3b-4a8e-9c7f-2b1d0e4f6a8b",
                           "\"\""}) {
        TriggerDoc doc;
        doc.id = id;
        check_refused(doc, id_line, id_column, {"spec.target.id", "UUID"});
    }
}

TEST_CASE("target.dataFormat is Json or TopLevelPrimitives, default Json") {
    TriggerDoc doc;
    doc.target_extra = "    dataFormat: TopLevelPrimitives\n";
    CHECK(only_trigger(doc.text()).target.data_format == "TopLevelPrimitives");
    doc.target_extra = "    dataFormat: Json\n";
    CHECK(only_trigger(doc.text()).target.data_format == "Json");
    for (const char* format : {"json", "XML", "TopLevelPrimitive"}) {
        doc.target_extra = "    dataFormat: " + std::string(format) + "\n";
        check_refused(doc, first_extra_line, 17,
                      {"spec.target.dataFormat", "must be one of Json or TopLevelPrimitives", format});
    }
}

TEST_CASE("target must be a mapping, and its unknown keys are errors") {
    check_refused_text(head + "  topicName: v2.users.{id}.presence\n  target: Workflow\n",
                       {{7, 11, "field 'spec.target' must be a mapping"}});

    TriggerDoc doc;
    doc.target_extra = "    dataformat: Json\n";
    check_refused(doc, first_extra_line, 5,
                  {"unknown field 'spec.target.dataformat'", "did you mean 'dataFormat'"});
}

// ===================================================== matchCriteria

TEST_CASE("matchCriteria must be a list of mappings") {
    TriggerDoc doc;
    doc.extra = "  matchCriteria: {jsonPath: a, operator: Equal, value: 1}\n";
    check_refused(doc, first_extra_line, 18, {"spec.matchCriteria", "must be a list"});
    // Empty, it is a null, which has no place of its own: reported at the key.
    doc.extra = "  matchCriteria:\n";
    check_refused(doc, first_extra_line, 3, {"spec.matchCriteria", "must be a list"});
    doc.extra = criteria({"mediaType"});
    check_refused(doc, criterion_line(0), 7, {"field 'spec.matchCriteria[0]' must be a mapping"});
}

TEST_CASE("a criterion needs a non-empty jsonPath and a known operator") {
    const std::string missing = "{operator: Equal, value: 1}";
    TriggerDoc doc;
    doc.extra = criteria({"{jsonPath: a, operator: Equal, value: 1}", missing});
    check_refused(doc, criterion_line(1), 7, {"missing required field 'spec.matchCriteria[1].jsonPath'"});

    const std::string empty = "{jsonPath: '', operator: Equal, value: 1}";
    doc.extra = criteria({empty});
    check_refused(doc, criterion_line(0), criterion_column(empty, "''"),
                  {"field 'spec.matchCriteria[0].jsonPath' must not be empty"});

    const std::string no_operator = "{jsonPath: a, value: 1}";
    doc.extra = criteria({no_operator});
    check_refused(doc, criterion_line(0), 7, {"missing required field 'spec.matchCriteria[0].operator'"});

    for (const char* op : {"Equals", "equal", "IN", "Between"}) {
        const std::string item = "{jsonPath: a, operator: " + std::string(op) + ", value: 1}";
        doc.extra = criteria({item});
        check_refused(doc, criterion_line(0), criterion_column(item, op),
                      {"spec.matchCriteria[0].operator", "must be one of Equal, NotEqual", "or Size", op});
    }
}

TEST_CASE("a criterion has exactly one of value and values, the second one reported") {
    const std::string both = "{jsonPath: a, operator: In, value: x, values: [x]}";
    TriggerDoc doc;
    doc.extra = criteria({both});
    check_refused(doc, criterion_line(0), criterion_column(both, "values"),
                  {"spec.matchCriteria[0]", "both 'value' and 'values'"});

    const std::string reversed = "{jsonPath: a, operator: In, values: [x], value: x}";
    doc.extra = criteria({reversed});
    check_refused(doc, criterion_line(0), criterion_column(reversed, "value:"),
                  {"both 'value' and 'values'"});

    const std::string neither = "{jsonPath: a, operator: Exists}";
    doc.extra = criteria({neither});
    check_refused(doc, criterion_line(0), 7, {"spec.matchCriteria[0]", "needs 'value'", "'values'"});
}

TEST_CASE("a criterion's unknown keys are errors, with a suggestion") {
    const std::string item = "{jsonPath: a, operator: Equal, valeu: 1, value: 1}";
    TriggerDoc doc;
    doc.extra = criteria({item});
    check_refused(doc, criterion_line(0), criterion_column(item, "valeu"),
                  {"unknown field 'spec.matchCriteria[0].valeu'", "did you mean 'value'"});
}

TEST_CASE("a value is read as the JSON scalar YAML 1.2 makes of it") {
    CHECK(scalar_of("CHAT") == json::value("CHAT"));
    CHECK(scalar_of("\"42\"") == json::value("42"));
    CHECK(scalar_of("'true'") == json::value("true"));
    CHECK(scalar_of("!!str 7") == json::value("7"));
    CHECK(scalar_of("1.2.3") == json::value("1.2.3"));
    CHECK(scalar_of("1_000") == json::value("1_000"));
    CHECK(scalar_of("''") == json::value(""));
    const auto integer = scalar_of("42");
    CHECK(integer.is_int64());
    CHECK(integer == json::value(42));
    CHECK(scalar_of("-7").as_int64() == -7);
    CHECK(scalar_of("0").as_int64() == 0);
    const auto big = scalar_of("18446744073709551615");
    CHECK(big.is_uint64());
    CHECK(big.as_uint64() == 18446744073709551615ULL);
    const auto real = scalar_of("2.5");
    CHECK(real.is_double());
    CHECK(real.as_double() == 2.5);
    CHECK(scalar_of("3.0").is_double()); // stays a double: 3.0 and 3 differ in JSON
    CHECK(scalar_of("1e3").as_double() == 1000.0);
    CHECK(scalar_of("-0.25E-2").as_double() == -0.0025);
    CHECK(scalar_of("true") == json::value(true));
    CHECK(scalar_of("False") == json::value(false));
    CHECK(scalar_of("TRUE") == json::value(true));
}

TEST_CASE("a value YAML readers disagree about, a null or a collection is refused at the value") {
    const std::vector<std::pair<std::string, std::string>> cases{
        {"yes", "YAML readers disagree"},      {"Off", "YAML readers disagree"},
        {"n", "YAML readers disagree"},        {"012", "not a number as JSON writes it"},
        {"+5", "not a number as JSON writes it"}, {".5", "not a number as JSON writes it"},
        {"5.", "not a number as JSON writes it"}, {"0x1F", "not a number as JSON writes it"},
        {"0o17", "not a number as JSON writes it"}, {"0b101", "not a number as JSON writes it"},
        {".inf", "JSON numbers are finite"},   {"-.Inf", "JSON numbers are finite"},
        {".nan", "JSON numbers are finite"},   {"1e400", "too large"},
        {"~", "not null"},                     {"null", "not null"},
        {"[a, b]", "not a list"},              {"{a: b}", "not a mapping"},
    };
    for (const auto& [value, fragment] : cases) {
        const std::string item = "{jsonPath: a, operator: Equal, value: " + value + "}";
        TriggerDoc doc;
        doc.extra = criteria({item});
        check_refused(doc, criterion_line(0), criterion_column(item, "value: " + value) + 7,
                      {"field 'spec.matchCriteria[0].value'", fragment});
    }
    // An empty value (`value:` and nothing) is a null at the end of the key.
    TriggerDoc doc;
    doc.extra = "  matchCriteria:\n    - jsonPath: a\n      operator: Equal\n      value:\n";
    const auto set = load_trigger(doc);
    INFO(dump(set.diagnostics));
    CHECK(set.triggers.empty());
    CHECK(has_error(set.diagnostics, {"field 'spec.matchCriteria[0].value'", "not null"}));
}

TEST_CASE("values is a list of scalars, each checked at its place") {
    TriggerDoc doc;
    doc.extra = criteria({"{jsonPath: a, operator: In, values: [x, 1, 2.5, false, '7']}"});
    const auto trigger = only_trigger(doc.text());
    CHECK(trigger.match_criteria.at(0).values ==
          std::vector<json::value>{json::value("x"), json::value(1), json::value(2.5), json::value(false),
                                   json::value("7")});
    CHECK_FALSE(trigger.match_criteria.at(0).value.has_value());

    doc.extra = criteria({"{jsonPath: a, operator: In, values: []}"});
    CHECK(only_trigger(doc.text()).match_criteria.at(0).values == std::vector<json::value>{});

    const std::string scalar = "{jsonPath: a, operator: In, values: x}";
    doc.extra = criteria({scalar});
    check_refused(doc, criterion_line(0), criterion_column(scalar, "x}"),
                  {"field 'spec.matchCriteria[0].values' must be a list of values"});

    const std::string bad_items = "{jsonPath: a, operator: In, values: [ok, yes, [n], ~]}";
    doc.extra = criteria({bad_items});
    const auto set = load_trigger(doc);
    INFO(dump(set.diagnostics));
    CHECK(set.triggers.empty());
    CHECK(has_error_at(set.diagnostics, "m.yaml", criterion_line(0), criterion_column(bad_items, "yes"),
                       {"spec.matchCriteria[0].values[1]", "YAML readers disagree"}));
    CHECK(has_error_at(set.diagnostics, "m.yaml", criterion_line(0), criterion_column(bad_items, "[n]"),
                       {"spec.matchCriteria[0].values[2]", "not a list"}));
    CHECK(has_error_at(set.diagnostics, "m.yaml", criterion_line(0), criterion_column(bad_items, "~"),
                       {"spec.matchCriteria[0].values[3]", "not null"}));
    CHECK(errors_of(set.diagnostics).size() == 3);
}

// ================================================ the other spec fields

TEST_CASE("enabled must be true or false") {
    TriggerDoc doc;
    doc.extra = "  enabled: false\n";
    CHECK_FALSE(only_trigger(doc.text()).enabled);
    doc.extra = "  enabled: yes\n";
    check_refused(doc, first_extra_line, 12, {"spec.enabled", "must be true or false"});
}

TEST_CASE("eventTTLSeconds is a whole number of at least 10") {
    TriggerDoc doc;
    doc.extra = "  eventTTLSeconds: 10\n";
    CHECK(only_trigger(doc.text()).event_ttl_seconds == 10);
    doc.extra = "  eventTTLSeconds: 86400\n";
    CHECK(only_trigger(doc.text()).event_ttl_seconds == 86400);
    doc.extra = "  eventTTLSeconds: 9\n";
    check_refused(doc, first_extra_line, 20, {"field 'spec.eventTTLSeconds' must be at least 10, not 9"});
    doc.extra = "  eventTTLSeconds: 1m\n";
    check_refused(doc, first_extra_line, 20,
                  {"field 'spec.eventTTLSeconds' must be a whole number of at least 10"});
    doc.extra = "  eventTTLSeconds: 9999999999\n";
    check_refused(doc, first_extra_line, 20,
                  {"field 'spec.eventTTLSeconds' must be at most 2147483647, not 9999999999"});
}

TEST_CASE("delayBySeconds is a whole number in 60..900") {
    TriggerDoc doc;
    for (int seconds : {60, 120, 900}) {
        doc.extra = "  delayBySeconds: " + std::to_string(seconds) + "\n";
        CHECK(only_trigger(doc.text()).delay_by_seconds == seconds);
    }
    for (const char* seconds : {"59", "901", "0", "-60"}) {
        doc.extra = "  delayBySeconds: " + std::string(seconds) + "\n";
        check_refused(doc, first_extra_line, 19, {"spec.delayBySeconds", "must be in 60..900"});
    }
    doc.extra = "  delayBySeconds: 2.5\n";
    check_refused(doc, first_extra_line, 19, {"spec.delayBySeconds", "whole number in 60..900"});
}

TEST_CASE("eventTTLSeconds and delayBySeconds are not set together; the second is reported") {
    TriggerDoc doc;
    doc.extra = "  eventTTLSeconds: 60\n  delayBySeconds: 120\n";
    check_refused(doc, first_extra_line + 1, 3, {"'spec.eventTTLSeconds' and 'spec.delayBySeconds'",
                                                 "cannot both be set"});
    doc.extra = "  delayBySeconds: 120\n  eventTTLSeconds: 60\n";
    check_refused(doc, first_extra_line + 1, 3, {"cannot both be set"});
}

TEST_CASE("description is text of at most 512 characters") {
    TriggerDoc doc;
    doc.extra = "  description: " + std::string(512, 'd') + "\n";
    CHECK(only_trigger(doc.text()).description.size() == 512);
    doc.extra = "  description: \"Line one.\\nLine two: #2\"\n";
    CHECK(only_trigger(doc.text()).description == "Line one.\nLine two: #2");
    doc.extra = "  description: " + std::string(513, 'd') + "\n";
    check_refused(doc, first_extra_line, 16, {"spec.description", "at most 512 characters long, not 513"});
    doc.extra = "  description: [a]\n";
    check_refused(doc, first_extra_line, 16, {"spec.description", "must be a string"});
}

TEST_CASE("a trigger has no secret: secretRef is an error at its key") {
    TriggerDoc doc;
    doc.extra = "  secretRef:\n    generate: true\n";
    check_refused(doc, first_extra_line, 3, {"spec.secretRef", "triggers have no secret"});
    const auto set = load_trigger(doc);
    CHECK(errors_of(set.diagnostics).size() == 1);
}

TEST_CASE("unknown keys of a trigger are errors: webhook fields, typos, at any level") {
    TriggerDoc doc;
    doc.extra = "  eventTypes: [user:login]\n";
    check_refused(doc, first_extra_line, 3, {"unknown field 'spec.eventTypes'"});
    doc.extra = "  topicname: v2.users.{id}.presence\n";
    check_refused(doc, first_extra_line, 3, {"unknown field 'spec.topicname'", "did you mean 'topicName'"});
    doc.extra = "  delayBySecond: 60\n";
    check_refused(doc, first_extra_line, 3, {"did you mean 'delayBySeconds'"});

    check_refused_text("apiVersion: hookwarden/v1\nkind: Trigger\nmetadata:\n  name: T\n"
                       "  lables: {}\nspec:\n  topicName: v2.users.{id}.presence\n"
                       "  target: {type: Workflow, id: 5f6e1c2a-0d3b-4a8e-9c7f-2b1d0e4f6a8b}\n"
                       "status: {}\n",
                       {{5, 3, "unknown field 'metadata.lables'"}, {9, 1, "unknown field 'status'"}});
}

TEST_CASE("missing topicName and target are reported at the spec mapping") {
    check_refused_text(head + "  enabled: true\n", {{6, 3, "missing required field 'spec.topicName'"},
                                                     {6, 3, "missing required field 'spec.target'"}});
}

TEST_CASE("labels are allowed on triggers, with the webhook's rules") {
    TriggerDoc doc;
    doc.name = "T\n  labels: {team: cx, tier: critical}";
    const auto trigger = only_trigger(doc.text());
    CHECK(trigger.labels == std::map<std::string, std::string>{{"team", "cx"}, {"tier", "critical"}});
}

TEST_CASE("every error of a trigger document is reported at once, in file order") {
    TriggerDoc doc;
    doc.name = "\" padded \"";
    doc.topic = "v3.nope";
    doc.type = "Lambda";
    doc.id = "not-a-uuid";
    doc.extra = criteria({"{jsonPath: '', operator: Like, value: yes}"}) +
                "  eventTTLSeconds: 5\n  delayBySeconds: 30\n  secretRef: {env: X}\n  color: red\n";
    const auto set = load_trigger(doc);
    INFO(dump(set.diagnostics));
    CHECK(set.triggers.empty());
    const auto errors = errors_of(set.diagnostics);
    CHECK(errors.size() == 12);
    for (std::size_t i = 1; i < errors.size(); ++i)
        CHECK(errors[i - 1].location.line <= errors[i].location.line);
}

TEST_CASE("a kind that looks like Trigger is reported, and the document is checked as a trigger") {
    TriggerDoc doc;
    doc.kind = "Triger";
    const auto set = load_trigger(doc);
    INFO(dump(set.diagnostics));
    CHECK(set.triggers.empty());
    CHECK(set.webhooks.empty());
    CHECK(has_error_at(set.diagnostics, "m.yaml", 2, 7, {"kind must be 'Webhook' or 'Trigger', not 'Triger'"}));
    CHECK(errors_of(set.diagnostics).size() == 1); // no webhook field reported missing
}

// ================================================= names unique per kind

TEST_CASE("a webhook and a trigger may share a name") {
    TriggerDoc trigger;
    trigger.name = "Shared";
    const auto text = minimal("Shared") + "---\n" + trigger.text();
    ManifestSet set;
    load_manifest_text(text, "m.yaml", {}, set);
    check_duplicate_names(set);
    INFO(dump(set.diagnostics));
    CHECK(set.ok());
    CHECK(set.duplicates.empty());
    CHECK(set.webhooks.size() == 1);
    CHECK(set.triggers.size() == 1);
}

TEST_CASE("a trigger name defined twice names both files; the webhook of that name stays") {
    ScratchDir dir;
    TriggerDoc trigger;
    trigger.name = "Twice";
    dir.write("a.yaml", trigger.text());
    dir.write("b/c.yaml", minimal("Twice") + "---\n" + trigger.text());
    const auto set = load_manifests(dir.path());
    INFO(dump(set.diagnostics));
    const std::string a = (dir.path() / "a.yaml").string(), c = (dir.path() / "b/c.yaml").string();
    CHECK(errors_of(set.diagnostics).size() == 1);
    CHECK(has_error_at(set.diagnostics, c, 8 + t_name_line, t_name_column,
                       {"trigger name 'Twice' is already defined at " + a + ":4:9"}));
    REQUIRE(set.duplicates.size() == 1);
    CHECK(set.duplicates[0] == DuplicateName{"Twice",
                                             {{a, t_name_line, t_name_column}, {c, 8 + t_name_line, t_name_column}},
                                             ResourceKind::trigger});
    CHECK(set.triggers.empty());
    REQUIRE(set.webhooks.size() == 1);
    CHECK(set.webhooks[0].name == "Twice");
    const auto desired = desired_state(set);
    CHECK(desired.duplicates == set.duplicates);
    CHECK(desired.triggers.empty());
    CHECK(desired.webhooks.size() == 1);
}

TEST_CASE("a duplicate trigger name is reported even when one of the two has other errors") {
    TriggerDoc good, broken;
    good.name = broken.name = "Same";
    broken.topic = "v1.nope";
    ManifestSet set;
    load_manifest_text(good.text() + "---\n" + broken.text(), "m.yaml", {}, set);
    check_duplicate_names(set);
    INFO(dump(set.diagnostics));
    CHECK(has_error(set.diagnostics, {"trigger name 'Same' is already defined at m.yaml:4:9"}));
    REQUIRE(set.duplicates.size() == 1);
    CHECK(set.duplicates[0].kind == ResourceKind::trigger);
    CHECK(set.triggers.empty());
}

TEST_CASE("duplicates of both kinds are recorded with their kind, webhooks first") {
    TriggerDoc t;
    t.name = "T1";
    const std::string text = t.text() + "---\n" + t.text() + "---\n" + minimal("W1") + "---\n" + minimal("W1");
    ManifestSet set;
    load_manifest_text(text, "m.yaml", {}, set);
    check_duplicate_names(set);
    REQUIRE(set.duplicates.size() == 2);
    CHECK(set.duplicates[0].name == "W1");
    CHECK(set.duplicates[0].kind == ResourceKind::webhook);
    CHECK(set.duplicates[1].name == "T1");
    CHECK(set.duplicates[1].kind == ResourceKind::trigger);
    CHECK(has_error(set.diagnostics, {"webhook name 'W1' is already defined"}));
    CHECK(set.webhooks.empty());
    CHECK(set.triggers.empty());
}

// ================================================= directory loads

TEST_CASE("triggers load in file order, and parallel and cached loads equal the serial load") {
    ScratchDir dir;
    for (int i = 0; i < 30; ++i) {
        TriggerDoc trigger;
        trigger.name = "Trigger " + std::to_string(i);
        trigger.extra = criteria({"{jsonPath: n, operator: In, values: [" + std::to_string(i) + ", x]}"});
        const std::string file = "team-" + std::to_string(i % 4) + "/t-" + std::to_string(100 + i) + ".yaml";
        // Every third file also holds a webhook of the same name.
        dir.write(file, i % 3 == 0 ? trigger.text() + "---\n" + minimal("Trigger" + std::to_string(i))
                                   : trigger.text());
    }
    TriggerDoc twice;
    twice.name = "Trigger 7";
    TriggerDoc broken;
    broken.name = "Broken trigger";
    broken.id = "nope";
    dir.write("zz.yaml", twice.text() + "---\n" + broken.text());

    const ManifestSet serial = load_manifests(dir.path());
    INFO(dump(serial.diagnostics));
    CHECK(serial.diagnostics.error_count() == 2); // the duplicate, the id
    CHECK(serial.triggers.size() == 29);
    CHECK(serial.webhooks.size() == 10);
    REQUIRE(serial.duplicates.size() == 1);
    CHECK(serial.duplicates[0].kind == ResourceKind::trigger);
    // Load order is byte-wise path order: team-0/t-100, t-104, ...
    CHECK(serial.triggers.front().name == "Trigger 0");
    CHECK(serial.triggers.at(1).name == "Trigger 4");
    CHECK(serial.declared_trigger_names.size() == 32);

    ThreadPool pool(4);
    check_same_load(load_manifests(dir.path(), {}, pool), serial);
    ManifestCache cache;
    check_same_load(load_manifests(dir.path(), {}, pool, &cache), serial);
    check_same_load(load_manifests(dir.path(), {}, pool, &cache), serial); // every file reused
    CHECK(cache.parses() == 31);

    const auto desired = desired_state(load_manifests(dir.path(), {}, pool, &cache));
    CHECK(desired.triggers == serial.triggers);
    CHECK(desired.webhooks == serial.webhooks);
    CHECK(desired.errors == 2);
}

// ========================================================= value rules

TEST_CASE("check_trigger_name counts characters and refuses control characters") {
    CHECK_FALSE(check_trigger_name("a b c").has_value());
    CHECK(check_trigger_name("").value() == "must not be empty");
    CHECK(check_trigger_name(" a").value() == "must not start or end with a space");
    CHECK(check_trigger_name("a\x7f").value().find("printable") != std::string::npos);
    CHECK(check_trigger_name("a\xe2\x80\xa8" "b").value().find("printable") != std::string::npos);
    CHECK(check_trigger_name("\xff").value() == "must be valid UTF-8");
    CHECK(check_trigger_name("\xc3").value() == "must be valid UTF-8");
    CHECK(check_trigger_name("\xc0\xaf").value() == "must be valid UTF-8"); // overlong
    CHECK(check_trigger_name("\xed\xa0\x80").value() == "must be valid UTF-8"); // surrogate
    std::string emoji;
    for (int i = 0; i < 128; ++i)
        emoji += "\xf0\x9f\x9a\x80";
    CHECK_FALSE(check_trigger_name(emoji).has_value());
    CHECK(check_trigger_name(emoji + "x").value() == "must be at most 128 characters long, not 129");
}

TEST_CASE("check_trigger_description counts characters, not bytes") {
    std::string text;
    for (int i = 0; i < 512; ++i)
        text += "ü";
    CHECK_FALSE(check_trigger_description(text).has_value());
    CHECK(check_trigger_description(text + "!").value() == "must be at most 512 characters long, not 513");
    CHECK_FALSE(check_trigger_description("").has_value());
}

} // TEST_SUITE
