// One manifest document as the loader reads it (SPEC §2): every field,
// defaults, unknown keys, and every error at FILE:LINE:COLUMN.
#include "core/manifest.hpp"
#include "core/secret_source.hpp"
#include "core/yaml_fields.hpp"
#include "tests/core/manifest_fixtures.hpp"
#include "tests/support/scratch_dir.hpp"

#include <doctest/doctest.h>

#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <grp.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

using namespace hookwarden;
using namespace hookwarden::testing;
namespace fs = std::filesystem;

// ================================================= one manifest document

TEST_SUITE("manifest documents") {

TEST_CASE("the SPEC example manifest loads with every value it states") {
    const auto set = load_text(R"(apiVersion: hookwarden/v1
kind: Webhook
metadata:
  name: SystemEventMonitor          # unique in the tenant; the identity key
  labels: {team: platform}          # optional, local only
spec:
  eventTypes: [user:login, user:logout]
  endpointUrl: https://myapp.example.com/webhooks/genesys
  enabled: false
  retryPolicy:
    retryInterval: PT30S
    maxRetries: 7
  payloadTemplate: "{\"e\": {{event}}}"
  secretRef:
    env: MONITOR_SECRET
)");
    INFO(dump(set.diagnostics));
    REQUIRE(set.ok());
    REQUIRE(set.webhooks.size() == 1);
    const auto& w = set.webhooks[0];
    CHECK(w.name == "SystemEventMonitor");
    CHECK(w.labels == std::map<std::string, std::string>{{"team", "platform"}});
    CHECK(w.event_types == std::vector<std::string>{"user:login", "user:logout"});
    CHECK(w.endpoint_url == "https://myapp.example.com/webhooks/genesys");
    CHECK(w.enabled == false);
    CHECK(w.retry_policy.retry_interval == "PT30S");
    CHECK(w.retry_policy.max_retries == 7);
    CHECK(w.payload_template == "{\"e\": {{event}}}");
    CHECK(w.secret_ref == SecretSource{SecretSource::Kind::env, "MONITOR_SECRET"});
    CHECK(w.location == SourceLocation{"m.yaml", 4, 9});
    CHECK(set.diagnostics.empty());
}

TEST_CASE("omitted optional fields take their defaults: enabled, PT1M, 3 retries, {{event}}, generate") {
    const auto set = load_text(minimal("Defaults"));
    INFO(dump(set.diagnostics));
    REQUIRE(set.ok());
    REQUIRE(set.webhooks.size() == 1);
    const auto& w = set.webhooks[0];
    CHECK(w.enabled == true);
    CHECK(w.retry_policy.retry_interval == "PT1M");
    CHECK(w.retry_policy.max_retries == 3);
    CHECK(w.payload_template == "{{event}}");
    CHECK(w.secret_ref.kind == SecretSource::Kind::generate);
    CHECK(w.labels.empty());
}

TEST_CASE("a retryPolicy with only one member keeps the default of the other") {
    Doc d;
    d.extra = "  retryPolicy:\n    maxRetries: 0\n";
    auto set = load_text(d.text());
    REQUIRE(set.webhooks.size() == 1);
    CHECK(set.webhooks[0].retry_policy.max_retries == 0);
    CHECK(set.webhooks[0].retry_policy.retry_interval == "PT1M");

    d.extra = "  retryPolicy:\n    retryInterval: P1D\n";
    set = load_text(d.text());
    REQUIRE(set.webhooks.size() == 1);
    CHECK(set.webhooks[0].retry_policy.retry_interval == "P1D");
    CHECK(set.webhooks[0].retry_policy.max_retries == 3);
}

TEST_CASE("apiVersion must be exactly hookwarden/v1, reported at its value") {
    for (const char* version : {"hookwarden/v2", "Hookwarden/v1", "hookwarden/V1", "v1",
                                "\"hookwarden/v1 \"", "hookwarden"}) {
        INFO(std::string(version));
        Doc d;
        d.api_version = version;
        const auto set = load_text(d.text());
        INFO(dump(set.diagnostics));
        CHECK(set.webhooks.empty());
        CHECK(has_error_at(set.diagnostics, "m.yaml", 1, 13, {"apiVersion"}));
    }
}

TEST_CASE("kind must be exactly Webhook, reported at its value") {
    for (const char* kind : {"webhook", "WebHook", "Webhooks", "Service"}) {
        INFO(std::string(kind));
        Doc d;
        d.kind = kind;
        const auto set = load_text(d.text());
        INFO(dump(set.diagnostics));
        CHECK(set.webhooks.empty());
        CHECK(has_error_at(set.diagnostics, "m.yaml", 2, 7, {"kind"}));
    }
}

TEST_CASE("every required field that is missing is reported") {
    const auto set = load_text("apiVersion: hookwarden/v1\nkind: Webhook\nmetadata:\n  labels: {}\n"
                               "spec:\n  enabled: true\n");
    INFO(dump(set.diagnostics));
    CHECK(set.webhooks.empty());
    CHECK(has_error(set.diagnostics, {"metadata.name"}));
    CHECK(has_error(set.diagnostics, {"spec.eventTypes"}));
    CHECK(has_error(set.diagnostics, {"spec.endpointUrl"}));

    const auto bare = load_text("labels: {}\n");
    INFO(dump(bare.diagnostics));
    CHECK(has_error(bare.diagnostics, {"apiVersion"}));
    CHECK(has_error(bare.diagnostics, {"kind"}));
    CHECK(has_error(bare.diagnostics, {"metadata"}));
    CHECK(has_error(bare.diagnostics, {"spec"}));
}

TEST_CASE("an unknown key is reported at the key with a suggestion") {
    const std::string text = R"(apiVersion: hookwarden/v1
kind: Webhook
metadata:
  name: Typos
  lables: {team: a}
spec:
  eventTypes: [user:login]
  endpointURL: https://example.com/hook
  retryPolicy:
    maxRetires: 3
  secretRef:
    credentail: monitor
specs: {}
)";
    const auto set = load_text(text);
    INFO(dump(set.diagnostics));
    CHECK(set.webhooks.empty());
    CHECK(has_error_at(set.diagnostics, "m.yaml", 5, 3, {"lables", "labels"}));
    CHECK(has_error_at(set.diagnostics, "m.yaml", 8, 3, {"endpointURL", "endpointUrl"}));
    CHECK(has_error_at(set.diagnostics, "m.yaml", 10, 5, {"maxRetires", "maxRetries"}));
    CHECK(has_error_at(set.diagnostics, "m.yaml", 12, 5, {"credentail", "credential"}));
    CHECK(has_error_at(set.diagnostics, "m.yaml", 13, 1, {"specs", "spec"}));
    for (const auto& d : errors_of(set.diagnostics))
        if (contains(d.message, "unknown"))
            CHECK_MESSAGE(contains(d.message, "did you mean"), d.format());
}

TEST_CASE("an unknown key that resembles no field is reported without a guess") {
    Doc d;
    d.extra = "  zzzzzzzzzz: 1\n";
    const auto set = load_text(d.text());
    INFO(dump(set.diagnostics));
    CHECK(set.webhooks.empty());
    REQUIRE(has_error_at(set.diagnostics, "m.yaml", 8, 3, {"zzzzzzzzzz"}));
    CHECK_FALSE(has_error(set.diagnostics, {"did you mean"}));
}

TEST_CASE("a key written twice in one mapping is an error at the second occurrence") {
    const auto set = load_text(R"(apiVersion: hookwarden/v1
kind: Webhook
metadata:
  name: Twice
spec:
  eventTypes: [user:login]
  endpointUrl: https://example.com/a
  endpointUrl: https://example.com/b
kind: Webhook
)");
    INFO(dump(set.diagnostics));
    CHECK(set.webhooks.empty());
    CHECK(has_error_at(set.diagnostics, "m.yaml", 8, 3, {"endpointUrl"}));
    CHECK(has_error_at(set.diagnostics, "m.yaml", 9, 1, {"kind"}));
}

TEST_CASE("a bad webhook name is reported at the name's value") {
    for (const std::string& name :
         {std::string("\"\""), std::string(129, 'n'), std::string("has space"),
          std::string("slash/name"), std::string("\"colon:name\"")}) {
        INFO(std::string(name));
        const auto set = load_text(minimal(name));
        INFO(dump(set.diagnostics));
        CHECK(set.webhooks.empty());
        CHECK(has_error_at(set.diagnostics, "m.yaml", name_line, name_column, {"metadata.name"}));
    }
}

TEST_CASE("a name of exactly 128 characters is accepted") {
    const auto set = load_text(minimal(std::string(128, 'n')));
    INFO(dump(set.diagnostics));
    CHECK(set.ok());
    CHECK(set.webhooks.size() == 1);
}

TEST_CASE("eventTypes must name between 1 and 50 event types") {
    Doc d;
    d.events = "[]";
    auto set = load_text(d.text());
    INFO(dump(set.diagnostics));
    CHECK(set.webhooks.empty());
    CHECK(has_error_at(set.diagnostics, "m.yaml", events_line, events_column, {"eventTypes"}));

    std::string fifty = "[";
    for (int i = 0; i < 50; ++i)
        fifty += (i ? ", " : "") + std::string("event:e") + std::to_string(i);
    d.events = fifty + "]";
    set = load_text(d.text());
    INFO(dump(set.diagnostics));
    CHECK(set.ok());
    REQUIRE(set.webhooks.size() == 1);
    CHECK(set.webhooks[0].event_types.size() == 50);
    CHECK(set.webhooks[0].event_types.front() == "event:e0");
    CHECK(set.webhooks[0].event_types.back() == "event:e49");

    d.events = fifty + ", event:e50]";
    set = load_text(d.text());
    INFO(dump(set.diagnostics));
    CHECK(set.webhooks.empty());
    CHECK(has_error_at(set.diagnostics, "m.yaml", events_line, events_column, {"eventTypes", "50"}));
}

TEST_CASE("eventTypes must be a list of strings") {
    for (const char* events : {"user:login", "{user: login}", "~"}) {
        INFO(std::string(events));
        Doc d;
        d.events = events;
        const auto set = load_text(d.text());
        INFO(dump(set.diagnostics));
        CHECK(set.webhooks.empty());
        CHECK(has_error_at(set.diagnostics, "m.yaml", events_line, events_column, {"eventTypes"}));
    }
    Doc d;
    d.events = "[user:login, [nested:list]]";
    const auto set = load_text(d.text());
    INFO(dump(set.diagnostics));
    CHECK(set.webhooks.empty());
    CHECK(has_error_at(set.diagnostics, "m.yaml", events_line, 28, {"eventTypes"}));
}

TEST_CASE("an event type outside the pattern is reported at that list element") {
    Doc d;
    d.events = "[user:login, User:Logout, presence]";
    const auto set = load_text(d.text());
    INFO(dump(set.diagnostics));
    CHECK(set.webhooks.empty());
    CHECK(has_error_at(set.diagnostics, "m.yaml", events_line, 28, {"User:Logout"}));
    CHECK(has_error_at(set.diagnostics, "m.yaml", events_line, 41, {"presence"}));
    CHECK(errors_of(set.diagnostics).size() == 2);
}

TEST_CASE("an event type listed twice is reported at the second, naming the first") {
    Doc d;
    d.extra = "";
    d.events = "\n    - user:login\n    - user:logout\n    - user:login";
    const auto set = load_text(d.text());
    INFO(dump(set.diagnostics));
    CHECK(set.webhooks.empty());
    // eventTypes: on line 6, items on 7..9; endpointUrl moves to line 10.
    REQUIRE(errors_of(set.diagnostics).size() == 1);
    CHECK(has_error_at(set.diagnostics, "m.yaml", 9, 7, {"user:login", "line 7"}));
}

TEST_CASE("endpointUrl must be https unless the config allows insecure endpoints") {
    Doc d;
    d.url = "http://myapp.example.com/hook";
    auto set = load_text(d.text());
    INFO(dump(set.diagnostics));
    CHECK(set.webhooks.empty());
    CHECK(has_error_at(set.diagnostics, "m.yaml", url_line, url_column, {"endpointUrl", "https"}));

    set = load_text(d.text(), {.allow_insecure_endpoints = true});
    INFO(dump(set.diagnostics));
    CHECK(set.ok());
    REQUIRE(set.webhooks.size() == 1);
    CHECK(set.webhooks[0].endpoint_url == "http://myapp.example.com/hook");
}

TEST_CASE("an endpointUrl without a host, with user info, or relative is reported at its value") {
    for (const char* url : {"https:///hook", "https://user:secret@example.com/hook", "/hook",
                            "example.com/hook", "ftp://example.com/hook", "\"\"", "[https://x]"}) {
        INFO(std::string(url));
        Doc d;
        d.url = url;
        const auto set = load_text(d.text(), {.allow_insecure_endpoints = true});
        INFO(dump(set.diagnostics));
        CHECK(set.webhooks.empty());
        CHECK(has_error_at(set.diagnostics, "m.yaml", url_line, url_column, {"endpointUrl"}));
    }
}

TEST_CASE("retryInterval accepts PT1M, PT30S, P1D and PT1S") {
    for (const char* interval : {"PT1M", "PT30S", "P1D", "PT1S"}) {
        INFO(std::string(interval));
        Doc d;
        d.extra = std::string("  retryPolicy:\n    retryInterval: ") + interval + "\n";
        const auto set = load_text(d.text());
        INFO(dump(set.diagnostics));
        REQUIRE(set.webhooks.size() == 1);
        CHECK(set.webhooks[0].retry_policy.retry_interval == interval);
    }
}

TEST_CASE("retryInterval rejects 1m, PT0S, P2D, P1M, PT, P and PT1.5S at the value") {
    for (const char* interval : {"1m", "PT0S", "P2D", "P1M", "PT", "P", "PT1.5S", "60", "[PT1M]"}) {
        INFO(std::string(interval));
        Doc d;
        d.extra = std::string("  retryPolicy:\n    retryInterval: ") + interval + "\n";
        const auto set = load_text(d.text());
        INFO(dump(set.diagnostics));
        CHECK(set.webhooks.empty());
        CHECK(has_error_at(set.diagnostics, "m.yaml", 9, 20, {"retryInterval"}));
    }
}

TEST_CASE("maxRetries accepts the whole numbers 0 to 10") {
    for (int retries : {0, 1, 10}) {
        INFO(retries);
        Doc d;
        d.extra = "  retryPolicy:\n    maxRetries: " + std::to_string(retries) + "\n";
        const auto set = load_text(d.text());
        INFO(dump(set.diagnostics));
        REQUIRE(set.webhooks.size() == 1);
        CHECK(set.webhooks[0].retry_policy.max_retries == retries);
    }
}

TEST_CASE("maxRetries rejects 11, -1, a quoted \"3\", fractions, words and null at the value") {
    for (const char* retries : {"11", "-1", "\"3\"", "'3'", "!!str 3", "3.5", "three", "~",
                                "[3]", "99999999999999999999"}) {
        INFO(std::string(retries));
        Doc d;
        d.extra = std::string("  retryPolicy:\n    maxRetries: ") + retries + "\n";
        const auto set = load_text(d.text());
        INFO(dump(set.diagnostics));
        CHECK(set.webhooks.empty());
        CHECK(has_error_at(set.diagnostics, "m.yaml", 9, 17, {"maxRetries"}));
    }
}

TEST_CASE("retryPolicy must be a mapping") {
    Doc d;
    d.extra = "  retryPolicy: PT1M\n";
    const auto set = load_text(d.text());
    INFO(dump(set.diagnostics));
    CHECK(set.webhooks.empty());
    CHECK(has_error_at(set.diagnostics, "m.yaml", 8, 16, {"retryPolicy"}));
}

TEST_CASE("enabled must be a YAML boolean, not a string or number") {
    Doc d;
    d.extra = "  enabled: false\n";
    auto set = load_text(d.text());
    REQUIRE(set.webhooks.size() == 1);
    CHECK(set.webhooks[0].enabled == false);

    for (const char* enabled : {"\"true\"", "yes", "1", "on", "~", "[true]"}) {
        INFO(std::string(enabled));
        d.extra = std::string("  enabled: ") + enabled + "\n";
        set = load_text(d.text());
        INFO(dump(set.diagnostics));
        CHECK(set.webhooks.empty());
        CHECK(has_error_at(set.diagnostics, "m.yaml", 8, 12, {"enabled"}));
    }
}

TEST_CASE("payloadTemplate is kept verbatim and must be a non-empty string") {
    Doc d;
    d.extra = "  payloadTemplate: |\n    {\"kind\": \"{{event.eventType}}\"}\n";
    auto set = load_text(d.text());
    INFO(dump(set.diagnostics));
    REQUIRE(set.webhooks.size() == 1);
    CHECK(set.webhooks[0].payload_template == "{\"kind\": \"{{event.eventType}}\"}\n");

    for (const char* tmpl : {"\"\"", "[a, b]", "{a: b}", "~"}) {
        INFO(std::string(tmpl));
        d.extra = std::string("  payloadTemplate: ") + tmpl + "\n";
        set = load_text(d.text());
        INFO(dump(set.diagnostics));
        CHECK(set.webhooks.empty());
        CHECK(has_error_at(set.diagnostics, "m.yaml", 8, 20, {"payloadTemplate"}));
    }
}

TEST_CASE("secretRef names at most one source; each form is read as written") {
    struct Case {
        const char* yaml;
        SecretSource expected;
    };
    for (const auto& c : {Case{"{generate: true}", {SecretSource::Kind::generate, ""}},
                          // No source named: the default, as when secretRef is absent (SPEC §2).
                          Case{"{}", {SecretSource::Kind::generate, ""}},
                          Case{"{credential: monitor-secret}",
                               {SecretSource::Kind::credential, "monitor-secret"}},
                          Case{"{file: /etc/hookwarden/secrets/monitor}",
                               {SecretSource::Kind::file, "/etc/hookwarden/secrets/monitor"}},
                          Case{"{env: MONITOR_SECRET}", {SecretSource::Kind::env, "MONITOR_SECRET"}}}) {
        INFO(std::string(c.yaml));
        Doc d;
        d.extra = std::string("  secretRef: ") + c.yaml + "\n";
        const auto set = load_text(d.text());
        INFO(dump(set.diagnostics));
        REQUIRE(set.webhooks.size() == 1);
        CHECK(set.webhooks[0].secret_ref == c.expected);
    }
}

TEST_CASE("secretRef with two sources is rejected, naming both") {
    Doc d;
    d.extra = "  secretRef:\n    env: MONITOR_SECRET\n    file: /etc/secret\n";
    const auto set = load_text(d.text());
    INFO(dump(set.diagnostics));
    CHECK(set.webhooks.empty());
    CHECK(has_error(set.diagnostics, {"env", "file"}));
    const auto errors = errors_of(set.diagnostics);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].location.line >= 9);
}

TEST_CASE("secretRef with generate: false, an unknown form or an unusable name is rejected") {
    for (const char* ref : {"{generate: false}", "{generate: \"true\"}", "{vault: x}",
                            "{env: 1BAD}", "{env: \"A-B\"}", "{credential: ../etc/passwd}",
                            "{credential: a/b}", "{file: \"\"}", "{file: relative/path}",
                            "monitor-secret", "[env, X]"}) {
        INFO(std::string(ref));
        Doc d;
        d.extra = std::string("  secretRef: ") + ref + "\n";
        const auto set = load_text(d.text());
        INFO(dump(set.diagnostics));
        CHECK(set.webhooks.empty());
        CHECK(has_error(set.diagnostics, {"secretRef"}));
        for (const auto& e : errors_of(set.diagnostics))
            CHECK(e.location.line == 8);
    }
}

TEST_CASE("labels are a mapping of strings, kept locally") {
    Doc d;
    d.extra = "";
    std::string text = d.text();
    text.insert(text.find("spec:"), "  labels:\n    team: platform\n    tier: \"1\"\n");
    auto set = load_text(text);
    INFO(dump(set.diagnostics));
    REQUIRE(set.webhooks.size() == 1);
    CHECK(set.webhooks[0].labels ==
          std::map<std::string, std::string>{{"team", "platform"}, {"tier", "1"}});

    text = d.text();
    text.insert(text.find("spec:"), "  labels: [team, platform]\n");
    set = load_text(text);
    INFO(dump(set.diagnostics));
    CHECK(set.webhooks.empty());
    CHECK(has_error_at(set.diagnostics, "m.yaml", 5, 11, {"labels"}));
}

TEST_CASE("a document that is not a mapping is an error, not a crash") {
    for (const char* text : {"just a string\n", "- a\n- b\n", "42\n"}) {
        INFO(std::string(text));
        const auto set = load_text(text);
        INFO(dump(set.diagnostics));
        CHECK(set.webhooks.empty());
        CHECK(has_error_at(set.diagnostics, "m.yaml", 1, 1, {"mapping"}));
    }
}

TEST_CASE("metadata and spec must be mappings") {
    const auto set = load_text("apiVersion: hookwarden/v1\nkind: Webhook\nmetadata: Foo\nspec: [1]\n");
    INFO(dump(set.diagnostics));
    CHECK(set.webhooks.empty());
    CHECK(has_error_at(set.diagnostics, "m.yaml", 3, 11, {"metadata"}));
    CHECK(has_error_at(set.diagnostics, "m.yaml", 4, 7, {"spec"}));
}

TEST_CASE("every error is one line FILE:LINE:COLUMN: error: MESSAGE") {
    Doc d;
    d.api_version = "v9";
    d.name = "bad name";
    d.events = "[Bad]";
    d.url = "http://x";
    d.extra = "  enabled: maybe\n  retryPolicy: {retryInterval: 1m, maxRetries: 99}\n  bogus: 1\n";
    const auto set = load_text(d.text(), {}, "team-a/monitor.yaml");
    INFO(dump(set.diagnostics));
    const auto errors = errors_of(set.diagnostics);
    CHECK(errors.size() == 8);
    for (const auto& e : errors) {
        INFO(e.format());
        CHECK(is_error_line(e.format(), "team-a/monitor.yaml"));
    }
    // The checker itself rejects what is not that format.
    CHECK_FALSE(is_error_line("team-a/monitor.yaml: error: x", "team-a/monitor.yaml"));
    CHECK_FALSE(is_error_line("team-a/monitor.yaml:3: error: x", "team-a/monitor.yaml"));
    CHECK_FALSE(is_error_line("team-a/monitor.yaml:0:1: error: x", "team-a/monitor.yaml"));
    CHECK_FALSE(is_error_line("team-a/monitor.yaml:3:1: warning: x", "team-a/monitor.yaml"));
    CHECK_FALSE(is_error_line("team-a/monitor.yaml:3:1: error: x\ny", "team-a/monitor.yaml"));
}

TEST_CASE("all errors of one document are reported, not only the first") {
    Doc d;
    d.kind = "Hook";
    d.name = "bad/name";
    d.events = "[user:login, user:login]";
    d.url = "ftp://example.com";
    d.extra = "  retryPolicy:\n    retryInterval: P2D\n    maxRetries: 11\n  enabled: 2\n";
    const auto set = load_text(d.text());
    INFO(dump(set.diagnostics));
    CHECK(has_error_at(set.diagnostics, "m.yaml", 2, 7, {"kind"}));
    CHECK(has_error_at(set.diagnostics, "m.yaml", name_line, name_column, {"name"}));
    CHECK(has_error_at(set.diagnostics, "m.yaml", events_line, 28, {"user:login"}));
    CHECK(has_error_at(set.diagnostics, "m.yaml", url_line, url_column, {"endpointUrl"}));
    CHECK(has_error_at(set.diagnostics, "m.yaml", 9, 20, {"retryInterval"}));
    CHECK(has_error_at(set.diagnostics, "m.yaml", 10, 17, {"maxRetries"}));
    CHECK(has_error_at(set.diagnostics, "m.yaml", 11, 12, {"enabled"}));
    CHECK(errors_of(set.diagnostics).size() == 7);
}

TEST_CASE("a file's errors are listed top to bottom") {
    Doc d;
    d.extra = "  bogus: 1\n";
    d.api_version = "v0";
    const auto set = load_text(d.text());
    INFO(dump(set.diagnostics));
    const auto errors = errors_of(set.diagnostics);
    REQUIRE(errors.size() == 2);
    CHECK(errors[0].location.line == 1);
    CHECK(errors[1].location.line == 8);
}

TEST_CASE("a file may hold several documents; line numbers count from the top of the file") {
    const std::string text = minimal("First") + "---\n" + minimal("Second") + "---\n" +
                             minimal("bad name") + "---\n" + minimal("Fourth");
    const auto set = load_text(text);
    INFO(dump(set.diagnostics));
    CHECK(names_of(set) == std::vector<std::string>{"First", "Second", "Fourth"});
    const auto errors = errors_of(set.diagnostics);
    REQUIRE(errors.size() == 1);
    // Each minimal document is 7 lines plus one separator line before it.
    CHECK(errors[0].location == SourceLocation{"m.yaml", 2 * 8 + name_line, name_column});
    CHECK(set.webhooks[1].location == SourceLocation{"m.yaml", 8 + name_line, name_column});
}

TEST_CASE("empty documents between separators are skipped silently") {
    const std::string text = "---\n---\n# only a comment\n---\n" + minimal("Only") + "---\n...\n";
    const auto set = load_text(text);
    INFO(dump(set.diagnostics));
    CHECK(set.ok());
    CHECK(set.diagnostics.empty());
    CHECK(names_of(set) == std::vector<std::string>{"Only"});
}

TEST_CASE("a file with no document at all is an error") {
    for (const char* text : {"", "\n\n", "# nothing but a comment\n", "---\n---\n"}) {
        INFO(("\"" + std::string(text) + "\""));
        const auto set = load_text(text);
        INFO(dump(set.diagnostics));
        CHECK_FALSE(set.ok());
        REQUIRE(errors_of(set.diagnostics).size() == 1);
        CHECK(errors_of(set.diagnostics)[0].location.file == "m.yaml");
    }
}

TEST_CASE("a YAML syntax error is one error at the parser's position") {
    const auto set = load_text("apiVersion: hookwarden/v1\nkind: Webhook\nmetadata:\n  name: [unclosed\n");
    INFO(dump(set.diagnostics));
    CHECK_FALSE(set.ok());
    const auto errors = errors_of(set.diagnostics);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].location.line >= 4);
    CHECK(errors[0].location.column >= 1);

    const auto bad_indent = load_text("a:\n  b: 1\n c: 2\n");
    INFO(dump(bad_indent.diagnostics));
    REQUIRE(errors_of(bad_indent.diagnostics).size() == 1);
    CHECK(errors_of(bad_indent.diagnostics)[0].location.line == 3);
}

TEST_CASE("a quoted string left open at the end of the file is a syntax error") {
    const auto set = load_text(minimal("Open") + "  payloadTemplate: \"{{event}}\n");
    INFO(dump(set.diagnostics));
    CHECK_FALSE(set.ok());
}

TEST_CASE("a file that does not parse yields none of its documents, not half of them") {
    const std::string text = minimal("Good") + "---\nkey: [unclosed\n";
    const auto set = load_text(text);
    INFO(dump(set.diagnostics));
    CHECK_FALSE(set.ok());
    CHECK(set.webhooks.empty());
}

} // TEST_SUITE
