// Watching the manifest directory with inotify(7), so that a `git pull` or an
// edit triggers a cycle within seconds instead of at the next interval.
//
// Every directory below the root gets a watch (new ones are added as they
// appear); editors' atomic saves and git's rename-into-place show up as
// IN_MOVED_TO, deletes as IN_DELETE. The run loop polls `fd()` and calls
// `drain()`; debouncing is the loop's business. When a directory is moved
// within, into or out of the tree, when the root itself is replaced
// (IN_DELETE_SELF/IN_MOVE_SELF) or events were lost, `drain()` rebuilds
// every watch, since a watch follows the inode, not the path.
//
// A watch can fail to be added: the root does not exist yet, a directory is
// unreadable, the inotify watch limit is reached. Then the watcher is not
// `complete()` and changes may go unseen, so the loop re-reads the manifests
// itself and calls `rearm()` before each cycle until it is.
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

    /// Watches the whole tree again, from the root's current contents.
    void rearm();

    /// True when every directory of the tree got its watch at the last
    /// (re)build: then no change goes unseen.
    bool complete() const noexcept { return !watches_.empty() && problem_.empty(); }

    /// Why not complete: the first watch that could not be added, as a
    /// sentence (empty when complete).
    const std::string& problem() const noexcept { return problem_; }

private:
    explicit ManifestWatcher(int fd, std::filesystem::path root) : fd_(fd), root_(std::move(root)) {}
    void watch_tree(const std::filesystem::path& dir);

    int fd_ = -1;
    std::filesystem::path root_;
    std::map<int, std::filesystem::path> watches_; ///< watch descriptor -> directory
    std::string problem_;
    bool rebuild_ = false; ///< the paths in `watches_` may be stale: rearm after this drain
};

} // namespace hookwarden
