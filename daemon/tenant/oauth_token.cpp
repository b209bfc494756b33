#include "daemon/tenant/oauth_token.hpp"
#include "daemon/tenant/json_members.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <cmath>

namespace hookwarden {
namespace json = boost::json;
namespace chrono = std::chrono;

std::string base64_encode(std::string_view bytes) {
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        const auto n = (static_cast<unsigned char>(bytes[i]) << 16) |
                       (static_cast<unsigned char>(bytes[i + 1]) << 8) | static_cast<unsigned char>(bytes[i + 2]);
        out += alphabet[(n >> 18) & 63];
        out += alphabet[(n >> 12) & 63];
        out += alphabet[(n >> 6) & 63];
        out += alphabet[n & 63];
    }
    if (i + 1 == bytes.size()) {
        const auto n = static_cast<unsigned char>(bytes[i]) << 16;
        out += alphabet[(n >> 18) & 63];
        out += alphabet[(n >> 12) & 63];
        out += "==";
    } else if (i + 2 == bytes.size()) {
        const auto n = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8);
        out += alphabet[(n >> 18) & 63];
        out += alphabet[(n >> 12) & 63];
        out += alphabet[(n >> 6) & 63];
        out += '=';
    }
    return out;
}

std::string basic_authorization(std::string_view client_id, std::string_view client_secret) {
    std::string pair;
    pair.reserve(client_id.size() + 1 + client_secret.size());
    pair.append(client_id).append(":").append(client_secret);
    return "Basic " + base64_encode(pair);
}

Result<TokenGrant> parse_token_answer(std::string_view body) {
    json::error_code ec;
    const auto value = json::parse(body, ec);
    if (ec || !value.is_object())
        return make_error(ErrorKind::transport, "the token endpoint's answer is not a JSON object");
    const auto& object = value.get_object();
    TokenGrant grant;
    grant.access_token = string_or_empty(object, "access_token");
    if (grant.access_token.empty())
        return make_error(ErrorKind::transport, "the token endpoint's answer has no access_token");
    grant.expires_in = default_token_lifetime;
    if (const auto* expires = object.if_contains("expires_in")) {
        // Capped like the other two forms: a lifetime in seconds near the
        // int64 range overflowed steady_clock's nanoseconds (tests/fuzz).
        if (expires->is_int64() && expires->get_int64() > 0)
            grant.expires_in = chrono::seconds(std::min<std::int64_t>(expires->get_int64(), 1 << 30));
        else if (expires->is_uint64())
            grant.expires_in = chrono::seconds(static_cast<std::int64_t>(std::min<std::uint64_t>(expires->get_uint64(), 1u << 30)));
        else if (expires->is_double() && expires->get_double() >= 1)
            grant.expires_in = chrono::seconds(static_cast<std::int64_t>(std::min(expires->get_double(), 1e9)));
    }
    return grant;
}

Error token_error(int status, std::string_view body, std::string_view client_id, ErrorContext context) {
    std::string code;
    std::string reason;
    json::error_code ec;
    const auto value = json::parse(body, ec);
    if (!ec && value.is_object()) {
        const auto& object = value.get_object();
        code = string_or_empty(object, "error");
        reason = string_or_empty(object, "error_description");
        if (reason.empty())
            reason = string_or_empty(object, "description");
        if (reason.empty())
            reason = string_or_empty(object, "message");
    }
    if (reason.empty())
        reason = code.empty() ? "HTTP " + std::to_string(status) : code;
    context.http_status = status;
    context.api_code = code;
    const bool refused = status == 401 ||
                         (status == 400 && (code == "invalid_client" || code == "unauthorized_client" ||
                                            code == "invalid_grant"));
    if (refused)
        return make_error(ErrorKind::unauthorized,
                          "the token endpoint refused the credentials of client id '" + std::string(client_id) +
                              "': " + reason,
                          std::move(context));
    return make_error(ErrorKind::tenant, "the token endpoint failed: " + reason, std::move(context));
}

TokenCache::TokenCache(const RetryClock& clock, chrono::seconds refresh_margin)
    : clock_(clock), refresh_margin_(refresh_margin) {}

Result<std::string> TokenCache::get(const Fetch& fetch) {
    std::unique_lock lock(mutex_);
    while (true) {
        if (token_ && clock_.now() < refresh_at_)
            return *token_;
        if (!fetching_)
            break;
        const auto generation = generation_;
        fetched_.wait(lock, [&] { return !fetching_; });
        if (generation_ != generation && last_error_)
            return *last_error_; // the refresh we waited for failed: share its error
    }
    fetching_ = true;
    const auto started = clock_.now();
    lock.unlock();
    auto grant = fetch();
    lock.lock();
    fetching_ = false;
    ++generation_;
    fetched_.notify_all();
    if (!grant) {
        token_.reset();
        last_error_ = grant.error();
        return grant.error();
    }
    last_error_.reset();
    const auto margin = std::min(refresh_margin_, grant->expires_in / 2);
    token_ = std::move(grant->access_token);
    refresh_at_ = started + grant->expires_in - margin;
    return *token_;
}

void TokenCache::invalidate(std::string_view token) {
    std::lock_guard lock(mutex_);
    if (token_ && *token_ == token)
        token_.reset();
}

} // namespace hookwarden
