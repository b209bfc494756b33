// Building the HTTPS tenant client from the configuration.
//
// Used by every command that talks to the tenant (plan, apply, export, run).
// Resolves `tenant.clientId` and `tenant.clientSecret` through their secret
// sources at the moment of connecting, and maps the config's URLs, trust
// anchor, pacing and timeouts onto TenantHttpOptions. An error names the
// source that failed ("tenant.clientSecret: credential 'client-secret' is
// not available …"), never a value.
#pragma once

#include "core/error.hpp"
#include "core/secret_source.hpp"
#include "daemon/service/config.hpp"
#include "daemon/tenant/tenant_http.hpp"

#include <memory>

namespace hookwarden {

/// The client options for `config`, with the credentials resolved from
/// `environment`, and the client's debug lines going to log_debug.
Result<TenantHttpOptions> tenant_http_options(const Config& config,
                                              const SecretEnvironment& environment);

/// A ready TenantHttp for `config` (no request is sent yet).
Result<std::unique_ptr<TenantHttp>> connect_tenant(const Config& config,
                                                   const SecretEnvironment& environment);

} // namespace hookwarden
