// The configuration file (SPEC §3, daemon/service/config.hpp). Expectations
// come from the contract; every test reads a real file in a private temp dir.
#include "daemon/service/config.hpp"
#include "tests/support/scratch_dir.hpp"
#include "tests/support/file_text.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <string>
#include <vector>

using namespace hookwarden;
using hookwarden::testing::contains;
using namespace std::chrono_literals;
using hookwarden::testing::ScratchDir;
namespace fs = std::filesystem;

namespace {

std::string dump(const Diagnostics& diagnostics) {
    std::string out;
    for (const auto& d : diagnostics.all())
        out += d.format() + "\n";
    return out.empty() ? "(no diagnostics)" : out;
}


/// The error at exactly LINE:COLUMN of `file` whose message holds every fragment.
bool has_error_at(const Diagnostics& diagnostics, const std::string& file, int line, int column,
                  std::initializer_list<std::string_view> fragments) {
    for (const auto& d : diagnostics.all()) {
        if (d.severity != Severity::error || d.location != SourceLocation{file, line, column})
            continue;
        bool all = true;
        for (auto f : fragments)
            all = all && contains(d.message, f);
        if (all)
            return true;
    }
    return false;
}

constexpr const char* minimal_tenant = "tenant:\n  environment: mypurecloud.com\n";

/// Writes `text` as `hookwarden.yaml` in a fresh directory and loads it.
struct LoadedConfig {
    ScratchDir dir;
    fs::path file;
    ConfigLoad load;

    explicit LoadedConfig(const std::string& text, const ConfigEnvironment& env = {}) {
        file = dir.write("etc/hookwarden.yaml", text);
        load = load_config(file, env);
    }
    const Config& config() const { return load.config; }
    const Diagnostics& diagnostics() const { return load.diagnostics; }
    fs::path etc() const { return dir.path() / "etc"; }
};

} // namespace

// ============================================================== config

TEST_SUITE("config file") {

TEST_CASE("a config with only tenant.environment gets every default of SPEC §3") {
    const LoadedConfig c(minimal_tenant);
    INFO(dump(c.diagnostics()));
    REQUIRE(c.load.ok());
    const Config& cfg = c.config();
    CHECK(cfg.source == c.file);
    CHECK(cfg.manifests == "/etc/hookwarden/webhooks.d");
    CHECK(cfg.state_dir == "/var/lib/hookwarden");
    CHECK(cfg.interval == 60s);
    CHECK(cfg.prune == false);
    CHECK(cfg.adopt == true);
    CHECK(cfg.max_deletes_per_cycle == 10);
    CHECK(cfg.concurrency == 4);
    CHECK(cfg.requests_per_minute == 300);
    CHECK(cfg.http.connect_timeout == 5s);
    CHECK(cfg.http.request_timeout == 30s);
    CHECK(cfg.snapshots.health == true);
    CHECK(cfg.snapshots.audit == true);
    CHECK(cfg.snapshots.keep == 48);
    CHECK(cfg.allow_insecure_endpoints == false);
    CHECK(cfg.log_level == LogLevel::info);
    CHECK(cfg.receiver.listen == "127.0.0.1:8088");
    CHECK(cfg.receiver.routes.empty());
    CHECK(cfg.receiver.spool == "/var/lib/hookwarden/spool");
    CHECK(cfg.receiver.max_body == 1024 * 1024);
    CHECK(cfg.receiver.tolerance == 5min);
    CHECK(cfg.receiver.tls_cert.empty());
    CHECK(cfg.tenant.ca_file.empty());
}

TEST_CASE("every key of SPEC §3 is read") {
    const LoadedConfig c(R"(tenant:
  environment: mypurecloud.ie
  caFile: /etc/ssl/extra-ca.pem
  clientId: {credential: my-client-id}
  clientSecret: {env: HW_CLIENT_SECRET}
manifests: /srv/webhooks.d
stateDir: /srv/state
interval: 90s
prune: true
adopt: false
maxDeletesPerCycle: 3
concurrency: 8
requestsPerMinute: 120
http: {connectTimeout: 500ms, requestTimeout: 2m}
snapshots: {health: false, audit: false, keep: 5}
allowInsecureEndpoints: true
logLevel: debug
receiver:
  listen: "[::1]:9000"
  tls: {cert: /etc/tls/cert.pem, key: /etc/tls/key.pem}
  routes: {/hooks/monitor: SystemEventMonitor, /hooks/b: B}
  spool: /srv/spool
  maxBody: 2MiB
  tolerance: 1h
)");
    INFO(dump(c.diagnostics()));
    REQUIRE(c.load.ok());
    CHECK(c.diagnostics().empty());
    const Config& cfg = c.config();
    CHECK(cfg.tenant.environment == "mypurecloud.ie");
    CHECK(cfg.tenant.api_base == "https://api.mypurecloud.ie");
    CHECK(cfg.tenant.token_url == "https://login.mypurecloud.ie/oauth/token");
    CHECK(cfg.tenant.ca_file == "/etc/ssl/extra-ca.pem");
    CHECK(cfg.tenant.client_id == SecretSource{SecretSource::Kind::credential, "my-client-id"});
    CHECK(cfg.tenant.client_secret == SecretSource{SecretSource::Kind::env, "HW_CLIENT_SECRET"});
    CHECK(cfg.manifests == "/srv/webhooks.d");
    CHECK(cfg.state_dir == "/srv/state");
    CHECK(cfg.interval == 90s);
    CHECK(cfg.prune == true);
    CHECK(cfg.adopt == false);
    CHECK(cfg.max_deletes_per_cycle == 3);
    CHECK(cfg.concurrency == 8);
    CHECK(cfg.requests_per_minute == 120);
    CHECK(cfg.http.connect_timeout == 500ms);
    CHECK(cfg.http.request_timeout == 2min);
    CHECK(cfg.snapshots.health == false);
    CHECK(cfg.snapshots.audit == false);
    CHECK(cfg.snapshots.keep == 5);
    CHECK(cfg.allow_insecure_endpoints == true);
    CHECK(cfg.log_level == LogLevel::debug);
    CHECK(cfg.receiver.listen == "[::1]:9000");
    CHECK(cfg.receiver.tls_cert == "/etc/tls/cert.pem");
    CHECK(cfg.receiver.tls_key == "/etc/tls/key.pem");
    CHECK(cfg.receiver.routes ==
          std::map<std::string, std::string>{{"/hooks/monitor", "SystemEventMonitor"}, {"/hooks/b", "B"}});
    CHECK(cfg.receiver.spool == "/srv/spool");
    CHECK(cfg.receiver.max_body == 2u * 1024 * 1024);
    CHECK(cfg.receiver.tolerance == 1h);
}

TEST_CASE("tenant.environment gives https://api.<env> and https://login.<env>/oauth/token") {
    for (const char* env : {"mypurecloud.com", "mypurecloud.de", "usw2.pure.cloud"}) {
        INFO(std::string(env));
        const LoadedConfig c(std::string("tenant:\n  environment: ") + env + "\n");
        INFO(dump(c.diagnostics()));
        REQUIRE(c.load.ok());
        CHECK(c.config().tenant.api_base == std::string("https://api.") + env);
        CHECK(c.config().tenant.token_url == std::string("https://login.") + env + "/oauth/token");
    }
}

TEST_CASE("apiBase and tokenUrl override what the environment gives") {
    const LoadedConfig both("tenant:\n  environment: mypurecloud.com\n"
                            "  apiBase: https://127.0.0.1:8443\n"
                            "  tokenUrl: https://127.0.0.1:8443/oauth/token\n");
    INFO(dump(both.diagnostics()));
    REQUIRE(both.load.ok());
    CHECK(both.config().tenant.api_base == "https://127.0.0.1:8443");
    CHECK(both.config().tenant.token_url == "https://127.0.0.1:8443/oauth/token");

    const LoadedConfig only_api("tenant:\n  environment: mypurecloud.com\n"
                                "  apiBase: https://proxy.internal:9443\n");
    INFO(dump(only_api.diagnostics()));
    REQUIRE(only_api.load.ok());
    CHECK(only_api.config().tenant.api_base == "https://proxy.internal:9443");
    CHECK(only_api.config().tenant.token_url == "https://login.mypurecloud.com/oauth/token");

    const LoadedConfig without_env("tenant:\n  apiBase: https://127.0.0.1:8443\n"
                                   "  tokenUrl: https://127.0.0.1:8443/oauth/token\n");
    INFO(dump(without_env.diagnostics()));
    CHECK(without_env.load.ok());
}

TEST_CASE("a tenant with neither environment nor both URLs is an error") {
    for (const char* tenant : {"tenant: {}\n", "tenant:\n  apiBase: https://127.0.0.1:8443\n",
                               "tenant:\n  tokenUrl: https://127.0.0.1:8443/oauth/token\n"}) {
        INFO(std::string(tenant));
        const LoadedConfig c(tenant);
        INFO(dump(c.diagnostics()));
        CHECK_FALSE(c.load.ok());
    }
    const LoadedConfig none("manifests: /srv\n");
    INFO(dump(none.diagnostics()));
    CHECK_FALSE(none.load.ok());
}

TEST_CASE("the tenant's URLs must be https with a host, reported at the value") {
    for (const char* url : {"http://127.0.0.1:8443", "https://", "127.0.0.1:8443",
                            "https://user:pw@host"}) {
        INFO(std::string(url));
        const LoadedConfig c(std::string("tenant:\n  environment: mypurecloud.com\n  apiBase: ") +
                             url + "\n");
        INFO(dump(c.diagnostics()));
        CHECK(has_error_at(c.diagnostics(), c.file.string(), 3, 12, {"apiBase"}));
    }
    const LoadedConfig bad_env("tenant:\n  environment: https://api.mypurecloud.com\n");
    INFO(dump(bad_env.diagnostics()));
    CHECK(has_error_at(bad_env.diagnostics(), bad_env.file.string(), 2, 16, {"environment"}));
}

TEST_CASE("the config refuses every tenant URL the client would refuse, at the value") {
    // One check (daemon/tenant/tenant_endpoints.hpp) for validate and plan:
    // a port 0 or a query on the API base used to pass validate only.
    for (const char* url : {"https://127.0.0.1:0", "https://api.example.com:0/",
                            "https://api.example.com/x?a=1", "https://api.example.com#frag"}) {
        INFO(std::string(url));
        const LoadedConfig c(std::string("tenant:\n  environment: mypurecloud.com\n  apiBase: ") + url + "\n");
        INFO(dump(c.diagnostics()));
        CHECK(has_error_at(c.diagnostics(), c.file.string(), 3, 12, {"apiBase", url}));
    }
    const LoadedConfig token_port("tenant:\n  environment: mypurecloud.com\n"
                                  "  tokenUrl: https://127.0.0.1:0/oauth/token\n");
    INFO(dump(token_port.diagnostics()));
    CHECK(has_error_at(token_port.diagnostics(), token_port.file.string(), 3, 13, {"tokenUrl", "port"}));

    // A token URL is a whole target: its query is the endpoint's own.
    const LoadedConfig token_query("tenant:\n  environment: mypurecloud.com\n"
                                   "  tokenUrl: https://127.0.0.1:8443/oauth/token?realm=a\n");
    INFO(dump(token_query.diagnostics()));
    CHECK(token_query.load.ok());
}

TEST_CASE("a tenant URL with credentials is refused without echoing them") {
    const LoadedConfig c("tenant:\n  environment: mypurecloud.com\n  apiBase: https://u:hunter2@h.example\n");
    INFO(dump(c.diagnostics()));
    CHECK(has_error_at(c.diagnostics(), c.file.string(), 3, 12, {"apiBase", "credentials"}));
    CHECK_FALSE(contains(dump(c.diagnostics()), "hunter2"));
}

TEST_CASE("an unknown config key is an error at the key with a suggestion") {
    const LoadedConfig c(R"(tenant:
  environment: mypurecloud.com
  clientSecrt: {credential: x}
intervall: 30s
http: {conectTimeout: 5s}
snapshots:
  kep: 3
receiver:
  tolerence: 5m
maxDeletesPerCylce: 4
)");
    INFO(dump(c.diagnostics()));
    CHECK_FALSE(c.load.ok());
    const auto f = c.file.string();
    CHECK(has_error_at(c.diagnostics(), f, 3, 3, {"clientSecrt", "did you mean 'clientSecret'"}));
    CHECK(has_error_at(c.diagnostics(), f, 4, 1, {"intervall", "did you mean 'interval'"}));
    CHECK(has_error_at(c.diagnostics(), f, 5, 8, {"conectTimeout", "did you mean 'connectTimeout'"}));
    CHECK(has_error_at(c.diagnostics(), f, 7, 3, {"kep", "did you mean 'keep'"}));
    CHECK(has_error_at(c.diagnostics(), f, 9, 3, {"tolerence", "did you mean 'tolerance'"}));
    CHECK(has_error_at(c.diagnostics(), f, 10, 1, {"maxDeletesPerCylce", "did you mean 'maxDeletesPerCycle'"}));
    CHECK(c.diagnostics().error_count() == 6);
}

TEST_CASE("no config key turns TLS peer or host name verification off: such keys are unknown fields") {
    // Peer and host name are always verified (SPEC §3 caFile); a key that
    // promised otherwise must not load and be silently ignored either.
    const LoadedConfig c(R"(tenant:
  environment: mypurecloud.com
  insecureSkipVerify: true
  tlsVerify: false
  verifyHostname: false
  tls: {verify: false}
http: {connectTimeout: 5s, insecure: true, verifyPeer: false}
insecureSkipVerify: true
tlsVerify: false
sslVerify: false
)");
    INFO(dump(c.diagnostics()));
    CHECK_FALSE(c.load.ok());
    const auto f = c.file.string();
    CHECK(has_error_at(c.diagnostics(), f, 3, 3, {"unknown field", "insecureSkipVerify"}));
    CHECK(has_error_at(c.diagnostics(), f, 4, 3, {"unknown field", "tlsVerify"}));
    CHECK(has_error_at(c.diagnostics(), f, 5, 3, {"unknown field", "verifyHostname"}));
    CHECK(has_error_at(c.diagnostics(), f, 6, 3, {"unknown field", "tls"}));
    CHECK(has_error_at(c.diagnostics(), f, 7, 28, {"unknown field", "insecure"}));
    CHECK(has_error_at(c.diagnostics(), f, 7, 44, {"unknown field", "verifyPeer"}));
    CHECK(has_error_at(c.diagnostics(), f, 8, 1, {"unknown field", "insecureSkipVerify"}));
    CHECK(has_error_at(c.diagnostics(), f, 9, 1, {"unknown field", "tlsVerify"}));
    CHECK(has_error_at(c.diagnostics(), f, 10, 1, {"unknown field", "sslVerify"}));
    CHECK(c.diagnostics().error_count() == 9);
}

TEST_CASE("config durations are a whole number with ms, s, m or h") {
    CHECK(parse_config_duration("500ms") == 500ms);
    CHECK(parse_config_duration("30s") == 30s);
    CHECK(parse_config_duration("5m") == 5min);
    CHECK(parse_config_duration("1h") == 1h);
    CHECK(parse_config_duration("60s") == 1min);
    for (const char* bad : {"5", "1d", "-1s", "1.5s", "", "s", "5 s", " 5s", "5s ", "5S", "5sec",
                            "1m30s", "+5s", "0x10s", "99999999999999999999h", "5124095576030432h"}) {
        INFO(std::string(bad));
        CHECK_FALSE(parse_config_duration(bad).has_value());
    }
}

TEST_CASE("a bad duration in the config is reported at its value") {
    for (const char* interval : {"5", "1d", "-1s", "\"\"", "[30s]", "0s"}) {
        INFO(std::string(interval));
        const LoadedConfig c(std::string(minimal_tenant) + "interval: " + interval + "\n");
        INFO(dump(c.diagnostics()));
        CHECK(has_error_at(c.diagnostics(), c.file.string(), 3, 11, {"interval"}));
    }
    const LoadedConfig http(std::string(minimal_tenant) + "http:\n  requestTimeout: 30\n");
    INFO(dump(http.diagnostics()));
    CHECK(has_error_at(http.diagnostics(), http.file.string(), 4, 19, {"http.requestTimeout"}));
    const LoadedConfig tolerance(std::string(minimal_tenant) + "receiver:\n  tolerance: 5 m\n");
    INFO(dump(tolerance.diagnostics()));
    CHECK(has_error_at(tolerance.diagnostics(), tolerance.file.string(), 4, 14, {"receiver.tolerance"}));
}

TEST_CASE("sizes are bytes or a whole number of KiB, MiB or GiB") {
    CHECK(parse_config_size("1MiB") == 1024u * 1024);
    CHECK(parse_config_size("512KiB") == 512u * 1024);
    CHECK(parse_config_size("1GiB") == 1024ull * 1024 * 1024);
    CHECK(parse_config_size("2048") == 2048u);
    for (const char* bad : {"1MB", "1 MiB", "-1", "MiB", "1.5MiB", "", "1mib", "1KB", "1TiB",
                            "99999999999999999999GiB", "17179869184GiB"}) {
        INFO(std::string(bad));
        CHECK_FALSE(parse_config_size(bad).has_value());
    }
}

TEST_CASE("receiver.maxBody takes a size such as 1MiB and rejects anything else at the value") {
    const LoadedConfig ok(std::string(minimal_tenant) + "receiver:\n  maxBody: 512KiB\n");
    INFO(dump(ok.diagnostics()));
    REQUIRE(ok.load.ok());
    CHECK(ok.config().receiver.max_body == 512u * 1024);
    for (const char* bad : {"1MB", "lots", "0", "[1MiB]"}) {
        INFO(std::string(bad));
        const LoadedConfig c(std::string(minimal_tenant) + "receiver:\n  maxBody: " + bad + "\n");
        INFO(dump(c.diagnostics()));
        CHECK(has_error_at(c.diagnostics(), c.file.string(), 4, 12, {"maxBody"}));
    }
}

TEST_CASE("whole-number keys reject quoted numbers, fractions and negatives at the value") {
    for (const char* key : {"maxDeletesPerCycle", "concurrency", "requestsPerMinute"}) {
        for (const char* bad : {"\"4\"", "1.5", "-1", "four", "~"}) {
            INFO((std::string(key) + ": " + bad));
            const LoadedConfig c(std::string(minimal_tenant) + key + ": " + bad + "\n");
            INFO(dump(c.diagnostics()));
            CHECK(has_error_at(c.diagnostics(), c.file.string(), 3,
                               static_cast<int>(std::string(key).size()) + 3, {key}));
        }
    }
}

TEST_CASE("maxDeletesPerCycle may be zero, which forbids every prune delete") {
    const LoadedConfig c(std::string(minimal_tenant) + "maxDeletesPerCycle: 0\n");
    INFO(dump(c.diagnostics()));
    REQUIRE(c.load.ok());
    CHECK(c.config().max_deletes_per_cycle == 0);
}

TEST_CASE("booleans are YAML booleans, not strings") {
    for (const char* key : {"prune", "adopt", "allowInsecureEndpoints"}) {
        for (const char* bad : {"\"true\"", "yes", "1"}) {
            INFO((std::string(key) + ": " + bad));
            const LoadedConfig c(std::string(minimal_tenant) + key + ": " + bad + "\n");
            INFO(dump(c.diagnostics()));
            CHECK(has_error_at(c.diagnostics(), c.file.string(), 3,
                               static_cast<int>(std::string(key).size()) + 3, {key}));
        }
    }
}

TEST_CASE("logLevel is one of debug, info, warning, error") {
    struct Level {
        const char* text;
        LogLevel level;
    };
    for (const Level& l : {Level{"debug", LogLevel::debug}, Level{"info", LogLevel::info},
                           Level{"warning", LogLevel::warning}, Level{"error", LogLevel::error}}) {
        INFO(std::string(l.text));
        const LoadedConfig c(std::string(minimal_tenant) + "logLevel: " + l.text + "\n");
        REQUIRE(c.load.ok());
        CHECK(c.config().log_level == l.level);
        CHECK(std::string(to_string(l.level)) == l.text);
    }
    for (const char* bad : {"verbose", "WARN", "Info", "warn"}) {
        INFO(std::string(bad));
        const LoadedConfig c(std::string(minimal_tenant) + "logLevel: " + bad + "\n");
        CHECK(has_error_at(c.diagnostics(), c.file.string(), 3, 11, {"logLevel"}));
    }
}

TEST_CASE("credentials take the four secret forms or a plain string") {
    const LoadedConfig c(R"(tenant:
  environment: mypurecloud.com
  clientId: plain-client-id
  clientSecret: {file: secrets/client-secret}
)");
    INFO(dump(c.diagnostics()));
    REQUIRE(c.load.ok());
    CHECK(c.config().tenant.client_id == SecretSource{SecretSource::Kind::plain, "plain-client-id"});
    CHECK(c.config().tenant.client_secret ==
          SecretSource{SecretSource::Kind::file, (c.etc() / "secrets/client-secret").string()});

    const LoadedConfig env_cred(R"(tenant:
  environment: mypurecloud.com
  clientId: {env: HW_CLIENT_ID}
  clientSecret: {credential: client-secret}
)");
    INFO(dump(env_cred.diagnostics()));
    REQUIRE(env_cred.load.ok());
    CHECK(env_cred.config().tenant.client_id == SecretSource{SecretSource::Kind::env, "HW_CLIENT_ID"});
    CHECK(env_cred.config().tenant.client_secret ==
          SecretSource{SecretSource::Kind::credential, "client-secret"});
}

TEST_CASE("a credential source with two forms, none, or generate is an error") {
    for (const char* id : {"{env: A, file: /b}", "{}", "{generate: true}", "[a, b]", "{env: 9X}"}) {
        INFO(std::string(id));
        const LoadedConfig c(std::string(minimal_tenant) + "  clientId: " + id + "\n");
        INFO(dump(c.diagnostics()));
        CHECK_FALSE(c.load.ok());
        for (const auto& d : c.diagnostics().all())
            CHECK(d.location.line == 3);
    }
}

TEST_CASE("a missing credential is not a load error: sources are resolved lazily") {
    const LoadedConfig c(R"(tenant:
  environment: mypurecloud.com
  clientId: {env: HOOKWARDEN_TEST_SURELY_UNSET_VARIABLE}
  clientSecret: {file: /nonexistent/hookwarden/secret}
)");
    INFO(dump(c.diagnostics()));
    REQUIRE(c.load.ok());
    SecretEnvironment nothing;
    nothing.getenv = [](const std::string&) { return std::optional<std::string>(); };
    const auto id = resolve_secret(c.config().tenant.client_id, nothing);
    REQUIRE(id.has_error());
    CHECK(contains(id.error().message, "HOOKWARDEN_TEST_SURELY_UNSET_VARIABLE"));
    const auto secret = resolve_secret(c.config().tenant.client_secret, nothing);
    REQUIRE(secret.has_error());
    CHECK(contains(secret.error().message, "/nonexistent/hookwarden/secret"));

    const LoadedConfig cred("tenant:\n  environment: mypurecloud.com\n"
                            "  clientSecret: {credential: not-loaded}\n");
    REQUIRE(cred.load.ok());
    CHECK(resolve_secret(cred.config().tenant.client_secret, nothing).has_error());
}

TEST_CASE("a plain credential never shows up in a diagnostic") {
    const std::string value = "PLAIN-s3cret-client-value";
    const LoadedConfig c("tenant:\n  environment: mypurecloud.com\n  clientSecret: " + value +
                         "\n  clientSecert: " + value + "\n");
    INFO(dump(c.diagnostics()));
    CHECK_FALSE(c.load.ok()); // the typo'd key
    for (const auto& d : c.diagnostics().all())
        CHECK_FALSE(contains(d.format(), value));
    CHECK_FALSE(contains(c.config().tenant.client_secret.describe(), value));
}

TEST_CASE("relative paths are taken relative to the config file's directory") {
    const LoadedConfig c(R"(tenant:
  environment: mypurecloud.com
  caFile: certs/ca.pem
manifests: webhooks.d
stateDir: ./state/../state
receiver:
  tls: {cert: tls/cert.pem, key: ../key.pem}
  spool: spool-dir
)");
    INFO(dump(c.diagnostics()));
    REQUIRE(c.load.ok());
    const fs::path etc = c.etc();
    CHECK(c.config().tenant.ca_file == etc / "certs/ca.pem");
    CHECK(c.config().manifests == etc / "webhooks.d");
    CHECK(c.config().state_dir == etc / "state");
    CHECK(c.config().receiver.tls_cert == etc / "tls/cert.pem");
    CHECK(c.config().receiver.tls_key == c.dir.path() / "key.pem");
    CHECK(c.config().receiver.spool == etc / "spool-dir");
}

TEST_CASE("stateDir defaults to $STATE_DIRECTORY when systemd sets it; an explicit stateDir wins") {
    const LoadedConfig from_env(minimal_tenant, ConfigEnvironment{.state_directory = "/var/lib/hw-unit"});
    REQUIRE(from_env.load.ok());
    CHECK(from_env.config().state_dir == "/var/lib/hw-unit");
    CHECK(from_env.config().receiver.spool == "/var/lib/hw-unit/spool");

    const LoadedConfig explicit_dir(std::string(minimal_tenant) + "stateDir: /srv/explicit\n",
                                    ConfigEnvironment{.state_directory = "/var/lib/hw-unit"});
    REQUIRE(explicit_dir.load.ok());
    CHECK(explicit_dir.config().state_dir == "/srv/explicit");
    CHECK(explicit_dir.config().receiver.spool == "/srv/explicit/spool");
}

TEST_CASE("ConfigEnvironment::process takes the first of systemd's StateDirectory= list") {
    const char* saved = std::getenv("STATE_DIRECTORY");
    const std::optional<std::string> restore = saved ? std::optional<std::string>(saved) : std::nullopt;
    ::setenv("STATE_DIRECTORY", "/var/lib/first:/var/lib/second", 1);
    CHECK(ConfigEnvironment::process().state_directory == std::optional<std::string>("/var/lib/first"));
    ::unsetenv("STATE_DIRECTORY");
    CHECK_FALSE(ConfigEnvironment::process().state_directory.has_value());
    if (restore)
        ::setenv("STATE_DIRECTORY", restore->c_str(), 1);
}

TEST_CASE("receiver routes map URL paths to webhook names") {
    const LoadedConfig bad(std::string(minimal_tenant) +
                           "receiver:\n  routes:\n    hooks/x: Good\n    /hooks/y: bad name\n");
    INFO(dump(bad.diagnostics()));
    CHECK(has_error_at(bad.diagnostics(), bad.file.string(), 5, 5, {"hooks/x"}));
    CHECK(has_error_at(bad.diagnostics(), bad.file.string(), 6, 15, {"/hooks/y"}));
    CHECK(bad.diagnostics().error_count() == 2);
}

TEST_CASE("receiver.listen is HOST:PORT") {
    for (const char* good : {"127.0.0.1:8088", "\"[::1]:8088\"", "0.0.0.0:0", "localhost:65535"}) {
        INFO(std::string(good));
        const LoadedConfig c(std::string(minimal_tenant) + "receiver:\n  listen: " + good + "\n");
        INFO(dump(c.diagnostics()));
        CHECK(c.load.ok());
    }
    for (const char* bad : {"8088", "127.0.0.1", "127.0.0.1:65536", "127.0.0.1:http", ":8088",
                            "\"[::1:8088\""}) {
        INFO(std::string(bad));
        const LoadedConfig c(std::string(minimal_tenant) + "receiver:\n  listen: " + bad + "\n");
        INFO(dump(c.diagnostics()));
        CHECK(has_error_at(c.diagnostics(), c.file.string(), 4, 11, {"receiver.listen"}));
    }
}

TEST_CASE("every config error is reported at once") {
    const LoadedConfig c(R"(tenant:
  environment: mypurecloud.com
interval: soon
prune: maybe
concurrency: 0
logLevel: loud
http: {connectTimeout: 1d}
snapshots: {keep: -3}
receiver: {maxBody: huge}
)");
    INFO(dump(c.diagnostics()));
    const auto f = c.file.string();
    CHECK(has_error_at(c.diagnostics(), f, 3, 11, {"interval"}));
    CHECK(has_error_at(c.diagnostics(), f, 4, 8, {"prune"}));
    CHECK(has_error_at(c.diagnostics(), f, 5, 14, {"concurrency"}));
    CHECK(has_error_at(c.diagnostics(), f, 6, 11, {"logLevel"}));
    CHECK(has_error_at(c.diagnostics(), f, 7, 24, {"http.connectTimeout"}));
    CHECK(has_error_at(c.diagnostics(), f, 8, 19, {"snapshots.keep"}));
    CHECK(has_error_at(c.diagnostics(), f, 9, 21, {"receiver.maxBody"}));
    CHECK(c.diagnostics().error_count() == 7);
}

TEST_CASE("a config file that is missing, empty, not a mapping, several documents or bad YAML is an error") {
    ScratchDir dir;
    const auto missing = dir.path() / "absent.yaml";
    const auto none = load_config(missing, {});
    INFO(dump(none.diagnostics));
    CHECK_FALSE(none.ok());
    REQUIRE(none.diagnostics.error_count() == 1);
    CHECK(none.diagnostics.all()[0].location.file == missing.string());

    for (const std::string& text :
         {std::string(), std::string("# comments only\n"), std::string("- a\n- b\n"),
          std::string(minimal_tenant) + "---\n" + minimal_tenant, std::string("tenant: [\n"),
          std::string("tenant:\n  environment: x\xff\n"), std::string("a: b\0", 5)}) {
        INFO(std::string(text));
        const auto file = dir.write("hookwarden.yaml", text);
        const auto load = load_config(file, {});
        INFO(dump(load.diagnostics));
        CHECK_FALSE(load.ok());
        CHECK(load.diagnostics.all().at(0).location.file == file.string());
    }
}

TEST_CASE("a duplicate config key is an error") {
    const LoadedConfig c(std::string(minimal_tenant) + "prune: false\nprune: true\n");
    INFO(dump(c.diagnostics()));
    CHECK(has_error_at(c.diagnostics(), c.file.string(), 4, 1, {"prune"}));
}

} // TEST_SUITE
