#include "daemon/service/tenant_connect.hpp"

#include "daemon/service/log.hpp"

namespace hookwarden {

namespace {

Result<std::string> resolve_credential(const SecretSource& source, const char* key,
                                       const SecretEnvironment& environment) {
    auto value = resolve_secret(source, environment);
    if (!value) {
        Error error = value.error();
        error.message = std::string(key) + ": " + error.message;
        return error;
    }
    return value;
}

} // namespace

Result<TenantHttpOptions> tenant_http_options(const Config& config,
                                              const SecretEnvironment& environment) {
    TenantHttpOptions options;
    options.api_base = config.tenant.api_base;
    options.token_url = config.tenant.token_url;
    options.ca_file = config.tenant.ca_file.string();
    auto id = resolve_credential(config.tenant.client_id, "tenant.clientId", environment);
    if (!id)
        return id.error();
    auto secret =
        resolve_credential(config.tenant.client_secret, "tenant.clientSecret", environment);
    if (!secret)
        return secret.error();
    options.client_id = std::move(*id);
    options.client_secret = std::move(*secret);
    options.concurrency = config.concurrency;
    options.requests_per_minute = config.requests_per_minute;
    options.connect_timeout = config.http.connect_timeout;
    options.request_timeout = config.http.request_timeout;
    // The client's retries, 429 pauses and token refreshes, at logLevel
    // debug. log_debug is thread-safe, as the client's I/O thread needs; the
    // lines name operations, hosts and statuses, never a token or secret.
    options.log = [](std::string_view line) { log_debug(line); };
    return options;
}

Result<std::unique_ptr<TenantHttp>> connect_tenant(const Config& config,
                                                   const SecretEnvironment& environment) {
    auto options = tenant_http_options(config, environment);
    if (!options)
        return options.error();
    return TenantHttp::create(std::move(*options));
}

} // namespace hookwarden
