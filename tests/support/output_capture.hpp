// Keeps a copy of what the hookwarden binary printed and wrote during a test,
// for the suite-wide secret scan (tests/security/secret_scan.py) that runs
// after every other test: a test's own scratch directory is gone by then.
//
// The copies go to `Testing/captured/` of the build tree the test binary
// belongs to (found from /proc/self/exe: the nearest directory up holding
// CMakeCache.txt), one file per output, named by process id and a counter so
// that tests running in parallel never collide. A state directory is copied
// whole except `secrets/`, whose files are the one place a secret value
// belongs (SPEC §4a): their values go to `captured/known-secrets/` instead,
// and the scan looks for each of them everywhere else. Nothing here fails a
// test: a copy that cannot be made is skipped. Header-only.
#pragma once

#include <unistd.h>

#include <atomic>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <system_error>

namespace hookwarden::test {

/// `Testing/captured` of the build tree this test binary belongs to; empty
/// when the binary is not inside one.
inline std::filesystem::path captured_output_dir() {
    std::error_code ec;
    auto dir = std::filesystem::read_symlink("/proc/self/exe", ec).parent_path();
    for (; !ec && !dir.empty() && dir != dir.root_path(); dir = dir.parent_path())
        if (std::filesystem::exists(dir / "CMakeCache.txt", ec))
            return dir / "Testing" / "captured";
    return {};
}

namespace capture_detail {

inline std::string unique_name(std::string_view label) {
    static std::atomic<int> counter{0};
    std::string name = std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-";
    for (const char c : label)
        name += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.') ? c : '_';
    return name;
}

inline void write(const std::filesystem::path& file, std::string_view text) {
    std::error_code ec;
    std::filesystem::create_directories(file.parent_path(), ec);
    std::ofstream(file, std::ios::binary).write(text.data(), static_cast<std::streamsize>(text.size()));
}

} // namespace capture_detail

/// Keeps `text`, something a hookwarden process printed, under `label`.
inline void capture_output(std::string_view label, std::string_view text) {
    const auto root = captured_output_dir();
    if (!root.empty())
        capture_detail::write(root / "output" / (capture_detail::unique_name(label) + ".log"), text);
}

/// Keeps a copy of `state_dir` (when it exists) without `secrets/`, and each
/// kept secret's value as a known secret.
inline void capture_state_dir(const std::filesystem::path& state_dir) {
    const auto root = captured_output_dir();
    std::error_code ec;
    if (root.empty() || !std::filesystem::is_directory(state_dir, ec))
        return;
    const auto copy = root / "state" / capture_detail::unique_name(state_dir.filename().string());
    for (auto it = std::filesystem::recursive_directory_iterator(state_dir, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        const auto relative = std::filesystem::relative(it->path(), state_dir, ec);
        if (ec || !it->is_regular_file(ec))
            continue;
        std::ifstream in(it->path(), std::ios::binary);
        const std::string content{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
        if (*relative.begin() == "secrets")
            capture_detail::write(root / "known-secrets" / capture_detail::unique_name(relative.filename().string()),
                                  content);
        else
            capture_detail::write(copy / relative, content);
    }
}

} // namespace hookwarden::test
