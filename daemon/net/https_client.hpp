// One HTTPS exchange at a time per caller, over a pool of kept-alive TLS
// connections: hookwarden's one HTTPS client. The tenant client sends
// through it, the endpoint probe (endpoint_probe.hpp) asks with it, and the
// tests' emulator control client (tests/support/emulator_control.hpp) is
// built on it.
//
// `HttpsTransport` is the plain interface the tenant client sends through
// (tests substitute scripted transports); `HttpsClient` is the real one, on
// Boost.Beast and OpenSSL, with peer and host-name verification always on.
// This header is deliberately free of Beast and Asio: only https_client.cpp
// compiles them.
//
// A failed exchange says whether the request may have reached the server
// (`maybe_sent`): that is the whole difference between "safe to send again"
// and "the outcome is unknown" for a create (SPEC §4a).
#pragma once

#include "core/error.hpp"

#include <boost/system/result.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hookwarden {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

/// The value of the first header named `name` (case-insensitive), if any.
std::optional<std::string_view> find_header(const HttpHeaders& headers, std::string_view name);

struct HttpRequest {
    std::string host; ///< DNS name or IP literal (IPv6 without brackets)
    std::uint16_t port = 443;
    std::string method;  ///< GET, HEAD, POST, PUT, PATCH, DELETE, or any other token
    std::string target;  ///< path and query, e.g. /things?page=2
    HttpHeaders headers; ///< besides Host, Content-Length, User-Agent
    std::string body;
    /// Allows sending on a kept-alive connection. A request that must not be
    /// sent twice asks for a fresh one, so that a connection the server closed
    /// while idle cannot turn into an "outcome unknown".
    bool reuse_connection = true;
    /// Plain HTTP instead of TLS: only for probing the endpoints that the
    /// configuration allows to be http:// (allowInsecureEndpoints). Plain
    /// and TLS connections never share the pool.
    bool tls = true;
    /// False: read the answer's status line and headers only, then close
    /// the connection; the body is neither read nor limited. For callers
    /// that only ask whether something answers (the endpoint probe). A HEAD
    /// answer is always read this far only, since it has no body.
    bool read_body = true;
    /// When set, the whole exchange (lookup, connect, handshake, write,
    /// answer) must end by then, in place of the client's connect_timeout
    /// and request_timeout. Lets a caller spend one budget on several
    /// requests (the probe) or choose it per request (the test client).
    std::optional<std::chrono::steady_clock::time_point> deadline;
};

struct HttpAnswer {
    int status = 0;
    HttpHeaders headers;
    std::string body;

    std::optional<std::string_view> header(std::string_view name) const { return find_header(headers, name); }
};

/// Why an exchange produced no answer.
struct TransportFailure {
    ErrorKind kind = ErrorKind::transport; ///< transport, timeout or cancelled
    std::string message;                   ///< names host and reason; one sentence
    bool maybe_sent = false; ///< written (in part or whole) before it failed
    bool permanent = false;  ///< retrying cannot help (e.g. certificate rejected)
};

/// boost::system::result needs this to report a failure read as a value.
[[noreturn]] void throw_exception_from_error(const TransportFailure& failure, const boost::source_location& loc);

using TransportResult = boost::system::result<HttpAnswer, TransportFailure>;

class HttpsTransport {
public:
    virtual ~HttpsTransport() = default;
    /// Sends `request` and waits for its answer. Thread-safe; blocks.
    virtual TransportResult exchange(const HttpRequest& request) = 0;
    /// Abandons every exchange in flight and fails every later one at once.
    virtual void cancel() = 0;
    /// Closes the kept-alive connections that no exchange is using and frees
    /// their TLS state and buffers; later exchanges connect afresh. For
    /// callers about to go quiet for longer than a connection stays useful.
    virtual void close_idle_connections() {}
};

struct HttpsClientOptions {
    std::string ca_file;  ///< extra PEM trust anchors on top of the system store
    int max_connections = 4; ///< exchanges in flight at most; callers beyond wait
    std::chrono::milliseconds connect_timeout{5000}; ///< resolve + TCP + TLS handshake
    std::chrono::milliseconds request_timeout{30000}; ///< write + complete answer
    std::chrono::seconds idle_timeout{20}; ///< kept-alive connections idle longer are not reused (servers close them)
    std::size_t max_body = 32u << 20;
    std::function<void(std::string_view)> log; ///< debug lines, from the I/O thread; never a header value
};

/// The real transport: Beast over OpenSSL, TLS 1.2+, system trust store plus
/// `ca_file`, SNI for names, certificate host-name (or IP) verification,
/// one I/O thread of its own.
class HttpsClient final : public HttpsTransport {
public:
    /// Fails (invalid_input) when `ca_file` cannot be loaded.
    static Result<std::unique_ptr<HttpsClient>> create(HttpsClientOptions options);
    ~HttpsClient() override;

    HttpsClient(const HttpsClient&) = delete;
    HttpsClient& operator=(const HttpsClient&) = delete;

    TransportResult exchange(const HttpRequest& request) override;
    void cancel() override;
    /// Returns once the I/O thread has closed and freed them.
    void close_idle_connections() override;

    struct Impl;

private:
    explicit HttpsClient(std::shared_ptr<Impl> impl);
    std::shared_ptr<Impl> impl_;
};

} // namespace hookwarden
