#include "core/backoff.hpp"

#include <algorithm>

namespace hookwarden {
namespace chrono = std::chrono;

chrono::milliseconds backoff_ceiling(const BackoffPolicy& policy, int retry) {
    if (policy.base <= chrono::milliseconds::zero())
        return chrono::milliseconds::zero();
    auto ceiling = policy.base;
    for (int i = 0; i < retry && ceiling < policy.cap; ++i)
        ceiling *= 2;
    return std::min(ceiling, policy.cap);
}

chrono::milliseconds full_jitter_delay(const BackoffPolicy& policy, int retry,
                                       const RandomSource& random) {
    const auto ceiling = static_cast<std::uint64_t>(backoff_ceiling(policy, retry).count());
    if (ceiling == 0)
        return chrono::milliseconds::zero();
    // Modulo bias is below 2^-40 for ceilings under an hour: irrelevant here.
    return chrono::milliseconds(static_cast<chrono::milliseconds::rep>(random() % (ceiling + 1)));
}

} // namespace hookwarden
