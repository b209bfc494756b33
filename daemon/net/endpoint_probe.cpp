#include "daemon/net/endpoint_probe.hpp"

#include "daemon/net/tls_client.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>
#include <memory>
#include <optional>

namespace hookwarden {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using steady = std::chrono::steady_clock;

namespace {

struct Target {
    bool tls = true;
    std::string host; ///< without IPv6 brackets
    std::string port;
    std::string path; ///< path and query
};

/// The outcome of one request: an HTTP status, or why there was none.
struct Exchange {
    int status = 0;
    std::string failure;
    bool unanswered = false; ///< sent, then the connection ended without an answer
    bool answered() const { return status != 0; }
};

// One request, one answer's header, close: the Beast client example's
// shape, over either a TLS or a plain TCP stream. Every step runs against
// the probe's single deadline.
template <class Stream> class ProbeSession {
  public:
    ProbeSession(asio::io_context& io, Stream& stream, const Target& target, http::verb method,
                 steady::time_point deadline)
        : io_(io), stream_(stream), target_(target), deadline_(deadline) {
        request_.method(method);
        request_.target(target.path);
        request_.version(11);
        request_.set(http::field::host, host_header());
        request_.set(http::field::user_agent, "hookwarden-endpoint-probe");
        request_.set(http::field::connection, "close");
    }

    void start() {
        resolver_.async_resolve(target_.host, target_.port,
                                [this](error_code ec, tcp::resolver::results_type results) {
                                    on_resolve(ec, std::move(results));
                                });
    }

    Exchange result() const { return result_; }

  private:
    std::string host_header() const {
        const bool default_port =
            (target_.tls && target_.port == "443") || (!target_.tls && target_.port == "80");
        const std::string host =
            target_.host.find(':') != std::string::npos ? "[" + target_.host + "]" : target_.host;
        return default_port ? host : host + ":" + target_.port;
    }

    beast::tcp_stream& tcp_layer() { return beast::get_lowest_layer(stream_); }

    void on_resolve(error_code ec, tcp::resolver::results_type results) {
        if (ec)
            return fail("could not resolve " + target_.host + ": " + ec.message());
        tcp_layer().expires_at(deadline_);
        tcp_layer().async_connect(results,
                                  [this](error_code e, const tcp::endpoint&) { on_connect(e); });
    }

    void on_connect(error_code ec) {
        if (ec)
            return fail(describe(ec, "could not connect"));
        if constexpr (std::is_same_v<Stream, beast::ssl_stream<beast::tcp_stream>>) {
            tcp_layer().expires_at(deadline_);
            stream_.async_handshake(ssl::stream_base::client,
                                    [this](error_code e) { on_handshake(e); });
        } else {
            send();
        }
    }

    void on_handshake(error_code ec) {
        if constexpr (std::is_same_v<Stream, beast::ssl_stream<beast::tcp_stream>>) {
            if (ec) {
                const long verify = SSL_get_verify_result(stream_.native_handle());
                if (verify != X509_V_OK)
                    return fail(std::string("its TLS certificate was rejected: ") +
                                X509_verify_cert_error_string(verify));
                return fail(describe(ec, "the TLS handshake failed"));
            }
        }
        send();
    }

    void send() {
        tcp_layer().expires_at(deadline_);
        http::async_write(stream_, request_, [this](error_code ec, std::size_t) { on_write(ec); });
    }

    void on_write(error_code ec) {
        if (ec)
            return fail(describe(ec, "the request could not be sent"));
        parser_.emplace();
        // Only the header is read, so the body's size is no concern (a
        // limit would refuse a header announcing a large body); a HEAD
        // answer announces a body it never sends.
        parser_->body_limit(boost::none);
        if (request_.method() == http::verb::head)
            parser_->skip(true);
        tcp_layer().expires_at(deadline_);
        http::async_read_header(stream_, buffer_, *parser_,
                                [this](error_code e, std::size_t) { on_read(e); });
    }

    void on_read(error_code ec) {
        if (ec) {
            result_.unanswered = true;
            return fail(describe(ec, "no answer came"));
        }
        result_.status = static_cast<int>(parser_->get().result_int());
        // No graceful TLS shutdown: the server may not answer close_notify
        // promptly, and a probe must not wait for it. Closing the socket is
        // enough for a connection we asked the server to close anyway.
        error_code ignored;
        tcp_layer().socket().shutdown(tcp::socket::shutdown_both, ignored);
        tcp_layer().close();
    }

    std::string describe(error_code ec, const std::string& what) const {
        if (ec == beast::error::timeout || steady::now() >= deadline_)
            return what + ": timed out";
        return what + ": " + ec.message();
    }

    void fail(std::string why) {
        result_.failure = std::move(why);
        tcp_layer().close();
    }

    asio::io_context& io_;
    Stream& stream_;
    Target target_;
    steady::time_point deadline_;
    tcp::resolver resolver_{io_};
    beast::flat_buffer buffer_;
    http::request<http::empty_body> request_;
    std::optional<http::response_parser<http::empty_body>> parser_;
    Exchange result_;
};

} // namespace

// The TLS context of every https probe: built once, shared by the probes'
// threads (OpenSSL makes connections from one context concurrently).
struct HttpEndpointProbe::Tls {
    Result<ssl::context> context;
};

HttpEndpointProbe::HttpEndpointProbe(EndpointProbeOptions options)
    : options_(std::move(options)),
      tls_(std::make_unique<Tls>(make_tls_client_context(options_.ca_file.string()))) {}

HttpEndpointProbe::~HttpEndpointProbe() = default;

namespace {

// `tls`: the shared context for an https target, null for http.
Exchange exchange_once(const Target& target, http::verb method, ssl::context* tls,
                       steady::time_point deadline) {
    asio::io_context io;
    if (!target.tls) {
        beast::tcp_stream stream(io);
        ProbeSession<beast::tcp_stream> session(io, stream, target, method, deadline);
        session.start();
        io.run();
        return session.result();
    }
    beast::ssl_stream<beast::tcp_stream> stream(io, *tls);
    // The chain is checked by the context; the name (or IP address) we
    // dialled, here: as for the tenant itself.
    if (auto verifying = verify_peer_as(stream.native_handle(), target.host); !verifying)
        return Exchange{0, verifying.error().message};
    ProbeSession<beast::ssl_stream<beast::tcp_stream>> session(io, stream, target, method,
                                                               deadline);
    session.start();
    io.run();
    return session.result();
}

} // namespace

Result<void> HttpEndpointProbe::probe(std::string_view url) {
    auto parsed = boost::urls::parse_absolute_uri(url);
    if (!parsed || !parsed->has_authority() || parsed->host().empty())
        return make_error(ErrorKind::invalid_input, "it is not an absolute URL with a host");
    Target target;
    const auto scheme = parsed->scheme_id();
    if (scheme != boost::urls::scheme::https && scheme != boost::urls::scheme::http)
        return make_error(ErrorKind::invalid_input,
                          "only https:// and http:// endpoints can be probed");
    target.tls = scheme == boost::urls::scheme::https;
    target.host = parsed->host_address();
    if (parsed->host_type() == boost::urls::host_type::ipv6)
        target.host = parsed->host_ipv6_address().to_string();
    target.port = parsed->has_port() && !parsed->port().empty() ? std::string(parsed->port())
                                                                : (target.tls ? "443" : "80");
    target.path = std::string(parsed->encoded_target());
    if (target.path.empty() || target.path.front() != '/')
        target.path = "/" + target.path;

    if (target.tls && !tls_->context)
        return tls_->context.error();
    ssl::context* tls = target.tls ? &*tls_->context : nullptr;

    const auto deadline = steady::now() + options_.timeout;
    Exchange head = exchange_once(target, http::verb::head, tls, deadline);
    // Some servers refuse HEAD, or drop the connection on it: ask with GET.
    const bool refused_head = head.answered() && (head.status == 405 || head.status == 501);
    const bool dropped = head.unanswered && steady::now() < deadline;
    Exchange answer = (refused_head || dropped)
                          ? exchange_once(target, http::verb::get, tls, deadline)
                          : head;
    if (!answer.answered())
        return make_error(ErrorKind::transport, answer.failure);
    if (answer.status >= 500)
        return make_error(ErrorKind::tenant, "it answered HTTP " + std::to_string(answer.status));
    return {};
}

} // namespace hookwarden
