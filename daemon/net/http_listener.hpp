// hookwarden's HTTP/1.1 server side: the listener `hookwarden receive` takes
// deliveries on. Plain C++ on purpose — only http_listener.cpp compiles
// Beast and Asio.
//
// A listener owns its listening socket (bound here, or adopted from systemd
// socket activation), a few I/O threads and every connection. It is built
// to face the open internet: each phase of a request has a deadline (a
// client trickling bytes is cut when the phase's time is up, not reset per
// byte), the number of connections is capped, no buffer grows beyond the
// limits, and a body that cannot fit is refused with 413 before it is read.
// What to answer is the caller's: an `EarlyCheck` sees the request line and
// headers before the body is read, the `Handler` the whole request, and the
// handler may answer later from any thread (the receiver answers after its
// group fsync). `drain` is the graceful stop of SIGTERM.
#pragma once

#include "core/error.hpp"
#include "daemon/net/https_client.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace hookwarden {

/// One request as the listener read it.
struct ListenerRequest {
    std::string method;
    std::string target;   ///< as sent (path + query)
    HttpHeaders headers;  ///< names as sent, in order
    std::string body;     ///< empty at the early check
    std::string peer;     ///< "127.0.0.1:54321", "[::1]:54321"

    /// The value of the first header named `name` (case-insensitive).
    std::optional<std::string_view> header(std::string_view name) const { return find_header(headers, name); }
};

/// What to answer. Content-Length and Connection are the listener's.
struct ListenerAnswer {
    int status = 200; ///< 200..599; anything else is sent as 500
    HttpHeaders headers; ///< e.g. Retry-After; Content-Type defaults to application/json when body non-empty
    std::string body;
};

/// Answers one request. Called exactly once, from any thread; the listener
/// writes the answer on the connection's own thread. Calling it after the
/// client went away, or after the listener was destroyed, does nothing.
using AnswerSink = std::function<void(ListenerAnswer)>;

struct ListenerLimits {
    std::uint64_t max_body = 1 << 20;
    std::size_t max_header_bytes = std::size_t{16} * 1024; ///< request line + headers; more is refused with 431
    /// First byte .. end of headers; also a new connection's TLS handshake
    /// and wait for its first byte. Not reset per byte: a client trickling
    /// its headers is cut when the time is up.
    std::chrono::milliseconds header_timeout{10'000};
    std::chrono::milliseconds body_timeout{30'000};   ///< end of headers .. end of body
    std::chrono::milliseconds idle_timeout{30'000};   ///< keep-alive wait for the next request's first byte
    std::chrono::milliseconds answer_timeout{30'000}; ///< writing the answer
    /// Connections open at most; one more is answered 503 (Retry-After: 1)
    /// without reading it (over TLS, after the handshake), and closed.
    std::size_t max_connections = 512;
    int threads = 2; ///< I/O threads
};

/// A PEM certificate chain and its private key: the listener speaks TLS 1.2+.
struct ListenerTls {
    std::filesystem::path cert_file, key_file;
};

/// Since the listener was made; connections_open is the current number.
struct ListenerCounters {
    std::uint64_t connections_open = 0;
    std::uint64_t connections_refused = 0; ///< at the connection cap
    std::uint64_t requests = 0;            ///< whose headers were read
    std::uint64_t timeouts = 0;            ///< connections cut by a deadline (idle ones included)
    /// Requests the listener refused itself, before any handler: 413 (body
    /// over max_body), 431 (headers too large), 400 (not HTTP/1.1).
    std::uint64_t refused_requests = 0;
};

class HttpListener {
public:
    /// Called with the request line and headers (body empty) before the body
    /// is read: returns an answer to refuse at once (the receiver's route
    /// check → 404), or nullopt to go on. Runs on an I/O thread: must be quick.
    using EarlyCheck = std::function<std::optional<ListenerAnswer>(const ListenerRequest&)>;
    /// The whole request; answer through the sink (possibly later, from
    /// another thread — the receiver answers after its group fsync). Runs on
    /// an I/O thread: hand slow work elsewhere.
    using Handler = std::function<void(ListenerRequest, AnswerSink)>;

    /// Binds `listen` ("HOST:PORT", IPv6 as "[::1]:8088"; port 0 = any).
    /// Fails (invalid_input) on a malformed address or a certificate or key
    /// that cannot be loaded, naming the file; (io) when the address cannot
    /// be bound. Serves nothing before start().
    static Result<std::unique_ptr<HttpListener>> bind(const std::string& listen,
                                                      const std::optional<ListenerTls>& tls,
                                                      ListenerLimits limits, EarlyCheck early,
                                                      Handler handler);
    /// Adopts an already listening stream socket (systemd socket activation:
    /// SD_LISTEN_FDS_START), same otherwise. The listener owns `fd` from
    /// then on, also when this fails.
    static Result<std::unique_ptr<HttpListener>> adopt(int fd,
                                                       const std::optional<ListenerTls>& tls,
                                                       ListenerLimits limits, EarlyCheck early,
                                                       Handler handler);
    /// Closes every connection (requests in flight are abandoned) and joins
    /// the I/O threads. Sinks still held elsewhere stay safe to call.
    ~HttpListener();

    HttpListener(const HttpListener&) = delete;
    HttpListener& operator=(const HttpListener&) = delete;

    std::uint16_t port() const;   ///< the bound port
    std::string address() const;  ///< "127.0.0.1:8088", "[::1]:8088"
    /// Starts `threads` I/O threads and accepting. Once only.
    void start();
    /// Stops accepting, closes idle keep-alive connections, lets requests in
    /// flight finish (their sink still works; their answer closes the
    /// connection) until `deadline`, then closes everything. Returns the
    /// number of requests abandoned (0 = clean).
    std::size_t drain(std::chrono::steady_clock::time_point deadline);
    ListenerCounters counters() const;

    struct Impl;

private:
    explicit HttpListener(std::shared_ptr<Impl> impl);
    std::shared_ptr<Impl> impl_;
};

} // namespace hookwarden
