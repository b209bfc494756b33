// `--check-endpoints`: does a webhook's endpoint answer at all?
//
// Used by `plan --check-endpoints` (a failed probe is a warning) and
// `apply --check-endpoints` (a failed probe keeps that webhook from being
// created or updated). A probe is a HEAD request, then a GET when the
// server refuses HEAD (405, 501) or closes without answering, over TLS with
// the peer's chain and name verified against the system store plus the
// configured extra trust anchor, within one overall timeout (5 s). Any
// answer below 500 counts as reachable: webhook receivers commonly refuse
// anything but POST, and that refusal proves they are there. Only headers
// are read. `http://` endpoints (allowInsecureEndpoints) are probed without
// TLS. The requests go through the one HttpsClient (https_client.hpp), with
// its deadlines and its TLS verification: one client per HttpEndpointProbe,
// so the trust store is loaded once. Thread-safe: concurrent probes are
// concurrent exchanges of that client.
#pragma once

#include "core/engine.hpp"

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace hookwarden {

class HttpsClient;

struct EndpointProbeOptions {
    std::filesystem::path ca_file;           ///< extra PEM trust anchors; empty: system store only
    std::chrono::milliseconds timeout{5000}; ///< for the whole probe, both requests
};

class HttpEndpointProbe final : public EndpointProbe {
  public:
    /// Loads the trust store. A CA file that cannot be loaded fails every
    /// https probe with that one error (http probes need no trust store).
    explicit HttpEndpointProbe(EndpointProbeOptions options);
    ~HttpEndpointProbe() override;
    HttpEndpointProbe(const HttpEndpointProbe&) = delete;
    HttpEndpointProbe& operator=(const HttpEndpointProbe&) = delete;

    Result<void> probe(std::string_view url) override;

  private:
    EndpointProbeOptions options_;
    std::optional<Error> trust_error_;    ///< why the trust store could not be loaded
    std::unique_ptr<HttpsClient> client_; ///< null only when not even the system store loads
};

} // namespace hookwarden
