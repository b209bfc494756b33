#include "daemon/tenant/tenant_endpoints.hpp"

#include <boost/url/parse.hpp>

#include <algorithm>
#include <cctype>
#include <optional>

namespace hookwarden {
namespace urls = boost::urls;

std::string_view config_key(TenantUrl which) noexcept {
    return which == TenantUrl::api_base ? "apiBase" : "tokenUrl";
}

bool is_region_domain(std::string_view environment) {
    const auto& s = environment;
    if (s.empty() || s.size() > 253 || s.front() == '.' || s.back() == '.' || s.find('.') == std::string_view::npos)
        return false;
    for (char c : s)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.')
            return false;
    return true;
}

TenantUrls tenant_urls_for(std::string_view environment) {
    const std::string env(environment);
    return {.api_base = "https://api." + env, .token_url = "https://login." + env + "/oauth/token"};
}

namespace {

bool is_host_name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
}

/// A port as RFC 3986 writes it, digits only, read as 1..65535.
std::optional<std::uint16_t> read_port(std::string_view digits) {
    if (digits.empty() || digits.size() > 5)
        return std::nullopt;
    unsigned value = 0;
    for (char c : digits) {
        if (c < '0' || c > '9')
            return std::nullopt;
        value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value == 0 || value > 65535)
        return std::nullopt;
    return static_cast<std::uint16_t>(value);
}

} // namespace

Result<HttpsEndpoint> read_tenant_url(std::string_view url, TenantUrl which) {
    auto fail = [&](std::string_view why) {
        // user:password@host would put a password into a log line or a
        // terminal: such a URL is named, not quoted.
        const std::string quoted = url.find('@') == std::string_view::npos ? " '" + std::string(url) + "'" : "";
        return make_error(ErrorKind::invalid_input,
                          "the tenant " + std::string(config_key(which)) + quoted + " " + std::string(why));
    };
    // parse_uri, not parse_absolute_uri: a fragment then gets its own
    // message instead of "not an absolute URL".
    const auto parsed = urls::parse_uri(url);
    if (!parsed)
        return fail("is not an absolute URL");
    if (parsed->has_fragment())
        return fail("must not have a fragment");
    if (parsed->scheme_id() != urls::scheme::https)
        return fail("must use https");
    if (!parsed->has_authority() || parsed->encoded_host().empty())
        return fail("has no host");
    if (parsed->has_userinfo())
        return fail("must not carry credentials");
    // Boost.URL 1.81 ends a host at the longest IPv4 address or port it can
    // read (boostorg/url#680): "https://10.0.0.1.nip.io" comes back as host
    // 10.0.0.1 and path ".nip.io", "https://h:84a3/" as port 84, and a port
    // of 99999 wraps to 34463. What is dialled must be what the text says,
    // so the authority is read here as RFC 3986 delimits it: up to the first
    // '/', '?' or '#' after "//", a host, then ':' and a port of digits.
    const std::size_t authority_start = url.find("//") + 2;
    const std::size_t authority_end = std::min(url.find_first_of("/?#", authority_start), url.size());
    const std::string_view authority = url.substr(authority_start, authority_end - authority_start);
    const bool ip_literal = authority.starts_with('[');
    const std::size_t colon = authority.rfind(':');
    const bool has_port = colon != std::string_view::npos && (!ip_literal || colon > authority.find(']'));
    const std::string_view host = authority.substr(0, has_port ? colon : authority.size());
    HttpsEndpoint endpoint;
    if (ip_literal) {
        // Boost reads a bracketed literal right; an IPvFuture one cannot be dialled.
        if (parsed->host_type() != urls::host_type::ipv6 || !host.ends_with(']'))
            return fail("has a host hookwarden cannot dial");
        endpoint.host = parsed->host_ipv6_address().to_string();
    } else {
        // A name the resolver takes as it is: no percent-encoding, which
        // would decode to something else ("ex%2Fample.com", a NUL).
        if (host.empty())
            return fail("has no host");
        if (!std::ranges::all_of(host, is_host_name_char))
            return fail("has a host name hookwarden cannot dial (letters, digits, '-', '.' and '_' only)");
        endpoint.host = std::string(host);
    }
    if (has_port) {
        const auto port = read_port(authority.substr(colon + 1));
        if (!port)
            return fail("has an invalid port");
        endpoint.port = *port;
    }
    const std::size_t path_end = std::min(url.find_first_of("?#", authority_end), url.size());
    endpoint.path = std::string(url.substr(authority_end, path_end - authority_end));
    if (which == TenantUrl::api_base) {
        // Every API target is appended to the base: a query would end up
        // in the middle of it.
        if (parsed->has_query())
            return fail("must not have a query");
        while (!endpoint.path.empty() && endpoint.path.back() == '/')
            endpoint.path.pop_back();
        return endpoint;
    }
    if (endpoint.path.empty())
        endpoint.path = "/";
    if (parsed->has_query())
        endpoint.path += "?" + std::string(parsed->encoded_query());
    return endpoint;
}

namespace {

bool same_ignoring_case(std::string_view a, std::string_view b) {
    return std::ranges::equal(a, b, [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
    });
}

} // namespace

Result<std::string> next_page_target(std::string_view next_uri, std::string_view list_path, const HttpsEndpoint& api) {
    auto refuse = [&](std::string_view why) {
        const std::string quoted = next_uri.find('@') == std::string_view::npos ? " '" + std::string(next_uri) + "'" : "";
        return make_error(ErrorKind::tenant, "the next page's address" + quoted + " " + std::string(why));
    };
    std::string path;
    std::string query;
    std::string expected_path = api.path + std::string(list_path);
    if (urls::parse_uri(next_uri)) {
        // Absolute: read with the one check of tenant URLs, then it must be
        // the API's own host.
        const auto absolute = read_tenant_url(next_uri, TenantUrl::token_url);
        if (!absolute || !same_ignoring_case(absolute->host, api.host) || absolute->port != api.port)
            return refuse("is not on the tenant's API host");
        const auto mark = absolute->path.find('?');
        path = absolute->path.substr(0, mark);
        if (mark != std::string::npos)
            query = absolute->path.substr(mark + 1);
    } else {
        const auto parsed = urls::parse_relative_ref(next_uri);
        if (!parsed || parsed->has_authority())
            return refuse("is not a page address");
        if (parsed->has_fragment())
            return refuse("must not have a fragment");
        path = std::string(parsed->encoded_path());
        if (parsed->has_query())
            query = std::string(parsed->encoded_query());
        // Genesys writes its own path, unaware of a prefix the API base
        // may add; a server that knows the prefix writes it too.
        if (!same_ignoring_case(path, expected_path))
            expected_path = std::string(list_path);
    }
    // Genesys paths are case-insensitive: the list is the same whatever the
    // case, and the target keeps hookwarden's own spelling.
    if (!same_ignoring_case(path, expected_path))
        return refuse("is not the next page of " + std::string(list_path));
    return query.empty() ? std::string(list_path) : std::string(list_path) + "?" + query;
}

} // namespace hookwarden
