// Watching the manifest directory with inotify(7), so that a `git pull` or an
// edit triggers a cycle within seconds instead of at the next interval.
//
// Every directory below the root gets a watch (new ones are added as they
// appear, including those moved in); editors' atomic saves and git's
// rename-into-place show up as IN_MOVED_TO, deletes as IN_DELETE. The run
// loop polls `fd()` and calls `drain()`; debouncing is the loop's business.
// When the root itself is replaced (IN_DELETE_SELF/IN_MOVE_SELF, or a
// directory that did not exist yet) the watcher re-arms itself on `rearm()`.
#pragma once

#include "core/error.hpp"

#include <filesystem>
#include <map>
#include <string>

namespace hookwarden {

class ManifestWatcher {
public:
    static Result<ManifestWatcher> open(const std::filesystem::path& root);

    ManifestWatcher(ManifestWatcher&& other) noexcept;
    ManifestWatcher& operator=(ManifestWatcher&& other) noexcept;
    ManifestWatcher(const ManifestWatcher&) = delete;
    ~ManifestWatcher();

    /// Readable when events are pending.
    int fd() const noexcept { return fd_; }

    /// Reads every pending event; true when any of them concerns manifests.
    bool drain();

    /// Watches the whole tree again (after the root was replaced or appeared).
    void rearm();

    std::size_t watched_directories() const noexcept { return watches_.size(); }

private:
    explicit ManifestWatcher(int fd, std::filesystem::path root) : fd_(fd), root_(std::move(root)) {}
    void watch_tree(const std::filesystem::path& dir);

    int fd_ = -1;
    std::filesystem::path root_;
    std::map<int, std::filesystem::path> watches_; ///< watch descriptor -> directory
    bool root_lost_ = false;
};

} // namespace hookwarden
