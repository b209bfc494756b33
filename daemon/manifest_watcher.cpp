#include "daemon/manifest_watcher.hpp"

#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace hookwarden {

namespace fs = std::filesystem;

namespace {

constexpr std::uint32_t watch_mask = IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_FROM |
                                     IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ATTRIB |
                                     IN_ONLYDIR;

bool hidden(const char* name) { return name[0] == '.'; }

} // namespace

Result<ManifestWatcher> ManifestWatcher::open(const fs::path& root) {
    const int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0)
        return make_error(ErrorKind::io, std::string("cannot watch manifests (inotify): ") +
                                             std::strerror(errno));
    ManifestWatcher watcher(fd, root);
    watcher.rearm();
    return watcher;
}

ManifestWatcher::ManifestWatcher(ManifestWatcher&& other) noexcept
    : fd_(other.fd_), root_(std::move(other.root_)), watches_(std::move(other.watches_)),
      root_lost_(other.root_lost_) {
    other.fd_ = -1;
}

ManifestWatcher& ManifestWatcher::operator=(ManifestWatcher&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0)
            ::close(fd_);
        fd_ = other.fd_;
        root_ = std::move(other.root_);
        watches_ = std::move(other.watches_);
        root_lost_ = other.root_lost_;
        other.fd_ = -1;
    }
    return *this;
}

ManifestWatcher::~ManifestWatcher() {
    if (fd_ >= 0)
        ::close(fd_);
}

void ManifestWatcher::rearm() {
    for (const auto& [wd, dir] : watches_)
        ::inotify_rm_watch(fd_, wd);
    watches_.clear();
    watch_tree(root_);
    root_lost_ = watches_.empty();
}

void ManifestWatcher::watch_tree(const fs::path& dir) {
    // inotify follows a symlinked directory by default, as discovery does.
    const int wd = ::inotify_add_watch(fd_, dir.c_str(), watch_mask);
    if (wd < 0)
        return; // gone or unreadable: discovery reports it on the next cycle
    if (!watches_.emplace(wd, dir).second)
        return; // already watched: a loop through a symlink
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const auto name = it->path().filename().string();
        if (hidden(name.c_str()))
            continue;
        if (it->is_directory(ec))
            watch_tree(it->path());
    }
}

bool ManifestWatcher::drain() {
    bool relevant = false;
    alignas(inotify_event) char buffer[16 * 1024];
    for (;;) {
        const ssize_t n = ::read(fd_, buffer, sizeof buffer);
        if (n <= 0)
            break;
        for (ssize_t offset = 0; offset < n;) {
            const auto* event = reinterpret_cast<const inotify_event*>(buffer + offset);
            offset += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
            if (event->mask & IN_Q_OVERFLOW) {
                relevant = true;
                root_lost_ = true; // events were lost: rebuild every watch
                continue;
            }
            auto dir = watches_.find(event->wd);
            if (event->mask & IN_IGNORED) {
                if (dir != watches_.end())
                    watches_.erase(dir);
                continue;
            }
            if (event->mask & (IN_DELETE_SELF | IN_MOVE_SELF)) {
                relevant = true;
                if (dir != watches_.end() && dir->second == root_)
                    root_lost_ = true;
                continue;
            }
            if (event->len == 0 || hidden(event->name))
                continue;
            relevant = true;
            if ((event->mask & IN_ISDIR) && (event->mask & (IN_CREATE | IN_MOVED_TO)) &&
                dir != watches_.end())
                watch_tree(dir->second / event->name);
        }
    }
    if (root_lost_ || watches_.empty())
        rearm();
    return relevant;
}

} // namespace hookwarden
