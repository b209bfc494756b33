// The emulator's HTTPS server, shaped like Boost.Beast's advanced server
// example: a Listener accepts connections, and one Session per connection
// walks through handshake → read → (handle) → write → read ... → shutdown,
// one member per step, with a timeout set before every operation. The only
// decisions made here are about the connection; what to answer is the
// Router's business.
#include "tests/emulator/emulator_server.hpp"

#include "tests/emulator/emulator_routes.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unistd.h>
#include <vector>

namespace hookwarden::emulator {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

constexpr auto kHandshakeTimeout = 10s;
constexpr auto kIdleTimeout = 30s; // how long a keep-alive connection may wait for a request
constexpr auto kWriteTimeout = 30s;
constexpr auto kShutdownTimeout = 2s;
constexpr std::uint64_t kMaxBody = std::uint64_t{1024} * 1024;
// After refusing a body as too large: how long to keep reading (and
// discarding) what the client still sends, so that closing does not reset
// the connection under the 413 before the client has read it.
constexpr auto kDrainQuiet = 2s;  // the client went quiet
constexpr auto kDrainTotal = 10s; // at most

/// One line per request on stderr, whole lines even with many threads.
class RequestLog {
  public:
    explicit RequestLog(bool quiet) : quiet_(quiet) {}

    void request(const std::string& method, const std::string& target, const std::string& outcome,
                 std::chrono::steady_clock::duration took) {
        if (quiet_)
            return;
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(took).count();
        write(method + ' ' + target + ' ' + outcome + ' ' + std::to_string(ms) + "ms");
    }
    void failure(const beast::error_code& ec, const char* what) {
        if (!quiet_)
            write(std::string("connection: ") + what + " failed: " + ec.message());
    }

  private:
    void write(const std::string& line) {
        std::lock_guard lock(mutex_);
        std::cerr << "hookwarden-emulator: " << line << '\n' << std::flush;
    }

    bool quiet_;
    std::mutex mutex_;
};

bool is_loopback(const tcp::endpoint& peer) {
    const auto address = peer.address();
    if (address.is_v6() && address.to_v6().is_v4_mapped())
        return net::ip::make_address_v4(net::ip::v4_mapped, address.to_v6()).is_loopback();
    return address.is_loopback();
}

class Session : public std::enable_shared_from_this<Session> {
  public:
    Session(tcp::socket&& socket, ssl::context& tls, Router& router, RequestLog& log)
        : stream_(std::move(socket), tls), timer_(stream_.get_executor()), router_(router),
          log_(log) {
        beast::error_code ec;
        const auto peer = beast::get_lowest_layer(stream_).socket().remote_endpoint(ec);
        loopback_ = !ec && is_loopback(peer);
    }

    void run() {
        // The socket came from the acceptor on a strand of its own: start on it.
        net::dispatch(stream_.get_executor(),
                      beast::bind_front_handler(&Session::on_run, shared_from_this()));
    }

  private:
    void on_run() {
        beast::get_lowest_layer(stream_).expires_after(kHandshakeTimeout);
        stream_.async_handshake(
            ssl::stream_base::server,
            beast::bind_front_handler(&Session::on_handshake, shared_from_this()));
    }

    void on_handshake(beast::error_code ec) {
        if (ec)
            return fail(ec, "TLS handshake");
        do_read();
    }

    void do_read() {
        parser_.emplace();
        parser_->body_limit(kMaxBody);
        beast::get_lowest_layer(stream_).expires_after(kIdleTimeout);
        http::async_read(stream_, buffer_, *parser_,
                         beast::bind_front_handler(&Session::on_read, shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t) {
        if (ec == http::error::end_of_stream)
            return do_close();
        started_ = std::chrono::steady_clock::now();
        // The parser stops at the header when Content-Length is over the
        // limit (mid-body when chunked): answer 413, as a real server does.
        if (ec == http::error::body_limit)
            return refuse_too_large();
        if (ec)
            return fail(ec, "reading a request");
        handle(parser_->release());
    }

    /// The request line and header fields; the body is the caller's business.
    HttpRequest request_of(const http::request<http::string_body>& request) {
        HttpRequest in;
        in.method = std::string(request.method_string());
        in.target = std::string(request.target());
        for (const auto& field : request)
            in.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
        in.from_loopback = loopback_;
        method_ = in.method;
        target_ = in.target;
        return in;
    }

    void refuse_too_large() {
        const auto& request = parser_->get();
        drain_after_write_ = true;
        write(router_.refuse_too_large(request_of(request), kMaxBody), request.version(), false);
    }

    void handle(http::request<http::string_body> request) {
        HttpRequest in = request_of(request);
        in.body = std::move(request.body());

        HttpResponse out = router_.handle(in);
        switch (out.disposition) {
        case Disposition::reset:
            log_.request(method_, target_, "reset (fault)", elapsed());
            return do_reset();
        case Disposition::commit_then_reset:
            log_.request(method_, target_, "reset after commit (fault)", elapsed());
            return do_reset();
        case Disposition::hang:
            timer_.expires_after(out.delay);
            return timer_.async_wait(
                beast::bind_front_handler(&Session::on_hang_over, shared_from_this()));
        case Disposition::answer:
            break;
        }

        write(std::move(out), request.version(), request.keep_alive());
    }

    void write(HttpResponse out, unsigned version, bool keep_alive) {
        response_ = {};
        response_.version(version);
        response_.result(static_cast<unsigned>(out.status));
        response_.keep_alive(keep_alive);
        for (auto& [name, value] : out.headers)
            response_.insert(name, value);
        response_.body() = std::move(out.body);
        response_.prepare_payload();
        do_write();
    }

    void do_write() {
        beast::get_lowest_layer(stream_).expires_after(kWriteTimeout);
        http::async_write(stream_, response_,
                          beast::bind_front_handler(&Session::on_write, shared_from_this()));
    }

    void on_write(beast::error_code ec, std::size_t) {
        log_.request(method_, target_, std::to_string(response_.result_int()), elapsed());
        if (ec)
            return fail(ec, "writing a response");
        if (drain_after_write_) {
            drain_until_ = std::chrono::steady_clock::now() + kDrainTotal;
            return do_drain();
        }
        if (!response_.keep_alive())
            return do_close();
        do_read();
    }

    void do_drain() {
        beast::get_lowest_layer(stream_).expires_at(
            std::min(std::chrono::steady_clock::now() + kDrainQuiet, drain_until_));
        stream_.async_read_some(net::buffer(drain_buffer_),
                                beast::bind_front_handler(&Session::on_drain, shared_from_this()));
    }

    void on_drain(beast::error_code ec, std::size_t) {
        if (!ec)
            return do_drain(); // discarded
        if (ec == beast::error::timeout)
            return; // quiet or too long: the timeout closed the socket
        do_close(); // the client closed its side (or failed): close ours
    }

    void on_hang_over(beast::error_code) {
        log_.request(method_, target_, "closed unanswered (fault: hang)", elapsed());
        // Close without TLS close_notify, like a server that gave up.
        beast::error_code ignored;
        beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_both, ignored);
        beast::get_lowest_layer(stream_).close();
    }

    void do_reset() {
        // SO_LINGER with a zero timeout makes close() send a TCP RST: the
        // client sees "connection reset by peer", not an orderly end.
        beast::error_code ignored;
        auto& socket = beast::get_lowest_layer(stream_).socket();
        socket.set_option(net::socket_base::linger(true, 0), ignored);
        beast::get_lowest_layer(stream_).close();
    }

    void do_close() {
        beast::get_lowest_layer(stream_).expires_after(kShutdownTimeout);
        stream_.async_shutdown(
            beast::bind_front_handler(&Session::on_shutdown, shared_from_this()));
    }

    void on_shutdown(beast::error_code) {
        // Whatever the outcome, the connection is over; the socket closes
        // when this session is destroyed.
    }

    void fail(beast::error_code ec, const char* what) {
        // A client that closes the TCP connection without a TLS close_notify
        // produces stream_truncated. Clients do this all the time after their
        // last answer, and no data is at stake (HTTP framing tells where
        // messages end), so it is not worth a log line. Neither is an idle
        // keep-alive connection timing out.
        if (ec == net::ssl::error::stream_truncated || ec == beast::error::timeout ||
            ec == net::error::operation_aborted || ec == net::error::eof)
            return;
        log_.failure(ec, what);
    }

    std::chrono::steady_clock::duration elapsed() const {
        return std::chrono::steady_clock::now() - started_;
    }

    beast::ssl_stream<beast::tcp_stream> stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    http::response<http::string_body> response_;
    net::steady_timer timer_;
    Router& router_;
    RequestLog& log_;
    bool loopback_ = false;
    std::chrono::steady_clock::time_point started_;
    bool drain_after_write_ = false; ///< a body was refused unread: drain, then close
    std::chrono::steady_clock::time_point drain_until_;
    std::array<char, std::size_t{16} * 1024> drain_buffer_{};
    std::string method_;
    std::string target_;
};

class Listener : public std::enable_shared_from_this<Listener> {
  public:
    Listener(net::io_context& io, ssl::context& tls, Router& router, Tenant& tenant,
             RequestLog& log)
        : io_(io), acceptor_(net::make_strand(io)), tls_(tls), router_(router), tenant_(tenant),
          log_(log) {}

    Result<tcp::endpoint> open(const tcp::endpoint& endpoint) {
        beast::error_code ec;
        acceptor_.open(endpoint.protocol(), ec);
        if (!ec)
            acceptor_.set_option(net::socket_base::reuse_address(true), ec);
        if (!ec)
            acceptor_.bind(endpoint, ec);
        if (!ec)
            acceptor_.listen(net::socket_base::max_listen_connections, ec);
        if (ec)
            return make_error(ErrorKind::io,
                              "Could not listen on " + endpoint.address().to_string() + " port " +
                                  std::to_string(endpoint.port()) + ": " + ec.message());
        return acceptor_.local_endpoint();
    }

    void run() { do_accept(); }

  private:
    void do_accept() {
        acceptor_.async_accept(net::make_strand(io_),
                               beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
    }

    void on_accept(beast::error_code ec, tcp::socket socket) {
        if (ec == net::error::operation_aborted)
            return; // stopped
        if (ec) {
            log_.failure(ec, "accepting a connection");
        } else {
            tenant_.count_connection();
            std::make_shared<Session>(std::move(socket), tls_, router_, log_)->run();
        }
        do_accept();
    }

    net::io_context& io_;
    tcp::acceptor acceptor_;
    ssl::context& tls_;
    Router& router_;
    Tenant& tenant_;
    RequestLog& log_;
};

/// Reads and discards stdin until its end, then calls `on_end` once.
class StdinWatch : public std::enable_shared_from_this<StdinWatch> {
  public:
    StdinWatch(net::io_context& io, std::function<void()> on_end)
        : input_(io, ::dup(STDIN_FILENO)), on_end_(std::move(on_end)) {}

    void run() { do_read(); }

  private:
    void do_read() {
        input_.async_read_some(net::buffer(buffer_),
                               beast::bind_front_handler(&StdinWatch::on_read, shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t) {
        if (ec == net::error::operation_aborted)
            return; // the server is stopping anyway
        if (ec)
            return on_end_(); // end of file, or stdin is gone: either way, stop
        do_read();
    }

    net::posix::stream_descriptor input_;
    std::array<char, 256> buffer_{};
    std::function<void()> on_end_;
};

} // namespace

Result<void> serve(const ServerOptions& options, Tenant& tenant, DeliveryQueue* deliveries) {
    beast::error_code ec;
    const auto address = net::ip::make_address(options.listen, ec);
    if (ec)
        return make_error(ErrorKind::invalid_input,
                          "--listen '" + options.listen + "' is not an IP address");

    ssl::context tls(ssl::context::tls_server);
    tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                        ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1,
                    ec);
    if (!ec)
        tls.use_certificate_chain_file(options.cert_file.string(), ec);
    if (!ec)
        tls.use_private_key_file(options.key_file.string(), ssl::context::pem, ec);
    if (ec)
        return make_error(ErrorKind::io, "Could not load the TLS certificate " +
                                             options.cert_file.string() + " and key " +
                                             options.key_file.string() + ": " + ec.message());

    RequestLog log(options.quiet);
    Router router(tenant, deliveries);
    const int threads = std::max(1, options.threads);
    net::io_context io(threads);

    auto listener = std::make_shared<Listener>(io, tls, router, tenant, log);
    const auto bound = listener->open(tcp::endpoint(address, options.port));
    if (!bound)
        return bound.error();
    listener->run();

    // Stopping the loop runs no further handler: nothing more is accepted,
    // and sessions in flight are abandoned (their sockets close as the
    // io_context destroys them, together with the listener).
    const auto stop = [&io] { io.stop(); };
    net::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](beast::error_code, int) { stop(); });
    if (options.stop_at_stdin_eof)
        std::make_shared<StdinWatch>(io, stop)->run();

    const std::string host = bound->address().is_v6() ? '[' + bound->address().to_string() + ']'
                                                      : bound->address().to_string();
    // Whoever started the emulator waits for this line: unwritten, serving is pointless.
    if (std::printf("listening on https://%s:%u\n", host.c_str(), unsigned(bound->port())) < 0 ||
        std::fflush(stdout) != 0)
        return make_error(ErrorKind::io, std::string("could not write the listening address to stdout: ") +
                                             std::strerror(errno));

    std::vector<std::thread> pool;
    pool.reserve(std::size_t(threads - 1));
    for (int i = 1; i < threads; ++i)
        pool.emplace_back([&io] { io.run(); });
    io.run();
    for (auto& t : pool)
        t.join();
    return {};
}

} // namespace hookwarden::emulator
