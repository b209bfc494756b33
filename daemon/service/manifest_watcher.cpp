#include "daemon/service/manifest_watcher.hpp"

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
      problem_(std::move(other.problem_)), rebuild_(other.rebuild_) {
    other.fd_ = -1;
}

ManifestWatcher& ManifestWatcher::operator=(ManifestWatcher&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0)
            ::close(fd_);
        fd_ = other.fd_;
        root_ = std::move(other.root_);
        watches_ = std::move(other.watches_);
        problem_ = std::move(other.problem_);
        rebuild_ = other.rebuild_;
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
    problem_.clear();
    rebuild_ = false;
    watch_tree(root_);
}

void ManifestWatcher::watch_tree(const fs::path& dir) {
    // inotify follows a symlinked directory by default, as discovery does.
    const int wd = ::inotify_add_watch(fd_, dir.c_str(), watch_mask);
    if (wd < 0) {
        // Gone, unreadable or over the watch limit: discovery reports the
        // first two on the next load; the loop reads for itself meanwhile.
        if (problem_.empty())
            problem_ = "cannot watch " + dir.string() + " for changes: " + std::strerror(errno) +
                       (errno == ENOSPC ? " (fs.inotify.max_user_watches reached)" : "");
        return;
    }
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
                rebuild_ = true; // events were lost, new directories among them
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
                    rebuild_ = true;
                continue;
            }
            if (event->len == 0 || hidden(event->name))
                continue;
            relevant = true;
            if (!(event->mask & IN_ISDIR))
                continue;
            // A moved directory keeps its watches (and those below it) under
            // the old path, or takes them out of the tree: rebuild them all.
            if (event->mask & (IN_MOVED_FROM | IN_MOVED_TO))
                rebuild_ = true;
            else if ((event->mask & IN_CREATE) && dir != watches_.end())
                watch_tree(dir->second / event->name);
        }
    }
    if (rebuild_ || watches_.empty())
        rearm();
    return relevant;
}

} // namespace hookwarden
