// HttpsClient's request options over real TLS to the tenant emulator: any
// method as written, HEAD, answers read to their header only, and a
// per-request deadline.
#include "daemon/net/https_client.hpp"

#include "tests/support/doctest_result.hpp"
#include "tests/support/emulator_control.hpp"
#include "tests/support/emulator_process.hpp"

using namespace hookwarden;
using namespace std::chrono_literals;
using test::EmulatorControl;
using test::EmulatorProcess;

namespace {

std::unique_ptr<HttpsClient> client_for(const EmulatorProcess& emulator) {
    auto client = HttpsClient::create({.ca_file = emulator.ca_file().string()});
    REQUIRE(client);
    return std::move(*client);
}

HttpRequest request_to(const EmulatorProcess& emulator, std::string method, std::string target) {
    return HttpRequest{.host = emulator.host(), .port = emulator.port(), .method = std::move(method),
                       .target = std::move(target)};
}

} // namespace

TEST_CASE("PATCH and methods Beast does not know go out as written") {
    EmulatorProcess emulator({"--quiet"});
    EmulatorControl control(emulator);
    auto client = client_for(emulator);
    for (const char* method : {"PATCH", "PURGE"}) {
        const auto answer = client->exchange(request_to(emulator, method, "/oauth/token"));
        REQUIRE(answer.has_value());
        CHECK(answer->status == 405); // the token endpoint wants POST
        CHECK(control.request_count(std::string(method) + " /oauth/token") == 1);
    }
}

TEST_CASE("a HEAD answer is read without waiting for the body it announces") {
    EmulatorProcess emulator({"--quiet"});
    auto client = client_for(emulator);
    const auto start = std::chrono::steady_clock::now();
    const auto answer = client->exchange(request_to(emulator, "HEAD", "/hooks/in"));
    CHECK(std::chrono::steady_clock::now() - start < 5s);
    REQUIRE(answer.has_value());
    CHECK(answer->status == 404);
    CHECK(answer->body.empty());
    // The next request is answered in full, on whatever connection.
    const auto next = client->exchange(request_to(emulator, "GET", "/hooks/in"));
    REQUIRE(next.has_value());
    CHECK(next->status == 404);
    CHECK(next->body.find("not.found") != std::string::npos);
}

TEST_CASE("an answer read to its header only has status and headers and no body") {
    EmulatorProcess emulator({"--quiet"});
    auto client = client_for(emulator);
    auto request = request_to(emulator, "GET", "/hooks/in");
    request.read_body = false;
    const auto answer = client->exchange(request);
    REQUIRE(answer.has_value());
    CHECK(answer->status == 404);
    CHECK(answer->header("inin-correlation-id").has_value());
    CHECK(answer->body.empty());
}

TEST_CASE("a request's deadline ends an exchange the server holds") {
    EmulatorProcess emulator({"--quiet"});
    EmulatorControl control(emulator);
    control.add_fault({.path = "^/hooks/in$", .action = "hang", .seconds = 5});
    auto client = client_for(emulator); // its request_timeout is 30 s
    auto request = request_to(emulator, "GET", "/hooks/in");
    request.deadline = std::chrono::steady_clock::now() + 300ms;
    const auto start = std::chrono::steady_clock::now();
    const auto answer = client->exchange(request);
    CHECK(std::chrono::steady_clock::now() - start < 2s);
    REQUIRE_FALSE(answer.has_value());
    CHECK(answer.error().kind == ErrorKind::timeout);
    CHECK(answer.error().maybe_sent);
}
