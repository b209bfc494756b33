// hookwarden's one HTTPS client on Boost.Beast and OpenSSL: the one
// translation unit of the client that compiles Beast and Asio.
//
// Callers block in `exchange`; the work happens on one I/O thread of the
// client's own. Each exchange is an `Exchange` object whose members are the
// steps of its story (on_resolve, on_connect, on_handshake, on_write,
// on_read) and which ends in exactly one `finish`. A connection is TLS
// unless the request asks for plain HTTP (the endpoint probe of an http://
// endpoint); both kinds take the same steps, the plain one without the
// handshake. Connections that the server keeps alive go back to a pool
// keyed by scheme, host and port; all pool and bookkeeping state is touched
// only on the I/O thread, so it needs no lock.
#include "daemon/net/https_client.hpp"

#include "daemon/net/tls_client.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <strings.h>
#include <thread>

namespace hookwarden {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using steady = std::chrono::steady_clock;

std::optional<std::string_view> find_header(const HttpHeaders& headers, std::string_view name) {
    for (const auto& [key, value] : headers) {
        if (key.size() == name.size() && ::strncasecmp(key.data(), name.data(), name.size()) == 0)
            return std::string_view(value);
    }
    return std::nullopt;
}

void throw_exception_from_error(const TransportFailure& failure, const boost::source_location&) {
    throw ErrorException(make_error(failure.kind, failure.message));
}

namespace {

struct Connection {
    Connection(asio::io_context& io, ssl::context& context, bool secure) : stream(io, context), tls(secure) {}

    // A plain connection is the TCP layer of an SSL stream whose TLS side
    // is never used: one type for both, at the cost of an idle SSL object.
    beast::ssl_stream<beast::tcp_stream> stream;
    bool tls;
    beast::flat_buffer buffer;
    steady::time_point idle_since;

    /// Calls `step` with the stream that carries HTTP: TLS or plain TCP.
    template <class Step> void with_http_stream(Step&& step) {
        if (tls)
            step(stream);
        else
            step(stream.next_layer());
    }

    void close() {
        error_code ignored;
        beast::get_lowest_layer(stream).socket().close(ignored);
    }

    // A kept-alive connection the server has since closed reads as EOF (or
    // has a close_notify waiting); sending on it would fail after the write,
    // which for a create would mean "outcome unknown". Peek without blocking.
    bool looks_alive() {
        auto& socket = beast::get_lowest_layer(stream).socket();
        if (!socket.is_open() || buffer.size() != 0)
            return false;
        char byte = 0;
        const auto n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
        return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
    }
};

std::string bracketed_host(const std::string& host) {
    return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

std::string endpoint_name(const HttpRequest& request) {
    return bracketed_host(request.host) + ':' + std::to_string(request.port);
}

// Plain and TLS connections to one host and port must not be mixed up.
std::string pool_key(const HttpRequest& request) {
    return (request.tls ? "https://" : "http://") + endpoint_name(request);
}

class Exchange;

} // namespace

struct HttpsClient::Impl {
    Impl(HttpsClientOptions o, ssl::context context) : options(std::move(o)), tls(std::move(context)) {}

    void log(const std::string& line) const {
        if (options.log)
            options.log(line);
    }

    HttpsClientOptions options;
    asio::io_context io{1};
    ssl::context tls;
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
    std::thread thread;
    std::atomic<bool> cancelled{false};

    // Admission of callers (any thread).
    std::mutex mutex;
    std::condition_variable slot_freed;
    int busy = 0;

    // I/O thread only.
    std::map<std::string, std::vector<std::unique_ptr<Connection>>> idle;
    std::set<Exchange*> active;

    std::unique_ptr<Connection> take_idle(const std::string& key) {
        auto it = idle.find(key);
        if (it == idle.end())
            return nullptr;
        auto& pool = it->second;
        while (!pool.empty()) {
            auto connection = std::move(pool.back());
            pool.pop_back();
            if (steady::now() - connection->idle_since < options.idle_timeout && connection->looks_alive())
                return connection;
            connection->close();
        }
        return nullptr;
    }

    void give_back(const std::string& key, std::unique_ptr<Connection> connection) {
        auto& pool = idle[key];
        if (cancelled || pool.size() >= static_cast<std::size_t>(std::max(options.max_connections, 1))) {
            connection->close();
            return;
        }
        connection->idle_since = steady::now();
        pool.push_back(std::move(connection));
    }

    void close_idle() {
        for (auto& [key, pool] : idle) {
            for (auto& connection : pool)
                connection->close();
        }
        idle.clear();
    }

    void abandon_everything();
};

namespace {

class Exchange : public std::enable_shared_from_this<Exchange> {
public:
    Exchange(std::shared_ptr<HttpsClient::Impl> client, const HttpRequest& request)
        : client_(std::move(client)), key_(endpoint_name(request)), pool_key_(pool_key(request)),
          host_(request.host), port_(request.port), reuse_(request.reuse_connection), tls_(request.tls),
          read_body_(request.read_body), deadline_(request.deadline), resolver_(client_->io),
          resolve_timer_(client_->io) {
        request_.method_string(request.method); // a verb Beast does not know is sent as written
        request_.target(request.target);
        request_.version(11);
        const bool default_port = request.port == (request.tls ? 443 : 80);
        request_.set(http::field::host, default_port ? bracketed_host(host_) : key_);
        request_.set(http::field::user_agent, "hookwarden/0.1");
        for (const auto& [name, value] : request.headers)
            request_.set(name, value);
        request_.body() = request.body;
        request_.prepare_payload();
    }

    ~Exchange() {
        // Destroyed with its handlers when the client shuts down mid-flight:
        // the waiting caller must still hear something.
        if (!finished_)
            promise_.set_value(TransportResult(TransportFailure{ErrorKind::cancelled,
                                                                "the request to " + key_ + " was abandoned",
                                                                sent_, false}));
    }

    std::future<TransportResult> future() { return promise_.get_future(); }

    void start() {
        if (client_->cancelled)
            return fail_cancelled();
        client_->active.insert(this);
        if (reuse_) {
            connection_ = client_->take_idle(pool_key_);
            if (connection_)
                return send();
        }
        resolve();
    }

    // Called on the I/O thread by cancel(). With a connection, every pending
    // operation completes with operation_aborted and the step that sees it
    // reports `cancelled`. Without one the name lookup is still running, and
    // resolver.cancel() cannot interrupt a getaddrinfo in progress: the
    // caller hears now, and on_resolve, whenever it comes, sends nothing.
    void abort() {
        resolver_.cancel();
        resolve_timer_.cancel();
        if (!connection_)
            return fail_cancelled();
        connection_->close();
    }

private:
    void resolve() {
        connect_deadline_ = deadline_ ? *deadline_ : steady::now() + client_->options.connect_timeout;
        resolve_timer_.expires_at(connect_deadline_);
        // The lookup took too long. Cancelling the resolver cannot end a
        // getaddrinfo already running, so the exchange fails here; the late
        // on_resolve finds it finished.
        resolve_timer_.async_wait([self = shared_from_this()](error_code ec) {
            if (ec || self->connection_) // cancelled, or the lookup finished in time
                return;
            self->resolver_.cancel();
            self->fail(ErrorKind::timeout, "could not resolve " + self->host_ + ": timed out", false);
        });
        resolver_.async_resolve(
            host_, std::to_string(port_),
            [self = shared_from_this()](error_code ec, const tcp::resolver::results_type& results) {
                self->on_resolve(ec, results);
            });
    }

    void on_resolve(error_code ec, const tcp::resolver::results_type& results) {
        // Timed out or cancelled while the lookup ran: nothing may go out.
        if (finished_ || client_->cancelled)
            return fail_cancelled();
        resolve_timer_.cancel();
        if (ec)
            return fail(ErrorKind::transport, "could not resolve " + host_ + ": " + ec.message(), false);
        connection_ = std::make_unique<Connection>(client_->io, client_->tls, tls_);
        // The chain is checked by the context; the name (or IP address) we
        // dialled, here.
        if (tls_) {
            if (auto verifying = verify_peer_as(connection_->stream.native_handle(), host_); !verifying)
                return finish(TransportFailure{ErrorKind::transport, verifying.error().message, false, true});
        }
        auto& tcp_layer = beast::get_lowest_layer(connection_->stream);
        tcp_layer.expires_at(connect_deadline_);
        tcp_layer.async_connect(results, [self = shared_from_this()](error_code e, const tcp::endpoint&) {
            self->on_connect(e);
        });
    }

    void on_connect(error_code ec) {
        if (ec)
            return fail_from(ec, "could not connect to " + key_, false);
        client_->log("connected to " + key_);
        if (!tls_)
            return send();
        connection_->stream.async_handshake(ssl::stream_base::client,
                                            [self = shared_from_this()](error_code e) { self->on_handshake(e); });
    }

    void on_handshake(error_code ec) {
        if (!ec)
            return send();
        const long verify = SSL_get_verify_result(connection_->stream.native_handle());
        if (verify != X509_V_OK && !client_->cancelled) {
            return finish(TransportFailure{ErrorKind::transport,
                                           "the TLS handshake with " + key_ + " failed: its certificate was rejected: " +
                                               X509_verify_cert_error_string(verify),
                                           false, true});
        }
        fail_from(ec, "the TLS handshake with " + key_ + " failed", false);
    }

    void send() {
        auto& tcp_layer = beast::get_lowest_layer(connection_->stream);
        if (deadline_)
            tcp_layer.expires_at(*deadline_);
        else
            tcp_layer.expires_after(client_->options.request_timeout);
        sent_ = true;
        connection_->with_http_stream([&](auto& stream) {
            http::async_write(stream, request_,
                              [self = shared_from_this()](error_code ec, std::size_t) { self->on_write(ec); });
        });
    }

    void on_write(error_code ec) {
        // A failed write may still have delivered the request: a create
        // must be treated as possibly applied.
        if (ec)
            return fail_from(ec, "sending the request to " + key_ + " failed", true);
        parser_.emplace();
        // A HEAD answer announces a body it never sends: without skip the
        // parser would wait for it until the deadline.
        if (request_.method() == http::verb::head)
            parser_->skip(true);
        connection_->with_http_stream([&](auto& stream) {
            auto on_read = [self = shared_from_this()](error_code e, std::size_t) { self->on_read(e); };
            if (read_body_) {
                parser_->body_limit(client_->options.max_body);
                http::async_read(stream, connection_->buffer, *parser_, std::move(on_read));
            } else {
                // The body stays unread, so its size is no concern: a limit
                // would refuse a header that merely announces a large one.
                parser_->body_limit(boost::none);
                http::async_read_header(stream, connection_->buffer, *parser_, std::move(on_read));
            }
        });
    }

    void on_read(error_code ec) {
        if (ec) {
            if (ec == http::error::body_limit)
                return fail(ErrorKind::transport, "the answer of " + key_ + " is larger than the limit", true);
            return fail_from(ec, "reading the answer of " + key_ + " failed", true);
        }
        auto& message = parser_->get();
        HttpAnswer answer;
        answer.status = static_cast<int>(message.result_int());
        for (const auto& field : message)
            answer.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
        answer.body = std::move(message.body());
        // With its body unread the connection is mid-answer: it closes.
        if (message.keep_alive() && parser_->is_done())
            client_->give_back(pool_key_, std::move(connection_));
        finish(std::move(answer));
    }

    void fail_from(error_code ec, const std::string& what, bool maybe_sent) {
        if (client_->cancelled)
            return fail_cancelled();
        if (ec == beast::error::timeout)
            return fail(ErrorKind::timeout, what + ": timed out", maybe_sent);
        fail(ErrorKind::transport, what + ": " + ec.message(), maybe_sent);
    }

    void fail(ErrorKind kind, std::string message, bool maybe_sent) {
        finish(TransportFailure{kind, std::move(message), maybe_sent, false});
    }

    void fail_cancelled() {
        finish(TransportFailure{ErrorKind::cancelled, "the request to " + key_ + " was cancelled", sent_, false});
    }

    void finish(TransportResult result) {
        if (finished_)
            return;
        finished_ = true;
        client_->active.erase(this);
        if (connection_) // not handed back: an error, or the server closes it
            connection_->close();
        promise_.set_value(std::move(result));
    }

    std::shared_ptr<HttpsClient::Impl> client_;
    std::string key_;
    std::string pool_key_;
    std::string host_;
    std::uint16_t port_;
    bool reuse_;
    bool tls_;
    bool read_body_;
    std::optional<steady::time_point> deadline_;
    http::request<http::string_body> request_;
    tcp::resolver resolver_;
    asio::steady_timer resolve_timer_;
    steady::time_point connect_deadline_;
    std::unique_ptr<Connection> connection_;
    std::optional<http::response_parser<http::string_body>> parser_;
    std::promise<TransportResult> promise_;
    bool sent_ = false;
    bool finished_ = false;
};

} // namespace

void HttpsClient::Impl::abandon_everything() {
    for (auto* exchange : std::set<Exchange*>(active))
        exchange->abort();
    close_idle();
}

Result<std::unique_ptr<HttpsClient>> HttpsClient::create(HttpsClientOptions options) {
    auto tls = make_tls_client_context(options.ca_file);
    if (!tls)
        return tls.error();
    auto impl = std::make_shared<Impl>(std::move(options), std::move(*tls));
    impl->work.emplace(impl->io.get_executor());
    impl->thread = std::thread([raw = impl.get()] { raw->io.run(); });
    return std::unique_ptr<HttpsClient>(new HttpsClient(std::move(impl)));
}

HttpsClient::HttpsClient(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpsClient::~HttpsClient() {
    // Cancelling closes every socket, so every pending operation completes
    // and the I/O thread runs out of work and returns: nothing is left
    // holding the client alive.
    try {
        cancel();
    } catch (...) {
        // Posting the cancellation allocates. Without it the sockets stay
        // open and the thread would never run out of work: stop it instead
        // (the handlers still queued are dropped unrun) rather than hang or
        // throw from the destructor.
        impl_->io.stop();
    }
    impl_->work.reset();
    if (impl_->thread.joinable())
        impl_->thread.join();
}

TransportResult HttpsClient::exchange(const HttpRequest& request) {
    auto& impl = *impl_;
    {
        std::unique_lock lock(impl.mutex);
        impl.slot_freed.wait(lock, [&] {
            return impl.cancelled || impl.busy < std::max(impl.options.max_connections, 1);
        });
        if (impl.cancelled)
            return TransportFailure{ErrorKind::cancelled, "the request to " + endpoint_name(request) + " was cancelled",
                                    false, false};
        ++impl.busy;
    }
    auto exchange = std::make_shared<Exchange>(impl_, request);
    auto answer = exchange->future();
    asio::post(impl.io, [exchange = std::move(exchange)] { exchange->start(); });
    auto result = answer.get();
    {
        std::lock_guard lock(impl.mutex);
        --impl.busy;
    }
    impl.slot_freed.notify_one();
    return result;
}

void HttpsClient::cancel() {
    {
        std::lock_guard lock(impl_->mutex);
        impl_->cancelled = true;
    }
    impl_->slot_freed.notify_all();
    asio::post(impl_->io, [impl = impl_] { impl->abandon_everything(); });
}

void HttpsClient::close_idle_connections() {
    // The pool belongs to the I/O thread. Waiting for it means the memory is
    // free when this returns, so that the caller can hand it back at once.
    std::promise<void> closed;
    auto done = closed.get_future();
    asio::post(impl_->io, [impl = impl_, closed = std::move(closed)]() mutable {
        impl->close_idle();
        closed.set_value();
    });
    done.wait();
}

} // namespace hookwarden
