// The Executor contract (core/executor.hpp), checked on both executors: the
// inline one core's tests use and the daemon's thread pool
// (daemon/service/thread_pool.hpp).
#include <doctest/doctest.h>

#include "core/executor.hpp"
#include "daemon/service/thread_pool.hpp"

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

using namespace hookwarden;

namespace {

/// Every index once, whatever the executor.
void check_runs_every_index_once(Executor& executor, std::size_t count) {
    std::vector<std::atomic<int>> calls(count);
    executor.run(count, [&](std::size_t i) { calls[i].fetch_add(1); });
    for (std::size_t i = 0; i < count; ++i) {
        INFO("index " << i);
        REQUIRE(calls[i].load() == 1);
    }
}

} // namespace

TEST_SUITE("executor") {

TEST_CASE("the inline executor runs every index in order on the calling thread") {
    InlineExecutor executor;
    CHECK(executor.width() == 1);
    std::vector<std::size_t> order;
    const auto caller = std::this_thread::get_id();
    bool same_thread = true;
    executor.run(5, [&](std::size_t i) {
        order.push_back(i);
        same_thread = same_thread && std::this_thread::get_id() == caller;
    });
    CHECK(order == std::vector<std::size_t>{0, 1, 2, 3, 4});
    CHECK(same_thread);
    executor.run(0, [](std::size_t) { FAIL("nothing to run"); });
}

TEST_CASE("the inline executor stops at the first exception and rethrows it") {
    InlineExecutor executor;
    std::vector<std::size_t> ran;
    CHECK_THROWS_WITH_AS(executor.run(5,
                                      [&](std::size_t i) {
                                          ran.push_back(i);
                                          if (i == 2)
                                              throw std::runtime_error("piece 2 failed");
                                      }),
                         "piece 2 failed", std::runtime_error);
    CHECK(ran == std::vector<std::size_t>{0, 1, 2});
}

TEST_CASE("a thread pool runs every index exactly once, whatever the width") {
    for (std::size_t width : {0, 1, 2, 4, 8}) {
        INFO("width " << width);
        ThreadPool pool(width);
        CHECK(pool.width() == std::max<std::size_t>(width, 1));
        for (std::size_t count : {0, 1, 2, 3, 1000})
            check_runs_every_index_once(pool, count);
    }
}

TEST_CASE("a thread pool really runs pieces at the same time, up to its width") {
    ThreadPool pool(3);
    std::atomic<int> running{0};
    std::atomic<int> most{0};
    std::set<std::thread::id> threads;
    std::mutex threads_mutex;
    pool.run(12, [&](std::size_t) {
        const int now = running.fetch_add(1) + 1;
        for (int seen = most.load(); now > seen && !most.compare_exchange_weak(seen, now);) {
        }
        {
            std::lock_guard lock(threads_mutex);
            threads.insert(std::this_thread::get_id());
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        running.fetch_sub(1);
    });
    CHECK(most.load() >= 2);
    CHECK(most.load() <= 3);
    CHECK(threads.size() >= 2);
    CHECK(threads.size() <= 3);
}

TEST_CASE("a thread pool returns only after every piece has finished") {
    ThreadPool pool(4);
    std::atomic<int> finished{0};
    pool.run(8, [&](std::size_t i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5 * (i % 3)));
        finished.fetch_add(1);
    });
    CHECK(finished.load() == 8);
}

TEST_CASE("a thread pool rethrows the first exception after the pieces under way have finished") {
    ThreadPool pool(2);
    std::atomic<int> started{0};
    std::atomic<int> under_way{0};
    CHECK_THROWS_WITH_AS(pool.run(1000,
                                  [&](std::size_t i) {
                                      started.fetch_add(1);
                                      under_way.fetch_add(1);
                                      if (i == 3)
                                          throw std::runtime_error("piece 3 failed");
                                      std::this_thread::sleep_for(std::chrono::milliseconds(1));
                                      under_way.fetch_sub(1);
                                  }),
                         "piece 3 failed", std::runtime_error);
    CHECK(under_way.load() == 1); // only the piece that threw never got to the end
    CHECK(started.load() < 1000); // the rest were skipped
    // The pool is still usable afterwards.
    check_runs_every_index_once(pool, 100);
}

TEST_CASE("a thread pool can be used from inside its own pieces and from several threads") {
    ThreadPool pool(2);
    std::atomic<int> inner{0};
    pool.run(4, [&](std::size_t) { pool.run(10, [&](std::size_t) { inner.fetch_add(1); }); });
    CHECK(inner.load() == 40);

    std::atomic<int> total{0};
    std::vector<std::thread> callers;
    callers.reserve(4);
    for (int c = 0; c < 4; ++c)
        callers.emplace_back([&] { pool.run(250, [&](std::size_t) { total.fetch_add(1); }); });
    for (auto& caller : callers)
        caller.join();
    CHECK(total.load() == 1000);
}

} // TEST_SUITE
