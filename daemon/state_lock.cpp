#include "daemon/state_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace hookwarden {

Result<StateLock> StateLock::acquire(const std::filesystem::path& state_dir) {
    std::error_code ec;
    std::filesystem::create_directories(state_dir, ec);
    if (ec)
        return make_error(ErrorKind::io, "cannot create state directory " + state_dir.string() +
                                             ": " + ec.message());
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
