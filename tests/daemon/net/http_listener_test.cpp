// HttpListener over real loopback sockets: well-behaved clients (raw HTTP
// and hookwarden's own HttpsClient over verified TLS) and hostile ones
// written byte by byte with POSIX sockets.
#include "daemon/net/http_listener.hpp"

#include "tests/emulator/emulator_tls.hpp"
#include "tests/support/doctest_result.hpp"
#include "tests/support/scratch_dir.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <future>
#include <mutex>
#include <strings.h>
#include <thread>
#include <vector>

using namespace hookwarden;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

namespace {

struct RawAnswer {
    int status = 0;
    std::string head; ///< status line and headers
    std::string body;

    bool has_header(std::string_view line) const { return ::strcasestr(head.c_str(), std::string(line).c_str()); }
};

sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    return address;
}

/// A client that writes exactly the bytes a test gives it.
class RawClient {
public:
    explicit RawClient(std::uint16_t port) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        auto address = loopback(port);
        connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    }
    ~RawClient() { close(); }
    RawClient(const RawClient&) = delete;
    RawClient& operator=(const RawClient&) = delete;

    bool connected() const { return connected_; }
    void close() {
        if (fd_ >= 0)
            ::close(fd_);
        fd_ = -1;
    }

    /// False once the server has closed (EPIPE, reset).
    bool send(std::string_view bytes) {
        while (!bytes.empty()) {
            const auto n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
            if (n <= 0)
                return false;
            bytes.remove_prefix(static_cast<std::size_t>(n));
        }
        return true;
    }

    /// One answer (Content-Length framed), or nullopt when the connection
    /// ended or `timeout` passed first.
    std::optional<RawAnswer> read_answer(std::chrono::milliseconds timeout = 5s) {
        const auto deadline = steady::now() + timeout;
        std::size_t end = 0;
        while ((end = pending_.find("\r\n\r\n")) == std::string::npos)
            if (!fill(deadline))
                return std::nullopt;
        RawAnswer answer;
        answer.head = pending_.substr(0, end + 2);
        (void)std::sscanf(answer.head.c_str(), "HTTP/1.1 %d", &answer.status); // unread, it stays 0
        std::size_t length = 0;
        if (const char* field = ::strcasestr(answer.head.c_str(), "\r\nContent-Length:"))
            length = std::stoul(field + 17);
        while (pending_.size() < end + 4 + length)
            if (!fill(deadline))
                return std::nullopt;
        answer.body = pending_.substr(end + 4, length);
        pending_.erase(0, end + 4 + length);
        return answer;
    }

    /// True when the server closes the connection (end of file or reset)
    /// within `timeout`; whatever else arrives is dropped.
    bool closed_within(std::chrono::milliseconds timeout) {
        const auto deadline = steady::now() + timeout;
        while (true) {
            pending_.clear();
            if (!fill(deadline))
                return !timed_out_;
        }
    }

private:
    bool fill(steady::time_point deadline) {
        timed_out_ = false;
        pollfd ready{fd_, POLLIN, 0};
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now()).count();
        if (left <= 0 || ::poll(&ready, 1, static_cast<int>(left)) <= 0) {
            timed_out_ = true;
            return false;
        }
        char chunk[4096];
        const auto n = ::recv(fd_, chunk, sizeof chunk, 0);
        if (n <= 0)
            return false;
        pending_.append(chunk, static_cast<std::size_t>(n));
        return true;
    }

    int fd_ = -1;
    bool connected_ = false;
    bool timed_out_ = false;
    std::string pending_;
};

std::string post(std::string_view target, std::string_view body, std::string_view extra = {}) {
    return "POST " + std::string(target) + " HTTP/1.1\r\nHost: test\r\n" + std::string(extra) +
           "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}

/// Answers 200 with "METHOD TARGET BODY" at once, counting calls.
struct Echo {
    std::shared_ptr<std::atomic<int>> calls = std::make_shared<std::atomic<int>>(0);

    HttpListener::Handler handler() const {
        return [calls = calls](const ListenerRequest& request, const AnswerSink& sink) {
            ++*calls;
            sink({200, {}, request.method + ' ' + request.target + ' ' + request.body});
        };
    }
};

std::unique_ptr<HttpListener> serve(ListenerLimits limits, HttpListener::Handler handler,
                                    HttpListener::EarlyCheck early = {},
                                    const std::optional<ListenerTls>& tls = {}) {
    auto made = HttpListener::bind("127.0.0.1:0", tls, limits, std::move(early), std::move(handler));
    REQUIRE(made);
    (*made)->start();
    return std::move(*made);
}

template <class Condition> bool eventually(Condition condition, std::chrono::milliseconds timeout = 3s) {
    const auto deadline = steady::now() + timeout;
    while (!condition()) {
        if (steady::now() > deadline)
            return false;
        std::this_thread::sleep_for(5ms);
    }
    return true;
}

} // namespace

TEST_CASE("one kept-alive connection carries many requests, pipelined ones too") {
    Echo echo;
    auto listener = serve({}, echo.handler());
    RawClient client(listener->port());
    REQUIRE(client.connected());
    for (int i = 0; i < 100; ++i) {
        REQUIRE(client.send(post("/in", std::to_string(i))));
        const auto answer = client.read_answer();
        REQUIRE(answer);
        CHECK(answer->status == 200);
        CHECK(answer->body == "POST /in " + std::to_string(i));
        CHECK(answer->has_header("Content-Type: application/json"));
    }
    REQUIRE(client.send(post("/a", "1") + post("/b", "2") + post("/c?x=1", "3")));
    for (const auto* expected : {"POST /a 1", "POST /b 2", "POST /c?x=1 3"}) {
        const auto answer = client.read_answer();
        REQUIRE(answer);
        CHECK(answer->body == expected);
    }
    CHECK(*echo.calls == 103);
    CHECK(listener->counters().requests == 103);
    CHECK(listener->counters().connections_open == 1);
}

TEST_CASE("over TLS, HttpsClient verifies the listener's certificate and reuses one connection") {
    testing::ScratchDir dir;
    const auto files = emulator::prepare_tls_dir(dir / "tls");
    REQUIRE(files);
    auto listener = serve({}, [](const ListenerRequest& request, const AnswerSink& sink) {
        sink({201, {{"X-Peer", request.peer}}, request.body});
    }, {}, ListenerTls{files->cert_file, files->key_file});
    auto client = HttpsClient::create({.ca_file = files->ca_file.string()});
    REQUIRE(client);
    std::optional<std::string> first_peer;
    for (int i = 0; i < 20; ++i) {
        const auto answer = (*client)->exchange(
            {.host = "127.0.0.1", .port = listener->port(), .method = "POST", .target = "/hooks/a",
             .headers = {{"Content-Type", "application/json"}}, .body = R"({"n":)" + std::to_string(i) + "}"});
        REQUIRE(answer.has_value());
        CHECK(answer->status == 201);
        CHECK(answer->body == R"({"n":)" + std::to_string(i) + "}");
        const auto peer = std::string(answer->header("X-Peer").value_or(""));
        CHECK(peer.rfind("127.0.0.1:", 0) == 0);
        if (!first_peer)
            first_peer = peer;
        CHECK(peer == *first_peer); // the same client port: one connection
    }
    CHECK(listener->counters().requests == 20);
}

TEST_CASE("a client that expects 100-continue is told to go on, then answered") {
    Echo echo;
    auto listener = serve({}, echo.handler());
    RawClient client(listener->port());
    REQUIRE(client.send("POST /in HTTP/1.1\r\nHost: test\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n"));
    const auto go_on = client.read_answer();
    REQUIRE(go_on);
    CHECK(go_on->status == 100);
    REQUIRE(client.send("body"));
    const auto answer = client.read_answer();
    REQUIRE(answer);
    CHECK(answer->body == "POST /in body");
}

TEST_CASE("a dual-stack listener names an IPv4 peer as IPv4") {
    auto listener = HttpListener::bind("[::]:0", std::nullopt, {}, {},
                                       [](const ListenerRequest& request, const AnswerSink& sink) {
                                           sink({200, {}, request.peer});
                                       });
    if (!listener) // no IPv6 here: nothing to tell
        return;
    (*listener)->start();
    RawClient client((*listener)->port());
    REQUIRE(client.send(post("/in", "")));
    const auto answer = client.read_answer();
    REQUIRE(answer);
    CHECK(answer->body.rfind("127.0.0.1:", 0) == 0);
}

TEST_CASE("a body larger than max_body is refused with 413 before it is sent") {
    Echo echo;
    auto listener = serve({.max_body = 1000}, echo.handler());
    RawClient client(listener->port());
    // Headers only: the 413 must come without the body ever being sent.
    REQUIRE(client.send("POST /in HTTP/1.1\r\nHost: test\r\nContent-Length: 5000\r\n\r\n"));
    const auto answer = client.read_answer();
    REQUIRE(answer);
    CHECK(answer->status == 413);
    CHECK(answer->has_header("Connection: close"));
    CHECK(client.closed_within(2s));
    CHECK(*echo.calls == 0);
    CHECK(listener->counters().refused_requests == 1);

    RawClient exact(listener->port());
    REQUIRE(exact.send(post("/in", std::string(1000, 'x'))));
    const auto fits = exact.read_answer();
    REQUIRE(fits);
    CHECK(fits->status == 200);
}

TEST_CASE("a chunked body is refused with 413 the moment it grows past max_body") {
    Echo echo;
    auto listener = serve({.max_body = 1000}, echo.handler());
    const std::string chunk = "258\r\n" + std::string(600, 'x') + "\r\n"; // 0x258 = 600 bytes
    const std::string head = "POST /in HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n";

    RawClient small(listener->port());
    REQUIRE(small.send(head + chunk + "0\r\n\r\n"));
    const auto accepted = small.read_answer();
    REQUIRE(accepted);
    CHECK(accepted->status == 200);
    CHECK(accepted->body == "POST /in " + std::string(600, 'x'));

    RawClient large(listener->port());
    // 1200 bytes and the body not even finished: refused without waiting.
    REQUIRE(large.send(head + chunk + chunk));
    const auto refused = large.read_answer();
    REQUIRE(refused);
    CHECK(refused->status == 413);
    CHECK(large.closed_within(2s));
    CHECK(*echo.calls == 1);
}

TEST_CASE("the early check refuses with its own answer before the body is read") {
    Echo echo;
    auto listener = serve({}, echo.handler(), [](const ListenerRequest& request) -> std::optional<ListenerAnswer> {
        CHECK(request.body.empty());
        if (request.target == "/in")
            return std::nullopt;
        return ListenerAnswer{404, {}, R"({"error":"no route"})"};
    });

    SUBCASE("a request with no body keeps the connection") {
        RawClient client(listener->port());
        REQUIRE(client.send("GET /elsewhere HTTP/1.1\r\nHost: test\r\n\r\n"));
        const auto refused = client.read_answer();
        REQUIRE(refused);
        CHECK(refused->status == 404);
        CHECK(refused->body == R"({"error":"no route"})");
        REQUIRE(client.send(post("/in", "after")));
        const auto served = client.read_answer();
        REQUIRE(served);
        CHECK(served->body == "POST /in after");
    }
    SUBCASE("a request with an unread body closes it") {
        RawClient client(listener->port());
        REQUIRE(client.send("POST /elsewhere HTTP/1.1\r\nHost: test\r\nContent-Length: 10\r\n\r\n"));
        const auto refused = client.read_answer();
        REQUIRE(refused);
        CHECK(refused->status == 404);
        CHECK(refused->has_header("Connection: close"));
        CHECK(client.closed_within(2s));
        CHECK(*echo.calls == 0);
    }
}

TEST_CASE("headers larger than max_header_bytes are refused with 431") {
    Echo echo;
    auto listener = serve({.max_header_bytes = 1024}, echo.handler());
    RawClient client(listener->port());
    REQUIRE(client.send("GET /in HTTP/1.1\r\nHost: test\r\nX-Big: " + std::string(4000, 'b') + "\r\n\r\n"));
    const auto answer = client.read_answer();
    REQUIRE(answer);
    CHECK(answer->status == 431);
    CHECK(client.closed_within(2s));
    CHECK(*echo.calls == 0);
}

TEST_CASE("malformed HTTP is answered 400 and the connection closed") {
    Echo echo;
    auto listener = serve({}, echo.handler());
    RawClient client(listener->port());
    REQUIRE(client.send("POST /in HTTP/1.1\r\nHost: test\r\nContent-Length: ten\r\n\r\n"));
    const auto answer = client.read_answer();
    REQUIRE(answer);
    CHECK(answer->status == 400);
    CHECK(client.closed_within(2s));
}

TEST_CASE("a client trickling its headers is cut at header_timeout in total, not per byte") {
    Echo echo;
    auto listener = serve({.header_timeout = 300ms}, echo.handler());
    RawClient client(listener->port());
    const auto started = steady::now();
    REQUIRE(client.send("POST /in HTTP/1.1\r\n"));
    bool cut = false;
    // One byte every 50 ms would keep a per-read timeout happy forever.
    while (steady::now() - started < 3s) {
        if (!client.send("X") || client.closed_within(50ms)) {
            cut = true;
            break;
        }
    }
    const auto lasted = steady::now() - started;
    CHECK(cut);
    CHECK(lasted >= 250ms);
    CHECK(lasted < 1500ms);
    // The deadline closes the socket first, then the step that waited counts it.
    CHECK(eventually([&] { return listener->counters().timeouts == 1; }));
    CHECK(*echo.calls == 0);
}

TEST_CASE("a kept-alive connection idle for idle_timeout is closed") {
    Echo echo;
    auto listener = serve({.idle_timeout = 200ms}, echo.handler());
    RawClient client(listener->port());
    REQUIRE(client.send(post("/in", "x")));
    REQUIRE(client.read_answer());
    const auto answered = steady::now();
    CHECK(client.closed_within(2s));
    CHECK(steady::now() - answered >= 150ms);
    CHECK(eventually([&] { return listener->counters().connections_open == 0; }));
    CHECK(eventually([&] { return listener->counters().timeouts == 1; }));
}

TEST_CASE("at max_connections a new connection is answered 503 with Retry-After: 1 unread") {
    Echo echo;
    auto listener = serve({.max_connections = 2}, echo.handler());
    RawClient first(listener->port());
    RawClient second(listener->port());
    REQUIRE(eventually([&] { return listener->counters().connections_open == 2; }));

    RawClient third(listener->port());
    const auto refused = third.read_answer(); // without having sent anything
    REQUIRE(refused);
    CHECK(refused->status == 503);
    CHECK(refused->has_header("Retry-After: 1"));
    CHECK(refused->has_header("Connection: close"));
    CHECK(third.closed_within(2s));
    CHECK(listener->counters().connections_refused == 1);

    REQUIRE(first.send(post("/in", "still served")));
    const auto served = first.read_answer();
    REQUIRE(served);
    CHECK(served->status == 200);
    // A slot freed is a slot taken again.
    second.close();
    REQUIRE(eventually([&] { return listener->counters().connections_open == 1; }));
    RawClient fourth(listener->port());
    REQUIRE(fourth.send(post("/in", "x")));
    const auto taken = fourth.read_answer();
    REQUIRE(taken);
    CHECK(taken->status == 200);
}

TEST_CASE("drain closes idle connections, refuses new ones, and lets a late answer complete") {
    std::mutex mutex;
    std::vector<std::thread> answerers;
    std::promise<void> slow_arrived;
    auto listener = serve({}, [&](const ListenerRequest& request, AnswerSink sink) {
        if (request.target != "/slow")
            return sink({200, {}, "fast"});
        std::lock_guard lock(mutex);
        slow_arrived.set_value();
        // The receiver's way: answered from another thread, later.
        answerers.emplace_back([sink = std::move(sink)] {
            std::this_thread::sleep_for(200ms);
            sink({200, {}, "late"});
        });
    });
    RawClient idle(listener->port());
    REQUIRE(idle.send(post("/fast", "")));
    REQUIRE(idle.read_answer());
    RawClient busy(listener->port());
    REQUIRE(busy.send(post("/slow", "")));
    slow_arrived.get_future().wait();

    const auto started = steady::now();
    auto drained = std::async(std::launch::async, [&] { return listener->drain(steady::now() + 5s); });
    CHECK(idle.closed_within(150ms)); // well before the late answer
    CHECK(eventually([&] { return !RawClient(listener->port()).connected(); }, 1s));

    const auto late = busy.read_answer();
    REQUIRE(late);
    CHECK(late->status == 200);
    CHECK(late->body == "late");
    CHECK(late->has_header("Connection: close"));
    CHECK(drained.get() == 0);
    CHECK(steady::now() - started < 2s);
    for (auto& answerer : answerers)
        answerer.join();
}

TEST_CASE("drain abandons at its deadline a request whose sink is never called; the sink stays harmless") {
    auto kept = std::make_shared<std::vector<AnswerSink>>();
    std::mutex mutex;
    auto listener = serve({}, [&](const ListenerRequest&, AnswerSink sink) {
        std::lock_guard lock(mutex);
        kept->push_back(std::move(sink));
    });
    RawClient client(listener->port());
    REQUIRE(client.send(post("/in", "")));
    REQUIRE(eventually([&] {
        std::lock_guard lock(mutex);
        return kept->size() == 1;
    }));
    const auto started = steady::now();
    CHECK(listener->drain(steady::now() + 200ms) == 1);
    CHECK(steady::now() - started >= 190ms);
    CHECK(client.closed_within(2s));
    kept->front()({200, {}, "too late"});
    listener.reset();
    kept->front()({200, {}, "later still"}); // the listener is gone
}

TEST_CASE("an answer for a client that already went away is harmless") {
    std::promise<AnswerSink> handed;
    auto listener = serve({}, [&](const ListenerRequest&, AnswerSink sink) { handed.set_value(std::move(sink)); });
    auto sink = [&] {
        RawClient client(listener->port());
        REQUIRE(client.send(post("/in", "x")));
        return handed.get_future().get();
    }(); // the client closes here
    std::this_thread::sleep_for(50ms);
    std::thread([&] { sink({200, {}, "nobody listens"}); }).join();
    sink({200, {}, "twice"}); // a second call is ignored
    CHECK(eventually([&] { return listener->counters().connections_open == 0; }));
}

TEST_CASE("adopt() serves on a socket that is already listening, as systemd hands it over") {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    auto address = loopback(0);
    socklen_t size = sizeof address;
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address), size) == 0);
    REQUIRE(::listen(fd, 16) == 0);
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) == 0);

    Echo echo;
    auto adopted = HttpListener::adopt(fd, std::nullopt, {}, {}, echo.handler());
    REQUIRE(adopted);
    auto& listener = *adopted;
    CHECK(listener->port() == ntohs(address.sin_port));
    CHECK(listener->address() == "127.0.0.1:" + std::to_string(ntohs(address.sin_port)));
    listener->start();
    RawClient client(listener->port());
    REQUIRE(client.send(post("/in", "adopted")));
    const auto answer = client.read_answer();
    REQUIRE(answer);
    CHECK(answer->body == "POST /in adopted");
}

TEST_CASE("adopt() refuses a socket that is not listening") {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    const auto adopted = HttpListener::adopt(fd, std::nullopt, {}, {}, Echo{}.handler());
    REQUIRE_FALSE(adopted);
    CHECK(adopted.error().message.find("not listening") != std::string::npos);
}

TEST_CASE("bind() reports a malformed address, a taken port and an unloadable certificate by name") {
    CHECK(HttpListener::bind("127.0.0.1", std::nullopt, {}, {}, Echo{}.handler()).error().kind ==
          ErrorKind::invalid_input);
    CHECK(HttpListener::bind("::1:80", std::nullopt, {}, {}, Echo{}.handler()).error().kind ==
          ErrorKind::invalid_input);

    auto taken = HttpListener::bind("127.0.0.1:0", std::nullopt, {}, {}, Echo{}.handler());
    REQUIRE(taken);
    const auto again = HttpListener::bind((*taken)->address(), std::nullopt, {}, {}, Echo{}.handler());
    REQUIRE_FALSE(again);
    CHECK(again.error().kind == ErrorKind::io);
    CHECK(again.error().message.find((*taken)->address()) != std::string::npos);

    auto v6 = HttpListener::bind("[::1]:0", std::nullopt, {}, {}, Echo{}.handler());
    if (v6) // a machine without IPv6 loopback cannot tell
        CHECK((*v6)->address().rfind("[::1]:", 0) == 0);

    testing::ScratchDir dir;
    const auto missing = dir / "missing.pem";
    const auto no_cert = HttpListener::bind("127.0.0.1:0", ListenerTls{missing, missing}, {}, {}, Echo{}.handler());
    REQUIRE_FALSE(no_cert);
    CHECK(no_cert.error().kind == ErrorKind::invalid_input);
    CHECK(no_cert.error().message.find(missing.string()) != std::string::npos);
}
