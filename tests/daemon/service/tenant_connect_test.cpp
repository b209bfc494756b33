// The tenant client as the commands and the daemon build it from the
// config: its debug lines reach the daemon's log, and never carry the
// client secret, a token or an Authorization header.
#include "tests/daemon/tenant/client_fakes.hpp"
#include "daemon/service/log.hpp"
#include "daemon/service/tenant_connect.hpp"

#include "tests/support/doctest_result.hpp"
#include "tests/support/scratch_dir.hpp"

#include <cstdio>
#include <cstdlib>
#include <random>

#include <unistd.h>

using namespace hookwarden;
using namespace hookwarden::testing;

namespace {

constexpr const char* client_secret = "very-secret-value";
constexpr const char* access_token = "token-that-must-not-show";

// What the process writes to stderr while it lives.
class StderrCapture {
public:
    StderrCapture() : file_(std::tmpfile()) {
        REQUIRE(file_);
        (void)std::fflush(stderr);
        saved_ = ::dup(STDERR_FILENO);
        ::dup2(::fileno(file_), STDERR_FILENO);
    }
    ~StderrCapture() { restore(); }
    StderrCapture(const StderrCapture&) = delete;
    StderrCapture& operator=(const StderrCapture&) = delete;

    std::string text() {
        restore();
        std::string out;
        std::rewind(file_);
        for (int c = std::fgetc(file_); c != EOF; c = std::fgetc(file_))
            out += static_cast<char>(c);
        return out;
    }

private:
    void restore() {
        if (saved_ < 0)
            return;
        (void)std::fflush(stderr);
        ::dup2(saved_, STDERR_FILENO);
        ::close(saved_);
        saved_ = -1;
    }

    std::FILE* file_;
    int saved_ = -1;
};

std::unique_ptr<TenantHttp> client_from_config(std::shared_ptr<FakeClock> clock) {
    Config config;
    config.tenant.api_base = "https://tenant.test";
    config.tenant.token_url = "https://tenant.test/oauth/token";
    config.tenant.client_id = {SecretSource::Kind::plain, "demo-client"};
    config.tenant.client_secret = {SecretSource::Kind::plain, client_secret};
    auto options = tenant_http_options(config, SecretEnvironment{});
    REQUIRE(options);
    REQUIRE(options->log);
    auto answers = std::make_shared<int>(0);
    auto transport = std::make_unique<ScriptedTransport>(*clock, [answers](const HttpRequest& r) -> TransportResult {
        if (is_token_request(r))
            return token_answer(access_token);
        // A 429, so that the pause is logged too, then the webhook.
        if ((*answers)++ == 0)
            return answer(429, "{}", {{"Retry-After", "1"}});
        return answer(200, R"({"id":"a","name":"hook","version":1,"eventTypes":["user:login"],)"
                           R"("endpointUrl":"https://example.com/h","secret":"very-secret-value"})");
    });
    auto engine = std::make_shared<std::mt19937_64>(7);
    auto made = TenantHttp::create(std::move(*options), std::move(transport), std::move(clock),
                                   [engine] { return (*engine)(); });
    REQUIRE(made);
    return std::move(*made);
}

} // namespace

TEST_CASE("at logLevel debug the tenant client's lines reach the log, without secret, token or Authorization") {
    ::unsetenv("JOURNAL_STREAM"); // the readable stderr sink, whatever runs the test
    init_logging(LogLevel::debug);
    auto tenant = client_from_config(std::make_shared<FakeClock>());
    StderrCapture capture;
    const bool got = static_cast<bool>(tenant->get_webhook("a"));
    const auto logged = capture.text();
    init_logging(LogLevel::info);
    CHECK(got);
    CHECK_MESSAGE(logged.find("debug: got a new access token for client id 'demo-client'") != std::string::npos, logged);
    CHECK_MESSAGE(logged.find("debug: GET /api/v2/webhooks/{id}: rate limited (429)") != std::string::npos, logged);
    CHECK_MESSAGE(logged.find("debug: GET /api/v2/webhooks/{id}: HTTP 200") != std::string::npos, logged);
    CHECK(logged.find(client_secret) == std::string::npos);
    CHECK(logged.find(access_token) == std::string::npos);
    CHECK(logged.find("Bearer") == std::string::npos);
    CHECK(logged.find("Basic") == std::string::npos);
}

TEST_CASE("at logLevel info the tenant client's debug lines are not written") {
    ::unsetenv("JOURNAL_STREAM");
    init_logging(LogLevel::info);
    auto tenant = client_from_config(std::make_shared<FakeClock>());
    StderrCapture capture;
    const bool got = static_cast<bool>(tenant->get_webhook("a"));
    const auto logged = capture.text();
    CHECK(got);
    CHECK_MESSAGE(logged.empty(), logged);
}

TEST_CASE("client id and secret files open to the group or others are refused, naming the key and the file") {
    ScratchDir dir;
    const auto id_file = dir.write("client-id", "demo-client\n");
    const auto secret_file = dir.write("client-secret", std::string(client_secret) + "\n");
    std::filesystem::permissions(id_file, std::filesystem::perms(0600));
    Config config;
    config.tenant.api_base = "https://tenant.test";
    config.tenant.token_url = "https://tenant.test/oauth/token";
    config.tenant.client_id = {SecretSource::Kind::file, id_file.string()};
    config.tenant.client_secret = {SecretSource::Kind::file, secret_file.string()};

    std::filesystem::permissions(secret_file, std::filesystem::perms(0640));
    auto refused = tenant_http_options(config, SecretEnvironment{});
    REQUIRE_FALSE(refused);
    const std::string message = refused.error().message;
    CHECK_MESSAGE(message.starts_with("tenant.clientSecret: file " + secret_file.string()), message);
    CHECK(message.find("mode 0640") != std::string::npos);
    CHECK(message.find(client_secret) == std::string::npos);

    std::filesystem::permissions(secret_file, std::filesystem::perms(0600));
    std::filesystem::permissions(id_file, std::filesystem::perms(0644));
    auto id_refused = tenant_http_options(config, SecretEnvironment{});
    REQUIRE_FALSE(id_refused);
    CHECK_MESSAGE(id_refused.error().message.starts_with("tenant.clientId: file " + id_file.string()),
                  id_refused.error().message);

    std::filesystem::permissions(id_file, std::filesystem::perms(0400));
    auto taken = tenant_http_options(config, SecretEnvironment{});
    REQUIRE(taken);
    CHECK(taken->client_id == "demo-client");
    CHECK(taken->client_secret == client_secret);
}
