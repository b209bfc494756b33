// Snapshot files: mode 0640, history generations and their trimming.
#include "tests/support/doctest_result.hpp"
#include "tests/support/scratch_dir.hpp"

#include "core/atomic_file.hpp"
#include "core/snapshot/snapshot_file.hpp"

#include <sys/stat.h>

#include <set>

namespace hookwarden {
namespace {

namespace fs = std::filesystem;

std::set<std::string> history_names(const fs::path& dir) {
    std::set<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir / "history"))
        names.insert(entry.path().filename().string());
    return names;
}

TEST_CASE("a snapshot file is written whole with mode 0640") {
    testing::ScratchDir dir;
    REQUIRE(write_snapshot_file(dir / "metrics.prom", "a 1\n"));
    struct stat st {};
    REQUIRE(::stat((dir / "metrics.prom").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0640);
    const auto missing_dir = write_snapshot_file(dir / "no" / "such.json", "{}");
    REQUIRE_FALSE(missing_dir);
    CHECK(missing_dir.error().kind == ErrorKind::io);
}

TEST_CASE("history keeps the replaced status under its own cycle id, and only the newest generations") {
    testing::ScratchDir dir;
    // Nothing to keep yet: fine, and history/ exists.
    REQUIRE(keep_history(dir.path(), "status", "c0", 2));
    CHECK(fs::is_directory(dir / "history"));

    for (int cycle = 1; cycle <= 4; ++cycle) {
        const std::string id = "c" + std::to_string(cycle);
        REQUIRE(keep_history(dir.path(), "status", id, 2));
        REQUIRE(write_snapshot_file(dir / "status.json", "{\"cycleId\":\"" + id + "\"}\n"));
        // Modification times far enough apart to order by them on any filesystem.
        fs::last_write_time(dir / "status.json", fs::file_time_type::clock::now() + std::chrono::seconds(cycle));
    }
    // c4 is current; c3 and c2 were kept, c1 trimmed.
    CHECK(history_names(dir.path()) == std::set<std::string>{"status-c2.json", "status-c3.json"});
    const auto kept = read_file_if_exists(dir / "history" / "status-c3.json");
    REQUIRE(kept);
    CHECK(**kept == "{\"cycleId\":\"c3\"}\n");
    CHECK(fs::exists(dir / "status.json"));

    // health.json names no cycle: the caller's id is used; other kinds are left alone.
    REQUIRE(write_snapshot_file(dir / "health.json", "{}\n"));
    REQUIRE(keep_history(dir.path(), "health", "c5", 1));
    CHECK(history_names(dir.path()) ==
          std::set<std::string>{"health-c5.json", "status-c2.json", "status-c3.json"});
    REQUIRE(keep_history(dir.path(), "status", "c5", 0));
    CHECK(history_names(dir.path()) == std::set<std::string>{"health-c5.json"});
}

TEST_CASE("file names from the tenant or a cycle are refused unless safe") {
    CHECK(is_safe_file_name("5f6e1c2a-0d3b-4a8e-9c7f-2b1d0e4f6a8b"));
    CHECK(is_safe_file_name("a.b_c-D"));
    CHECK_FALSE(is_safe_file_name(""));
    CHECK_FALSE(is_safe_file_name("."));
    CHECK_FALSE(is_safe_file_name(".."));
    CHECK_FALSE(is_safe_file_name("a/b"));
    CHECK_FALSE(is_safe_file_name("a b"));
    CHECK_FALSE(is_safe_file_name("é"));
    CHECK_FALSE(is_safe_file_name(std::string(201, 'a')));
}

} // namespace
} // namespace hookwarden
