// Where the tenant lives: the host rules of Genesys Cloud (SPEC §3, §5).
//
// A region domain (`tenant.environment: mypurecloud.com`) gives the API at
// `https://api.<env>` and the token endpoint at `https://login.<env>/oauth/token`,
// as the official SDKs derive them. `read_tenant_url` is the one check of an
// API base or token URL: the config loader calls it to report a bad value at
// its line (`hookwarden validate`), and the client calls it to learn where to
// dial, so whatever `validate` passes, `plan` and `run` accept.
//
// Used by daemon/service/config.cpp and daemon/tenant/tenant_http.cpp. Plain
// C++ (Boost.URL stays in the .cpp).
#pragma once

#include "core/error.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace hookwarden {

/// Where an HTTPS endpoint lives; `path` is a prefix (API base) or the full
/// target (token URL).
struct HttpsEndpoint {
    std::string host;
    std::uint16_t port = 443;
    std::string path;
};

/// The tenant's two URLs. They differ in what may follow the path: an API
/// base is a prefix of every API target, so it takes no query;
/// a token URL is the whole target and keeps its query.
enum class TenantUrl { api_base, token_url };

/// The config key that names `which`: "apiBase" or "tokenUrl".
std::string_view config_key(TenantUrl which) noexcept;

/// Whether `environment` looks like a region domain (mypurecloud.com,
/// mypurecloud.ie, usw2.pure.cloud): letters, digits, '-' and inner dots,
/// at least one dot. A URL such as `https://api.mypurecloud.com` is not one.
bool is_region_domain(std::string_view environment);

/// The API base and token URL of a region domain.
struct TenantUrls {
    std::string api_base;  ///< https://api.<environment>
    std::string token_url; ///< https://login.<environment>/oauth/token
};
TenantUrls tenant_urls_for(std::string_view environment);

/// The one check of a tenant URL: absolute, https, a host hookwarden can
/// dial as written (an IPv4 address or a name of letters, digits, '-', '.'
/// and '_', no percent-encoding; or an IPv6 literal), no user info, no
/// fragment, a port of digits in 1..65535 when one is given, and for an API
/// base no query. The host and port are read as RFC 3986 delimits them, not
/// as Boost.URL 1.81 does (it cuts "10.0.0.1.nip.io" short and wraps ports). Returns where to dial (an API base's path
/// without trailing '/'; a token URL's path, "/" when empty, with its query),
/// or ErrorKind::invalid_input with a sentence such as
/// "the tenant apiBase 'https://h:0' has an invalid port". A URL that may
/// hold credentials (it has an '@') is never quoted.
Result<HttpsEndpoint> read_tenant_url(std::string_view url, TenantUrl which);

/// Where the next page of a cursor-paged list is, from the `nextUri` of an
/// answer: the target below the API base, `list_path` with the nextUri's
/// query ("/api/v2/processautomation/triggers?pageSize=200&after=…").
/// Genesys writes a path; an absolute URL is taken when it is https on the
/// API's own host and port, its path the API base's followed by
/// `list_path`. Anything else (another host, another path, a fragment,
/// user info) is ErrorKind::tenant: following it would hand the bearer
/// token to someone else or read another list.
Result<std::string> next_page_target(std::string_view next_uri, std::string_view list_path,
                                     const HttpsEndpoint& api);

} // namespace hookwarden
