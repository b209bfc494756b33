// What every benchmark's main does around its body. A benchmark that cannot
// set up (the emulator does not start, a file cannot be written) throws; the
// exception is printed with the benchmark's name and the exit status is 1,
// where std::terminate would abort with no more than the exception's type.
#pragma once

#include <cstdio>
#include <exception>

namespace hookwarden::bench {

/// `body(argc, argv)`'s exit status, or 1 after printing what it threw.
template <class Body> int run_main(const char* name, int argc, char** argv, Body body) {
    try {
        return body(argc, argv);
    } catch (const std::exception& e) {
        (void)std::fprintf(stderr, "%s: %s\n", name, e.what());
        return 1;
    }
}

} // namespace hookwarden::bench
