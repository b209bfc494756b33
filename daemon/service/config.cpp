#include "daemon/service/config.hpp"

#include "core/manifest_rules.hpp"
#include "core/secret_source_yaml.hpp"
#include "core/source_file.hpp"
#include "core/yaml_fields.hpp"
#include "daemon/tenant/tenant_endpoints.hpp"

#include <charconv>
#include <cstdlib>

namespace hookwarden {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::optional<LogLevel> parse_log_level(std::string_view text) {
    if (text == "debug")
        return LogLevel::debug;
    if (text == "info")
        return LogLevel::info;
    if (text == "warning")
        return LogLevel::warning;
    if (text == "error")
        return LogLevel::error;
    return std::nullopt;
}

const char* to_string(LogLevel level) noexcept {
    switch (level) {
    case LogLevel::debug: return "debug";
    case LogLevel::info: return "info";
    case LogLevel::warning: return "warning";
    case LogLevel::error: return "error";
    }
    return "info";
}

ConfigEnvironment ConfigEnvironment::process() {
    ConfigEnvironment env;
    if (const char* dir = std::getenv("STATE_DIRECTORY"); dir && *dir) {
        // systemd joins several StateDirectory= entries with ':'; the first is ours.
        std::string first(dir);
        env.state_directory = first.substr(0, first.find(':'));
    }
    return env;
}

namespace {

// A whole number followed by a unit from `units` (longest suffix first).
template <std::size_t N>
std::optional<std::uint64_t> parse_with_unit(std::string_view text,
                                             const std::pair<std::string_view, std::uint64_t> (&units)[N]) {
    std::uint64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end == text.data())
        return std::nullopt;
    const std::string_view suffix(end, static_cast<std::size_t>(text.data() + text.size() - end));
    for (const auto& [name, factor] : units) {
        if (suffix == name) {
            if (factor != 0 && value > UINT64_MAX / factor)
                return std::nullopt;
            return value * factor;
        }
    }
    return std::nullopt;
}

} // namespace

std::optional<std::chrono::milliseconds> parse_config_duration(std::string_view text) {
    static constexpr std::pair<std::string_view, std::uint64_t> units[] = {
        {"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}};
    auto ms = parse_with_unit(text, units);
    if (!ms || *ms > static_cast<std::uint64_t>(INT64_MAX))
        return std::nullopt;
    return std::chrono::milliseconds(static_cast<std::int64_t>(*ms));
}

std::optional<std::uint64_t> parse_config_size(std::string_view text) {
    static constexpr std::pair<std::string_view, std::uint64_t> units[] = {
        {"", 1}, {"B", 1}, {"KiB", 1024}, {"MiB", 1024 * 1024}, {"GiB", 1024ull * 1024 * 1024}};
    return parse_with_unit(text, units);
}

namespace {

std::string format_duration(std::chrono::milliseconds d) {
    if (d.count() % 3'600'000 == 0)
        return std::to_string(d.count() / 3'600'000) + "h";
    if (d.count() % 60'000 == 0)
        return std::to_string(d.count() / 60'000) + "m";
    if (d.count() % 1000 == 0)
        return std::to_string(d.count() / 1000) + "s";
    return std::to_string(d.count()) + "ms";
}

class ConfigReader {
public:
    ConfigReader(std::string file, fs::path base_dir, Diagnostics& diagnostics)
        : file_(std::move(file)), base_dir_(std::move(base_dir)), diagnostics_(diagnostics) {}

    void read(const YamlNode& document, Config& config, const ConfigEnvironment& env) {
        YamlMap root(document, "", file_, diagnostics_);
        if (!root.valid())
            return;
        if (auto tenant = root.require("tenant"))
            read_tenant(*tenant, config.tenant);
        if (auto field = root.take("manifests"))
            path(*field, config.manifests);
        if (auto field = root.take("stateDir"))
            path(*field, config.state_dir);
        else if (env.state_directory)
            config.state_dir = *env.state_directory;
        if (auto field = root.take("interval"))
            duration(*field, 1s, 24h, config.interval);
        if (auto field = root.take("cycleTimeout"))
            duration(*field, 1s, 24h, config.cycle_timeout);
        if (auto field = root.take("prune"))
            boolean(*field, config.prune);
        if (auto field = root.take("adopt"))
            boolean(*field, config.adopt);
        if (auto field = root.take("maxDeletesPerCycle"))
            integer(*field, 0, 10000, config.max_deletes_per_cycle);
        if (auto field = root.take("concurrency"))
            integer(*field, 1, 64, config.concurrency);
        if (auto field = root.take("requestsPerMinute"))
            integer(*field, 1, 100000, config.requests_per_minute);
        if (auto field = root.take("http"))
            read_http(*field, config.http);
        if (auto field = root.take("snapshots"))
            read_snapshots(*field, config.snapshots);
        if (auto field = root.take("allowInsecureEndpoints"))
            boolean(*field, config.allow_insecure_endpoints);
        if (auto field = root.take("logLevel")) {
            if (auto text = read_string(*field, diagnostics_)) {
                if (auto level = parse_log_level(*text))
                    config.log_level = *level;
                else
                    error(*field, "field 'logLevel' must be debug, info, warning or error");
            }
        }
        config.receiver.spool = config.state_dir / "spool";
        if (auto field = root.take("receiver"))
            read_receiver(*field, config.receiver);
        root.finish({"tenant", "manifests", "stateDir", "interval", "cycleTimeout", "prune", "adopt",
                     "maxDeletesPerCycle", "concurrency", "requestsPerMinute", "http", "snapshots",
                     "allowInsecureEndpoints", "logLevel", "receiver"});
    }

private:
    void read_tenant(const YamlField& field, TenantConfig& tenant) {
        YamlMap map(field.node, field.path, file_, diagnostics_);
        if (!map.valid())
            return;
        if (auto env = map.take("environment")) {
            if (auto text = read_string(*env, diagnostics_)) {
                if (!is_region_domain(*text))
                    error(*env, "field 'tenant.environment' must be a region domain such as "
                                "mypurecloud.com, not '" + *text + "'");
                tenant.environment = *text;
                auto urls = tenant_urls_for(*text);
                tenant.api_base = std::move(urls.api_base);
                tenant.token_url = std::move(urls.token_url);
            }
        }
        const auto base = map.take("apiBase");
        if (base)
            tenant_url(*base, TenantUrl::api_base, tenant.api_base);
        const auto token = map.take("tokenUrl");
        if (token)
            tenant_url(*token, TenantUrl::token_url, tenant.token_url);
        // A URL given but refused has its own error at its value.
        if ((tenant.api_base.empty() && !base) || (tenant.token_url.empty() && !token))
            diagnostics_.error(map.location(), "field 'tenant' needs 'environment', or both "
                                               "'apiBase' and 'tokenUrl'");
        if (auto ca = map.take("caFile"))
            path(*ca, tenant.ca_file);
        const SecretSourceForms forms{.allow_plain = true, .base_dir = base_dir_};
        if (auto id = map.take("clientId"))
            if (auto source = read_secret_source(*id, forms, diagnostics_))
                tenant.client_id = *source;
        if (auto secret = map.take("clientSecret"))
            if (auto source = read_secret_source(*secret, forms, diagnostics_))
                tenant.client_secret = *source;
        map.finish({"environment", "apiBase", "tokenUrl", "caFile", "clientId", "clientSecret"});
    }

    void read_http(const YamlField& field, HttpConfig& http) {
        YamlMap map(field.node, field.path, file_, diagnostics_);
        if (auto f = map.take("connectTimeout"))
            duration(*f, 100ms, 10min, http.connect_timeout);
        if (auto f = map.take("requestTimeout"))
            duration(*f, 100ms, 10min, http.request_timeout);
        map.finish({"connectTimeout", "requestTimeout"});
    }

    void read_snapshots(const YamlField& field, SnapshotConfig& snapshots) {
        YamlMap map(field.node, field.path, file_, diagnostics_);
        if (auto f = map.take("health"))
            boolean(*f, snapshots.health);
        if (auto f = map.take("audit"))
            boolean(*f, snapshots.audit);
        if (auto f = map.take("keep"))
            integer(*f, 1, 100000, snapshots.keep);
        map.finish({"health", "audit", "keep"});
    }

    void read_receiver(const YamlField& field, ReceiverConfig& receiver) {
        YamlMap map(field.node, field.path, file_, diagnostics_);
        if (auto f = map.take("listen")) {
            if (auto text = read_string(*f, diagnostics_)) {
                if (!is_listen_address(*text))
                    error(*f, "field 'receiver.listen' must be HOST:PORT such as 127.0.0.1:8088 "
                              "or [::1]:8088");
                receiver.listen = *text;
            }
        }
        if (auto f = map.take("tls")) {
            YamlMap tls(f->node, f->path, file_, diagnostics_);
            auto cert = tls.require("cert");
            auto key = tls.require("key");
            if (cert)
                path(*cert, receiver.tls_cert);
            if (key)
                path(*key, receiver.tls_key);
            tls.finish({"cert", "key"});
        }
        if (auto f = map.take("routes")) {
            YamlMap routes(f->node, f->path, file_, diagnostics_);
            for (auto& [key, value] : routes.entries()) {
                const std::string& route = key.node.scalar();
                if (!route.starts_with('/'))
                    error(key, "route '" + route + "' must be a URL path starting with '/'");
                if (auto name = read_string(value, diagnostics_)) {
                    if (auto problem = check_webhook_name(*name))
                        error(value, "route '" + route + "' must name a webhook: the name " + *problem);
                    receiver.routes[route] = *name;
                }
            }
        }
        if (auto f = map.take("spool"))
            path(*f, receiver.spool);
        if (auto f = map.take("maxBody")) {
            if (auto text = read_string(*f, diagnostics_)) {
                auto size = parse_config_size(*text);
                if (!size || *size < 1024 || *size > 64ull * 1024 * 1024)
                    error(*f, "field 'receiver.maxBody' must be a size between 1KiB and 64MiB "
                              "such as 1MiB");
                else
                    receiver.max_body = *size;
            }
        }
        if (auto f = map.take("tolerance"))
            duration(*f, 1s, 24h, receiver.tolerance);
        map.finish({"listen", "tls", "routes", "spool", "maxBody", "tolerance"});
    }

    void path(const YamlField& field, fs::path& out) {
        auto text = read_string(field, diagnostics_);
        if (!text)
            return;
        if (text->empty()) {
            error(field, "field '" + field.path + "' must not be empty");
            return;
        }
        fs::path p = *text;
        out = p.is_absolute() ? p : (base_dir_ / p).lexically_normal();
    }

    void duration(const YamlField& field, std::chrono::milliseconds min, std::chrono::milliseconds max,
                  std::chrono::milliseconds& out) {
        auto text = read_string(field, diagnostics_);
        if (!text)
            return;
        auto value = parse_config_duration(*text);
        if (!value) {
            error(field, "field '" + field.path +
                             "' must be a duration such as 500ms, 30s, 5m or 1h, not '" + *text + "'");
            return;
        }
        if (*value < min || *value > max) {
            error(field, "field '" + field.path + "' must be between " + format_duration(min) +
                             " and " + format_duration(max));
            return;
        }
        out = *value;
    }

    void boolean(const YamlField& field, bool& out) {
        if (auto value = read_bool(field, diagnostics_))
            out = *value;
    }

    void integer(const YamlField& field, std::int64_t min, std::int64_t max, int& out) {
        if (auto value = read_integer(field, min, max, diagnostics_))
            out = static_cast<int>(*value);
    }

    // The client's own check (daemon/tenant), so that `validate` refuses
    // exactly the URLs that `plan` and `run` would.
    void tenant_url(const YamlField& field, TenantUrl which, std::string& out) {
        auto text = read_string(field, diagnostics_);
        if (!text)
            return;
        if (auto endpoint = read_tenant_url(*text, which); !endpoint) {
            error(field, endpoint.error().message);
            return;
        }
        out = *text;
        while (which == TenantUrl::api_base && out.ends_with('/'))
            out.pop_back();
    }

    static bool is_listen_address(const std::string& s) {
        const auto colon = s.rfind(':');
        if (colon == std::string::npos || colon == 0)
            return false;
        const std::string host = s.substr(0, colon);
        if (host.front() == '[' && host.back() != ']')
            return false;
        int port = -1;
        const char* begin = s.data() + colon + 1;
        const char* end = s.data() + s.size();
        auto [p, ec] = std::from_chars(begin, end, port);
        return ec == std::errc{} && p == end && port >= 0 && port <= 65535;
    }

    void error(const YamlField& field, std::string message) {
        diagnostics_.error(field.location(), std::move(message));
    }

    std::string file_;
    fs::path base_dir_;
    Diagnostics& diagnostics_;
};

} // namespace

ConfigLoad load_config(const fs::path& path, const ConfigEnvironment& env) {
    ConfigLoad load;
    load.config.source = path;
    const std::string display = path.string();
    std::error_code ec;
    if (!fs::exists(path, ec)) {
        load.diagnostics.error({display}, "config file not found; pass --config FILE or set "
                                          "HOOKWARDEN_CONFIG");
        return load;
    }
    auto text = read_source_file(path, display, load.diagnostics);
    if (!text)
        return load;
    auto documents = parse_yaml_documents(*text, display, load.diagnostics);
    if (!documents)
        return load;
    if (documents->size() != 1) {
        load.diagnostics.error({display}, documents->empty()
                                              ? "config file is empty"
                                              : "config file must hold exactly one YAML document");
        return load;
    }
    const fs::path base_dir = fs::absolute(path).parent_path();
    ConfigReader(display, base_dir, load.diagnostics).read(documents->front(), load.config, env);
    load.diagnostics.sort_by_position(0);
    return load;
}

} // namespace hookwarden
