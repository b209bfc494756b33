// The emulator's real DeliverySender: POSTs deliveries over HTTPS with
// hookwarden's one HTTPS client (daemon/net/https_client.hpp), peer and
// host-name verification on, trusting the system store plus an optional CA
// file (`--delivery-ca`). Endpoints are https:// only: the tenant's
// validation already demands it, and plain HTTP is never tried.
#pragma once

#include "core/error.hpp"
#include "tests/emulator/emulator_delivery_queue.hpp"

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>

namespace hookwarden {
class HttpsClient;
}

namespace hookwarden::emulator {

struct HttpsDeliveryOptions {
    std::optional<std::filesystem::path> ca_file; ///< extra PEM trust anchors
    int max_connections = 16;                     ///< one per delivery worker
    std::chrono::milliseconds timeout{10'000};    ///< one whole attempt, connect to answer
};

class HttpsDeliverySender {
  public:
    /// Fails (invalid_input) when the CA file cannot be loaded.
    static Result<std::unique_ptr<HttpsDeliverySender>> create(const HttpsDeliveryOptions& options);
    ~HttpsDeliverySender();

    /// One POST of `request.body` to `request.endpoint_url`. The answer's
    /// body is not kept; a URL that is not https://HOST[:PORT][/PATH] is an
    /// answerless failure, like a refused connection.
    DeliveryAnswer send(const DeliveryRequest& request);

    /// Abandons every POST in flight and fails the later ones at once (SIGTERM).
    void cancel();

  private:
    HttpsDeliverySender(std::unique_ptr<HttpsClient> client, std::chrono::milliseconds timeout);

    std::unique_ptr<HttpsClient> client_;
    std::chrono::milliseconds timeout_;
};

} // namespace hookwarden::emulator
