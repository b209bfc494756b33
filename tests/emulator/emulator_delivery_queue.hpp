// The emulated tenant's outbound deliveries: events fired through the
// control plane become one delivery per enabled, subscribed webhook, sent
// by a pool of worker threads, retried by the webhook's retryPolicy, and
// recorded attempt by attempt into the Tenant (analytics and health).
//
// The queue decides what to send and when; a `DeliverySender` does the
// sending (emulator_delivery_sender.hpp over HTTPS in the program, a plain
// function in unit tests). Each attempt reads the webhook as it is at that
// moment: its secret signs, its endpointUrl receives, its retryPolicy spaces
// the next try. A webhook deleted or disabled meanwhile gets nothing more:
// its pending deliveries are dropped.
//
// Retries follow the webhook's policy only: 2xx is a success; any other
// status, a transport failure or a timeout is a failed attempt, retried after
// `retryInterval × retry_scale`, `maxRetries` times at most. A `Retry-After`
// answer is not honoured, as the tenant follows its own policy.
#pragma once

#include "tests/emulator/emulator_delivery_message.hpp"
#include "tests/emulator/emulator_tenant.hpp"

#include <atomic>
#include <boost/json/object.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace hookwarden::emulator {

/// One POST to make.
struct DeliveryRequest {
    std::string endpoint_url; ///< the webhook's, at the time of the attempt
    HeaderList headers;       ///< Content-Type, webhook-id and the signatures
    std::string body;
};

/// What came of one POST.
struct DeliveryAnswer {
    std::optional<int> status; ///< the HTTP status; nothing when no answer came
    std::string error;         ///< why no answer came (transport failure, timeout)
};

/// Sends one delivery and waits for the answer. Called from several worker
/// threads at once.
using DeliverySender = std::function<DeliveryAnswer(const DeliveryRequest&)>;

struct DeliveryOptions {
    double retry_scale = 1.0; ///< factor on every retryInterval (0.001: PT1M → 60 ms)
    int concurrency = 16;     ///< attempts in flight at most (worker threads)
    /// Called with one line per attempt (from the worker threads), e.g.
    /// `delivery msg_… to https://…: 500 in 3ms, attempt 1 of 4`; unset: silent.
    std::function<void(const std::string&)> log;
};

/// Deliveries that ended, and attempts made.
struct DeliveryCounts {
    std::int64_t succeeded = 0; ///< deliveries answered 2xx
    std::int64_t failed = 0;    ///< deliveries whose every attempt failed
    std::int64_t attempts = 0;  ///< POSTs made
};

/// GET /_emulator/deliveries.
struct DeliveryStats {
    std::size_t queued = 0;    ///< waiting for their first attempt or a retry
    std::size_t in_flight = 0; ///< attempts being made now
    DeliveryCounts total;
    std::int64_t dropped = 0; ///< pending deliveries of webhooks deleted or disabled
    std::map<std::string, DeliveryCounts> webhooks; ///< by webhook id
};

/// POST /_emulator/events.
struct EventFiring {
    std::string event_type;
    int count = 1;
    boost::json::object overrides; ///< members merged over each event's body
};

class DeliveryQueue {
  public:
    /// Starts `options.concurrency` worker threads. `tenant` must outlive the queue.
    DeliveryQueue(Tenant& tenant, DeliverySender sender, DeliveryOptions options = {});
    /// Stops and joins the workers (see stop()).
    ~DeliveryQueue();

    DeliveryQueue(const DeliveryQueue&) = delete;
    DeliveryQueue& operator=(const DeliveryQueue&) = delete;

    /// Fires `count` events of the type; each enabled webhook whose
    /// eventTypes hold it gets one delivery of each, due now. Returns the
    /// number of deliveries queued.
    std::size_t fire(const EventFiring& firing);

    /// Drops the pending deliveries of a webhook (it was deleted).
    void drop_webhook(std::string_view id);

    /// Forgets pending deliveries and every count; attempts in flight
    /// finish unrecorded. Event sequences start again at 1.
    void reset();

    DeliveryStats stats() const;

    /// Waits until nothing is queued or in flight; false on timeout.
    bool wait_idle(std::chrono::milliseconds timeout) const;

    /// Returns at once: no attempt starts any more and none is recorded.
    /// Attempts in flight end when the sender returns (the program cancels
    /// its HTTPS client for that). Idempotent.
    void stop();

  private:
    using Steady = std::chrono::steady_clock;

    struct Pending {
        std::string webhook_id;
        std::string message_id;
        std::string body;
        int attempts_made = 0;
        std::uint64_t generation = 0; ///< reset() leaves older ones unrecorded
    };

    /// After an attempt: when to try again, if at all.
    struct Outcome {
        bool attempted = false; ///< false: the webhook was deleted or disabled before it
        bool succeeded = false;
        bool gone = false; ///< failed, and the webhook was deleted or disabled before a retry
        std::optional<Steady::time_point> retry_at;
    };

    void work();
    Outcome attempt(const Pending& delivery);
    void settle_locked(Pending delivery, const Outcome& outcome);

    Tenant& tenant_;
    DeliverySender sender_;
    DeliveryOptions options_;

    mutable std::mutex mutex_;
    std::condition_variable wake_;         // workers: something became due, or stop
    mutable std::condition_variable idle_; // wait_idle(): queue and flight emptied
    std::multimap<Steady::time_point, Pending> pending_; // due time; equal times in order
    std::size_t in_flight_ = 0;
    DeliveryCounts total_;
    std::int64_t dropped_ = 0;
    std::map<std::string, DeliveryCounts, std::less<>> by_webhook_;
    std::int64_t sequence_ = 0;
    std::atomic<std::uint64_t> generation_{0};
    bool stopping_ = false;
    std::vector<std::thread> workers_;
};

} // namespace hookwarden::emulator
