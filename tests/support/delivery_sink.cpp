// DeliverySink: Beast's server shape cut down to what a test needs — an
// acceptor, and one session per connection that walks handshake → read →
// (record, wait the scripted delay) → write → read …, with a timeout before
// every operation.
#include "tests/support/delivery_sink.hpp"
#include "daemon/net/https_client.hpp"

#include <algorithm>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

namespace hookwarden::test {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

namespace {

std::string_view path_of(std::string_view target) {
    return target.substr(0, target.find('?'));
}

} // namespace

std::string ReceivedRequest::header(std::string_view name) const {
    return std::string(find_header(headers, name).value_or(""));
}

struct DeliverySink::Impl {
    struct Script {
        std::vector<int> statuses;
        std::size_t next = 0;
        std::chrono::milliseconds delay{0};
    };

    // Declared before the io_context, so destroyed after it and the
    // sessions its handlers still hold.
    ssl::context tls{ssl::context::tls_server};
    net::io_context io{2};
    tcp::acceptor acceptor{io};
    std::uint16_t port = 0;
    std::vector<std::thread> threads;

    mutable std::mutex mutex;
    mutable std::condition_variable arrived;
    std::vector<ReceivedRequest> requests;
    std::map<std::string, Script, std::less<>> scripts;

    /// Records a request and picks its answer.
    std::pair<int, std::chrono::milliseconds> take(ReceivedRequest request) {
        std::lock_guard lock(mutex);
        int status = 200;
        std::chrono::milliseconds delay{0};
        if (auto it = scripts.find(path_of(request.target)); it != scripts.end()) {
            Script& s = it->second;
            status = s.statuses[std::min(s.next, s.statuses.size() - 1)];
            ++s.next;
            delay = s.delay;
        }
        request.answered = status;
        requests.push_back(std::move(request));
        arrived.notify_all();
        return {status, delay};
    }

    void accept();
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
  public:
    Session(tcp::socket&& socket, DeliverySink::Impl& sink)
        : stream_(std::move(socket), sink.tls), timer_(stream_.get_executor()), sink_(sink) {}

    void run() {
        net::dispatch(stream_.get_executor(),
                      beast::bind_front_handler(&Session::on_run, shared_from_this()));
    }

  private:
    void on_run() {
        beast::get_lowest_layer(stream_).expires_after(10s);
        stream_.async_handshake(ssl::stream_base::server,
                                beast::bind_front_handler(&Session::on_handshake, shared_from_this()));
    }

    void on_handshake(beast::error_code ec) {
        if (!ec)
            do_read();
    }

    void do_read() {
        request_ = {};
        beast::get_lowest_layer(stream_).expires_after(30s);
        http::async_read(stream_, buffer_, request_,
                         beast::bind_front_handler(&Session::on_read, shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t) {
        if (ec)
            return; // the peer closed or timed out: the session ends with its socket
        ReceivedRequest received{std::string(request_.method_string()),
                                 std::string(request_.target()),
                                 {},
                                 request_.body(),
                                 std::chrono::steady_clock::now(),
                                 0};
        for (const auto& field : request_)
            received.headers.emplace_back(std::string(field.name_string()),
                                          std::string(field.value()));
        const auto [status, delay] = sink_.take(std::move(received));
        response_ = {};
        response_.version(request_.version());
        response_.result(static_cast<unsigned>(status));
        response_.keep_alive(request_.keep_alive());
        response_.set(http::field::content_type, "application/json");
        response_.body() = "{}";
        response_.prepare_payload();
        if (delay.count() <= 0)
            return do_write();
        timer_.expires_after(delay);
        timer_.async_wait([self = shared_from_this()](beast::error_code wait) {
            if (!wait)
                self->do_write();
        });
    }

    void do_write() {
        beast::get_lowest_layer(stream_).expires_after(30s);
        http::async_write(stream_, response_,
                          beast::bind_front_handler(&Session::on_write, shared_from_this()));
    }

    void on_write(beast::error_code ec, std::size_t) {
        if (ec)
            return;
        if (!response_.keep_alive())
            return; // closing the socket with the session is enough for a test endpoint
        do_read();
    }

    beast::ssl_stream<beast::tcp_stream> stream_;
    beast::flat_buffer buffer_;
    http::request<http::string_body> request_;
    http::response<http::string_body> response_;
    net::steady_timer timer_;
    DeliverySink::Impl& sink_; // outlives the session: the io_context stops first
};

} // namespace

void DeliverySink::Impl::accept() {
    acceptor.async_accept(net::make_strand(io), [this](beast::error_code ec, tcp::socket socket) {
        if (ec == net::error::operation_aborted)
            return;
        if (!ec)
            std::make_shared<Session>(std::move(socket), *this)->run();
        accept();
    });
}

DeliverySink::DeliverySink(const std::filesystem::path& cert_file,
                           const std::filesystem::path& key_file)
    : impl_(std::make_unique<Impl>()) {
    beast::error_code ec;
    impl_->tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                               ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                               ssl::context::no_tlsv1_1,
                           ec);
    if (!ec)
        impl_->tls.use_certificate_chain_file(cert_file.string(), ec);
    if (!ec)
        impl_->tls.use_private_key_file(key_file.string(), ssl::context::pem, ec);
    if (ec)
        throw std::runtime_error("DeliverySink: cannot load " + cert_file.string() + " and " +
                                 key_file.string() + ": " + ec.message());
    const tcp::endpoint any(net::ip::make_address("127.0.0.1"), 0);
    impl_->acceptor.open(any.protocol(), ec);
    if (!ec)
        impl_->acceptor.bind(any, ec);
    if (!ec)
        impl_->acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec)
        throw std::runtime_error("DeliverySink: cannot listen on 127.0.0.1: " + ec.message());
    impl_->port = impl_->acceptor.local_endpoint().port();
    impl_->accept();
    for (int i = 0; i < 2; ++i)
        impl_->threads.emplace_back([impl = impl_.get()] { impl->io.run(); });
}

DeliverySink::~DeliverySink() {
    impl_->io.stop();
    for (auto& t : impl_->threads)
        t.join();
}

std::uint16_t DeliverySink::port() const {
    return impl_->port;
}

std::string DeliverySink::url(std::string_view path) const {
    return "https://127.0.0.1:" + std::to_string(impl_->port) + std::string(path);
}

void DeliverySink::answer(std::string path, std::vector<int> statuses,
                          std::chrono::milliseconds delay) {
    if (statuses.empty())
        throw std::invalid_argument("DeliverySink::answer needs at least one status");
    std::lock_guard lock(impl_->mutex);
    impl_->scripts[std::move(path)] = Impl::Script{std::move(statuses), 0, delay};
}

std::vector<ReceivedRequest> DeliverySink::received() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->requests;
}

std::vector<ReceivedRequest> DeliverySink::received(std::string_view path) const {
    std::lock_guard lock(impl_->mutex);
    std::vector<ReceivedRequest> out;
    for (const auto& r : impl_->requests)
        if (path_of(r.target) == path)
            out.push_back(r);
    return out;
}

bool DeliverySink::wait_for(std::string_view path, std::size_t count,
                            std::chrono::milliseconds timeout) const {
    std::unique_lock lock(impl_->mutex);
    return impl_->arrived.wait_for(lock, timeout, [&] {
        return std::size_t(std::count_if(impl_->requests.begin(), impl_->requests.end(),
                                         [&](const ReceivedRequest& r) {
                                             return path_of(r.target) == path;
                                         })) >= count;
    });
}

} // namespace hookwarden::test
