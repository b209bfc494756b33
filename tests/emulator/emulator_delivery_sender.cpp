#include "tests/emulator/emulator_delivery_sender.hpp"

#include "daemon/net/https_client.hpp"

#include <boost/url/parse.hpp>

namespace hookwarden::emulator {

Result<std::unique_ptr<HttpsDeliverySender>>
HttpsDeliverySender::create(const HttpsDeliveryOptions& options) {
    auto client = HttpsClient::create(
        {.ca_file = options.ca_file ? options.ca_file->string() : std::string(),
         .max_connections = std::max(1, options.max_connections),
         // Endpoints answer with whatever they like; only the status matters.
         .max_body = 1u << 20});
    if (!client)
        return make_error(ErrorKind::invalid_input,
                          "--delivery-ca: " + client.error().message);
    return std::unique_ptr<HttpsDeliverySender>(
        new HttpsDeliverySender(std::move(*client), options.timeout));
}

HttpsDeliverySender::HttpsDeliverySender(std::unique_ptr<HttpsClient> client,
                                         std::chrono::milliseconds timeout)
    : client_(std::move(client)), timeout_(timeout) {}

HttpsDeliverySender::~HttpsDeliverySender() = default;

DeliveryAnswer HttpsDeliverySender::send(const DeliveryRequest& request) {
    const auto url = boost::urls::parse_absolute_uri(request.endpoint_url);
    if (!url || url->scheme_id() != boost::urls::scheme::https || url->host().empty())
        return {std::nullopt, "endpointUrl '" + request.endpoint_url + "' is not an https:// URL"};
    std::uint16_t port = 443;
    if (url->has_port()) {
        if (url->port_number() == 0)
            return {std::nullopt, "endpointUrl '" + request.endpoint_url + "' has no valid port"};
        port = url->port_number();
    }
    std::string target = url->encoded_path().empty() ? "/" : std::string(url->encoded_path());
    if (url->has_query())
        target += '?' + std::string(url->encoded_query());

    hookwarden::HttpRequest post{.host = url->host_address(), // IPv6 without its brackets
                     .port = port,
                     .method = "POST",
                     .target = std::move(target),
                     .headers = {{"User-Agent", "hookwarden-emulator"}},
                     .body = request.body,
                     .deadline = std::chrono::steady_clock::now() + timeout_};
    for (const auto& header : request.headers)
        post.headers.push_back(header);
    auto answer = client_->exchange(post);
    if (!answer)
        return {std::nullopt, answer.error().message};
    return {answer->status, {}};
}

void HttpsDeliverySender::cancel() {
    client_->cancel();
}

} // namespace hookwarden::emulator
