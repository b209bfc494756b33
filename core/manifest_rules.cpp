#include "core/manifest_rules.hpp"

#include "core/iso8601_duration.hpp"

#include <boost/url/parse.hpp>

namespace hookwarden {

namespace {

bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_alnum(char c) { return is_lower(c) || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

} // namespace

std::optional<std::string> check_webhook_name(std::string_view name) {
    if (name.empty())
        return "must not be empty";
    if (name.size() > max_webhook_name_length)
        return "must be at most 128 characters long, not " + std::to_string(name.size());
    for (char c : name)
        if (!is_alnum(c) && c != '.' && c != '_' && c != '-')
            return "may only hold letters, digits, '.', '_' and '-'";
    return std::nullopt;
}

std::optional<std::string> check_event_type(std::string_view event_type) {
    const auto fail = [] {
        return std::optional<std::string>(
            "must look like 'user:login' (a lower-case word, then ':'-separated parts of "
            "letters, digits, '_' and '.')");
    };
    if (event_type.empty() || !is_lower(event_type[0]))
        return fail();
    std::size_t i = 1;
    while (i < event_type.size() && is_alnum(event_type[i]))
        ++i;
    if (i == event_type.size())
        return fail(); // at least one ':' part is required
    while (i < event_type.size()) {
        if (event_type[i] != ':')
            return fail();
        const std::size_t start = ++i;
        while (i < event_type.size() &&
               (is_alnum(event_type[i]) || event_type[i] == '_' || event_type[i] == '.'))
            ++i;
        if (i == start)
            return fail();
    }
    return std::nullopt;
}

std::optional<std::string> check_endpoint_url(std::string_view url, bool allow_insecure) {
    auto parsed = boost::urls::parse_absolute_uri(url);
    if (!parsed)
        return std::string("must be an absolute URL such as https://example.com/hooks");
    const auto scheme = parsed->scheme_id();
    if (scheme == boost::urls::scheme::http && !allow_insecure)
        return std::string("must use https (http:// needs allowInsecureEndpoints: true in the "
                           "config)");
    if (scheme != boost::urls::scheme::https && scheme != boost::urls::scheme::http)
        return std::string("must use https");
    if (!parsed->has_authority() || parsed->encoded_host().empty())
        return std::string("must name a host");
    if (parsed->has_userinfo())
        return std::string("must not carry a user name or password");
    return std::nullopt;
}

std::optional<std::string> check_retry_interval(std::string_view interval) {
    const auto seconds = parse_iso8601_duration(interval);
    if (!seconds)
        return std::string("must be an ISO-8601 duration such as PT30S, PT1M or P1D");
    if (*seconds < min_retry_interval || *seconds > max_retry_interval)
        return std::string("must be between PT1S and P1D");
    return std::nullopt;
}

} // namespace hookwarden
