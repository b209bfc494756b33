// A real, private temporary directory for one test, removed with everything
// below it when the test ends (even after a chmod 000 inside it). Used by the
// core and daemon unit tests; it touches nothing outside its own directory.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

namespace hookwarden::testing {

class ScratchDir {
public:
    ScratchDir() {
        const char* base = std::getenv("TMPDIR");
        std::string pattern = std::string(base && *base ? base : "/tmp") + "/hookwarden-test-XXXXXX";
        if (::mkdtemp(pattern.data()) == nullptr)
            throw std::runtime_error("mkdtemp failed for " + pattern);
        root_ = pattern;
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;

    ~ScratchDir() {
        make_removable(root_);
        std::error_code ec;
        std::filesystem::remove_all(root_, ec);
    }

    const std::filesystem::path& path() const noexcept { return root_; }
    std::filesystem::path operator/(const std::string& relative) const { return root_ / relative; }

    /// Writes `content` to `relative` (parents created), byte for byte.
    std::filesystem::path write(const std::string& relative, std::string_view content) const {
        const auto file = root_ / relative;
        std::filesystem::create_directories(file.parent_path());
        std::ofstream out(file, std::ios::binary | std::ios::trunc);
        out.write(content.data(), static_cast<std::streamsize>(content.size()));
        if (!out)
            throw std::runtime_error("cannot write " + file.string());
        return file;
    }

    std::filesystem::path mkdir(const std::string& relative) const {
        const auto dir = root_ / relative;
        std::filesystem::create_directories(dir);
        return dir;
    }

    /// Creates the symlink `relative` -> `target` (target taken verbatim).
    std::filesystem::path symlink(const std::filesystem::path& target, const std::string& relative) const {
        const auto link = root_ / relative;
        std::filesystem::create_directories(link.parent_path());
        std::filesystem::create_symlink(target, link);
        return link;
    }

private:
    // Gives the owner rwx on every directory (not following symlinks) so
    // that remove_all can empty a directory a test made unreadable.
    static void make_removable(const std::filesystem::path& dir) {
        std::error_code ec;
        ::chmod(dir.c_str(), 0700);
        for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
            if (it->symlink_status(ec).type() == std::filesystem::file_type::directory)
                make_removable(it->path());
    }

    std::filesystem::path root_;
};

} // namespace hookwarden::testing
