#include "core/atomic_file.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace hookwarden {

namespace fs = std::filesystem;

namespace {

Error io_error(const std::string& what, const fs::path& path, int err) {
    return make_error(ErrorKind::io,
                      "cannot " + what + " " + path.string() + ": " + std::strerror(err));
}

// Closes a descriptor on scope exit, like systemd's _cleanup_close_.
class FileDescriptor {
  public:
    explicit FileDescriptor(int fd) : fd_(fd) {}
    ~FileDescriptor() { reset(); }
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;

    int get() const { return fd_; }
    /// Closes now and reports close(2)'s own error, which on some file
    /// systems is where a failed write-back shows up.
    int close_checked() {
        const int fd = fd_;
        fd_ = -1;
        return fd >= 0 ? ::close(fd) : 0;
    }

  private:
    void reset() {
        if (fd_ >= 0)
            ::close(fd_);
        fd_ = -1;
    }
    int fd_;
};

Result<void> write_all(int fd, std::string_view content, const fs::path& temp) {
    while (!content.empty()) {
        const ssize_t n = ::write(fd, content.data(), content.size());
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return io_error("write", temp, errno);
        }
        content.remove_prefix(static_cast<std::size_t>(n));
    }
    return {};
}

Result<void> fsync_directory(const fs::path& dir) {
    FileDescriptor fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.get() < 0)
        return io_error("open directory", dir, errno);
    if (::fsync(fd.get()) != 0)
        return io_error("flush directory", dir, errno);
    return {};
}

} // namespace

Result<void> write_file_atomically(const fs::path& path, std::string_view content,
                                   const AtomicWriteOptions& options) {
    const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
    // The temporary name starts with a dot so that manifest discovery, which
    // skips dot-files, never reads a half-written exported manifest.
    std::string pattern = (dir / ("." + path.filename().string() + ".tmp-XXXXXX")).string();
    FileDescriptor fd(::mkostemp(pattern.data(), O_CLOEXEC));
    if (fd.get() < 0)
        return io_error("create a temporary file in", dir, errno);
    const fs::path temp = pattern;

    // Any failure below removes the temporary file: a crash may leave one
    // behind, which is harmless (a dot-file nobody reads), a failure must not.
    auto fail = [&temp](Error error) -> Result<void> {
        ::unlink(temp.c_str());
        return error;
    };

    // The mode is set before the first byte so that a secret never sits in
    // a file more open than 0600, not even for a moment.
    if (::fchmod(fd.get(), static_cast<mode_t>(options.mode)) != 0)
        return fail(io_error("set the mode of", temp, errno));
    if (auto written = write_all(fd.get(), content, temp); !written)
        return fail(written.error());
    if (::fsync(fd.get()) != 0)
        return fail(io_error("flush", temp, errno));
    if (fd.close_checked() != 0)
        return fail(io_error("close", temp, errno));

    if (options.replace_existing) {
        if (::rename(temp.c_str(), path.c_str()) != 0)
            return fail(io_error("replace", path, errno));
    } else {
        // link(2) fails with EEXIST instead of replacing: the no-clobber
        // check and the publication are one step.
        if (::link(temp.c_str(), path.c_str()) != 0) {
            const int err = errno;
            if (err == EEXIST)
                return fail(make_error(ErrorKind::conflict, path.string() + " already exists"));
            return fail(io_error("create", path, err));
        }
        ::unlink(temp.c_str());
    }
    return fsync_directory(dir);
}

Result<std::optional<std::string>> read_file_if_exists(const fs::path& path) {
    FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) {
        const int err = errno;
        if (err == ENOENT)
            return std::optional<std::string>();
        return io_error("read", path, err);
    }
    std::string content;
    char buffer[16384];
    for (;;) {
        const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return io_error("read", path, errno);
        }
        if (n == 0)
            return std::optional<std::string>(std::move(content));
        content.append(buffer, static_cast<std::size_t>(n));
    }
}

Result<void> ensure_directory(const fs::path& dir, fs::perms mode) {
    std::error_code ec;
    if (fs::is_directory(dir, ec))
        return {};
    // Missing parents get the usual 0755 (less the umask): only the leaf is
    // ours to restrict.
    if (dir.has_parent_path() && !fs::exists(dir.parent_path(), ec)) {
        fs::create_directories(dir.parent_path(), ec);
        if (ec)
            return make_error(ErrorKind::io, "cannot create directory " +
                                                 dir.parent_path().string() + ": " + ec.message());
    }
    // mkdir first, questions after: several threads (the engine's workers
    // generating secrets) may race to create the same directory, and only
    // mkdir's own answer tells who won without a window in between.
    if (::mkdir(dir.c_str(), static_cast<mode_t>(mode)) != 0) {
        const int err = errno;
        if (err == EEXIST && fs::is_directory(dir, ec))
            return {};
        if (err == EEXIST)
            return make_error(ErrorKind::io, dir.string() + " exists but is not a directory");
        return io_error("create directory", dir, err);
    }
    // mkdir applies the umask; the mode asked for is the mode meant.
    if (::chmod(dir.c_str(), static_cast<mode_t>(mode)) != 0)
        return io_error("set the mode of", dir, errno);
    // The new entry lives in the parent: without this a power cut could
    // lose the directory, and every file already renamed into it.
    return fsync_directory(dir.has_parent_path() ? dir.parent_path() : fs::path("."));
}

} // namespace hookwarden
