// A webhook endpoint for tests: an HTTPS server on loopback that records
// every request it receives and answers a scripted status, so that a test
// can watch the emulator's deliveries arrive, fail and be retried.
//
// Test-only and deliberately small (HTTP/1.1 with keep-alive over TLS, on
// two threads); it is not hookwarden's receiver. Requests are recorded when
// they have been read, before the answer is written.
//
//     DeliverySink sink(tls.cert_file, tls.key_file);
//     sink.answer("/flaky", {500, 500, 200});          // then 200 forever
//     … endpointUrl = sink.url("/flaky") …
//     CHECK(sink.wait_for("/flaky", 3, 10s));
//     for (const auto& r : sink.received("/flaky")) CHECK(r.header("webhook-id") == id);
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hookwarden::test {

/// One request as the sink read it.
struct ReceivedRequest {
    std::string method;
    std::string target; ///< path and query, as sent
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    std::chrono::steady_clock::time_point at; ///< when it had been read
    int answered = 0;                         ///< the status the script gave it

    /// The first header named `name` (case-insensitive), or "" when absent.
    std::string header(std::string_view name) const;
};

class DeliverySink {
  public:
    /// Listens on 127.0.0.1, on a free port, with this certificate and key
    /// (e.g. from the emulator's prepare_tls_dir). Throws std::runtime_error
    /// when they cannot be loaded or nothing can be bound.
    DeliverySink(const std::filesystem::path& cert_file, const std::filesystem::path& key_file);
    /// Stops at once; connections in flight are closed unanswered.
    ~DeliverySink();

    DeliverySink(const DeliverySink&) = delete;
    DeliverySink& operator=(const DeliverySink&) = delete;

    std::uint16_t port() const;
    /// "https://127.0.0.1:PORT" + path.
    std::string url(std::string_view path) const;

    /// Requests to `path` (the target without its query) get `statuses` in
    /// order, the last one repeated forever, each after `delay`. A path
    /// without a script gets 200 at once.
    void answer(std::string path, std::vector<int> statuses,
                std::chrono::milliseconds delay = std::chrono::milliseconds(0));

    /// Everything received so far, in arrival order.
    std::vector<ReceivedRequest> received() const;
    /// Those whose path is `path`.
    std::vector<ReceivedRequest> received(std::string_view path) const;

    /// Waits until `path` has received at least `count` requests.
    bool wait_for(std::string_view path, std::size_t count, std::chrono::milliseconds timeout) const;

    struct Impl;

  private:
    std::unique_ptr<Impl> impl_;
};

} // namespace hookwarden::test
