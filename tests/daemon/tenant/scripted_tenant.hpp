// A TenantHttp over a scripted transport and a fake clock, for the client's
// unit tests (tenant_http_script_test.cpp, trigger_http_script_test.cpp):
// scripts that answer token requests themselves, play answers in order, or
// lose them.
#pragma once

#include "tests/daemon/tenant/client_fakes.hpp"
#include "daemon/tenant/tenant_http.hpp"

#include <doctest/doctest.h>

#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

namespace hookwarden::testing {

/// The client secret every ScriptedTenant is given: no error or log line
/// may show it.
inline constexpr const char* scripted_client_secret = "very-secret-value";

// Answers token requests itself and hands API requests to `api`.
inline ScriptedTransport::Script with_token(std::function<TransportResult(const HttpRequest&)> api) {
    return [api = std::move(api)](const HttpRequest& r) -> TransportResult {
        if (is_token_request(r))
            return token_answer();
        return api(r);
    };
}

// Plays `results` in order for API requests, then repeats the last.
inline ScriptedTransport::Script sequence(std::vector<TransportResult> results) {
    auto shared = std::make_shared<std::vector<TransportResult>>(std::move(results));
    auto next = std::make_shared<std::size_t>(0);
    return with_token([shared, next](const HttpRequest&) {
        const auto i = std::min(*next, shared->size() - 1);
        ++*next;
        return (*shared)[i];
    });
}

inline TransportFailure lost(bool maybe_sent) {
    return TransportFailure{ErrorKind::transport, "reading the answer of tenant.test:443 failed: Connection reset by peer",
                            maybe_sent, false};
}

struct ScriptedTenant {
    explicit ScriptedTenant(ScriptedTransport::Script script,
                            const std::function<void(TenantHttpOptions&)>& tweak = {},
                            RandomSource random = {}) {
        TenantHttpOptions options;
        options.api_base = "https://tenant.test";
        options.token_url = "https://tenant.test/oauth/token";
        options.client_id = "demo-client";
        options.client_secret = scripted_client_secret;
        options.requests_per_minute = 6000;
        options.concurrency = 4;
        options.log = [this](std::string_view line) {
            std::lock_guard lock(log_mutex);
            log.emplace_back(line);
        };
        if (tweak)
            tweak(options);
        if (!random) {
            auto engine = std::make_shared<std::mt19937_64>(7);
            random = [engine] { return (*engine)(); };
        }
        auto owned = std::make_unique<ScriptedTransport>(*clock, std::move(script));
        transport = owned.get();
        auto made = TenantHttp::create(std::move(options), std::move(owned), clock, std::move(random));
        REQUIRE(made);
        tenant = std::move(*made);
    }

    std::vector<SentRequest> api_requests() const { return transport->sent_to("/api/"); }
    std::vector<SentRequest> token_requests() const { return transport->sent_to("/oauth/"); }

    std::shared_ptr<FakeClock> clock = std::make_shared<FakeClock>();
    ScriptedTransport* transport = nullptr;
    std::unique_ptr<TenantHttp> tenant;
    std::mutex log_mutex;
    std::vector<std::string> log;
};

} // namespace hookwarden::testing
