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
// TLS. Thread-safe: each probe has its own I/O context; the TLS context
// (and with it the trust store) is loaded once per HttpEndpointProbe and
// shared by all its probes.
#pragma once

#include "core/engine.hpp"

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace hookwarden {

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
    struct Tls;
    EndpointProbeOptions options_;
    std::unique_ptr<Tls> tls_;
};

} // namespace hookwarden
