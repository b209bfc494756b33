#include "core/manifest_rules.hpp"

#include "core/iso8601_duration.hpp"

#include <boost/url/parse.hpp>

#include <algorithm>
#include <charconv>

namespace hookwarden {

namespace {

bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_alnum(char c) { return is_lower(c) || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// What a text is made of, counted in characters (code points) as the API
// counts them. Not valid UTF-8 when a sequence is malformed, overlong, a
// surrogate or beyond U+10FFFF.
struct TextShape {
    bool valid_utf8 = true;
    bool printable = true; ///< no C0/C1 control character, DEL, or U+2028/U+2029
    std::size_t characters = 0;
};

TextShape shape_of(std::string_view text) {
    TextShape shape;
    for (std::size_t i = 0; i < text.size(); ++shape.characters) {
        const auto lead = static_cast<unsigned char>(text[i]);
        std::size_t length = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3
                                                                  : (lead >> 3) == 0x1E ? 4 : 0;
        if (length == 0 || i + length > text.size()) {
            shape.valid_utf8 = false;
            return shape;
        }
        char32_t code = length == 1 ? lead : lead & (0x7F >> length);
        for (std::size_t k = 1; k < length; ++k) {
            const auto next = static_cast<unsigned char>(text[i + k]);
            if ((next & 0xC0) != 0x80) {
                shape.valid_utf8 = false;
                return shape;
            }
            code = (code << 6) | (next & 0x3F);
        }
        static constexpr char32_t least[] = {0, 0, 0x80, 0x800, 0x10000};
        if (code < least[length] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
            shape.valid_utf8 = false;
            return shape;
        }
        if (code < 0x20 || (code >= 0x7F && code <= 0x9F) || code == 0x2028 || code == 0x2029)
            shape.printable = false;
        i += length;
    }
    return shape;
}

// A URL's port as RFC 3986 writes it (digits, leading zeros allowed; empty
// means the scheme's default) must also name a TCP port: 1..65535.
std::optional<std::string> check_port(std::string_view port) {
    if (!std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return std::string("must have a port of digits only");
    if (port.empty())
        return std::nullopt;
    const std::string_view digits = port.substr(std::min(port.find_first_not_of('0'), port.size()));
    unsigned value = 0; // "0", "000": no digits left to read
    if (digits.size() > 5 || std::from_chars(digits.data(), digits.data() + digits.size(), value).ec != std::errc() ||
        value < 1 || value > 65535)
        return std::string("must have a port between 1 and 65535");
    return std::nullopt;
}

// Boost.URL 1.81 ends a host at the longest IPv4 address or port it can
// read (boostorg/url#680): "https://1.2.3.4.nip.io/" comes back as host
// 1.2.3.4 and a path ".nip.io/", "https://h:84a3/" as port 84 and a path
// "a3/". Here the authority is read again as RFC 3986 delimits it, up to the
// first '/', '?' or '#': a host name (an IP literal is bracketed and Boost
// reads it right), then a port of digits. Boost has already refused user info.
std::optional<std::string> reread_authority(std::string_view url) {
    const std::size_t start = url.find("//") + 2;
    const std::string_view authority = url.substr(start, url.find_first_of("/?#", start) - start);
    const std::size_t colon = authority.rfind(':');
    const std::string_view host = authority.substr(0, colon);
    const std::string_view port = colon == std::string_view::npos ? "" : authority.substr(colon + 1);
    if (auto problem = check_port(port))
        return problem;
    static constexpr std::string_view reg_name_marks = "-._~!$&'()*+,;=";
    for (std::size_t i = 0; i < host.size(); ++i) {
        if (host[i] == '%' && i + 2 < host.size() && is_hex(host[i + 1]) && is_hex(host[i + 2]))
            i += 2;
        else if (!is_alnum(host[i]) && reg_name_marks.find(host[i]) == std::string_view::npos)
            return std::string("must be an absolute URL such as https://example.com/hooks");
    }
    return std::nullopt;
}

template <std::size_t N>
std::optional<std::string> one_of(std::string_view value, const std::array<std::string_view, N>& allowed) {
    for (auto candidate : allowed)
        if (value == candidate)
            return std::nullopt;
    std::string list;
    for (std::size_t i = 0; i < N; ++i)
        list += (i == 0 ? "" : i + 1 == N ? " or " : ", ") + std::string(allowed[i]);
    return "must be one of " + list + ", not '" + std::string(value) + "'";
}

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
    // After an authority a path is empty or starts with '/'. When Boost's is
    // not, Boost split the authority early (see reread_authority).
    if (const auto path = parsed->encoded_path(); !path.empty() && path.front() != '/')
        return reread_authority(url);
    if (parsed->has_port())
        return check_port(parsed->port());
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

std::optional<std::string> check_payload_template(std::string_view text) {
    if (text.empty())
        return std::string("must not be empty");
    const TextShape shape = shape_of(text);
    if (!shape.valid_utf8)
        return std::string("must be valid UTF-8");
    if (shape.characters > max_payload_template_length)
        return "must be at most 65536 characters long, not " + std::to_string(shape.characters);
    return std::nullopt;
}

std::optional<std::string> check_trigger_name(std::string_view name) {
    if (name.empty())
        return "must not be empty";
    const TextShape shape = shape_of(name);
    if (!shape.valid_utf8)
        return std::string("must be valid UTF-8");
    if (shape.characters > max_trigger_name_length)
        return "must be at most 128 characters long, not " + std::to_string(shape.characters);
    if (!shape.printable)
        return std::string("must hold only printable characters (no tab, newline or other control "
                           "character)");
    if (name.front() == ' ' || name.back() == ' ')
        return std::string("must not start or end with a space");
    return std::nullopt;
}

std::optional<std::string> check_topic_name(std::string_view topic) {
    const auto fail = [] {
        return std::optional<std::string>(
            "must look like 'v2.users.{id}.presence' ('v2', then '.'-separated parts of letters, "
            "digits, '_', '-', '{' and '}')");
    };
    if (!topic.starts_with("v2") || topic.size() == 2)
        return fail();
    std::size_t i = 2;
    while (i < topic.size()) {
        if (topic[i] != '.')
            return fail();
        const std::size_t start = ++i;
        while (i < topic.size() && (is_alnum(topic[i]) || topic[i] == '_' || topic[i] == '-' ||
                                    topic[i] == '{' || topic[i] == '}'))
            ++i;
        if (i == start)
            return fail();
    }
    return std::nullopt;
}

std::optional<std::string> check_workflow_id(std::string_view id) {
    static constexpr std::array<std::size_t, 4> dashes{8, 13, 18, 23};
    bool ok = id.size() == 36;
    for (std::size_t i = 0; ok && i < id.size(); ++i) {
        const bool dash = std::find(dashes.begin(), dashes.end(), i) != dashes.end();
        ok = dash ? id[i] == '-' : is_hex(id[i]);
    }
    if (ok)
        return std::nullopt;
    return std::string("must be the workflow's id, a UUID such as "
                       "5f6e1c2a-0d3b-4a8e-9c7f-2b1d0e4f6a8b");
}

std::optional<std::string> check_data_format(std::string_view format) {
    return one_of(format, trigger_data_formats);
}

std::optional<std::string> check_match_operator(std::string_view op) {
    return one_of(op, match_operators);
}

std::optional<std::string> check_trigger_description(std::string_view description) {
    const TextShape shape = shape_of(description);
    if (!shape.valid_utf8)
        return std::string("must be valid UTF-8");
    if (shape.characters > max_trigger_description_length)
        return "must be at most 512 characters long, not " + std::to_string(shape.characters);
    return std::nullopt;
}

} // namespace hookwarden
