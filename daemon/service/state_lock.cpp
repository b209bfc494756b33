#include "daemon/service/state_lock.hpp"

#include "core/atomic_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace hookwarden {

Result<StateLock> StateLock::acquire(const std::filesystem::path& state_dir) {
    // 0700: the directory will hold generated secrets (SPEC §6a).
    if (auto made = ensure_directory(state_dir, std::filesystem::perms::owner_all); !made)
        return made.error();
    const auto path = state_dir / "lock";
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return make_error(ErrorKind::io,
                          "cannot open " + path.string() + ": " + std::strerror(errno));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const int error = errno;
        std::string holder;
        char buffer[32] = {};
        if (::pread(fd, buffer, sizeof buffer - 1, 0) > 0) {
            holder = buffer;
            while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' '))
                holder.pop_back();
        }
        ::close(fd);
        if (error == EWOULDBLOCK)
            return make_error(ErrorKind::conflict,
                              "another hookwarden" + (holder.empty() ? "" : " (PID " + holder + ")") +
                                  " holds " + path.string() + "; only one may manage a state "
                                                              "directory at a time");
        return make_error(ErrorKind::io, "cannot lock " + path.string() + ": " + std::strerror(error));
    }
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) < 0) {
        // The lock itself holds; only the holder's name for others is lost.
    }
    return StateLock(fd);
}

StateLock::~StateLock() {
    if (fd_ >= 0)
        ::close(fd_);
}

} // namespace hookwarden
