#include "core/snapshot/snapshot_file.hpp"

#include "core/atomic_file.hpp"

#include <boost/json.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

namespace hookwarden {

namespace fs = std::filesystem;

Result<void> write_snapshot_file(const fs::path& file, std::string_view content) {
    return write_file_atomically(file, content, {.mode = snapshot_file_mode});
}

bool is_safe_file_name(std::string_view name) {
    if (name.empty() || name.size() > 200 || name == "." || name == "..")
        return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '_' || c == '-';
    });
}

namespace {

Error io_error(const fs::path& file, const std::string& what, int error_number) {
    return make_error(ErrorKind::io, "cannot " + what + " " + file.string() + ": " +
                                         std::strerror(error_number));
}

/// The cycle a status file describes, when it names one that can be a file name.
std::string recorded_cycle_id(const std::string& text) {
    boost::system::error_code ec;
    const auto value = boost::json::parse(text, ec);
    if (ec || !value.is_object())
        return {};
    const auto* id = value.as_object().if_contains("cycleId");
    if (!id || !id->is_string() || !is_safe_file_name(id->as_string()))
        return {};
    return std::string(id->as_string());
}

/// So that the link or the removals survive a power cut, as the rename of
/// an atomic write does.
Result<void> sync_directory(const fs::path& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return io_error(dir, "open the directory", errno);
    const int synced = ::fsync(fd);
    const int saved = errno;
    ::close(fd);
    if (synced != 0)
        return io_error(dir, "sync the directory", saved);
    return {};
}

Result<void> trim_history(const fs::path& history, std::string_view kind, int keep) {
    const std::string prefix = std::string(kind) + "-";
    struct Kept {
        fs::file_time_type time;
        fs::path path;
    };
    std::vector<Kept> files;
    std::error_code ec;
    for (fs::directory_iterator it(history, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (!name.starts_with(prefix) || !name.ends_with(".json"))
            continue;
        std::error_code time_ec;
        const auto time = fs::last_write_time(it->path(), time_ec);
        if (!time_ec)
            files.push_back({time, it->path()});
    }
    if (ec)
        return io_error(history, "list", ec.value());
    if (files.size() <= static_cast<std::size_t>(std::max(keep, 0)))
        return {};
    // Newest first; equal times by name so that the choice is repeatable.
    std::sort(files.begin(), files.end(), [](const Kept& a, const Kept& b) {
        return a.time != b.time ? a.time > b.time : a.path > b.path;
    });
    for (std::size_t i = static_cast<std::size_t>(std::max(keep, 0)); i < files.size(); ++i) {
        std::error_code remove_ec;
        fs::remove(files[i].path, remove_ec);
        if (remove_ec)
            return io_error(files[i].path, "remove", remove_ec.value());
    }
    return sync_directory(history);
}

} // namespace

Result<void> keep_history(const fs::path& state_dir, std::string_view kind, const std::string& cycle_id,
                          int keep) {
    const fs::path current = state_dir / (std::string(kind) + ".json");
    const fs::path history = state_dir / "history";
    auto text = read_file_if_exists(current);
    if (!text)
        return text.error();
    if (auto made = ensure_directory(history, snapshot_directory_mode); !made)
        return made.error();
    if (*text) {
        std::string id = recorded_cycle_id(**text);
        if (id.empty())
            id = cycle_id;
        if (!is_safe_file_name(id))
            return make_error(ErrorKind::invalid_input,
                              "cannot keep " + current.string() + " in history: the cycle id '" + id +
                                  "' cannot be a file name");
        const fs::path kept = history / (std::string(kind) + "-" + id + ".json");
        // A second keep of the same cycle (a restart that reused nothing
        // would not, but a retried write may) replaces the older copy.
        if (::unlink(kept.c_str()) != 0 && errno != ENOENT)
            return io_error(kept, "replace", errno);
        if (::link(current.c_str(), kept.c_str()) != 0) {
            // The current file went away between the read and the link:
            // nothing is left to keep.
            if (errno != ENOENT)
                return io_error(kept, "link " + current.string() + " as", errno);
        }
    }
    return trim_history(history, kind, keep);
}

} // namespace hookwarden
