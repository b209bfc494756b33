// The memory of deliveries `receive` has already accepted, by `webhook-id`
// (SPEC §7: "drops a webhook-id it has already accepted").
//
// The tenant sends a delivery again when it did not see our 2xx (a lost
// answer, a timeout, a receiver killed between fsync and answer), always
// with the same `webhook-id` and a fresh timestamp and signature. So an id
// must be remembered for as long as the tenant may still retry it — the
// receiver chooses that window (`remember`) from the webhooks' retry
// policies and `receiver.tolerance` — and across restarts: the receiver
// keeps a journal of `accepted_id_line`s next to the spool and reads it back
// with `read_accepted_ids`.
//
// Ids are kept as the first 128 bits of their SHA-256, not as text: memory
// per id is fixed whatever a sender puts in the header, and the journal has
// fixed-width lines that need no escaping. Two different ids colliding is a
// 2^-64 event at a billion ids.
//
// Pure: times are parameters; not thread-safe (the spool's committer owns it).
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace hookwarden {

/// The key an id is remembered by: 16 bytes of SHA-256(id).
using DeliveryKey = std::array<unsigned char, 16>;

DeliveryKey delivery_key(std::string_view webhook_id);

/// Hashes a key for unordered containers (its first bytes: it is a hash already).
struct DeliveryKeyHash {
    std::size_t operator()(const DeliveryKey& key) const noexcept;
};

/// One id remembered since `accepted_at`.
struct AcceptedId {
    DeliveryKey key{};
    std::chrono::sys_seconds accepted_at{};
    bool operator==(const AcceptedId&) const = default;
};

/// `1764691200 0123456789abcdef0123456789abcdef\n`: the journal line of one id.
std::string accepted_id_line(const AcceptedId& id);

/// The ids of a journal's text, in order. A torn last line (a crash in the
/// middle of an append) and any malformed line are skipped and counted in
/// `skipped`, never fatal: losing one id costs at most one duplicate event,
/// refusing to start would cost every delivery.
std::vector<AcceptedId> read_accepted_ids(std::string_view journal, std::size_t* skipped = nullptr);

class AcceptedDeliveries {
  public:
    /// Ids accepted longer than `remember` ago are forgotten by `expire`.
    explicit AcceptedDeliveries(std::chrono::seconds remember) : remember_(remember) {}

    bool contains(const DeliveryKey& key) const { return keys_.contains(key); }

    /// Remembers `id`; false when it was known already (the time stays the first one).
    bool insert(const AcceptedId& id);

    /// Forgets the ids accepted before `now - remember`. Ids are expected in
    /// roughly increasing time order; one inserted out of order is kept until
    /// those before it expire, never forgotten early.
    void expire(std::chrono::sys_seconds now);

    std::size_t size() const noexcept { return keys_.size(); }
    std::chrono::seconds remember() const noexcept { return remember_; }

    /// Every remembered id, oldest first (for rewriting the journal).
    std::vector<AcceptedId> ids() const { return {order_.begin(), order_.end()}; }

  private:
    std::chrono::seconds remember_;
    std::unordered_set<DeliveryKey, DeliveryKeyHash> keys_;
    std::deque<AcceptedId> order_;
};

} // namespace hookwarden
