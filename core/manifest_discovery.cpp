#include "core/manifest_discovery.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <memory>
#include <set>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace hookwarden {

namespace fs = std::filesystem;

namespace {

using FileId = std::pair<dev_t, ino_t>;

bool has_manifest_extension(std::string_view name) {
    return name.ends_with(".yaml") || name.ends_with(".yml");
}

struct FileIdHash {
    std::size_t operator()(const FileId& id) const noexcept {
        return std::hash<std::uint64_t>{}(static_cast<std::uint64_t>(id.first) * 0x9E3779B97F4A7C15ULL ^
                                          static_cast<std::uint64_t>(id.second));
    }
};

/// What fstatat said of one directory entry.
struct EntryStat {
    int error = 0; ///< errno, 0 when `st` holds the answer
    struct stat st {};
};

// Below this many entries a directory's stats are made in line: handing
// them to other threads would cost more than it saves.
constexpr std::size_t parallel_stat_threshold = 32;

class Walker {
public:
    Walker(const fs::path& root, Diagnostics& diagnostics, Executor& executor)
        : root_(root), root_text_(root.string()), diagnostics_(diagnostics), executor_(executor) {}

    std::vector<ManifestFile> run() {
        struct stat st {};
        if (::stat(root_.c_str(), &st) != 0) {
            diagnostics_.error({root_.string()}, std::string("manifest directory cannot be read: ") +
                                                     std::strerror(errno));
            return {};
        }
        if (!S_ISDIR(st.st_mode)) {
            diagnostics_.error({root_.string()}, "manifest path is not a directory");
            return {};
        }
        visited_dirs_.insert({st.st_dev, st.st_ino});
        walk(root_, "");
        std::sort(files_.begin(), files_.end(),
                  [](const ManifestFile& a, const ManifestFile& b) { return a.relative < b.relative; });
        return std::move(files_);
    }

private:
    // `root_ / relative`, spelled out: path's operator/ re-parses every
    // component, and this runs for every file of every load.
    std::string display(const std::string& relative) const {
        if (relative.empty())
            return root_text_;
        if (root_text_.empty())
            return relative;
        return root_text_.back() == '/' ? root_text_ + relative : root_text_ + '/' + relative;
    }

    void walk(const fs::path& dir, const std::string& relative_dir) {
        DIR* stream = nullptr;
        if (const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); fd >= 0) {
            stream = ::fdopendir(fd);
            if (!stream)
                ::close(fd);
        }
        if (!stream) {
            diagnostics_.error({display(relative_dir)},
                               std::string("directory cannot be read: ") + std::strerror(errno));
            return;
        }
        std::unique_ptr<DIR, int (*)(DIR*)> closer(stream, ::closedir);
        std::vector<std::string> names;
        for (;;) {
            errno = 0; // readdir's end and its failure differ only by errno
            const dirent* entry = ::readdir(stream);
            if (!entry)
                break;
            if (entry->d_name[0] == '.') // dot-files, dot-directories, "." and ".."
                continue;
            // A regular file that is no manifest needs no stat.
            if (entry->d_type == DT_REG && !has_manifest_extension(entry->d_name))
                continue;
            names.emplace_back(entry->d_name);
        }
        if (errno != 0) {
            diagnostics_.error({display(relative_dir)},
                               std::string("directory cannot be read: ") + std::strerror(errno));
            return;
        }
        std::sort(names.begin(), names.end());
        const auto stats = stat_all(::dirfd(stream), names);
        for (std::size_t i = 0; i < names.size(); ++i) {
            const std::string relative = relative_dir.empty() ? names[i] : relative_dir + '/' + names[i];
            visit(stats[i], dir, names[i], relative);
        }
    }

    // The stats are most of a reload's time once the cache knows every
    // file (each a system call resolving a name), and they do not depend
    // on one another; what is done with their answers does (which link to
    // a file or directory is the first), so that stays in order in visit.
    std::vector<EntryStat> stat_all(int dir_fd, const std::vector<std::string>& names) {
        std::vector<EntryStat> stats(names.size());
        const auto stat_range = [&](std::size_t begin, std::size_t end) {
            for (std::size_t i = begin; i < end; ++i)
                if (::fstatat(dir_fd, names[i].c_str(), &stats[i].st, 0) != 0)
                    stats[i].error = errno;
        };
        const std::size_t runs = std::min(names.size() / (parallel_stat_threshold / 2), executor_.width() * 4);
        if (runs < 2) {
            stat_range(0, names.size());
            return stats;
        }
        executor_.run(runs, [&](std::size_t run) {
            stat_range(names.size() * run / runs, names.size() * (run + 1) / runs);
        });
        return stats;
    }

    void visit(const EntryStat& found, const fs::path& dir, const std::string& name, const std::string& relative) {
        if (found.error != 0) {
            // Only a manifest-looking name is worth a word: other dangling
            // links are none of our business.
            if (has_manifest_extension(name))
                diagnostics_.warning({display(relative)},
                                     std::string("skipped: ") + std::strerror(found.error) +
                                         " (a dangling symlink?)");
            return;
        }
        const struct stat& st = found.st;
        const FileId id{st.st_dev, st.st_ino};
        if (S_ISDIR(st.st_mode)) {
            if (!visited_dirs_.insert(id).second) {
                diagnostics_.warning({display(relative)},
                                     "skipped: directory already visited (symlink loop or "
                                     "second link to the same directory)");
                return;
            }
            walk(dir / name, relative);
            return;
        }
        if (!S_ISREG(st.st_mode) || !has_manifest_extension(name))
            return;
        if (auto [seen, inserted] = visited_files_.emplace(id, files_.size()); !inserted) {
            diagnostics_.warning({display(relative)},
                                 "skipped: same file as " + files_[seen->second].display);
            return;
        }
        const FileStamp stamp{static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino),
                              static_cast<std::uint64_t>(st.st_size),
                              static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 +
                                  st.st_mtim.tv_nsec};
        files_.push_back({display(relative), relative, stamp});
    }

    fs::path root_;
    std::string root_text_;
    Diagnostics& diagnostics_;
    Executor& executor_;
    std::set<FileId> visited_dirs_;
    std::unordered_map<FileId, std::size_t, FileIdHash> visited_files_; ///< index in files_
    std::vector<ManifestFile> files_;
};

} // namespace

std::vector<ManifestFile> discover_manifest_files(const fs::path& dir, Diagnostics& diagnostics) {
    InlineExecutor in_order;
    return discover_manifest_files(dir, diagnostics, in_order);
}

std::vector<ManifestFile> discover_manifest_files(const fs::path& dir, Diagnostics& diagnostics,
                                                  Executor& executor) {
    return Walker(dir, diagnostics, executor).run();
}

} // namespace hookwarden
