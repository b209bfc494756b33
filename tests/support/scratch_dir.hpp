// The one temporary directory of the tests: a real, private directory
// (mkdtemp(3) under $TMPDIR or /tmp, mode 0700) for one test, removed with
// everything below it when the object goes away (even after a chmod 000
// inside it). Header-only, so that core's unit tests use it without linking
// the test-support library. Creation failure throws: a test cannot go on.
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
#include <utility>

namespace hookwarden::testing {

class ScratchDir {
public:
    /// Creates `$TMPDIR/PREFIX.XXXXXX`.
    explicit ScratchDir(std::string_view prefix = "hookwarden-test") {
        const char* base = std::getenv("TMPDIR");
        std::string pattern =
            std::string(base && *base ? base : "/tmp") + '/' + std::string(prefix) + ".XXXXXX";
        if (::mkdtemp(pattern.data()) == nullptr)
            throw std::runtime_error("mkdtemp failed for " + pattern);
        root_ = pattern;
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    ScratchDir(ScratchDir&& other) noexcept : root_(std::exchange(other.root_, {})) {}
    ScratchDir& operator=(ScratchDir&& other) noexcept {
        if (this != &other) {
            remove();
            root_ = std::exchange(other.root_, {});
        }
        return *this;
    }

    ~ScratchDir() { remove(); }

    const std::filesystem::path& path() const noexcept { return root_; }
    std::filesystem::path operator/(const std::filesystem::path& relative) const {
        return root_ / relative;
    }

    /// Writes `content` to `relative` (parents created), byte for byte.
    std::filesystem::path write(const std::filesystem::path& relative, std::string_view content) const {
        auto file = root_ / relative;
        std::filesystem::create_directories(file.parent_path());
        std::ofstream out(file, std::ios::binary | std::ios::trunc);
        out.write(content.data(), static_cast<std::streamsize>(content.size()));
        out.close(); // what is still buffered fails here, if anywhere
        if (!out)
            throw std::runtime_error("cannot write " + file.string());
        return file;
    }

    std::filesystem::path mkdir(const std::string& relative) const {
        auto dir = root_ / relative;
        std::filesystem::create_directories(dir);
        return dir;
    }

    /// Creates the symlink `relative` -> `target` (target taken verbatim).
    std::filesystem::path symlink(const std::filesystem::path& target, const std::string& relative) const {
        auto link = root_ / relative;
        std::filesystem::create_directories(link.parent_path());
        std::filesystem::create_symlink(target, link);
        return link;
    }

private:
    void remove() noexcept {
        if (root_.empty())
            return;
        make_removable(root_);
        std::error_code ec;
        std::filesystem::remove_all(root_, ec);
        root_.clear();
    }

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
