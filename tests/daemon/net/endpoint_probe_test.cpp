// The endpoint probe over real sockets: the tenant emulator stands for a
// webhook receiver over verified TLS, a loopback listener for a plain one.
#include "daemon/net/endpoint_probe.hpp"

#include "tests/support/doctest_result.hpp"
#include "tests/support/emulator_control.hpp"
#include "tests/support/emulator_process.hpp"
#include "tests/support/file_text.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>
#include <thread>

using namespace hookwarden;
using hookwarden::testing::contains;
using namespace std::chrono_literals;
using test::EmulatorControl;
using test::EmulatorProcess;

namespace {

HttpEndpointProbe trusting(const EmulatorProcess& emulator, std::chrono::milliseconds timeout = 5s) {
    return HttpEndpointProbe({.ca_file = emulator.ca_file(), .timeout = timeout});
}

/// A plain-HTTP receiver on a loopback port: answers one connection with
/// `answer` and hands back the request it read.
class PlainListener {
  public:
    explicit PlainListener(std::string answer) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t size = sizeof address;
        REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&address), size) == 0);
        REQUIRE(::listen(fd_, 1) == 0);
        REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &size) == 0);
        port_ = ntohs(address.sin_port);
        request_ = std::async(std::launch::async, [this, answer = std::move(answer)] {
            const int peer = ::accept(fd_, nullptr, nullptr);
            std::string request;
            char chunk[1024];
            while (!contains(request, "\r\n\r\n")) {
                const auto n = ::read(peer, chunk, sizeof chunk);
                if (n <= 0)
                    break;
                request.append(chunk, static_cast<std::size_t>(n));
            }
            (void)!::write(peer, answer.data(), answer.size());
            ::close(peer);
            return request;
        });
    }
    ~PlainListener() { ::close(fd_); }

    std::uint16_t port() const { return port_; }
    std::string request() { return request_.get(); }

  private:
    int fd_ = -1;
    std::uint16_t port_ = 0;
    std::future<std::string> request_;
};

} // namespace

TEST_CASE("an endpoint that answers over verified TLS is reachable after one HEAD") {
    EmulatorProcess emulator({"--quiet"});
    EmulatorControl control(emulator);
    auto probe = trusting(emulator);
    CHECK(probe.probe(emulator.base_url() + "/hooks/in")); // 404 proves a server is there
    CHECK(control.request_count("HEAD /hooks/in") == 1);
    CHECK(control.request_count("GET /hooks/in") == 0);
}

TEST_CASE("a HEAD the endpoint refuses is asked again with GET") {
    EmulatorProcess emulator({"--quiet"});
    EmulatorControl control(emulator);
    auto probe = trusting(emulator);
    CHECK(probe.probe(emulator.base_url() + "/oauth/token")); // 405 to both: reachable
    CHECK(control.request_count("HEAD /oauth/token") == 1);
    CHECK(control.request_count("GET /oauth/token") == 1);
}

TEST_CASE("a HEAD the endpoint drops unanswered is asked again with GET") {
    EmulatorProcess emulator({"--quiet"});
    EmulatorControl control(emulator);
    control.add_fault({.method = "HEAD", .path = "^/hooks/in$", .action = "reset"});
    auto probe = trusting(emulator);
    CHECK(probe.probe(emulator.base_url() + "/hooks/in"));
    CHECK(control.request_count("GET /hooks/in") == 1);
}

TEST_CASE("an endpoint that answers 5xx fails the probe, naming the status") {
    EmulatorProcess emulator({"--quiet"});
    EmulatorControl control(emulator);
    control.add_fault({.path = "^/hooks/in$", .action = "status", .count = 2, .status = 503});
    auto probe = trusting(emulator);
    const auto probed = probe.probe(emulator.base_url() + "/hooks/in");
    REQUIRE_FALSE(probed);
    CHECK(probed.error().message == "it answered HTTP 503");
}

TEST_CASE("an endpoint where nothing listens fails the probe with a sentence saying so") {
    HttpEndpointProbe probe({});
    const auto probed = probe.probe("https://127.0.0.1:1/hooks/in");
    REQUIRE_FALSE(probed);
    CHECK(probed.error().kind == ErrorKind::transport);
    CHECK_MESSAGE(contains(probed.error().message, "could not connect to 127.0.0.1:1"), probed.error().message);
}

TEST_CASE("an endpoint whose certificate is not trusted fails the probe") {
    EmulatorProcess emulator({"--quiet"});
    HttpEndpointProbe probe({}); // the system store only
    const auto probed = probe.probe(emulator.base_url() + "/hooks/in");
    REQUIRE_FALSE(probed);
    CHECK_MESSAGE(contains(probed.error().message, "certificate was rejected"), probed.error().message);
}

TEST_CASE("an endpoint that holds the request fails the probe once its time is up") {
    EmulatorProcess emulator({"--quiet"});
    EmulatorControl control(emulator);
    control.add_fault({.path = "^/hooks/in$", .action = "hang", .count = 2, .seconds = 5});
    auto probe = trusting(emulator, 300ms);
    const auto start = std::chrono::steady_clock::now();
    const auto probed = probe.probe(emulator.base_url() + "/hooks/in");
    CHECK(std::chrono::steady_clock::now() - start < 2s);
    REQUIRE_FALSE(probed);
    CHECK_MESSAGE(contains(probed.error().message, "timed out"), probed.error().message);
    CHECK(control.request_count("GET /hooks/in") == 0); // the budget covers both requests
}

TEST_CASE("a CA file that cannot be loaded fails https probes with that error, not http ones") {
    HttpEndpointProbe probe({.ca_file = "/nonexistent/hookwarden-ca.pem"});
    const auto secure = probe.probe("https://127.0.0.1:1/");
    REQUIRE_FALSE(secure);
    CHECK(contains(secure.error().message, "/nonexistent/hookwarden-ca.pem"));

    PlainListener receiver("HTTP/1.1 204 No Content\r\n\r\n");
    CHECK(probe.probe("http://127.0.0.1:" + std::to_string(receiver.port()) + "/in"));
}

TEST_CASE("an http:// endpoint is probed in plain HTTP with a HEAD") {
    PlainListener receiver("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
    HttpEndpointProbe probe({});
    const auto port = std::to_string(receiver.port());
    CHECK(probe.probe("http://127.0.0.1:" + port + "/hooks/in?x=1"));
    const auto request = receiver.request();
    CHECK(request.starts_with("HEAD /hooks/in?x=1 HTTP/1.1\r\n"));
    CHECK(contains(request, "Host: 127.0.0.1:" + port + "\r\n"));
    CHECK(contains(request, "User-Agent: hookwarden-endpoint-probe\r\n"));
}
