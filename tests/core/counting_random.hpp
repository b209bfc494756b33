// A random source for the secret store that counts up from `start`, so that
// the secrets a test generates are known.
#pragma once

#include "core/secret_store.hpp"

#include <memory>
#include <span>

namespace hookwarden::testing {

inline SecretRandom counting_random(unsigned char start = 0) {
    auto next = std::make_shared<unsigned char>(start);
    return [next](std::span<unsigned char> out) {
        for (auto& b : out)
            b = (*next)++;
        return true;
    };
}

} // namespace hookwarden::testing
