// hookwarden's HTTP/1.1 listener on Boost.Beast: the one translation unit of
// the server side that compiles Beast and Asio.
//
// Shaped like Beast's advanced server example. `Impl` owns the io_context,
// the acceptor (on a strand of its own) and the registry of open
// connections; one `Session` per connection, on its own strand, walks
// through [handshake] → first bytes → headers → (early check, size) → body
// → handler … answer → write → first bytes …, one member per step, with the
// deadline of the phase set on the stream before its first operation and
// not touched again until the phase ends (so trickling bytes buys nothing).
// Plain and TLS connections are the same template over two stream types.
//
// Lifetimes: a session holds the Impl (so its io_context outlives every
// socket), the sink handed to the handler holds the session. A sink called
// after the listener stopped does nothing: `posting` and `stopped` are a
// two-flag handshake with the destructor, so that no answer is ever queued
// on an io_context nobody runs any more (it would hold the session, and the
// session the io_context: a cycle).
#include "daemon/net/http_listener.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <openssl/ssl.h>

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <limits>
#include <mutex>
#include <strings.h>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <vector>

namespace hookwarden {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using namespace std::chrono_literals;

namespace {

// After an answer that closes the connection: how long to keep discarding
// what the client still sends (a body refused unread), so that closing does
// not reset the connection under the answer before the client read it.
constexpr auto kLinger = 1s;
// Refusals (503 at the cap) being written at once, at most; beyond, a new
// connection is closed unanswered: a flood must not cost more than the cap.
constexpr std::uint64_t kMaxRefusing = 64;
// The read buffer holds the headers plus what came with them.
constexpr std::size_t kBufferSlack = std::size_t{16} * 1024;
constexpr std::size_t kReadChunk = 4096;

constexpr std::string_view kRefusal = "HTTP/1.1 503 Service Unavailable\r\n"
                                      "Retry-After: 1\r\n"
                                      "Connection: close\r\n"
                                      "Content-Length: 0\r\n\r\n";
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

/// Where a connection is; drain() reads it from another thread.
enum class Phase : std::uint8_t {
    idle,     ///< waiting for the first byte of a request
    reading,  ///< a request's headers or body
    handling, ///< the handler has it; waiting for the sink
    writing,  ///< the answer
    closing,  ///< lingering after a closing answer, or closed
};

/// What the registry and drain() see of a session, whatever its stream.
class Connection {
public:
    explicit Connection(std::shared_ptr<HttpListener::Impl> impl) : impl_(std::move(impl)) {}
    virtual ~Connection() = default;
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    /// Closes the connection if it waits for a request (from any thread).
    virtual void close_if_idle() = 0;
    /// Closes it whatever it does (from any thread).
    virtual void abandon() = 0;
    /// A request of a client is in it (not a refusal, not a lingering close).
    bool in_flight() const {
        const auto phase = phase_.load(std::memory_order_relaxed);
        return !refusal_ && (phase == Phase::reading || phase == Phase::handling || phase == Phase::writing);
    }

protected:
    // Destroyed last (a base outlives the session's members): the sockets
    // need the io_context that Impl owns.
    std::shared_ptr<HttpListener::Impl> impl_;
    std::atomic<Phase> phase_{Phase::idle};
    bool refusal_ = false;
};

using TlsStream = beast::ssl_stream<beast::tcp_stream>;

bool is_parse_error(const error_code& ec) {
    return ec.category() == make_error_code(http::error::bad_method).category();
}

std::string endpoint_text(const tcp::endpoint& endpoint) {
    auto address = endpoint.address();
    // A dual-stack listener sees IPv4 clients as ::ffff:a.b.c.d.
    if (address.is_v6() && address.to_v6().is_v4_mapped())
        address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
    const auto host = address.is_v6() ? '[' + address.to_string() + ']' : address.to_string();
    return host + ':' + std::to_string(endpoint.port());
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
    return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

} // namespace

struct HttpListener::Impl : std::enable_shared_from_this<Impl> {
    Impl(ListenerLimits l, EarlyCheck e, Handler h, std::optional<ssl::context> context)
        : limits(l), early(std::move(e)), handler(std::move(h)), io(std::max(1, l.threads)),
          tls(std::move(context)), acceptor(asio::make_strand(io)), accept_retry(acceptor.get_executor()) {}

    ListenerLimits limits;
    EarlyCheck early;
    Handler handler;
    // Declared before everything that uses it, so destroyed after.
    asio::io_context io;
    std::optional<ssl::context> tls;
    tcp::acceptor acceptor;
    asio::steady_timer accept_retry;
    tcp::endpoint local;
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
    std::vector<std::thread> threads;

    std::atomic<bool> started{false};
    std::atomic<bool> draining{false};
    std::atomic<bool> stopped{false};
    std::atomic<int> posting{0};

    std::atomic<std::uint64_t> open{0};
    std::atomic<std::uint64_t> refusing{0};
    std::atomic<std::uint64_t> refused{0};
    std::atomic<std::uint64_t> requests{0};
    std::atomic<std::uint64_t> timeouts{0};
    std::atomic<std::uint64_t> answered_itself{0};

    // Open connections, touched when one opens or closes (never per request).
    std::mutex mutex;
    std::condition_variable closed;
    std::unordered_map<Connection*, std::weak_ptr<Connection>> connections;

    void remember(Connection* raw, std::weak_ptr<Connection> connection) {
        std::lock_guard lock(mutex);
        connections.emplace(raw, std::move(connection));
    }

    void forget(Connection* raw, bool refusal) {
        (refusal ? refusing : open).fetch_sub(1, std::memory_order_relaxed);
        std::lock_guard lock(mutex);
        connections.erase(raw);
        if (draining.load(std::memory_order_relaxed) && connections.empty())
            closed.notify_all();
    }

    std::vector<std::shared_ptr<Connection>> open_connections() {
        std::vector<std::shared_ptr<Connection>> alive;
        std::lock_guard lock(mutex);
        alive.reserve(connections.size());
        for (auto& [raw, weak] : connections)
            if (auto connection = weak.lock())
                alive.push_back(std::move(connection));
        return alive;
    }

    void accept();
    void on_accept(error_code ec, tcp::socket socket);
    void close_acceptor() {
        error_code ignored;
        acceptor.close(ignored);
        accept_retry.cancel();
    }
    /// On the acceptor's strand, so that no connection accepted before is
    /// missed and none is accepted after.
    void stop_accepting(bool abandon_all) {
        close_acceptor();
        for (auto& connection : open_connections()) {
            if (abandon_all)
                connection->abandon();
            else
                connection->close_if_idle();
        }
    }
    void shutdown();
};

namespace {

template <class Stream> class Session final : public Connection, public std::enable_shared_from_this<Session<Stream>> {
    static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

public:
    Session(std::shared_ptr<HttpListener::Impl> impl, tcp::socket socket, bool refusal)
        : Connection(std::move(impl)), stream_(make_stream(std::move(socket))),
          buffer_(impl_->limits.max_header_bytes + kBufferSlack) {
        refusal_ = refusal;
        error_code ec;
        const auto peer = lowest().socket().remote_endpoint(ec);
        if (!ec)
            peer_ = endpoint_text(peer);
    }

    ~Session() override { close(); }

    void run() {
        impl_->remember(this, this->shared_from_this());
        // The socket was accepted onto this session's strand: start there.
        asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] { self->on_run(); });
    }

    void close_if_idle() override {
        asio::post(stream_.get_executor(), [self = this->shared_from_this()] {
            if (self->phase_ == Phase::idle)
                self->close();
        });
    }

    void abandon() override {
        asio::post(stream_.get_executor(), [self = this->shared_from_this()] { self->close(); });
    }

    /// The sink's work, on whatever thread calls it.
    void post_answer(ListenerAnswer answer) {
        auto& impl = *impl_;
        impl.posting.fetch_add(1);
        // Paired with shutdown(): it sets `stopped`, then waits for
        // `posting` to be 0. Either this sees stopped, or shutdown sees
        // this post and lets the I/O threads run it before they end.
        if (!impl.stopped.load()) {
            // Inline when the handler answers on the I/O thread: no hop.
            asio::dispatch(stream_.get_executor(),
                           [self = this->shared_from_this(), answer = std::move(answer)]() mutable {
                               self->on_answer(std::move(answer));
                           });
        }
        impl.posting.fetch_sub(1);
    }

private:
    Stream make_stream(tcp::socket socket) {
        if constexpr (kTls)
            return Stream(std::move(socket), *impl_->tls);
        else
            return Stream(std::move(socket));
    }

    beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }
    const ListenerLimits& limits() const { return impl_->limits; }

    void on_run() {
        // A new connection has header_timeout for its handshake and first byte.
        lowest().expires_after(limits().header_timeout);
        if constexpr (kTls) {
            stream_.async_handshake(ssl::stream_base::server,
                                    [self = this->shared_from_this()](error_code ec) { self->on_handshake(ec); });
        } else {
            on_handshake({});
        }
    }

    void on_handshake(error_code ec) {
        if (ec)
            return fail(ec);
        if (refusal_)
            return refuse();
        await_first_bytes();
    }

    // At the cap: the fixed 503, written without reading anything.
    void refuse() {
        phase_ = Phase::writing;
        write_fixed(kRefusal, &Session::linger);
    }

    /// Writes constant bytes, then takes step `then`.
    void write_fixed(std::string_view bytes, void (Session::*then)()) {
        lowest().expires_after(limits().answer_timeout);
        asio::async_write(stream_, asio::buffer(bytes.data(), bytes.size()),
                          [self = this->shared_from_this(), then](error_code ec, std::size_t) {
                              if (ec)
                                  return self->fail(ec);
                              ((*self).*then)();
                          });
    }

    // Keep-alive: the next request. The idle wait ends at its first byte,
    // where the header deadline starts.
    void next_request() {
        if (impl_->draining)
            return close();
        lowest().expires_after(limits().idle_timeout);
        await_first_bytes();
    }

    void await_first_bytes() {
        if (buffer_.size() != 0) // pipelined: already here
            return read_header();
        phase_ = Phase::idle;
        stream_.async_read_some(buffer_.prepare(std::min(kReadChunk, buffer_.max_size())),
                                [self = this->shared_from_this()](error_code ec, std::size_t n) {
                                    self->on_first_bytes(ec, n);
                                });
    }

    void on_first_bytes(error_code ec, std::size_t n) {
        if (ec)
            return fail(ec);
        buffer_.commit(n);
        read_header();
    }

    void read_header() {
        phase_ = Phase::reading;
        lowest().expires_after(limits().header_timeout);
        parser_.emplace();
        parser_->header_limit(static_cast<std::uint32_t>(
            std::min<std::size_t>(limits().max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
        // The size is checked after the early check (below), not by the parser.
        parser_->body_limit(boost::none);
        http::async_read_header(stream_, buffer_, *parser_,
                                [self = this->shared_from_this()](error_code ec, std::size_t) {
                                    self->on_header(ec);
                                });
    }

    void on_header(error_code ec) {
        if (ec == http::error::header_limit || ec == http::error::buffer_overflow)
            return refuse_with(431, "the request's headers are larger than the limit");
        if (ec && is_parse_error(ec) && ec != http::error::end_of_stream && ec != http::error::partial_message)
            return refuse_with(400, "the request is not valid HTTP/1.1");
        if (ec)
            return fail(ec);
        impl_->requests.fetch_add(1, std::memory_order_relaxed);

        const auto& message = parser_->get();
        keep_alive_ = message.keep_alive();
        request_.method.assign(message.method_string().data(), message.method_string().size());
        request_.target.assign(message.target().data(), message.target().size());
        request_.headers.clear();
        for (const auto& field : message)
            request_.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
        request_.body.clear();
        request_.peer = peer_;

        if (impl_->early) {
            std::optional<ListenerAnswer> refusal;
            try {
                refusal = impl_->early(request_);
            } catch (const std::exception&) {
                return refuse_with(500, "the request could not be checked");
            }
            // The body, if any, stays unread: the connection cannot carry
            // another request after it.
            if (refusal)
                return answer(std::move(*refusal), !parser_->is_done());
        }
        if (const auto length = parser_->content_length(); length && *length > limits().max_body)
            return refuse_too_large();
        if (parser_->is_done())
            return hand_over();

        parser_->body_limit(limits().max_body);
        if (const auto expect = request_.header("Expect"); expect && equals_ignoring_case(*expect, "100-continue"))
            return send_continue();
        read_body();
    }

    // curl and others wait a second for this before sending a larger body.
    void send_continue() { write_fixed(kContinue, &Session::read_body); }

    void read_body() {
        lowest().expires_after(limits().body_timeout);
        http::async_read(stream_, buffer_, *parser_,
                         [self = this->shared_from_this()](error_code ec, std::size_t) { self->on_body(ec); });
    }

    void on_body(error_code ec) {
        // Chunked: the parser stops the moment the sum passes max_body.
        if (ec == http::error::body_limit)
            return refuse_too_large();
        if (ec && is_parse_error(ec) && ec != http::error::end_of_stream && ec != http::error::partial_message)
            return refuse_with(400, "the request is not valid HTTP/1.1");
        if (ec)
            return fail(ec);
        request_.body = std::move(parser_->get().body());
        hand_over();
    }

    void hand_over() {
        phase_ = Phase::handling;
        if (impl_->stopped) // the listener is going away: nobody to answer
            return close();
        try {
            impl_->handler(std::move(request_),
                           [self = this->shared_from_this()](ListenerAnswer a) { self->post_answer(std::move(a)); });
        } catch (const std::exception&) {
            // Ignored by on_answer when the handler had answered already.
            on_answer(ListenerAnswer{500, {}, R"({"error":"the request could not be handled"})"});
        }
    }

    void on_answer(ListenerAnswer a) {
        if (phase_ != Phase::handling) // answered twice, or the connection is gone
            return;
        answer(std::move(a), !keep_alive_ || impl_->draining);
    }

    void refuse_too_large() {
        refuse_with(413, "the request's body is larger than " + std::to_string(limits().max_body) + " bytes");
    }

    void refuse_with(int status, const std::string& why) {
        impl_->answered_itself.fetch_add(1, std::memory_order_relaxed);
        answer(ListenerAnswer{status, {}, R"({"error":")" + why + "\"}"}, true);
    }

    void answer(ListenerAnswer a, bool close_after) {
        phase_ = Phase::writing;
        close_after_ = close_after;
        response_ = {};
        response_.version(11);
        // A 1xx is no final answer: the client would wait for another.
        response_.result(a.status >= 200 && a.status <= 599 ? static_cast<unsigned>(a.status) : 500u);
        for (auto& [name, value] : a.headers)
            response_.insert(name, value);
        if (!a.body.empty() && response_.find(http::field::content_type) == response_.end())
            response_.set(http::field::content_type, "application/json");
        response_.body() = std::move(a.body);
        response_.keep_alive(!close_after);
        response_.prepare_payload();
        lowest().expires_after(limits().answer_timeout);
        http::async_write(stream_, response_,
                          [self = this->shared_from_this()](error_code ec, std::size_t) { self->on_write(ec); });
    }

    void on_write(error_code ec) {
        if (ec)
            return fail(ec);
        if (close_after_)
            return linger();
        next_request();
    }

    // The answer says Connection: close. Over TCP: send FIN, then discard
    // what still comes until the client closes or kLinger passes, so that
    // a client still sending its body reads the answer instead of a reset.
    // Over TLS the same when the body is unread (a 413: a close_notify
    // exchange would read the client's body records as an error and reset
    // it mid-upload — seen with a 65 KiB body); otherwise a close_notify
    // exchange. Skipping close_notify after an answer with Content-Length
    // costs the client nothing: it has read the whole answer.
    void linger() {
        phase_ = Phase::closing;
        lowest().expires_after(kLinger);
        const bool body_unread = parser_ && !parser_->is_done();
        if constexpr (kTls) {
            if (!body_unread) {
                stream_.async_shutdown([self = this->shared_from_this()](error_code) { self->close(); });
                return;
            }
        }
        {
            error_code ignored;
            lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
            buffer_.clear();
            discard();
        }
    }

    void discard() {
        lowest().async_read_some(buffer_.prepare(std::min(kReadChunk, buffer_.max_size())),
                                 [self = this->shared_from_this()](error_code ec, std::size_t) {
                                     if (ec) // the client closed, or kLinger passed
                                         return self->close();
                                     self->discard();
                                 });
    }

    // Every failed step ends the connection. A passed deadline is counted;
    // the rest (the client closed, reset, a TLS stream truncated by a
    // client that did not bother with close_notify) is what clients do.
    void fail(error_code ec) {
        if (ec == beast::error::timeout)
            impl_->timeouts.fetch_add(1, std::memory_order_relaxed);
        close();
    }

    void close() {
        if (closed_)
            return;
        closed_ = true;
        phase_ = Phase::closing;
        lowest().close(); // the socket and its deadline timer
        impl_->forget(this, refusal_);
    }

    Stream stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    ListenerRequest request_;
    http::response<http::string_body> response_;
    std::string peer_;
    bool keep_alive_ = false;
    bool close_after_ = false;
    bool closed_ = false;
};

} // namespace

void HttpListener::Impl::accept() {
    acceptor.async_accept(asio::make_strand(io), [self = shared_from_this()](error_code ec, tcp::socket socket) {
        self->on_accept(ec, std::move(socket));
    });
}

void HttpListener::Impl::on_accept(error_code ec, tcp::socket socket) {
    if (!acceptor.is_open() || ec == asio::error::operation_aborted || draining)
        return; // drained or stopped: the socket closes unanswered
    if (ec) {
        // Out of file descriptors (EMFILE) or the like: the backlog keeps
        // the waiting clients; try again shortly instead of spinning.
        accept_retry.expires_after(50ms);
        accept_retry.async_wait([self = shared_from_this()](error_code e) {
            if (!e)
                self->accept();
        });
        return;
    }
    error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    const bool refusal = open.load(std::memory_order_relaxed) >= limits.max_connections;
    if (refusal) {
        refused.fetch_add(1, std::memory_order_relaxed);
        if (refusing.load(std::memory_order_relaxed) >= kMaxRefusing) {
            socket.close(ignored);
            return accept();
        }
    }
    (refusal ? refusing : open).fetch_add(1, std::memory_order_relaxed);
    if (tls)
        std::make_shared<Session<TlsStream>>(shared_from_this(), std::move(socket), refusal)->run();
    else
        std::make_shared<Session<beast::tcp_stream>>(shared_from_this(), std::move(socket), refusal)->run();
    accept();
}

void HttpListener::Impl::shutdown() {
    draining = true;
    stopped = true;
    while (posting.load() != 0)
        std::this_thread::yield();
    if (!started) {
        close_acceptor();
        return;
    }
    try {
        asio::post(acceptor.get_executor(), [self = shared_from_this()] { self->stop_accepting(true); });
    } catch (...) {
        // Posting allocates. Without the post no socket is closed and the
        // threads would never run out of work: stop them instead (the
        // handlers still queued are dropped unrun) rather than hang or throw
        // from the destructor.
        io.stop();
    }
    // With every socket closed the threads run out of work and return;
    // sessions still held by sinks outlive them, inert.
    work.reset();
    for (auto& thread : threads)
        thread.join();
}

namespace {

Result<ssl::context> make_tls_server_context(const ListenerTls& files) {
    ssl::context tls(ssl::context::tls_server);
    if (SSL_CTX_set_min_proto_version(tls.native_handle(), TLS1_2_VERSION) != 1)
        return make_error(ErrorKind::internal, "cannot require TLS 1.2 or later: OpenSSL refused");
    tls.set_options(ssl::context::default_workarounds | ssl::context::no_compression);
    error_code ec;
    tls.use_certificate_chain_file(files.cert_file.string(), ec);
    if (ec)
        return make_error(ErrorKind::invalid_input,
                          "cannot load the TLS certificate " + files.cert_file.string() + ": " + ec.message());
    tls.use_private_key_file(files.key_file.string(), ssl::context::pem, ec);
    if (ec)
        return make_error(ErrorKind::invalid_input,
                          "cannot load the TLS key " + files.key_file.string() + ": " + ec.message());
    return tls;
}

/// "HOST:PORT" or "[V6]:PORT" into its parts.
Result<std::pair<std::string, std::uint16_t>> split_listen(const std::string& listen) {
    const auto bad = [&] {
        return make_error(ErrorKind::invalid_input,
                          "'" + listen + "' is not HOST:PORT (an IPv6 address in brackets: [::1]:8088)");
    };
    const auto colon = listen.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == listen.size())
        return bad();
    std::string host = listen.substr(0, colon);
    if (host.front() == '[') {
        if (host.back() != ']' || host.size() < 3)
            return bad();
        host = host.substr(1, host.size() - 2);
    } else if (host.find(':') != std::string::npos) {
        return bad();
    }
    unsigned long port = 0;
    for (const char c : listen.substr(colon + 1)) {
        if (c < '0' || c > '9')
            return bad();
        port = port * 10 + static_cast<unsigned long>(c - '0');
        if (port > 65535)
            return bad();
    }
    return std::pair{host, static_cast<std::uint16_t>(port)};
}

Result<std::shared_ptr<HttpListener::Impl>> make_impl(const std::optional<ListenerTls>& tls, ListenerLimits limits,
                                                      HttpListener::EarlyCheck early, HttpListener::Handler handler) {
    std::optional<ssl::context> context;
    if (tls) {
        auto made = make_tls_server_context(*tls);
        if (!made)
            return made.error();
        context.emplace(std::move(*made));
    }
    return std::make_shared<HttpListener::Impl>(limits, std::move(early), std::move(handler), std::move(context));
}

} // namespace

Result<std::unique_ptr<HttpListener>> HttpListener::bind(const std::string& listen,
                                                         const std::optional<ListenerTls>& tls,
                                                         ListenerLimits limits, EarlyCheck early,
                                                         Handler handler) {
    const auto parts = split_listen(listen);
    if (!parts)
        return parts.error();
    const auto& [host, port] = *parts;
    auto made = make_impl(tls, limits, std::move(early), std::move(handler));
    if (!made)
        return made.error();
    auto impl = std::move(*made);

    error_code ec;
    tcp::endpoint endpoint(asio::ip::make_address(host, ec), port);
    if (ec) { // a name: the first address it resolves to
        tcp::resolver resolver(impl->io);
        const auto results = resolver.resolve(host, std::to_string(port), ec);
        if (ec || results.empty())
            return make_error(ErrorKind::invalid_input, "cannot listen on " + listen + ": cannot resolve " + host +
                                                            (ec ? ": " + ec.message() : std::string()));
        endpoint = results.begin()->endpoint();
    }
    auto& acceptor = impl->acceptor;
    acceptor.open(endpoint.protocol(), ec);
    if (!ec)
        acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec)
        acceptor.bind(endpoint, ec);
    if (!ec)
        acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (!ec)
        impl->local = acceptor.local_endpoint(ec);
    if (ec)
        return make_error(ErrorKind::io, "cannot listen on " + listen + ": " + ec.message());
    return std::unique_ptr<HttpListener>(new HttpListener(std::move(impl)));
}

Result<std::unique_ptr<HttpListener>> HttpListener::adopt(int fd,
                                                          const std::optional<ListenerTls>& tls,
                                                          ListenerLimits limits, EarlyCheck early,
                                                          Handler handler) {
    const auto refuse = [fd](const std::string& why) {
        ::close(fd);
        return make_error(ErrorKind::invalid_input, "cannot listen on file descriptor " + std::to_string(fd) + ": " + why);
    };
    int value = 0;
    socklen_t size = sizeof value;
    if (::getsockopt(fd, SOL_SOCKET, SO_TYPE, &value, &size) != 0 || value != SOCK_STREAM)
        return refuse("not a stream socket");
    size = sizeof value;
    if (::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &value, &size) != 0 || value != 1)
        return refuse("the socket is not listening");
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0 ||
        (address.ss_family != AF_INET && address.ss_family != AF_INET6))
        return refuse("not a TCP socket");

    auto made = make_impl(tls, limits, std::move(early), std::move(handler));
    if (!made) {
        ::close(fd);
        return made.error();
    }
    auto impl = std::move(*made);
    error_code ec;
    impl->acceptor.assign(address.ss_family == AF_INET ? tcp::v4() : tcp::v6(), fd, ec);
    if (ec)
        return refuse(ec.message());
    impl->local = impl->acceptor.local_endpoint(ec);
    if (ec)
        return make_error(ErrorKind::io, "cannot listen on file descriptor " + std::to_string(fd) + ": " + ec.message());
    return std::unique_ptr<HttpListener>(new HttpListener(std::move(impl)));
}

HttpListener::HttpListener(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpListener::~HttpListener() { impl_->shutdown(); }

std::uint16_t HttpListener::port() const { return impl_->local.port(); }

std::string HttpListener::address() const { return endpoint_text(impl_->local); }

void HttpListener::start() {
    auto& impl = *impl_;
    if (impl.started.exchange(true))
        return;
    impl.work.emplace(impl.io.get_executor());
    asio::post(impl.acceptor.get_executor(), [impl = impl_] { impl->accept(); });
    const int threads = std::max(1, impl.limits.threads);
    for (int i = 0; i < threads; ++i)
        impl.threads.emplace_back([raw = impl_.get()] { raw->io.run(); });
}

std::size_t HttpListener::drain(std::chrono::steady_clock::time_point deadline) {
    auto& impl = *impl_;
    impl.draining = true;
    if (!impl.started) {
        impl.close_acceptor();
        return 0;
    }
    asio::post(impl.acceptor.get_executor(), [impl = impl_] { impl->stop_accepting(false); });
    {
        std::unique_lock lock(impl.mutex);
        if (impl.closed.wait_until(lock, deadline, [&] { return impl.connections.empty(); }))
            return 0;
    }
    std::size_t abandoned = 0;
    for (auto& connection : impl.open_connections()) {
        if (connection->in_flight())
            ++abandoned;
        connection->abandon();
    }
    return abandoned;
}

ListenerCounters HttpListener::counters() const {
    const auto& impl = *impl_;
    return ListenerCounters{impl.open.load(std::memory_order_relaxed), impl.refused.load(std::memory_order_relaxed),
                            impl.requests.load(std::memory_order_relaxed),
                            impl.timeouts.load(std::memory_order_relaxed),
                            impl.answered_itself.load(std::memory_order_relaxed)};
}

} // namespace hookwarden
