// A fixed pool of threads that runs core's parallel work (core/executor.hpp).
//
// The daemon keeps one for its whole life: it parses the manifest directory
// on it (and the reconcile engine is meant to send its requests through the
// same interface). The pool is sized once, by whoever builds it — usually
// `std::thread::hardware_concurrency()` — and never grows: work beyond its
// width waits its turn instead of starting more threads.
//
// `ThreadPool(width)` starts `width - 1` threads; the thread that calls
// `run` works on its own batch too, so `width` calls run at once and a pool
// of width 1 starts no thread at all. Because a caller always works through
// its own batch, `run` cannot deadlock when called from inside a piece of
// work, nor when several threads call it at once (their batches share the
// pool's threads, first come first served).
//
// The threads inherit the signal mask of the thread that builds the pool:
// build it after blocking the signals a signalfd is to receive. They are
// joined by the destructor, which must not run while a `run` is under way.
#pragma once

#include "core/executor.hpp"

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

namespace hookwarden {

class ThreadPool final : public Executor {
public:
    /// Runs up to `width` calls at once (0 is taken as 1).
    explicit ThreadPool(std::size_t width);
    ~ThreadPool() override;
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    void run(std::size_t count, const std::function<void(std::size_t)>& fn) override;
    std::size_t width() const override { return threads_.size() + 1; }

private:
    struct Batch;

    void work();
    /// The next index of `batch` to run, or false when none is left to
    /// start. Called with `mutex_` held.
    bool claim(Batch& batch, std::size_t& index);
    /// Takes `batch` off the queue once no index of it is left to start.
    void dequeue(Batch& batch);
    /// Records that one call of `batch` returned (with `error` if it threw).
    /// Called with `mutex_` held.
    void finished(Batch& batch, std::exception_ptr error);
    void run_one(Batch& batch, std::size_t index, std::unique_lock<std::mutex>& lock);

    std::mutex mutex_;
    std::condition_variable wake_;  ///< a batch was queued, or the pool is stopping
    std::deque<Batch*> queue_;      ///< batches with indices left to start
    bool stopping_ = false;
    std::vector<std::thread> threads_;
};

} // namespace hookwarden
