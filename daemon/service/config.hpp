// hookwarden's configuration file (SPEC §3).
//
// `load_config` reads `/etc/hookwarden/hookwarden.yaml` (or `--config FILE`,
// or $HOOKWARDEN_CONFIG), rejects unknown keys, applies defaults and derives
// the tenant's API base and token URL from `tenant.environment`; the host
// rules and the check of both URLs are the tenant adapter's
// (daemon/tenant/tenant_endpoints.hpp). Errors use the manifest format
// (`FILE:LINE:COLUMN: error: MESSAGE`) and are all reported at once.
// Credentials are kept as sources and resolved only when a command needs
// them; their values never appear in an error. Relative paths are taken
// relative to the directory of the config file.
#pragma once

#include "core/diagnostic.hpp"
#include "core/secret_source.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace hookwarden {

enum class LogLevel { debug, info, warning, error };

/// Parses `debug|info|warning|error`.
std::optional<LogLevel> parse_log_level(std::string_view text);
const char* to_string(LogLevel level) noexcept;

struct TenantConfig {
    std::string environment; ///< e.g. mypurecloud.com
    std::string api_base;    ///< apiBase, or what tenant_urls_for(environment) gives
    std::string token_url;   ///< tokenUrl, or what tenant_urls_for(environment) gives
    std::filesystem::path ca_file; ///< extra trust anchor; empty: system store only
    SecretSource client_id{SecretSource::Kind::credential, "client-id"};
    SecretSource client_secret{SecretSource::Kind::credential, "client-secret"};
};

struct HttpConfig {
    std::chrono::milliseconds connect_timeout{5000};
    std::chrono::milliseconds request_timeout{30000};
};

struct SnapshotConfig {
    bool health = true;
    bool audit = true;
    int keep = 48;
};

struct ReceiverConfig {
    std::string listen = "127.0.0.1:8088";
    std::filesystem::path tls_cert;
    std::filesystem::path tls_key;
    std::map<std::string, std::string> routes; ///< URL path -> webhook name
    std::filesystem::path spool;               ///< default stateDir/spool
    std::uint64_t max_body = std::uint64_t{1024} * 1024;
    std::chrono::milliseconds tolerance{5 * 60 * 1000};
};

struct Config {
    std::filesystem::path source; ///< the file this was read from; empty: defaults only
    TenantConfig tenant;
    std::filesystem::path manifests = "/etc/hookwarden/webhooks.d";
    std::filesystem::path state_dir = "/var/lib/hookwarden";
    std::chrono::milliseconds interval{60000};
    /// A cycle running longer than this is hung: the daemon stops its
    /// watchdog pings so that systemd (WatchdogSec=) kills and restarts it.
    std::chrono::milliseconds cycle_timeout{10 * 60 * 1000};
    bool prune = false;
    bool adopt = true;
    int max_deletes_per_cycle = 10;
    int concurrency = 4;
    int requests_per_minute = 300;
    HttpConfig http;
    SnapshotConfig snapshots;
    bool allow_insecure_endpoints = false;
    LogLevel log_level = LogLevel::info;
    ReceiverConfig receiver;
};

/// What the loader may consult besides the file: injected for tests.
struct ConfigEnvironment {
    std::optional<std::string> state_directory; ///< $STATE_DIRECTORY (systemd)
    static ConfigEnvironment process();
};

struct ConfigLoad {
    Config config;
    Diagnostics diagnostics;
    bool ok() const noexcept { return !diagnostics.has_errors(); }
};

/// Reads and validates the config file at `path`.
ConfigLoad load_config(const std::filesystem::path& path, const ConfigEnvironment& env);

/// Parses a config duration: a whole number with `ms`, `s`, `m` or `h`
/// (`500ms`, `30s`, `5m`, `1h`).
std::optional<std::chrono::milliseconds> parse_config_duration(std::string_view text);

/// Parses a size: bytes, or with `KiB`, `MiB`, `GiB` (`1MiB`, `512KiB`).
std::optional<std::uint64_t> parse_config_size(std::string_view text);

} // namespace hookwarden
