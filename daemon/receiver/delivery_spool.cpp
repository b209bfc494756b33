#include "daemon/receiver/delivery_spool.hpp"

#include "core/atomic_file.hpp"
#include "core/event/accepted_deliveries.hpp"
#include "core/event/spool_record.hpp"
#include "daemon/service/state_lock.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace hookwarden {

namespace fs = std::filesystem;

namespace {

constexpr const char* current_name = "current.jsonl";
constexpr const char* journal_name = "accepted-ids";

/// A file descriptor closed by scope.
class FileHandle {
  public:
    FileHandle() = default;
    explicit FileHandle(int fd) : fd_(fd) {}
    FileHandle(FileHandle&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    FileHandle& operator=(FileHandle&& other) noexcept {
        if (this != &other) {
            reset();
            fd_ = std::exchange(other.fd_, -1);
        }
        return *this;
    }
    ~FileHandle() { reset(); }
    int get() const noexcept { return fd_; }
    void reset() {
        if (fd_ >= 0)
            ::close(fd_);
        fd_ = -1;
    }

  private:
    int fd_ = -1;
};

Error io_error(const fs::path& path, const std::string& what, int error) {
    return make_error(ErrorKind::io, "cannot " + what + " " + path.string() + ": " + std::strerror(error));
}

Result<FileHandle> open_for_append(const fs::path& path) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0)
        return io_error(path, "open", errno);
    return FileHandle(fd);
}

Result<void> sync_directory(const fs::path& dir) {
    FileHandle fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.get() < 0 || ::fsync(fd.get()) != 0)
        return io_error(dir, "sync directory", errno);
    return {};
}

/// Writes all of `data` at `offset`; the errno of the failure, or 0.
int write_all_at(int fd, std::string_view data, std::uint64_t offset) {
    while (!data.empty()) {
        const ssize_t n = ::pwrite(fd, data.data(), data.size(), static_cast<off_t>(offset));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return errno;
        }
        if (n == 0)
            return EIO;
        data.remove_prefix(static_cast<std::size_t>(n));
        offset += static_cast<std::uint64_t>(n);
    }
    return 0;
}

/// The number N of an `events-N.jsonl` name, if it is one.
std::optional<std::uint64_t> closed_file_number(const std::string& name) {
    constexpr std::string_view prefix = "events-", suffix = ".jsonl";
    if (name.size() <= prefix.size() + suffix.size() || !name.starts_with(prefix) || !name.ends_with(suffix))
        return std::nullopt;
    const char* first = name.data() + prefix.size();
    const char* last = name.data() + name.size() - suffix.size();
    std::uint64_t n = 0;
    const auto [stop, ec] = std::from_chars(first, last, n);
    if (ec != std::errc{} || stop != last)
        return std::nullopt;
    return n;
}

std::string closed_file_name(std::uint64_t n) {
    std::string digits = std::to_string(n);
    if (digits.size() < 12)
        digits.insert(0, 12 - digits.size(), '0');
    return "events-" + digits + ".jsonl";
}

std::chrono::sys_seconds to_seconds(std::chrono::system_clock::time_point t) {
    return std::chrono::floor<std::chrono::seconds>(t);
}

} // namespace

struct DeliverySpool::Impl {
    struct Entry {
        std::optional<DeliveryKey> key;
        std::string line;
        SpoolDone done;
        std::chrono::steady_clock::time_point queued_at;
    };

    SpoolOptions options;
    std::optional<StateLock> lock;
    FileHandle current;
    FileHandle journal;
    std::uint64_t current_size = 0;
    std::uint64_t journal_size = 0;
    /// Journal lines of current.jsonl's records, written when it is closed.
    std::string journal_pending;
    std::uint64_t next_file_number = 1;

    mutable std::mutex mutex;
    std::condition_variable wake;
    std::deque<Entry> queue;
    /// Ids queued or being committed, with the duplicates waiting for them.
    std::unordered_map<DeliveryKey, std::vector<SpoolDone>, DeliveryKeyHash> in_flight;
    AcceptedDeliveries accepted;
    std::optional<std::chrono::steady_clock::time_point> committing_since;
    SpoolCounters counters;
    bool stopping = false;
    std::thread committer;

    explicit Impl(SpoolOptions o) : options(std::move(o)), accepted(options.remember) {}

    fs::path path(const char* name) const { return options.dir / name; }

    // ---- opening and recovery -------------------------------------------

    Result<void> open() {
        if (auto made = ensure_directory(options.dir, fs::perms::owner_all | fs::perms::group_read |
                                                          fs::perms::group_exec);
            !made)
            return made.error();
        auto taken = StateLock::acquire(options.dir);
        if (!taken)
            return taken.error();
        lock.emplace(std::move(*taken));

        std::error_code ec;
        for (const auto& entry : fs::directory_iterator(options.dir, ec))
            if (auto n = closed_file_number(entry.path().filename().string()))
                next_file_number = std::max(next_file_number, *n + 1);
        if (ec)
            return io_error(options.dir, "list", ec.value());

        const auto now = to_seconds(options.clock());
        // In the order they were accepted: closed files' ids, then current.jsonl's.
        if (auto read = read_journal(); !read)
            return read.error();
        if (auto recovered = recover_current(); !recovered)
            return recovered.error();
        accepted.expire(now);
        return rewrite_journal(accepted.ids());
    }

    /// Cuts a torn last line off current.jsonl and remembers its ids.
    Result<void> recover_current() {
        auto opened = open_for_append(path(current_name));
        if (!opened)
            return opened.error();
        current = std::move(*opened);

        std::string carry;
        std::vector<char> buffer(1 << 20);
        std::uint64_t offset = 0, complete = 0;
        for (;;) {
            const ssize_t n = ::pread(current.get(), buffer.data(), buffer.size(), static_cast<off_t>(offset));
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                return io_error(path(current_name), "read", errno);
            if (n == 0)
                break;
            offset += static_cast<std::uint64_t>(n);
            carry.append(buffer.data(), static_cast<std::size_t>(n));
            std::size_t start = 0;
            for (std::size_t end; (end = carry.find('\n', start)) != std::string::npos; start = end + 1) {
                if (auto id = spool_record_id(std::string_view(carry).substr(start, end - start))) {
                    accepted.expire(id->received_at); // replayed as in read_journal
                    accepted.insert({delivery_key(id->id), id->received_at});
                }
                complete += end - start + 1;
            }
            carry.erase(0, start);
        }
        if (complete != offset) { // a torn record: it was never answered 2xx
            if (::ftruncate(current.get(), static_cast<off_t>(complete)) != 0 ||
                ::fdatasync(current.get()) != 0)
                return io_error(path(current_name), "cut the torn end of", errno);
        }
        current_size = complete;
        return {};
    }

    Result<void> read_journal() {
        auto text = read_file_if_exists(path(journal_name));
        if (!text)
            return text.error();
        // Replayed as they happened: an id accepted again after it had been
        // forgotten appears twice, and only the later time counts.
        if (*text)
            for (const AcceptedId& id : read_accepted_ids(**text)) {
                accepted.expire(id.accepted_at);
                accepted.insert(id);
            }
        return {};
    }

    /// Replaces the journal by the ids remembered now (atomically) and opens
    /// it for appending. Keeps the journal from growing without end.
    Result<void> rewrite_journal(const std::vector<AcceptedId>& ids) {
        std::string text;
        text.reserve(ids.size() * 45);
        for (const AcceptedId& id : ids)
            text += accepted_id_line(id);
        AtomicWriteOptions mode;
        mode.mode = fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read;
        if (auto written = write_file_atomically(path(journal_name), text, mode); !written)
            return written.error();
        auto opened = open_for_append(path(journal_name));
        if (!opened)
            return opened.error();
        journal = std::move(*opened);
        journal_size = text.size();
        return {};
    }

    // ---- submitting ------------------------------------------------------

    void submit(std::optional<std::string> webhook_id, std::string line, SpoolDone done) {
        std::optional<DeliveryKey> key;
        if (webhook_id)
            key = delivery_key(*webhook_id);
        std::unique_lock guard(mutex);
        if (stopping) {
            guard.unlock();
            done({SpoolOutcome::unavailable, "the receiver is stopping"});
            return;
        }
        if (key) {
            accepted.expire(to_seconds(options.clock()));
            if (accepted.contains(*key)) {
                ++counters.duplicates;
                guard.unlock();
                done({SpoolOutcome::duplicate, {}});
                return;
            }
            if (auto waiting = in_flight.find(*key); waiting != in_flight.end()) {
                waiting->second.push_back(std::move(done));
                return;
            }
            in_flight.emplace(*key, std::vector<SpoolDone>{});
        }
        queue.push_back({key, std::move(line), std::move(done), std::chrono::steady_clock::now()});
        guard.unlock();
        wake.notify_one();
    }

    // ---- committing ------------------------------------------------------

    void run() {
        for (;;) {
            std::deque<Entry> batch;
            {
                std::unique_lock guard(mutex);
                wake.wait(guard, [&] { return !queue.empty() || stopping; });
                if (queue.empty())
                    return; // stopping, and everything queued is committed
                batch.swap(queue);
                committing_since = batch.front().queued_at;
            }
            commit(batch);
        }
    }

    void commit(std::deque<Entry>& batch) {
        const auto now = to_seconds(options.clock());
        std::string records;
        for (const Entry& entry : batch)
            records += entry.line;

        std::string failure = write_batch(records);
        if (failure.empty())
            for (const Entry& entry : batch)
                if (entry.key)
                    journal_pending += accepted_id_line({*entry.key, now});

        struct Finished {
            SpoolDone done;
            SpoolOutcome outcome;
        };
        std::vector<Finished> finished;
        finished.reserve(batch.size());
        {
            std::lock_guard guard(mutex);
            ++counters.batches;
            const SpoolOutcome first = failure.empty() ? SpoolOutcome::accepted : SpoolOutcome::unavailable;
            const SpoolOutcome repeat = failure.empty() ? SpoolOutcome::duplicate : SpoolOutcome::unavailable;
            for (Entry& entry : batch) {
                finished.push_back({std::move(entry.done), first});
                if (!entry.key)
                    continue;
                if (failure.empty())
                    accepted.insert({*entry.key, now});
                auto waiting = in_flight.find(*entry.key);
                for (SpoolDone& done : waiting->second)
                    finished.push_back({std::move(done), repeat});
                in_flight.erase(waiting);
            }
            for (const Finished& f : finished) {
                if (f.outcome == SpoolOutcome::accepted)
                    ++counters.accepted;
                else if (f.outcome == SpoolOutcome::duplicate)
                    ++counters.duplicates;
                else
                    ++counters.unavailable;
            }
            counters.last_error = failure;
            if (failure.empty())
                accepted.expire(now);
            counters.remembered = accepted.size();
            committing_since.reset();
            if (!queue.empty())
                committing_since = queue.front().queued_at;
        }
        const SpoolAnswer ok{SpoolOutcome::accepted, {}};
        const SpoolAnswer dup{SpoolOutcome::duplicate, {}};
        const SpoolAnswer refused{SpoolOutcome::unavailable, failure};
        for (Finished& f : finished)
            f.done(f.outcome == SpoolOutcome::accepted ? ok : f.outcome == SpoolOutcome::duplicate ? dup : refused);

        if (failure.empty())
            after_commit();
    }

    /// Appends the records and syncs them; on failure cuts the file back
    /// and returns why (a sentence naming the file). One fdatasync a batch:
    /// the batch's ids need none of their own, since after a crash they are
    /// read back from current.jsonl itself.
    std::string write_batch(const std::string& records) {
        int error = write_all_at(current.get(), records, current_size);
        if (!error && ::fdatasync(current.get()) != 0)
            error = errno;
        if (!error) {
            current_size += records.size();
            return {};
        }
        // All or nothing: what this batch wrote goes, so that the sender's
        // retry is not a second copy. A cut that fails too is harmless for
        // the next batch, which writes at the old end again.
        [[maybe_unused]] int ignored = ::ftruncate(current.get(), static_cast<off_t>(current_size));
        return std::string("cannot write the spool file ") + path(current_name).string() + ": " +
               std::strerror(error);
    }

    /// Makes the ids of current.jsonl's records durable in the journal: it
    /// must hold them before current.jsonl is closed, since consumers
    /// remove closed files and with them the ids' only other copy.
    int flush_journal() {
        if (journal_pending.empty())
            return 0;
        int error = write_all_at(journal.get(), journal_pending, journal_size);
        if (!error && ::fdatasync(journal.get()) != 0)
            error = errno;
        if (error) {
            [[maybe_unused]] int ignored = ::ftruncate(journal.get(), static_cast<off_t>(journal_size));
            return error;
        }
        journal_size += journal_pending.size();
        journal_pending.clear();
        return 0;
    }

    /// Closes a full current.jsonl and compacts a journal of mostly
    /// forgotten ids. Failures here lose nothing: the files just grow.
    void after_commit() {
        if (current_size >= options.file_size)
            close_current_file();
        // Only this thread writes the journal, so the ids copied here are
        // all it would hold (pending ones included): the rewrite can run
        // without the lock.
        std::vector<AcceptedId> ids;
        {
            std::lock_guard guard(mutex);
            if (journal_size <= (1u << 20) || journal_size <= std::size_t{4} * 45 * accepted.size())
                return;
            ids = accepted.ids();
        }
        if (auto rewritten = rewrite_journal(ids); !rewritten) {
            std::lock_guard guard(mutex);
            counters.last_error = rewritten.error().message;
            return;
        }
        journal_pending.clear();
    }

    void close_current_file() {
        if (const int error = flush_journal()) {
            // Not closed: current.jsonl keeps growing and holds the ids; the
            // next commit tries again.
            std::lock_guard guard(mutex);
            counters.last_error = io_error(path(journal_name), "write", error).message;
            return;
        }
        const fs::path closed = options.dir / closed_file_name(next_file_number);
        if (::rename(path(current_name).c_str(), closed.c_str()) != 0) {
            std::lock_guard guard(mutex);
            counters.last_error = io_error(path(current_name), "close", errno).message;
            return;
        }
        auto opened = open_for_append(path(current_name));
        std::lock_guard guard(mutex);
        if (!opened) {
            // A closed file is never written again: take it back as the
            // current one (the next commit tries to close it again).
            counters.last_error = opened.error().message;
            [[maybe_unused]] int ignored = ::rename(closed.c_str(), path(current_name).c_str());
            return;
        }
        ++next_file_number;
        current = std::move(*opened);
        current_size = 0;
        ++counters.files_closed;
        if (auto synced = sync_directory(options.dir); !synced)
            counters.last_error = synced.error().message;
    }
};

DeliverySpool::DeliverySpool(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::unique_ptr<DeliverySpool>> DeliverySpool::open(SpoolOptions options) {
    auto impl = std::make_unique<Impl>(std::move(options));
    if (auto opened = impl->open(); !opened)
        return opened.error();
    impl->counters.remembered = impl->accepted.size();
    Impl* raw = impl.get();
    impl->committer = std::thread([raw] { raw->run(); });
    return std::unique_ptr<DeliverySpool>(new DeliverySpool(std::move(impl)));
}

DeliverySpool::~DeliverySpool() { stop(); }

void DeliverySpool::submit(std::optional<std::string> webhook_id, std::string line, SpoolDone done) {
    impl_->submit(std::move(webhook_id), std::move(line), std::move(done));
}

void DeliverySpool::stop() {
    {
        std::lock_guard guard(impl_->mutex);
        impl_->stopping = true;
    }
    impl_->wake.notify_all();
    if (impl_->committer.joinable())
        impl_->committer.join();
}

SpoolCounters DeliverySpool::counters() const {
    std::lock_guard guard(impl_->mutex);
    return impl_->counters;
}

std::chrono::steady_clock::duration DeliverySpool::stalled_for() const {
    std::lock_guard guard(impl_->mutex);
    std::optional<std::chrono::steady_clock::time_point> oldest = impl_->committing_since;
    if (!oldest && !impl_->queue.empty())
        oldest = impl_->queue.front().queued_at;
    if (!oldest)
        return {};
    return std::chrono::steady_clock::now() - *oldest;
}

} // namespace hookwarden
