#include "daemon/service/thread_pool.hpp"

#include <algorithm>
#include <exception>

namespace hookwarden {

// One call of run(): lives on the caller's stack until every index has
// finished or been skipped, so the pool's threads may point at it.
struct ThreadPool::Batch {
    std::size_t count = 0;
    const std::function<void(std::size_t)>* fn = nullptr;
    std::size_t next = 0;      ///< first index not started
    std::size_t done = 0;      ///< indices finished or skipped
    std::exception_ptr error;  ///< the first exception thrown
    std::condition_variable all_done;
};

ThreadPool::ThreadPool(std::size_t width) {
    const std::size_t threads = std::max<std::size_t>(width, 1) - 1;
    threads_.reserve(threads);
    for (std::size_t i = 0; i < threads; ++i)
        threads_.emplace_back([this] { work(); });
}

ThreadPool::~ThreadPool() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    for (auto& thread : threads_)
        thread.join();
}

void ThreadPool::run(std::size_t count, const std::function<void(std::size_t)>& fn) {
    if (count == 0)
        return;
    Batch batch;
    batch.count = count;
    batch.fn = &fn;
    std::unique_lock lock(mutex_);
    if (count > 1 && !threads_.empty()) {
        queue_.push_back(&batch);
        if (count - 1 < threads_.size()) {
            for (std::size_t i = 0; i + 1 < count; ++i)
                wake_.notify_one();
        } else {
            wake_.notify_all();
        }
    }
    std::size_t index = 0;
    while (claim(batch, index))
        run_one(batch, index, lock);
    batch.all_done.wait(lock, [&batch] { return batch.done == batch.count; });
    if (batch.error)
        std::rethrow_exception(batch.error);
}

void ThreadPool::work() {
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (queue_.empty())
            return; // stopping, and nothing is waiting for us
        Batch& batch = *queue_.front();
        std::size_t index = 0;
        if (claim(batch, index))
            run_one(batch, index, lock);
    }
}

bool ThreadPool::claim(Batch& batch, std::size_t& index) {
    if (batch.next == batch.count)
        return false;
    index = batch.next++;
    if (batch.next == batch.count)
        dequeue(batch); // every index has started
    return true;
}

void ThreadPool::dequeue(Batch& batch) {
    if (const auto queued = std::find(queue_.begin(), queue_.end(), &batch); queued != queue_.end())
        queue_.erase(queued);
}

void ThreadPool::run_one(Batch& batch, std::size_t index, std::unique_lock<std::mutex>& lock) {
    lock.unlock();
    std::exception_ptr error;
    try {
        (*batch.fn)(index);
    } catch (...) {
        error = std::current_exception();
    }
    lock.lock();
    finished(batch, std::move(error));
}

void ThreadPool::finished(Batch& batch, std::exception_ptr error) {
    if (error && !batch.error)
        batch.error = std::move(error);
    ++batch.done;
    if (batch.error && batch.next < batch.count) {
        // Skip what has not started; the caller rethrows once the calls
        // under way have returned.
        batch.done += batch.count - batch.next;
        batch.next = batch.count;
        dequeue(batch);
    }
    // Notified with the lock held: the caller cannot see `done == count`,
    // return and destroy the batch before this thread lets go of it.
    if (batch.done == batch.count)
        batch.all_done.notify_all();
}

} // namespace hookwarden
