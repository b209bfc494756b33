// Running independent pieces of work at the same time, for code that may not
// start threads of its own.
//
// core has no threads (SPEC §1): whatever it wants to do in parallel — parse
// a directory of manifests, later send the requests of a reconcile cycle —
// it hands to an `Executor` its caller chose. The daemon passes its thread
// pool (daemon/service/thread_pool.hpp); tests and one-shot tools pass an
// `InlineExecutor`, which runs everything in order on the calling thread and
// so makes every run deterministic.
//
// Whatever the executor, `run` only returns once every piece has finished,
// so the work may refer to the caller's locals, and results written to
// per-index slots need no lock.
#pragma once

#include <cstddef>
#include <functional>

namespace hookwarden {

class Executor {
public:
    virtual ~Executor();

    /// Calls `fn(0)`, `fn(1)`, … `fn(count - 1)`, possibly several at the
    /// same time on different threads and in any order, and returns when
    /// all calls have returned. `fn` must therefore be safe to call
    /// concurrently with different indices.
    ///
    /// If a call throws, the calls not started yet are skipped, and once the
    /// ones under way have returned the first exception thrown is rethrown
    /// here (the others are dropped).
    ///
    /// May be called from several threads at once, and from inside `fn`
    /// (the nested call's pieces then run within the outer piece).
    virtual void run(std::size_t count, const std::function<void(std::size_t)>& fn) = 0;

    /// How many calls of `fn` may run at the same time (1 for
    /// InlineExecutor): a hint for how finely to split work.
    virtual std::size_t width() const = 0;
};

/// Runs the calls one after the other, in index order, on the calling
/// thread: the deterministic executor of unit tests and one-shot commands.
class InlineExecutor final : public Executor {
public:
    void run(std::size_t count, const std::function<void(std::size_t)>& fn) override;
    std::size_t width() const override { return 1; }
};

} // namespace hookwarden
