#include "tests/emulator/emulator_delivery_queue.hpp"

#include <algorithm>
#include <exception>
#include <utility>

namespace hookwarden::emulator {
namespace chrono = std::chrono;

DeliveryQueue::DeliveryQueue(Tenant& tenant, DeliverySender sender, DeliveryOptions options)
    : tenant_(tenant), sender_(std::move(sender)), options_(std::move(options)) {
    const int workers = std::max(1, options_.concurrency);
    workers_.reserve(std::size_t(workers));
    for (int i = 0; i < workers; ++i)
        workers_.emplace_back([this] { work(); });
}

DeliveryQueue::~DeliveryQueue() {
    stop();
    for (auto& worker : workers_)
        worker.join();
}

std::size_t DeliveryQueue::fire(const EventFiring& firing) {
    std::vector<std::string> targets;
    for (const auto& w : tenant_.webhooks())
        if (w.enabled && std::find(w.event_types.begin(), w.event_types.end(),
                                   firing.event_type) != w.event_types.end())
            targets.push_back(w.id);

    std::int64_t first_sequence = 0;
    std::uint64_t generation = 0;
    {
        std::lock_guard lock(mutex_);
        first_sequence = sequence_ + 1;
        sequence_ += std::max(0, firing.count);
        generation = generation_;
    }

    // Bodies are serialized here, outside the lock, once per delivery.
    std::vector<Pending> deliveries;
    deliveries.reserve(targets.size() * std::size_t(std::max(0, firing.count)));
    for (int i = 0; i < firing.count; ++i) {
        const EmulatedEvent event{firing.event_type, tenant_.now(), tenant_.new_uuid(),
                                  first_sequence + i};
        for (const auto& id : targets)
            deliveries.push_back({id, delivery_message_id(tenant_.new_uuid()),
                                  delivery_body(event, id, firing.overrides), 0, generation});
    }

    std::lock_guard lock(mutex_);
    if (stopping_ || generation != generation_)
        return 0; // reset (or stopped) while the bodies were made: these belong to the past
    const auto now = Steady::now();
    for (auto& d : deliveries)
        pending_.emplace(now, std::move(d));
    wake_.notify_all();
    return deliveries.size();
}

void DeliveryQueue::drop_webhook(std::string_view id) {
    std::lock_guard lock(mutex_);
    dropped_ += static_cast<std::int64_t>(
        std::erase_if(pending_, [&](const auto& entry) { return entry.second.webhook_id == id; }));
    if (pending_.empty() && in_flight_ == 0)
        idle_.notify_all();
}

void DeliveryQueue::reset() {
    std::lock_guard lock(mutex_);
    ++generation_;
    pending_.clear();
    total_ = {};
    dropped_ = 0;
    by_webhook_.clear();
    sequence_ = 0;
    if (in_flight_ == 0)
        idle_.notify_all();
}

DeliveryStats DeliveryQueue::stats() const {
    std::lock_guard lock(mutex_);
    DeliveryStats stats{pending_.size(), in_flight_, total_, dropped_, {}};
    for (const auto& [id, counts] : by_webhook_)
        stats.webhooks.emplace(id, counts);
    return stats;
}

bool DeliveryQueue::wait_idle(chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    return idle_.wait_for(lock, timeout, [&] { return pending_.empty() && in_flight_ == 0; });
}

void DeliveryQueue::stop() {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    ++generation_; // attempts in flight now go unrecorded
    pending_.clear();
    wake_.notify_all();
    idle_.notify_all();
}

void DeliveryQueue::work() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        if (pending_.empty()) {
            wake_.wait(lock);
            continue;
        }
        const auto due = pending_.begin()->first;
        if (due > Steady::now()) {
            wake_.wait_until(lock, due);
            continue;
        }
        Pending delivery = std::move(pending_.extract(pending_.begin()).mapped());
        ++in_flight_;
        // Several may be due at once (a fired batch): let another worker look.
        if (!pending_.empty() && pending_.begin()->first <= Steady::now())
            wake_.notify_one();
        lock.unlock();

        const Outcome outcome = attempt(delivery);

        lock.lock();
        --in_flight_;
        settle_locked(std::move(delivery), outcome);
        if (pending_.empty() && in_flight_ == 0)
            idle_.notify_all();
    }
}

DeliveryQueue::Outcome DeliveryQueue::attempt(const Pending& delivery) {
    const auto webhook = tenant_.webhook_settings(delivery.webhook_id);
    if (!webhook || !webhook->enabled)
        return {};

    const TimePoint at = tenant_.now();
    const DeliveryRequest request{
        webhook->endpoint_url,
        delivery_headers(webhook->secret, delivery.body, delivery.message_id, at), delivery.body};
    const auto started = Steady::now();
    DeliveryAnswer answer;
    try {
        answer = sender_(request);
    } catch (const std::exception& e) {
        answer = {std::nullopt, e.what()}; // a sender's bug must not take the worker down
    }
    const auto latency = chrono::duration_cast<chrono::milliseconds>(Steady::now() - started);

    if (options_.log)
        options_.log("delivery " + delivery.message_id + " to " + webhook->endpoint_url + ": " +
                     (answer.status ? std::to_string(*answer.status) + " in " +
                                          std::to_string(latency.count()) + "ms"
                                    : "no answer after " + std::to_string(latency.count()) +
                                          "ms (" + answer.error + ")") +
                     ", attempt " + std::to_string(delivery.attempts_made + 1) + " of " +
                     std::to_string(webhook->retry_policy.max_retries + 1));

    Outcome outcome{.attempted = true, .succeeded = delivery_succeeded(answer.status)};
    if (delivery.generation != generation_)
        return outcome; // reset or stopped meanwhile: not recorded

    // Latency only when an answer came: a timeout measures the deadline, not the endpoint.
    const Delivery recorded{at, outcome.succeeded,
                            answer.status ? std::optional(latency.count()) : std::nullopt};
    (void)tenant_.record_deliveries(delivery.webhook_id, {recorded}); // not_found: deleted meanwhile

    if (outcome.succeeded)
        return outcome;
    // The policy as it is now: a PUT between attempts changes the next wait.
    const auto current = tenant_.webhook_settings(delivery.webhook_id);
    if (!current || !current->enabled) {
        outcome.gone = true;
        return outcome;
    }
    if (delivery.attempts_made < current->retry_policy.max_retries)
        outcome.retry_at =
            Steady::now() + retry_delay(current->retry_policy.retry_interval, options_.retry_scale);
    return outcome;
}

void DeliveryQueue::settle_locked(Pending delivery, const Outcome& outcome) {
    if (delivery.generation != generation_)
        return;
    if (!outcome.attempted) {
        ++dropped_;
        return;
    }
    DeliveryCounts& mine = by_webhook_[delivery.webhook_id];
    ++total_.attempts;
    ++mine.attempts;
    if (outcome.succeeded) {
        ++total_.succeeded;
        ++mine.succeeded;
    } else if (outcome.gone) {
        ++dropped_;
    } else if (outcome.retry_at) {
        ++delivery.attempts_made;
        pending_.emplace(*outcome.retry_at, std::move(delivery));
        wake_.notify_one();
    } else {
        ++total_.failed;
        ++mine.failed;
    }
}

} // namespace hookwarden::emulator
