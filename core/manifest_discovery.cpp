#include "core/manifest_discovery.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <set>
#include <utility>

namespace hookwarden {

namespace fs = std::filesystem;

namespace {

using FileId = std::pair<dev_t, ino_t>;

bool has_manifest_extension(const fs::path& path) {
    const auto ext = path.extension();
    return ext == ".yaml" || ext == ".yml";
}

class Walker {
public:
    Walker(const fs::path& root, Diagnostics& diagnostics)
        : root_(root), diagnostics_(diagnostics) {}

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
    std::string display(const std::string& relative) const {
        return relative.empty() ? root_.string() : (root_ / relative).string();
    }

    void walk(const fs::path& dir, const std::string& relative_dir) {
        std::error_code ec;
        fs::directory_iterator it(dir, ec);
        if (ec) {
            diagnostics_.error({display(relative_dir)},
                               "directory cannot be read: " + ec.message());
            return;
        }
        std::vector<std::string> names;
        for (; it != fs::directory_iterator(); it.increment(ec)) {
            if (ec)
                break;
            names.push_back(it->path().filename().string());
        }
        if (ec) {
            diagnostics_.error({display(relative_dir)},
                               "directory cannot be read: " + ec.message());
            return;
        }
        std::sort(names.begin(), names.end());
        for (const auto& name : names) {
            if (name.starts_with('.'))
                continue;
            const fs::path path = dir / name;
            const std::string relative = relative_dir.empty() ? name : relative_dir + '/' + name;
            visit(path, relative);
        }
    }

    void visit(const fs::path& path, const std::string& relative) {
        struct stat st {};
        if (::stat(path.c_str(), &st) != 0) {
            // Only a manifest-looking name is worth a word: other dangling
            // links are none of our business.
            if (has_manifest_extension(path))
                diagnostics_.warning({display(relative)},
                                     std::string("skipped: ") + std::strerror(errno) +
                                         " (a dangling symlink?)");
            return;
        }
        const FileId id{st.st_dev, st.st_ino};
        if (S_ISDIR(st.st_mode)) {
            if (!visited_dirs_.insert(id).second) {
                diagnostics_.warning({display(relative)},
                                     "skipped: directory already visited (symlink loop or "
                                     "second link to the same directory)");
                return;
            }
            walk(path, relative);
            return;
        }
        if (!S_ISREG(st.st_mode) || !has_manifest_extension(path))
            return;
        if (auto [seen, inserted] = visited_files_.emplace(id, relative); !inserted) {
            diagnostics_.warning({display(relative)},
                                 "skipped: same file as " + display(seen->second));
            return;
        }
        files_.push_back({path, display(relative), relative});
    }

    fs::path root_;
    Diagnostics& diagnostics_;
    std::set<FileId> visited_dirs_;
    std::map<FileId, std::string> visited_files_;
    std::vector<ManifestFile> files_;
};

} // namespace

std::vector<ManifestFile> discover_manifest_files(const fs::path& dir, Diagnostics& diagnostics) {
    return Walker(dir, diagnostics).run();
}

} // namespace hookwarden
