// A temporary directory for one test: made with mkdtemp(3) under $TMPDIR
// (or /tmp), removed with everything in it when the object goes away.
//
// Used by any test that needs files: state dirs, manifests, TLS material.
// Creation failure throws std::runtime_error: a test cannot go on without it.
#pragma once

#include <filesystem>
#include <string_view>

namespace hookwarden::test {

class TempDir {
  public:
    /// Creates `$TMPDIR/PREFIX.XXXXXX` (mode 0700).
    explicit TempDir(std::string_view prefix = "hookwarden-test");
    ~TempDir();

    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    TempDir(TempDir&& other) noexcept;
    TempDir& operator=(TempDir&& other) noexcept;

    const std::filesystem::path& path() const noexcept { return path_; }
    std::filesystem::path operator/(const std::filesystem::path& relative) const {
        return path_ / relative;
    }

    /// Writes `content` to `relative` (parent directories created) and
    /// returns the full path.
    std::filesystem::path write(const std::filesystem::path& relative,
                                std::string_view content) const;

  private:
    void remove() noexcept;

    std::filesystem::path path_;
};

} // namespace hookwarden::test
