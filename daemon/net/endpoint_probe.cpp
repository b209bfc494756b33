// The endpoint probe: a HEAD, perhaps a GET, through HttpsClient, and what
// their outcome says about the endpoint.
#include "daemon/net/endpoint_probe.hpp"

#include "daemon/net/https_client.hpp"

#include <boost/url/parse.hpp>

namespace hookwarden {

using steady = std::chrono::steady_clock;

namespace {

// Up to this many probes run at once; callers beyond wait for a slot (the
// wait counts against their deadline). check_endpoints asks with the
// configured concurrency, far below this.
constexpr int kConcurrentProbes = 32;

Result<std::unique_ptr<HttpsClient>> make_client(const std::filesystem::path& ca_file) {
    return HttpsClient::create({.ca_file = ca_file.string(), .max_connections = kConcurrentProbes});
}

} // namespace

HttpEndpointProbe::HttpEndpointProbe(EndpointProbeOptions options) : options_(std::move(options)) {
    auto client = make_client(options_.ca_file);
    if (!client) {
        // https probes fail with this; http probes need no trust anchor.
        trust_error_ = client.error();
        client = make_client({});
    }
    if (client)
        client_ = std::move(*client);
    else if (!trust_error_)
        trust_error_ = client.error();
}

HttpEndpointProbe::~HttpEndpointProbe() = default;

Result<void> HttpEndpointProbe::probe(std::string_view url) {
    auto parsed = boost::urls::parse_absolute_uri(url);
    if (!parsed || !parsed->has_authority() || parsed->host().empty())
        return make_error(ErrorKind::invalid_input, "it is not an absolute URL with a host");
    const auto scheme = parsed->scheme_id();
    if (scheme != boost::urls::scheme::https && scheme != boost::urls::scheme::http)
        return make_error(ErrorKind::invalid_input, "only https:// and http:// endpoints can be probed");

    HttpRequest request;
    request.tls = scheme == boost::urls::scheme::https;
    request.host = parsed->host_address();
    if (parsed->host_type() == boost::urls::host_type::ipv6)
        request.host = parsed->host_ipv6_address().to_string();
    request.port = request.tls ? 443 : 80;
    if (parsed->has_port() && !parsed->port().empty()) {
        request.port = parsed->port_number();
        if (request.port == 0)
            return make_error(ErrorKind::invalid_input, "its port is not a number from 1 to 65535");
    }
    request.target = std::string(parsed->encoded_target());
    if (request.target.empty() || request.target.front() != '/')
        request.target = "/" + request.target;
    request.headers = {{"User-Agent", "hookwarden-endpoint-probe"}, {"Connection", "close"}};
    request.reuse_connection = false;
    request.read_body = false;
    request.deadline = steady::now() + options_.timeout;

    if ((request.tls || !client_) && trust_error_)
        return *trust_error_;

    request.method = "HEAD";
    auto answer = client_->exchange(request);
    // Some servers refuse HEAD, or drop the connection on it: ask with GET.
    const bool refused_head = answer && (answer->status == 405 || answer->status == 501);
    const bool dropped = !answer && answer.error().maybe_sent && answer.error().kind == ErrorKind::transport &&
                         steady::now() < *request.deadline;
    if (refused_head || dropped) {
        request.method = "GET";
        answer = client_->exchange(request);
    }
    if (!answer)
        return make_error(ErrorKind::transport, answer.error().message);
    if (answer->status >= 500)
        return make_error(ErrorKind::tenant, "it answered HTTP " + std::to_string(answer->status));
    return {};
}

} // namespace hookwarden
