// The exclusive lock on `stateDir/lock` that keeps two daemons (or a daemon
// and an `apply`) from reconciling one tenant at once (SPEC §6).
//
// flock(2) on a file that holds the owner's PID: the kernel drops the lock
// when the process dies, so a crash never leaves a stale lock behind, and a
// refused caller can name the holder.
#pragma once

#include "core/error.hpp"

#include <filesystem>

namespace hookwarden {

class StateLock {
public:
    /// Takes the lock without waiting. Creates `state_dir` (0700) when missing.
    /// When another process holds it: ErrorKind::conflict naming its PID.
    static Result<StateLock> acquire(const std::filesystem::path& state_dir);

    StateLock(StateLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
    StateLock& operator=(StateLock&&) = delete;
    StateLock(const StateLock&) = delete;
    ~StateLock();

private:
    explicit StateLock(int fd) : fd_(fd) {}
    int fd_ = -1;
};

} // namespace hookwarden
