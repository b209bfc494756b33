// Unit tests of hookwarden_core: the manifest contract of SPEC §2 (rules,
// loader, discovery, defensive file reading), secret sources, diagnostics
// and the webhook JSON model. Each TEST_CASE states one rule of the
// contract; the expectations were written from SPEC §2, not from the code.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include "core/diagnostic.hpp"
#include "core/iso8601_duration.hpp"
#include "core/manifest.hpp"
#include "core/manifest_discovery.hpp"
#include "core/manifest_rules.hpp"
#include "core/secret_source.hpp"
#include "core/secret_source_yaml.hpp"
#include "core/source_file.hpp"
#include "core/webhook.hpp"
#include "core/yaml_fields.hpp"
#include "tests/core/scratch_dir.hpp"

#include <boost/json.hpp>

#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <grp.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <functional>
#include <sstream>

using namespace hookwarden;
using hookwarden::testing::ScratchDir;
namespace fs = std::filesystem;

namespace {

// ---------------------------------------------------------------- helpers

/// A manifest document whose parts can be replaced. Line numbers are fixed:
///   1 apiVersion  2 kind  3 metadata:  4 name  5 spec:  6 eventTypes
///   7 endpointUrl  8.. `extra` (spec-level lines, two-space indented)
struct Doc {
    std::string api_version = "hookwarden/v1";
    std::string kind = "Webhook";
    std::string name = "SystemEventMonitor";
    std::string events = "[user:login, user:logout]";
    std::string url = "https://myapp.example.com/webhooks/genesys";
    std::string extra;

    std::string text() const {
        return "apiVersion: " + api_version + "\n" + "kind: " + kind + "\n" + "metadata:\n" +
               "  name: " + name + "\n" + "spec:\n" + "  eventTypes: " + events + "\n" +
               "  endpointUrl: " + url + "\n" + extra;
    }
};

// Columns of the values in Doc::text().
constexpr int name_line = 4, name_column = 9;
constexpr int events_line = 6, events_column = 15;
constexpr int url_line = 7, url_column = 16;

std::string minimal(const std::string& name) {
    Doc d;
    d.name = name;
    return d.text();
}

ManifestSet load_text(const std::string& text, ManifestOptions options = {},
                      const std::string& file = "m.yaml") {
    ManifestSet set;
    load_manifest_text(text, file, options, set);
    return set;
}

std::string dump(const Diagnostics& diagnostics) {
    std::string out;
    for (const auto& d : diagnostics.all())
        out += d.format() + "\n";
    return out.empty() ? "(no diagnostics)" : out;
}

std::vector<Diagnostic> errors_of(const Diagnostics& diagnostics) {
    std::vector<Diagnostic> out;
    for (const auto& d : diagnostics.all())
        if (d.severity == Severity::error)
            out.push_back(d);
    return out;
}

std::vector<Diagnostic> warnings_of(const Diagnostics& diagnostics) {
    std::vector<Diagnostic> out;
    for (const auto& d : diagnostics.all())
        if (d.severity == Severity::warning)
            out.push_back(d);
    return out;
}

/// The error at exactly FILE:LINE:COLUMN whose message holds every fragment.
bool has_error_at(const Diagnostics& diagnostics, const std::string& file, int line, int column,
                  std::initializer_list<std::string_view> fragments) {
    for (const auto& d : errors_of(diagnostics)) {
        if (d.location != SourceLocation{file, line, column})
            continue;
        if (std::all_of(fragments.begin(), fragments.end(),
                        [&](std::string_view f) { return d.message.find(f) != std::string::npos; }))
            return true;
    }
    return false;
}

/// Any error whose message holds every fragment.
bool has_error(const Diagnostics& diagnostics, std::initializer_list<std::string_view> fragments) {
    for (const auto& d : errors_of(diagnostics))
        if (std::all_of(fragments.begin(), fragments.end(),
                        [&](std::string_view f) { return d.message.find(f) != std::string::npos; }))
            return true;
    return false;
}

bool contains(const std::string& haystack, std::string_view needle) {
    return haystack.find(needle) != std::string::npos;
}

/// `FILE:LINE:COLUMN: error: MESSAGE` on one line, LINE and COLUMN positive
/// numbers. (Hand-written: std::regex trips GCC 12 warnings under -O2.)
bool is_error_line(const std::string& line, const std::string& file) {
    if (!line.starts_with(file + ":") || line.find('\n') != std::string::npos)
        return false;
    std::size_t i = file.size() + 1;
    for (int number = 0; number < 2; ++number) {
        const std::size_t start = i;
        while (i < line.size() && line[i] >= '0' && line[i] <= '9')
            ++i;
        if (i == start || line[start] == '0' || i == line.size() || line[i] != ':')
            return false;
        ++i;
    }
    const std::string_view rest = std::string_view(line).substr(i);
    return rest.starts_with(" error: ") && rest.size() > 8;
}

long peak_rss_kib() {
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::vector<std::string> names_of(const ManifestSet& set) {
    std::vector<std::string> out;
    for (const auto& w : set.webhooks)
        out.push_back(w.name);
    return out;
}

} // namespace

// ======================================================== value rules (§2)

TEST_SUITE("manifest value rules") {

TEST_CASE("a webhook name is 1 to 128 characters of letters, digits, '.', '_' and '-'") {
    for (const std::string& name : std::vector<std::string>{"a", "Z", "0", "SystemEventMonitor",
                                                             "team-a.monitor_2", "...", "-_-",
                                                             std::string(128, 'x')}) {
        INFO(std::string(name));
        CHECK_FALSE(check_webhook_name(name).has_value());
    }
}

TEST_CASE("a webhook name that is empty, too long or holds another character is rejected") {
    for (const std::string& name : {std::string(), std::string(129, 'x'), std::string("a b"),
                                   std::string("a/b"), std::string("a:b"), std::string("a@b"),
                                   std::string("caf\xc3\xa9"), std::string("tab\there"),
                                   std::string("a+b"), std::string("{{x}}")}) {
        INFO(std::string(name));
        CHECK(check_webhook_name(name).has_value());
    }
}

TEST_CASE("an event type matches ^[a-z][a-zA-Z0-9]*(:[a-zA-Z0-9_.]+)+$") {
    for (const char* event : {"user:login", "user:logout", "routing:queue.member:added", "a:b",
                              "uSer9:X_y.z", "v2:a:b:c", "conversation:call:Ended_1.x", "a:.",
                              "a:_"}) {
        INFO(std::string(event));
        CHECK_FALSE(check_event_type(event).has_value());
    }
}

TEST_CASE("an event type outside the pattern is rejected") {
    for (const char* event : {"", "user", "User:login", "9user:login", ":login", "user:",
                              "user::login", "user:log-in", "user:log in", "user-x:login",
                              "user_x:login", "user.x:login", "user:login:", " user:login",
                              "user:login ", "user:l\xc3\xb6gin", "_user:login"}) {
        INFO(std::string(event));
        CHECK(check_event_type(event).has_value());
    }
}

TEST_CASE("an endpoint URL is an absolute https URL with a host") {
    for (const char* url : {"https://myapp.example.com/webhooks/genesys", "https://example.com",
                            "https://127.0.0.1:8443/hooks", "https://[::1]:8443/x",
                            "https://example.com/a?b=c"}) {
        INFO(std::string(url));
        CHECK_FALSE(check_endpoint_url(url, false).has_value());
    }
}

TEST_CASE("an endpoint URL that is relative, not https, hostless or carries user info is rejected") {
    for (const char* url :
         {"", "example.com/hooks", "/hooks", "//example.com/hooks", "https://", "https:///hooks",
          "https:example.com", "ftp://example.com/", "wss://example.com/", "http://example.com/",
          "https://user:password@example.com/", "https://user@example.com/",
          "https://exa mple.com/"}) {
        INFO(std::string(url));
        CHECK(check_endpoint_url(url, false).has_value());
    }
}

TEST_CASE("http endpoints are allowed only with allowInsecureEndpoints, which still demands a host") {
    CHECK(check_endpoint_url("http://localhost:8080/hook", false).has_value());
    CHECK_FALSE(check_endpoint_url("http://localhost:8080/hook", true).has_value());
    CHECK_FALSE(check_endpoint_url("https://localhost:8080/hook", true).has_value());
    CHECK(check_endpoint_url("http:///hook", true).has_value());
    CHECK(check_endpoint_url("http://user:pw@localhost/hook", true).has_value());
    CHECK(check_endpoint_url("ftp://localhost/hook", true).has_value());
}

TEST_CASE("a retry interval is an ISO-8601 duration between PT1S and P1D") {
    for (const char* interval : {"PT1M", "PT30S", "P1D", "PT1S", "PT24H", "PT86400S", "PT1H30M",
                                 "P0DT1S", "PT1440M", "PT0H0M5S"}) {
        INFO(std::string(interval));
        CHECK_FALSE(check_retry_interval(interval).has_value());
    }
}

TEST_CASE("a retry interval that is not an ISO-8601 duration of days to seconds, or out of range, is rejected") {
    for (const char* interval :
         {"1m", "60", "PT0S", "P0D", "P2D", "PT86401S", "P1DT1S", "P1M", "P1Y", "P1W", "PT", "P",
          "", "PT1.5S", "PT1,5S", "pt1m", "PT1m", "-PT1S", "PT-1S", " PT1M", "PT1M ", "PT1M1H",
          "PT1H1H", "P1DT", "PTS", "T1M", "PT1MS", "P1H", "PT1D"}) {
        INFO(std::string(interval));
        CHECK(check_retry_interval(interval).has_value());
    }
}

TEST_CASE("an ISO-8601 duration adds up its days, hours, minutes and seconds") {
    using std::chrono::seconds;
    CHECK(parse_iso8601_duration("PT1M") == seconds(60));
    CHECK(parse_iso8601_duration("PT30S") == seconds(30));
    CHECK(parse_iso8601_duration("P1D") == seconds(86400));
    CHECK(parse_iso8601_duration("P1DT2H3M4S") == seconds(93784));
    CHECK(parse_iso8601_duration("PT90M") == seconds(5400));
    CHECK_FALSE(parse_iso8601_duration("PT99999999999999999999S").has_value());
}

} // TEST_SUITE

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

TEST_CASE("secretRef that names no source, generate: false, or an unusable name is rejected") {
    for (const char* ref : {"{}", "{generate: false}", "{generate: \"true\"}", "{vault: x}",
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

// ========================================================= hostile input

TEST_SUITE("hostile manifest input") {

TEST_CASE("a YAML alias bomb finishes quickly and within bounded memory") {
    // Billion laughs: ten levels of nine aliases each = 9^9 leaves if expanded.
    std::string bomb = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
    char previous = 'a';
    for (char c = 'b'; c <= 'j'; ++c) {
        bomb += std::string(1, c) + ": &" + c + " [";
        for (int i = 0; i < 9; ++i)
            bomb += std::string(i ? ", " : "") + "*" + previous;
        bomb += "]\n";
        previous = c;
    }
    // Also point the fields the validator walks at the biggest alias.
    const std::string in_fields = "x: &x [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
                                  "y: &y [*x, *x, *x, *x, *x, *x, *x, *x, *x]\n"
                                  "z: &z [*y, *y, *y, *y, *y, *y, *y, *y, *y]\n"
                                  "apiVersion: hookwarden/v1\nkind: Webhook\n"
                                  "metadata: {name: *z, labels: *z}\n"
                                  "spec: {eventTypes: *z, endpointUrl: *z, payloadTemplate: *z,\n"
                                  "       retryPolicy: *z, secretRef: *z}\n";
    const long rss_before = peak_rss_kib();
    const auto start = std::chrono::steady_clock::now();
    const auto set = load_text(bomb + "---\n" + in_fields);
    const double elapsed = seconds_since(start);
    const long grown_kib = peak_rss_kib() - rss_before;
    INFO(dump(set.diagnostics));
    INFO((std::string("took ") + std::to_string(elapsed) + " s, peak RSS grew " +
          std::to_string(grown_kib) + " KiB"));
    CHECK_FALSE(set.ok());
    CHECK(set.webhooks.empty());
    CHECK(elapsed < 2.0);
    CHECK(grown_kib < 64 * 1024);
    CHECK(set.diagnostics.size() < 100);
}

TEST_CASE("deeply nested YAML is an error, not a stack overflow") {
    for (const std::string& text : {std::string(200'000, '['), std::string("a: ") + std::string(100'000, '{'),
                                    [] {
                                        std::string s;
                                        for (int i = 0; i < 1000; ++i)
                                            s += std::string(static_cast<std::size_t>(i), ' ') + "- \n";
                                        return s;
                                    }()}) {
        const auto start = std::chrono::steady_clock::now();
        const auto set = load_text(text);
        INFO(dump(set.diagnostics));
        CHECK_FALSE(set.ok());
        CHECK(errors_of(set.diagnostics).size() == 1);
        CHECK(seconds_since(start) < 5.0);
    }
}

TEST_CASE("a NUL byte marks a binary file, reported with its position") {
    const std::string text = "apiVersion: hookwarden/v1\nki" + std::string(1, '\0') + "nd: Webhook\n";
    const auto set = load_text(text);
    INFO(dump(set.diagnostics));
    REQUIRE(errors_of(set.diagnostics).size() == 1);
    CHECK(has_error_at(set.diagnostics, "m.yaml", 2, 3, {"NUL"}));
}

TEST_CASE("invalid UTF-8 is reported at the offending byte") {
    struct Case {
        std::string text;
        int line, column;
    };
    for (const auto& c : {Case{"apiVersion: hookwarden/v1\nkind: W\xff" "ebhook\n", 2, 8},
                          Case{"a: \xc3\xa9\xc3\xa9\xc3\n", 1, 6},         // truncated sequence at the end
                          Case{"# caf\xc3\xa9\nb: \xc0\xaf\n", 2, 4},      // overlong '/'
                          Case{"x: \xed\xa0\x80\n", 1, 4},                 // UTF-16 surrogate
                          Case{"x: \xf4\x90\x80\x80\n", 1, 4},             // above U+10FFFF
                          Case{"\x80\n", 1, 1}}) {                         // stray continuation byte
        INFO(std::string(c.text));
        const auto set = load_text(c.text);
        INFO(dump(set.diagnostics));
        REQUIRE(errors_of(set.diagnostics).size() == 1);
        CHECK(has_error_at(set.diagnostics, "m.yaml", c.line, c.column, {"UTF-8"}));
    }
}

TEST_CASE("valid multi-byte UTF-8 passes the encoding check") {
    Diagnostics diagnostics;
    CHECK(check_source_text("labels: {owner: \"J\xc3\xbcrgen \xe2\x82\xac \xf0\x9f\x98\x80\"}\n", "f",
                            diagnostics));
    CHECK(diagnostics.empty());
}

TEST_CASE("a manifest file over 1 MiB is refused before parsing; exactly 1 MiB is read") {
    ScratchDir dir;
    std::string exact = minimal("Big");
    exact += "# " + std::string(max_source_file_bytes - exact.size() - 3, 'x') + "\n";
    REQUIRE(exact.size() == max_source_file_bytes);
    dir.write("exact.yaml", exact);
    dir.write("over.yaml", exact + "\n");
    const auto set = load_manifests(dir.path());
    INFO(dump(set.diagnostics));
    CHECK(names_of(set) == std::vector<std::string>{"Big"});
    REQUIRE(errors_of(set.diagnostics).size() == 1);
    CHECK(errors_of(set.diagnostics)[0].location.file == (dir.path() / "over.yaml").string());
    CHECK(contains(errors_of(set.diagnostics)[0].message, "1 MiB"));

    ManifestSet text_set;
    load_manifest_text(exact + "\n", "t.yaml", {}, text_set);
    CHECK(has_error(text_set.diagnostics, {"1 MiB"}));
}

TEST_CASE("a file that is longer than its stat says is still read whole") {
    // /proc files report size 0 yet have content: the reader must not trust
    // the stat for more than a first guess.
    Diagnostics diagnostics;
    const auto text = read_source_file("/proc/self/status", "/proc/self/status", diagnostics);
    INFO(dump(diagnostics));
    REQUIRE(text.has_value());
    CHECK(text->starts_with("Name:"));
    CHECK(contains(*text, "\nPid:"));
    CHECK(text->ends_with("\n"));
}

TEST_CASE("a huge file is refused without reading it all") {
    ScratchDir dir;
    const auto big = dir.path() / "huge.yaml";
    {
        std::ofstream out(big, std::ios::binary);
        out << minimal("Huge");
    }
    fs::resize_file(big, 256ull * 1024 * 1024); // sparse where the file system allows
    const long rss_before = peak_rss_kib();
    const auto start = std::chrono::steady_clock::now();
    const auto set = load_manifests(dir.path());
    INFO(dump(set.diagnostics));
    CHECK(seconds_since(start) < 2.0);
    CHECK(peak_rss_kib() - rss_before < 64 * 1024);
    CHECK(has_error(set.diagnostics, {"1 MiB"}));
}

} // TEST_SUITE

// ========================================================= directories

TEST_SUITE("manifest directories") {

TEST_CASE("a directory is searched recursively for *.yaml and *.yml only") {
    ScratchDir dir;
    dir.write("top.yaml", minimal("Top"));
    dir.write("team-a/nested/deep.yml", minimal("Deep"));
    dir.write("team-b/b.yaml", minimal("B"));
    dir.write("notes.txt", minimal("Txt"));
    dir.write("schema.json", minimal("Json"));
    dir.write("old.yaml.bak", minimal("Bak"));
    dir.write("yaml", minimal("NoExt"));
    dir.write("README.md", "not yaml: [\n");
    dir.write("shout.YAML", minimal("Upper"));
    const auto set = load_manifests(dir.path());
    INFO(dump(set.diagnostics));
    CHECK(set.ok());
    CHECK(set.files == 3);
    auto names = names_of(set);
    std::sort(names.begin(), names.end());
    CHECK(names == std::vector<std::string>{"B", "Deep", "Top"});
}

TEST_CASE("dot-files and dot-directories are skipped") {
    ScratchDir dir;
    dir.write("visible.yaml", minimal("Visible"));
    dir.write(".hidden.yaml", minimal("Hidden"));
    dir.write(".git/config.yaml", "not: [valid\n");
    dir.write("team/.cache/x.yml", minimal("Cached"));
    dir.write("team/.yaml", minimal("DotYaml"));
    const auto set = load_manifests(dir.path());
    INFO(dump(set.diagnostics));
    CHECK(set.ok());
    CHECK(names_of(set) == std::vector<std::string>{"Visible"});
    CHECK(set.files == 1);
}

TEST_CASE("the manifest root itself may be a dot-directory") {
    ScratchDir dir;
    dir.write(".manifests/a.yaml", minimal("A"));
    const auto set = load_manifests(dir.path() / ".manifests");
    INFO(dump(set.diagnostics));
    CHECK(names_of(set) == std::vector<std::string>{"A"});
}

TEST_CASE("files load in byte-wise order of their path below the directory") {
    ScratchDir dir;
    // Byte order: 'B' (0x42) < 'a' < "a-b" ('-' 0x2D) < "a/" ('/' 0x2F) < 'b' < 0xC3.
    dir.write("b.yaml", minimal("b"));
    dir.write("a/z.yaml", minimal("a_z"));
    dir.write("a-b.yaml", minimal("a-b"));
    dir.write("B.yaml", minimal("B"));
    dir.write("\xc3\xa9.yaml", minimal("e-acute"));
    dir.write("a/10.yaml", minimal("a_10"));
    dir.write("a/9.yaml", minimal("a_9"));
    const std::vector<std::string> expected{"B", "a-b", "a_10", "a_9", "a_z", "b", "e-acute"};
    for (int run = 0; run < 3; ++run) {
        const auto set = load_manifests(dir.path());
        INFO(dump(set.diagnostics));
        CHECK(names_of(set) == expected);
    }
    Diagnostics diagnostics;
    const auto files = discover_manifest_files(dir.path(), diagnostics);
    std::vector<std::string> relative;
    for (const auto& f : files)
        relative.push_back(f.relative);
    CHECK(relative == std::vector<std::string>{"B.yaml", "a-b.yaml", "a/10.yaml", "a/9.yaml",
                                               "a/z.yaml", "b.yaml", "\xc3\xa9.yaml"});
}

TEST_CASE("diagnostics name files as the directory was given, joined with the path below it") {
    ScratchDir dir;
    dir.write("team/bad.yaml", minimal("bad name"));
    const auto set = load_manifests(dir.path());
    INFO(dump(set.diagnostics));
    const auto errors = errors_of(set.diagnostics);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].format() ==
          (dir.path() / "team" / "bad.yaml").string() + ":4:9: error: " + errors[0].message);
}

TEST_CASE("symlinks to files and directories are followed") {
    ScratchDir dir;
    dir.write("elsewhere/target.txt", minimal("ViaFileLink"));
    dir.write("elsewhere/sub/t.yaml", minimal("ViaDirLink"));
    dir.write("root/plain.yaml", minimal("Plain"));
    dir.symlink(dir.path() / "elsewhere/target.txt", "root/linked.yaml");
    dir.symlink(dir.path() / "elsewhere/sub", "root/linked-dir");
    const auto set = load_manifests(dir.path() / "root");
    INFO(dump(set.diagnostics));
    CHECK(set.ok());
    CHECK(names_of(set) == std::vector<std::string>{"ViaDirLink", "ViaFileLink", "Plain"});
    CHECK(set.webhooks[1].location.file == (dir.path() / "root/linked.yaml").string());
}

TEST_CASE("a symlink loop is detected: no hang, every file once") {
    ScratchDir dir;
    dir.write("root/a/one.yaml", minimal("One"));
    dir.symlink("..", "root/a/up");                           // a/up -> root
    dir.symlink(dir.path() / "root", "root/a/again");         // absolute loop
    dir.symlink("self.yaml", "root/self.yaml");               // a link to itself
    dir.symlink("ping.yaml", "root/pong.yaml");               // two links to each other
    dir.symlink("pong.yaml", "root/ping.yaml");
    const auto start = std::chrono::steady_clock::now();
    const auto set = load_manifests(dir.path() / "root");
    INFO(dump(set.diagnostics));
    CHECK(seconds_since(start) < 5.0);
    CHECK(names_of(set) == std::vector<std::string>{"One"});
    CHECK(set.files == 1);
    CHECK_FALSE(warnings_of(set.diagnostics).empty());
}

TEST_CASE("two links to one file load it once") {
    ScratchDir dir;
    dir.write("root/real.yaml", minimal("Once"));
    dir.symlink("real.yaml", "root/alias.yaml");
    const auto set = load_manifests(dir.path() / "root");
    INFO(dump(set.diagnostics));
    CHECK(set.ok());
    CHECK(names_of(set) == std::vector<std::string>{"Once"});
}

TEST_CASE("a dangling symlink with a manifest name is reported as a warning and skipped") {
    ScratchDir dir;
    dir.write("root/ok.yaml", minimal("Ok"));
    dir.symlink(dir.path() / "nowhere.yaml", "root/gone.yaml");
    const auto set = load_manifests(dir.path() / "root");
    INFO(dump(set.diagnostics));
    CHECK(names_of(set) == std::vector<std::string>{"Ok"});
    REQUIRE(warnings_of(set.diagnostics).size() == 1);
    CHECK(warnings_of(set.diagnostics)[0].location.file == (dir.path() / "root/gone.yaml").string());
}

TEST_CASE("a manifest directory that does not exist is an error naming it") {
    ScratchDir dir;
    const auto missing = dir.path() / "no-such-dir";
    const auto set = load_manifests(missing);
    INFO(dump(set.diagnostics));
    CHECK_FALSE(set.ok());
    CHECK(set.webhooks.empty());
    REQUIRE(errors_of(set.diagnostics).size() == 1);
    CHECK(errors_of(set.diagnostics)[0].location.file == missing.string());
}

TEST_CASE("a manifest path that is a file, not a directory, is an error") {
    ScratchDir dir;
    const auto file = dir.write("single.yaml", minimal("Single"));
    const auto set = load_manifests(file);
    INFO(dump(set.diagnostics));
    CHECK_FALSE(set.ok());
    CHECK(has_error(set.diagnostics, {"directory"}));
}

TEST_CASE("an empty directory holds no webhook and no error") {
    ScratchDir dir;
    const auto set = load_manifests(dir.path());
    CHECK(set.ok());
    CHECK(set.webhooks.empty());
    CHECK(set.files == 0);
}

namespace {

// Runs `check` in a child that has dropped root to nobody (permission checks
// do not bite root). Returns the child's verdict, or nothing when privileges
// cannot be dropped or nobody cannot reach `dir`.
std::optional<bool> as_unprivileged(const fs::path& dir, const std::function<bool()>& check) {
    if (::geteuid() != 0)
        return check();
    ::chmod(dir.c_str(), 0755);
    const pid_t pid = ::fork();
    if (pid < 0)
        return std::nullopt;
    if (pid == 0) {
        if (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0)
            ::_exit(77);
        if (::access(dir.c_str(), R_OK | X_OK) != 0)
            ::_exit(77);
        ::_exit(check() ? 0 : 1);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) == 77)
        return std::nullopt;
    return WEXITSTATUS(status) == 0;
}

} // namespace

TEST_CASE("an unreadable directory or file is an error, and the readable rest still loads") {
    ScratchDir dir;
    dir.write("ok.yaml", minimal("Ok"));
    dir.write("locked/inside.yaml", minimal("Inside"));
    const auto secret = dir.write("unreadable.yaml", minimal("Unreadable"));
    ::chmod((dir.path() / "locked").c_str(), 0);
    ::chmod(secret.c_str(), 0);
    const std::string locked_display = (dir.path() / "locked").string();
    const std::string secret_display = secret.string();
    const auto verdict = as_unprivileged(dir.path(), [&] {
        const auto set = load_manifests(dir.path());
        const bool ok = !set.ok() && names_of(set) == std::vector<std::string>{"Ok"} &&
                        errors_of(set.diagnostics).size() == 2 &&
                        errors_of(set.diagnostics)[0].location.file == locked_display &&
                        errors_of(set.diagnostics)[1].location.file == secret_display;
        if (!ok)
            std::fprintf(stderr, "%s", dump(set.diagnostics).c_str());
        return ok;
    });
    if (!verdict) {
        MESSAGE("skipped: running as root and privileges could not be dropped to nobody, so "
                "permissions cannot be tested here");
        return;
    }
    CHECK(*verdict);
}

TEST_CASE("an unreadable manifest root is an error") {
    ScratchDir dir;
    dir.write("root/a.yaml", minimal("A"));
    ::chmod((dir.path() / "root").c_str(), 0);
    const auto root = dir.path() / "root";
    const auto verdict = as_unprivileged(dir.path(), [&] {
        const auto set = load_manifests(root);
        return !set.ok() && set.webhooks.empty() && errors_of(set.diagnostics).size() == 1;
    });
    if (!verdict) {
        MESSAGE("skipped: cannot drop root privileges to test permissions");
        return;
    }
    CHECK(*verdict);
}

TEST_CASE("errors of every file are reported, not only the first file's") {
    ScratchDir dir;
    dir.write("a.yaml", minimal("bad a"));
    dir.write("b.yaml", "not: [yaml\n");
    dir.write("c/c.yaml", minimal("Good"));
    dir.write("d.yaml", "");
    dir.write("e.yml", std::string("x: \xff\n"));
    const auto set = load_manifests(dir.path());
    INFO(dump(set.diagnostics));
    CHECK(names_of(set) == std::vector<std::string>{"Good"});
    std::set<std::string> files_with_errors;
    for (const auto& e : errors_of(set.diagnostics))
        files_with_errors.insert(e.location.file);
    CHECK(files_with_errors == std::set<std::string>{(dir.path() / "a.yaml").string(),
                                                     (dir.path() / "b.yaml").string(),
                                                     (dir.path() / "d.yaml").string(),
                                                     (dir.path() / "e.yml").string()});
    CHECK(set.files == 5);
}

TEST_CASE("a duplicate name across files is an error that names both places") {
    ScratchDir dir;
    dir.write("a.yaml", minimal("Same"));
    dir.write("z/b.yaml", minimal("Other") + "---\n" + minimal("Same"));
    const auto set = load_manifests(dir.path());
    INFO(dump(set.diagnostics));
    CHECK_FALSE(set.ok());
    const auto errors = errors_of(set.diagnostics);
    REQUIRE(errors.size() == 1);
    const std::string first = (dir.path() / "a.yaml").string() + ":4:9";
    const std::string second = (dir.path() / "z/b.yaml").string();
    CHECK(errors[0].location == SourceLocation{second, 8 + name_line, name_column});
    CHECK(contains(errors[0].message, "Same"));
    CHECK(contains(errors[0].message, first));
}

TEST_CASE("a duplicate name is reported even when one of the two documents has other errors") {
    ScratchDir dir;
    dir.write("a.yaml", minimal("Same"));
    Doc broken;
    broken.name = "Same";
    broken.url = "http://insecure.example.com";
    dir.write("b.yaml", broken.text());
    const auto set = load_manifests(dir.path());
    INFO(dump(set.diagnostics));
    CHECK(has_error(set.diagnostics, {"Same", (dir.path() / "a.yaml").string() + ":4:9"}));
    CHECK(has_error_at(set.diagnostics, (dir.path() / "b.yaml").string(), url_line, url_column,
                       {"endpointUrl"}));

    // And the other way round: the broken one first.
    ScratchDir dir2;
    dir2.write("a.yaml", broken.text());
    dir2.write("b.yaml", minimal("Same"));
    const auto set2 = load_manifests(dir2.path());
    INFO(dump(set2.diagnostics));
    CHECK(has_error_at(set2.diagnostics, (dir2.path() / "b.yaml").string(), name_line, name_column,
                       {"Same", (dir2.path() / "a.yaml").string() + ":4:9"}));
}

TEST_CASE("a duplicate name within one file is reported") {
    const auto text = minimal("Twin") + "---\n" + minimal("Twin");
    ManifestSet set;
    load_manifest_text(text, "one.yaml", {}, set);
    check_duplicate_names(set);
    INFO(dump(set.diagnostics));
    CHECK(has_error_at(set.diagnostics, "one.yaml", 8 + name_line, name_column, {"Twin", "one.yaml:4:9"}));
}

TEST_CASE("no document of a name defined twice is desired; the others are, and the places are "
          "kept") {
    ScratchDir dir;
    dir.write("a.yaml", minimal("Twice") + "---\n" + minimal("Once"));
    dir.write("b/c.yaml", minimal("Twice"));
    const auto set = load_manifests(dir.path());
    INFO(dump(set.diagnostics));
    REQUIRE(set.webhooks.size() == 1);
    CHECK(set.webhooks[0].name == "Once");
    REQUIRE(set.duplicates.size() == 1);
    CHECK(set.duplicates[0].name == "Twice");
    CHECK(set.duplicates[0].places ==
          std::vector<SourceLocation>{{(dir.path() / "a.yaml").string(), name_line, name_column},
                                      {(dir.path() / "b/c.yaml").string(), name_line, name_column}});

    const DesiredState desired = desired_state(set);
    CHECK(desired.webhooks == set.webhooks);
    CHECK(desired.duplicates == set.duplicates);
    CHECK(desired.errors == 1);
}

TEST_CASE("two files whose names differ only in case are two files: one name in both is refused") {
    ScratchDir dir;
    dir.write("Hooks.yaml", minimal("Same"));
    dir.write("hooks.yaml", minimal("Same"));
    const auto set = load_manifests(dir.path());
    INFO(dump(set.diagnostics));
    CHECK(set.webhooks.empty());
    REQUIRE(set.duplicates.size() == 1);
    CHECK(set.duplicates[0].places.size() == 2);
}

TEST_CASE("a name defined three times is one duplicate with three places, and two errors") {
    const auto text = minimal("Thrice") + "---\n" + minimal("Thrice") + "---\n" + minimal("Thrice");
    ManifestSet set;
    load_manifest_text(text, "one.yaml", {}, set);
    check_duplicate_names(set);
    INFO(dump(set.diagnostics));
    CHECK(set.webhooks.empty());
    REQUIRE(set.duplicates.size() == 1);
    CHECK(set.duplicates[0].places.size() == 3);
    CHECK(errors_of(set.diagnostics).size() == 2);
}

TEST_CASE("a duplicate of a broken document still takes the valid one out of the desired state") {
    Doc broken;
    broken.name = "Same";
    broken.url = "http://insecure.example.com";
    ManifestSet set;
    load_manifest_text(minimal("Same") + "---\n" + broken.text(), "m.yaml", {}, set);
    check_duplicate_names(set);
    INFO(dump(set.diagnostics));
    CHECK(set.webhooks.empty());
    REQUIRE(set.duplicates.size() == 1);
    CHECK(set.duplicates[0].name == "Same");
}

TEST_CASE("documents without a name declare none, so they never collide with each other") {
    const std::string nameless = "apiVersion: hookwarden/v1\nkind: Webhook\n"
                                 "spec: {eventTypes: [user:login], endpointUrl: https://e.com}\n";
    const auto text = minimal("Named") + "---\n" + nameless + "---\n" + nameless;
    ManifestSet set;
    load_manifest_text(text, "m.yaml", {}, set);
    check_duplicate_names(set);
    INFO(dump(set.diagnostics));
    CHECK(set.declared_names.size() == 1);
    CHECK_FALSE(has_error(set.diagnostics, {"already defined"}));
    CHECK(errors_of(set.diagnostics).size() == 2); // the two missing metadata
}

TEST_CASE("a badly formed name is not also reported as a duplicate") {
    const auto text = minimal("bad name") + "---\n" + minimal("bad name");
    ManifestSet set;
    load_manifest_text(text, "m.yaml", {}, set);
    check_duplicate_names(set);
    INFO(dump(set.diagnostics));
    CHECK(errors_of(set.diagnostics).size() == 2);
    CHECK_FALSE(has_error(set.diagnostics, {"already defined"}));
}

TEST_CASE("every manifest field is published for the JSON Schema") {
    const auto fields = accepted_manifest_fields();
    for (const char* f :
         {"apiVersion", "kind", "metadata", "spec", "metadata.name", "metadata.labels",
          "spec.eventTypes", "spec.endpointUrl", "spec.enabled", "spec.retryPolicy",
          "spec.retryPolicy.retryInterval", "spec.retryPolicy.maxRetries", "spec.payloadTemplate",
          "spec.secretRef", "spec.secretRef.generate", "spec.secretRef.credential",
          "spec.secretRef.file", "spec.secretRef.env"}) {
        INFO(std::string(f));
        CHECK(std::find(fields.begin(), fields.end(), f) != fields.end());
    }
    CHECK(fields.size() == 18);
}

} // TEST_SUITE

// ========================================================= secret sources

TEST_SUITE("secret sources") {

namespace {

SecretEnvironment fake_env(std::map<std::string, std::string> vars,
                           std::optional<fs::path> credentials = std::nullopt) {
    SecretEnvironment env;
    env.getenv = [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
        auto it = vars.find(name);
        if (it == vars.end())
            return std::nullopt;
        return it->second;
    };
    env.credentials_directory = std::move(credentials);
    return env;
}

constexpr const char* value = "s3cr3t-V4LUE-do-not-print";

} // namespace

TEST_CASE("an env source resolves to the variable's value, unchanged") {
    const auto env = fake_env({{"MONITOR_SECRET", std::string(value) + "\n"}});
    const auto result = resolve_secret({SecretSource::Kind::env, "MONITOR_SECRET"}, env);
    REQUIRE(result.has_value());
    CHECK(*result == std::string(value) + "\n");
}

TEST_CASE("a missing env variable is an error that names it and no value") {
    const auto env = fake_env({{"OTHER_SECRET", value}});
    const auto result = resolve_secret({SecretSource::Kind::env, "MONITOR_SECRET"}, env);
    REQUIRE(result.has_error());
    CHECK(contains(result.error().message, "MONITOR_SECRET"));
    CHECK_FALSE(contains(result.error().describe(), value));
}

TEST_CASE("an empty secret is an error") {
    ScratchDir dir;
    dir.write("empty", "");
    dir.write("newline-only", "\n");
    CHECK(resolve_secret({SecretSource::Kind::env, "E"}, fake_env({{"E", ""}})).has_error());
    CHECK(resolve_secret({SecretSource::Kind::file, (dir / "empty").string()}, fake_env({})).has_error());
    CHECK(resolve_secret({SecretSource::Kind::file, (dir / "newline-only").string()}, fake_env({}))
              .has_error());
    CHECK(resolve_secret({SecretSource::Kind::plain, ""}, fake_env({})).has_error());
}

TEST_CASE("a file source is the whole file with one trailing newline stripped") {
    ScratchDir dir;
    struct Case {
        std::string content, expected;
    };
    for (const auto& c : {Case{"abc\n", "abc"}, Case{"abc", "abc"}, Case{"abc\r\n", "abc"},
                          Case{"abc\n\n", "abc\n"}, Case{"a\nb\n", "a\nb"}, Case{"abc\r", "abc\r"},
                          Case{" spaced \n", " spaced "}, Case{std::string("bin\0ary\n", 8), std::string("bin\0ary", 7)}}) {
        INFO(std::string(c.content));
        const auto path = dir.write("secret", c.content);
        const auto result = resolve_secret({SecretSource::Kind::file, path.string()}, fake_env({}));
        REQUIRE(result.has_value());
        CHECK(*result == c.expected);
    }
}

TEST_CASE("a missing secret file is an error naming the path and no value") {
    ScratchDir dir;
    dir.write("present", value);
    const auto missing = (dir / "absent").string();
    const auto result = resolve_secret({SecretSource::Kind::file, missing}, fake_env({}));
    REQUIRE(result.has_error());
    CHECK(contains(result.error().message, missing));
    CHECK_FALSE(contains(result.error().describe(), value));
}

TEST_CASE("a secret file over 1 MiB is refused without echoing its content") {
    ScratchDir dir;
    std::string big;
    while (big.size() <= max_source_file_bytes)
        big += value;
    const auto path = dir.write("big", big);
    const auto result = resolve_secret({SecretSource::Kind::file, path.string()}, fake_env({}));
    REQUIRE(result.has_error());
    CHECK(contains(result.error().message, path.string()));
    CHECK_FALSE(contains(result.error().describe(), value));
}

TEST_CASE("a credential is read from $CREDENTIALS_DIRECTORY with one trailing newline stripped") {
    ScratchDir dir;
    dir.write("creds/monitor-secret", std::string(value) + "\n");
    const auto result = resolve_secret({SecretSource::Kind::credential, "monitor-secret"},
                                       fake_env({}, dir / "creds"));
    REQUIRE(result.has_value());
    CHECK(*result == value);
}

TEST_CASE("a missing credential is an error naming the credential and no value") {
    ScratchDir dir;
    dir.write("creds/other", value);
    const auto result = resolve_secret({SecretSource::Kind::credential, "monitor-secret"},
                                       fake_env({}, dir / "creds"));
    REQUIRE(result.has_error());
    CHECK(contains(result.error().message, "monitor-secret"));
    CHECK_FALSE(contains(result.error().describe(), value));
}

TEST_CASE("a credential without $CREDENTIALS_DIRECTORY is an error that says so") {
    const auto result = resolve_secret({SecretSource::Kind::credential, "monitor-secret"},
                                       fake_env({{"CREDENTIALS_DIRECTORY_X", value}}));
    REQUIRE(result.has_error());
    CHECK(contains(result.error().message, "monitor-secret"));
    CHECK(contains(result.error().message, "CREDENTIALS_DIRECTORY"));
    CHECK_FALSE(contains(result.error().describe(), value));
}

TEST_CASE("a plain value resolves to itself, but is described without it") {
    const SecretSource plain{SecretSource::Kind::plain, value};
    const auto result = resolve_secret(plain, fake_env({}));
    REQUIRE(result.has_value());
    CHECK(*result == value);
    CHECK_FALSE(contains(plain.describe(), value));
}

TEST_CASE("a generated secret is not resolved from a source") {
    CHECK(resolve_secret({SecretSource::Kind::generate, ""}, fake_env({})).has_error());
}

TEST_CASE("describe names the source") {
    CHECK(contains(SecretSource{SecretSource::Kind::credential, "client-id"}.describe(), "client-id"));
    CHECK(contains(SecretSource{SecretSource::Kind::file, "/etc/x"}.describe(), "/etc/x"));
    CHECK(contains(SecretSource{SecretSource::Kind::env, "MONITOR_SECRET"}.describe(), "MONITOR_SECRET"));
}

TEST_CASE("the process environment reads real variables") {
    ::setenv("HOOKWARDEN_TEST_SECRET_VAR", "from-process", 1);
    const auto env = SecretEnvironment::process();
    const auto result = resolve_secret({SecretSource::Kind::env, "HOOKWARDEN_TEST_SECRET_VAR"}, env);
    ::unsetenv("HOOKWARDEN_TEST_SECRET_VAR");
    REQUIRE(result.has_value());
    CHECK(*result == "from-process");
}

TEST_CASE("a relative secret file in config form resolves against the base directory") {
    const std::string file = "c.yaml";
    Diagnostics diagnostics;
    const auto parsed = parse_yaml_documents("{file: secrets/../secrets/id}", file, diagnostics);
    REQUIRE(parsed.has_value());
    const YamlField field{parsed->front(), "tenant.clientId", &file};
    const auto source = read_secret_source(field, {.allow_plain = true, .base_dir = "/etc/hookwarden"},
                                           diagnostics);
    INFO(dump(diagnostics));
    REQUIRE(source.has_value());
    CHECK(*source == SecretSource{SecretSource::Kind::file, "/etc/hookwarden/secrets/id"});

    const auto plain = parse_yaml_documents("just-the-value", file, diagnostics);
    REQUIRE(plain.has_value());
    const auto plain_source = read_secret_source({plain->front(), "tenant.clientId", &file},
                                                 {.allow_plain = true}, diagnostics);
    REQUIRE(plain_source.has_value());
    CHECK(*plain_source == SecretSource{SecretSource::Kind::plain, "just-the-value"});
}

} // TEST_SUITE

// ========================================================= diagnostics

TEST_SUITE("diagnostics") {

TEST_CASE("a diagnostic prints as FILE:LINE:COLUMN: error: MESSAGE, dropping unknown parts") {
    CHECK(Diagnostic{Severity::error, {"a.yaml", 3, 5}, "bad"}.format() == "a.yaml:3:5: error: bad");
    CHECK(Diagnostic{Severity::warning, {"a.yaml", 3, 5}, "odd"}.format() ==
          "a.yaml:3:5: warning: odd");
    CHECK(Diagnostic{Severity::error, {"a.yaml", 3, 0}, "bad"}.format() == "a.yaml:3: error: bad");
    CHECK(Diagnostic{Severity::error, {"a.yaml", 0, 0}, "bad"}.format() == "a.yaml: error: bad");
}

TEST_CASE("warnings do not make a set invalid; errors do") {
    Diagnostics d;
    d.warning({"a"}, "w");
    CHECK_FALSE(d.has_errors());
    d.error({"a"}, "e");
    CHECK(d.has_errors());
    CHECK(d.error_count() == 1);
    CHECK(d.size() == 2);
}

} // TEST_SUITE

// ========================================================= webhook JSON

TEST_SUITE("webhook JSON") {

namespace {

Webhook full_webhook() {
    Webhook w;
    w.id = "5f0c-id";
    w.version = 3;
    w.health = {"degraded", "2026-01-02T03:04:05Z", 2};
    w.date_created = "2026-01-01T00:00:00Z";
    w.date_modified = "2026-01-02T00:00:00Z";
    w.modified_by_id = "user-1";
    w.self_uri = "/api/v2/webhooks/5f0c-id";
    w.name = "SystemEventMonitor";
    w.event_types = {"user:login", "user:logout"};
    w.endpoint_url = "https://myapp.example.com/webhooks/genesys";
    w.retry_policy = {"PT30S", 5};
    w.payload_template = "{\"e\": {{event}}}";
    w.enabled = false;
    w.secret = "abc";
    return w;
}

} // namespace

TEST_CASE("a webhook survives a JSON round trip with every field") {
    const Webhook w = full_webhook();
    const boost::json::value json = webhook_to_json(w);
    const auto back = webhook_from_json(json);
    REQUIRE(back.has_value());
    CHECK(*back == w);
    // And through text, as it crosses the network.
    const auto reparsed = webhook_from_json(boost::json::parse(boost::json::serialize(json)));
    REQUIRE(reparsed.has_value());
    CHECK(*reparsed == w);
}

TEST_CASE("the resource JSON uses the API's member names") {
    const auto o = webhook_to_json(full_webhook());
    CHECK(o.at("id") == "5f0c-id");
    CHECK(o.at("name") == "SystemEventMonitor");
    CHECK(o.at("version") == 3);
    CHECK(o.at("eventTypes") == boost::json::array{"user:login", "user:logout"});
    CHECK(o.at("endpointUrl") == "https://myapp.example.com/webhooks/genesys");
    CHECK(o.at("retryPolicy").at("retryInterval") == "PT30S");
    CHECK(o.at("retryPolicy").at("maxRetries") == 5);
    CHECK(o.at("payloadTemplate") == "{\"e\": {{event}}}");
    CHECK(o.at("enabled") == false);
    CHECK(o.at("health").at("status") == "degraded");
    CHECK(o.at("health").at("lastDeliveryAt") == "2026-01-02T03:04:05Z");
    CHECK(o.at("health").at("consecutiveFailures") == 2);
    CHECK(o.at("modifiedBy").at("id") == "user-1");
    CHECK(o.at("selfUri") == "/api/v2/webhooks/5f0c-id");
    CHECK(o.at("secret") == "abc");
}

TEST_CASE("a write body carries client fields only, version when known, secret when set") {
    Webhook w = full_webhook();
    auto body = webhook_to_json(w, WebhookJsonFields::write_body);
    for (const char* server : {"id", "health", "dateCreated", "dateModified", "modifiedBy", "selfUri"}) {
        INFO(std::string(server));
        CHECK_FALSE(body.contains(server));
    }
    CHECK(body.at("version") == 3);
    CHECK(body.at("secret") == "abc");

    w.version = 0;
    w.secret.reset();
    body = webhook_to_json(w, WebhookJsonFields::write_body);
    CHECK_FALSE(body.contains("version"));
    CHECK_FALSE(body.contains("secret"));
    CHECK(body.contains("name"));
    CHECK(body.contains("eventTypes"));
    CHECK(body.contains("retryPolicy"));
}

TEST_CASE("an absent secret stays unknown, never empty; absent members keep defaults") {
    const auto w = webhook_from_json(boost::json::parse(R"({"id": "x", "name": "N"})"));
    REQUIRE(w.has_value());
    CHECK_FALSE(w->secret.has_value());
    CHECK(w->enabled == true);
    CHECK(w->retry_policy == RetryPolicy{});
    CHECK(w->payload_template == "{{event}}");
    CHECK(w->health.status == "unknown");
}

TEST_CASE("unknown members are ignored, so the API may grow") {
    const auto w = webhook_from_json(
        boost::json::parse(R"({"name": "N", "futureField": {"a": 1}, "retryPolicy": {"jitter": true}})"));
    REQUIRE(w.has_value());
    CHECK(w->name == "N");
}

TEST_CASE("a member of the wrong type is an invalid_input error naming it") {
    struct Case {
        const char* json;
        const char* member;
    };
    for (const auto& c : {Case{R"({"name": 5})", "name"},
                          Case{R"({"id": true})", "id"},
                          Case{R"({"version": "3"})", "version"},
                          Case{R"({"version": 3.5})", "version"},
                          Case{R"({"eventTypes": "user:login"})", "eventTypes"},
                          Case{R"({"eventTypes": ["user:login", 7]})", "eventTypes"},
                          Case{R"({"endpointUrl": {}})", "endpointUrl"},
                          Case{R"({"retryPolicy": "PT1M"})", "retryPolicy"},
                          Case{R"({"retryPolicy": {"maxRetries": "3"}})", "retryPolicy.maxRetries"},
                          Case{R"({"retryPolicy": {"retryInterval": 60}})", "retryPolicy.retryInterval"},
                          Case{R"({"payloadTemplate": []})", "payloadTemplate"},
                          Case{R"({"enabled": "true"})", "enabled"},
                          Case{R"({"secret": 1})", "secret"},
                          Case{R"({"health": {"status": 1}})", "health.status"},
                          Case{R"({"health": {"consecutiveFailures": "2"}})", "health.consecutiveFailures"},
                          Case{R"({"dateCreated": 1})", "dateCreated"},
                          Case{R"({"modifiedBy": "user-1"})", "modifiedBy"},
                          Case{R"({"modifiedBy": {"id": 42}})", "modifiedBy.id"},
                          Case{R"({"selfUri": false})", "selfUri"}}) {
        INFO(std::string(c.json));
        const auto w = webhook_from_json(boost::json::parse(c.json));
        REQUIRE(w.has_error());
        CHECK(w.error().kind == ErrorKind::invalid_input);
        CHECK(contains(w.error().message, std::string("'") + c.member + "'"));
    }
    for (const char* not_object : {"[]", "\"webhook\"", "null", "1"}) {
        INFO(std::string(not_object));
        CHECK(webhook_from_json(boost::json::parse(not_object)).has_error());
    }
}

} // TEST_SUITE
