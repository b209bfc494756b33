// The receiver's spool (SPEC §6a `spool/`, §7): where an accepted delivery
// is made durable before `receive` answers 2xx.
//
// Files in the spool directory:
//   current.jsonl          records being appended (core/event/spool_record.hpp)
//   events-000000000001.jsonl, …
//                          closed files, never written again: current.jsonl
//                          renamed once it reached `file_size`. Consumers
//                          read and remove these; numbers only grow.
//   accepted-ids           the journal of accepted `webhook-id`s
//                          (core/event/accepted_deliveries.hpp) of closed
//                          files, written and synced before current.jsonl
//                          is closed; the ids in current.jsonl are read
//                          back from it at start
//   lock                   one receiver per spool (flock, holder's PID)
//
// Guarantees:
//  - `done` reports `accepted` only after the record is written and
//    fdatasync'ed. Deliveries submitted while a commit runs wait for the
//    next one and share its one fdatasync (group commit), so the rate of
//    fsyncs, not of deliveries, is what the disk has to sustain.
//  - A batch is all or nothing: when a write or fsync fails (ENOSPC, EIO,
//    EFBIG, …) current.jsonl is cut back to where the batch began and every
//    delivery in it is `unavailable`, so the sender retries and the retry is
//    not a duplicate. Later batches try again: a disk that has room again
//    heals by itself.
//  - After a crash: a torn last line of current.jsonl is cut off (that
//    delivery was never answered 2xx), and ids are rebuilt from the journal
//    (closed files, which consumers may have removed) plus current.jsonl.
//  - An id is `duplicate` once accepted, for `remember`; a second delivery
//    of an id whose first one is still being committed waits for it and
//    gets the same outcome (duplicate if it succeeded).
//
// Thread-safe. `submit` never blocks on the disk; `done` runs on the
// spool's committer thread and must be quick (the receiver's posts the
// answer back to the connection).
#pragma once

#include "core/error.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace hookwarden {

struct SpoolOptions {
    std::filesystem::path dir;
    /// current.jsonl is closed (renamed events-N.jsonl) once it holds this much.
    std::uint64_t file_size = 64u << 20;
    /// How long an accepted id is remembered (at least receiver.tolerance).
    std::chrono::seconds remember{600};
    /// The wall clock ids are timed with; tests move it.
    std::function<std::chrono::system_clock::time_point()> clock = [] {
        return std::chrono::system_clock::now();
    };
};

enum class SpoolOutcome {
    accepted,    ///< durable now: answer 2xx
    duplicate,   ///< this webhook-id was accepted before: answer 2xx, nothing written
    unavailable, ///< could not be made durable: answer 503 so that the sender retries
};

struct SpoolAnswer {
    SpoolOutcome outcome = SpoolOutcome::unavailable;
    std::string reason; ///< for `unavailable`: why, one sentence naming the file
};

using SpoolDone = std::function<void(const SpoolAnswer&)>;

struct SpoolCounters {
    std::uint64_t accepted = 0;
    std::uint64_t duplicates = 0;
    std::uint64_t unavailable = 0;
    std::uint64_t batches = 0; ///< commits, each one fsync of each file
    std::uint64_t files_closed = 0;
    std::uint64_t remembered = 0; ///< ids remembered now
    std::string last_error;       ///< the last batch failure's reason; empty after a success
};

class DeliverySpool {
  public:
    /// Creates the directory (0750) when missing, takes its lock, recovers
    /// after a crash (see above) and starts the committer thread. Fails when
    /// another receiver holds the lock or the files cannot be opened.
    static Result<std::unique_ptr<DeliverySpool>> open(SpoolOptions options);
    ~DeliverySpool();

    DeliverySpool(const DeliverySpool&) = delete;
    DeliverySpool& operator=(const DeliverySpool&) = delete;

    /// Queues one record (`line`, ending in '\n') for the next commit.
    /// `webhook_id` de-duplicates; without one the record is always written.
    void submit(std::optional<std::string> webhook_id, std::string line, SpoolDone done);

    /// Commits what is queued, then stops; later submits are `unavailable`.
    void stop();

    SpoolCounters counters() const;

    /// How long the oldest delivery still waiting for its commit has waited
    /// (zero when none): a hung disk shows here, and the receiver stops
    /// pinging the watchdog.
    std::chrono::steady_clock::duration stalled_for() const;

  private:
    struct Impl;
    explicit DeliverySpool(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

} // namespace hookwarden
