// HttpsClient while a name lookup is still running: cancel() and the connect
// timeout end the exchange at once, and nothing is sent when the lookup
// finishes later.
//
// Asio resolves with getaddrinfo on a thread of its own and cannot interrupt
// it, which is the case to test; so this test binary (and only this one)
// defines getaddrinfo itself. The linker binds Asio's call to it rather than
// to the C library's. Every name but `held_name` goes straight through;
// `held_name` blocks until the test releases it and then reads as 127.0.0.1,
// where a listener notes whether anything ever connected. `misnamed_name`
// reads as 127.0.0.1 at once: the tenant emulator there has a certificate
// its CA signed for 127.0.0.1, ::1 and localhost, not for that name.
#include "tests/support/doctest_result.hpp"
#include "daemon/net/https_client.hpp"
#include "tests/support/emulator_control.hpp"
#include "tests/support/emulator_process.hpp"

#include <arpa/inet.h>
#include <dlfcn.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <future>
#include <mutex>
#include <thread>

using namespace hookwarden;
using namespace std::chrono_literals;

namespace {

constexpr const char* held_name = "held-lookup.test";
constexpr const char* misnamed_name = "misnamed-tenant.test";

struct HeldLookup {
    std::mutex mutex;
    std::condition_variable changed;
    bool entered = false;
    bool released = false;

    void reset() {
        std::lock_guard lock(mutex);
        entered = false;
        released = false;
    }
    bool wait_entered(std::chrono::milliseconds limit) {
        std::unique_lock lock(mutex);
        return changed.wait_for(lock, limit, [this] { return entered; });
    }
    void release() {
        {
            std::lock_guard lock(mutex);
            released = true;
        }
        changed.notify_all();
    }
};

HeldLookup held;

// A TCP listener on 127.0.0.1 that never accepts on its own: a connection
// the client makes waits in its backlog, where `connected()` finds it.
class Listener {
public:
    Listener() {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        REQUIRE(fd_ >= 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
        REQUIRE(::listen(fd_, 8) == 0);
        socklen_t length = sizeof address;
        REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0);
        port_ = ntohs(address.sin_port);
    }
    ~Listener() { ::close(fd_); }
    Listener(const Listener&) = delete;
    Listener& operator=(const Listener&) = delete;

    std::uint16_t port() const { return port_; }
    bool connected() const {
        const int client = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (client < 0)
            return false;
        ::close(client);
        return true;
    }

private:
    int fd_ = -1;
    std::uint16_t port_ = 0;
};

HttpRequest create_request(std::uint16_t port) {
    HttpRequest request;
    request.host = held_name;
    request.port = port;
    request.method = "POST";
    request.target = "/api/v2/webhooks";
    request.body = R"({"name":"monitor"})";
    request.reuse_connection = false;
    return request;
}

std::unique_ptr<HttpsClient> make_client(std::chrono::milliseconds connect_timeout) {
    HttpsClientOptions options;
    options.connect_timeout = connect_timeout;
    auto made = HttpsClient::create(std::move(options));
    REQUIRE(made);
    return std::move(*made);
}

} // namespace

extern "C" int getaddrinfo(const char* node, const char* service, const addrinfo* hints, addrinfo** result) {
    using Real = int (*)(const char*, const char*, const addrinfo*, addrinfo**);
    static const auto real = reinterpret_cast<Real>(::dlsym(RTLD_NEXT, "getaddrinfo"));
    if (node != nullptr && std::strcmp(node, misnamed_name) == 0)
        node = "localhost";
    if (node == nullptr || std::strcmp(node, held_name) != 0)
        return real(node, service, hints, result);
    {
        std::unique_lock lock(held.mutex);
        held.entered = true;
        held.changed.notify_all();
        held.changed.wait(lock, [] { return held.released; });
    }
    addrinfo numeric{};
    if (hints)
        numeric = *hints;
    numeric.ai_flags = (numeric.ai_flags & ~AI_ADDRCONFIG) | AI_NUMERICHOST;
    return real("127.0.0.1", service, &numeric, result);
}

TEST_CASE("cancel ends an exchange whose name lookup is still running, and nothing is sent after it") {
    held.reset();
    Listener listener;
    auto client = make_client(10s);
    auto answer = std::async(std::launch::async, [&] { return client->exchange(create_request(listener.port())); });
    REQUIRE(held.wait_entered(5s));

    client->cancel();
    const bool heard_at_once = answer.wait_for(2s) == std::future_status::ready;
    held.release();
    CHECK(heard_at_once);
    const auto result = answer.get();
    REQUIRE_FALSE(result.has_value());
    CHECK(result.error().kind == ErrorKind::cancelled);
    CHECK_FALSE(result.error().maybe_sent);

    client.reset(); // joins the I/O thread: the late lookup result has been handled
    CHECK_FALSE(listener.connected());
}

TEST_CASE("a name lookup that outlasts the connect timeout fails as a timeout, and nothing is sent after it") {
    held.reset();
    Listener listener;
    auto client = make_client(300ms);
    const auto started = std::chrono::steady_clock::now();
    auto answer = std::async(std::launch::async, [&] { return client->exchange(create_request(listener.port())); });
    REQUIRE(held.wait_entered(5s));

    const bool heard_in_time = answer.wait_for(3s) == std::future_status::ready;
    const auto waited = std::chrono::steady_clock::now() - started;
    held.release();
    CHECK(heard_in_time);
    CHECK(waited >= 300ms);
    const auto result = answer.get();
    REQUIRE_FALSE(result.has_value());
    CHECK(result.error().kind == ErrorKind::timeout);
    CHECK(result.error().message == std::string("could not resolve ") + held_name + ": timed out");
    CHECK_FALSE(result.error().maybe_sent);

    client.reset();
    CHECK_FALSE(listener.connected());
}

TEST_CASE("a name lookup that finishes in time goes on to connect") {
    // The control for the two above: the held name does reach the listener.
    held.reset();
    Listener listener;
    auto client = make_client(10s);
    auto answer = std::async(std::launch::async, [&] { return client->exchange(create_request(listener.port())); });
    REQUIRE(held.wait_entered(5s));
    held.release();
    bool connected = false;
    for (int i = 0; i < 200 && !connected; ++i) {
        connected = listener.connected();
        if (!connected)
            std::this_thread::sleep_for(10ms);
    }
    CHECK(connected);
    client->cancel(); // the listener speaks no TLS: end the handshake now
    CHECK_FALSE(answer.get().has_value());
}

TEST_CASE("a trusted certificate for another name is refused before a request is sent") {
    hookwarden::test::EmulatorProcess emulator({"--quiet"});
    hookwarden::test::EmulatorControl control(emulator);
    auto made = HttpsClient::create({.ca_file = emulator.ca_file().string()});
    REQUIRE(made);
    auto& client = **made;
    const auto request_to = [&](const char* host) {
        HttpRequest request;
        request.host = host;
        request.port = emulator.port();
        request.method = "GET";
        request.target = "/api/v2/webhooks";
        request.reuse_connection = false;
        return client.exchange(request);
    };
    // The same address and certificate under a name the certificate holds:
    // answered (401, no token), so the refusal below is the name's alone.
    const auto named = request_to("localhost");
    REQUIRE(named.has_value());
    CHECK(named->status == 401);
    REQUIRE(control.request_count("GET /api/v2/webhooks") == 1);

    const auto misnamed = request_to(misnamed_name);
    REQUIRE_FALSE(misnamed.has_value());
    CHECK(misnamed.error().kind == ErrorKind::transport);
    CHECK_MESSAGE(misnamed.error().message.find(misnamed_name) != std::string::npos, misnamed.error().message);
    CHECK_MESSAGE(misnamed.error().message.find("hostname mismatch") != std::string::npos, misnamed.error().message);
    CHECK(control.request_count("GET /api/v2/webhooks") == 1); // nothing reached the server
}
