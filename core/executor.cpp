#include "core/executor.hpp"

namespace hookwarden {

Executor::~Executor() = default;

void InlineExecutor::run(std::size_t count, const std::function<void(std::size_t)>& fn) {
    // The first exception leaves the loop: the calls after it are skipped.
    for (std::size_t i = 0; i < count; ++i)
        fn(i);
}

} // namespace hookwarden
