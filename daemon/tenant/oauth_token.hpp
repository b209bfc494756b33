// OAuth client credentials for the tenant client (SPEC §5): the token
// request's pieces, the reading of the token endpoint's answers, and the
// cache that shares one access token (and one refresh) among all callers.
//
// Used by daemon/tenant_caller.cpp; no I/O here. The client secret goes into
// `basic_authorization` and nowhere else: no message built here contains it,
// and errors name the client id only.
#pragma once

#include "core/error.hpp"
#include "daemon/tenant/retry_policy.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace hookwarden {

struct TokenGrant {
    std::string access_token;
    std::chrono::seconds expires_in{0};
};

std::string base64_encode(std::string_view bytes);

/// `Basic base64(client_id:client_secret)`, the token request's Authorization.
std::string basic_authorization(std::string_view client_id, std::string_view client_secret);

/// The token request's form body.
inline constexpr std::string_view token_request_body = "grant_type=client_credentials";

/// How long a token lives when its answer has no usable `expires_in`:
/// 24 hours, as SPEC §5 says and Genesys Cloud issues them. A token revoked
/// sooner costs one 401, one new token and one retry.
inline constexpr std::chrono::seconds default_token_lifetime{24 * 60 * 60};

/// Reads a 2xx answer of the token endpoint. Without a positive
/// `expires_in` the token lives default_token_lifetime.
Result<TokenGrant> parse_token_answer(std::string_view body);

/// The error for a non-2xx answer of the token endpoint: refused credentials
/// (401, or 400 with an OAuth `invalid_client`-like code) are `unauthorized`
/// and name `client_id`; anything else is a `tenant` error.
Error token_error(int status, std::string_view body, std::string_view client_id, ErrorContext context);

/// The access token shared by every caller. Thread-safe.
class TokenCache {
public:
    using Fetch = std::function<Result<TokenGrant>()>;

    /// Tokens are refreshed `refresh_margin` before they expire (SPEC: 60 s),
    /// or half-way through their life when that is shorter.
    TokenCache(const RetryClock& clock, std::chrono::seconds refresh_margin);

    /// The cached token while it is fresh; otherwise a new one from `fetch`.
    /// When several threads need a new token at once, one fetches and the
    /// others wait for and share its result (token or error).
    Result<std::string> get(const Fetch& fetch);

    /// The tenant refused `token` (401): forget it, unless it was already
    /// replaced by a newer one, so that a burst of 401s costs one refresh.
    void invalidate(std::string_view token);

private:
    const RetryClock& clock_;
    std::chrono::seconds refresh_margin_;
    std::mutex mutex_;
    std::condition_variable fetched_;
    std::optional<std::string> token_;
    std::chrono::steady_clock::time_point refresh_at_{};
    bool fetching_ = false;
    std::uint64_t generation_ = 0;
    std::optional<Error> last_error_;
};

} // namespace hookwarden
