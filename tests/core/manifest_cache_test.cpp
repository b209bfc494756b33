// The manifest cache (core/manifest_cache.hpp): a reload parses only what
// changed, and returns exactly what an uncached load returns.
#include <doctest/doctest.h>

#include "core/executor.hpp"
#include "core/manifest.hpp"
#include "core/manifest_cache.hpp"
#include "daemon/service/thread_pool.hpp"
#include "tests/core/manifest_fixtures.hpp"
#include "tests/support/scratch_dir.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>

#include <filesystem>
#include <string>
#include <vector>

using namespace hookwarden;
using hookwarden::testing::check_same_load;
using hookwarden::testing::ScratchDir;

namespace {

std::string manifest(const std::string& name, const std::string& url = "https://example.com/hook") {
    return "apiVersion: hookwarden/v1\nkind: Webhook\nmetadata:\n  name: " + name +
           "\nspec:\n  eventTypes: [user:login]\n  endpointUrl: " + url + "\n";
}

/// Gives `file` a modification time `seconds` from now, content untouched.
void set_mtime(const std::filesystem::path& file, long seconds) {
    struct timespec times[2];
    ::clock_gettime(CLOCK_REALTIME, &times[0]);
    times[0].tv_sec += seconds;
    times[1] = times[0];
    REQUIRE(::utimensat(AT_FDCWD, file.c_str(), times, 0) == 0);
}

/// A directory of `count` manifests, one of them broken, plus a duplicate name.
void populate(const ScratchDir& dir, int count) {
    for (int i = 0; i < count; ++i)
        dir.write("team-" + std::to_string(i % 3) + "/hook-" + std::to_string(i) + ".yaml",
                  manifest("Hook" + std::to_string(i)));
    dir.write("broken.yaml", "apiVersion: hookwarden/v1\nkind: Webhook\nmetadata: {name: Broken\n");
    dir.write("zz-duplicate.yml", manifest("Hook1") + "---\n" + manifest("Other", "http://insecure"));
}

} // namespace

TEST_SUITE("manifest cache") {

TEST_CASE("a parallel load, cached or not, returns what the serial load returns") {
    ScratchDir dir;
    populate(dir, 40);
    const ManifestSet serial = load_manifests(dir.path());
    REQUIRE(serial.diagnostics.error_count() == 3); // syntax, duplicate, http
    ThreadPool pool(4);
    check_same_load(load_manifests(dir.path(), {}, pool), serial);
    ManifestCache cache;
    check_same_load(load_manifests(dir.path(), {}, pool, &cache), serial);
    check_same_load(load_manifests(dir.path(), {}, pool, &cache), serial); // all reused
    CHECK(cache.parses() == 42);
}

TEST_CASE("editing one file re-parses only that file") {
    ScratchDir dir;
    populate(dir, 20);
    ManifestCache cache;
    InlineExecutor in_order;
    load_manifests(dir.path(), {}, in_order, &cache);
    CHECK(cache.parses() == 22);
    CHECK(cache.size() == 22);

    const auto edited = dir.write("team-1/hook-7.yaml", manifest("Hook7", "https://example.com/new-path"));
    set_mtime(edited, 10); // a new mtime even where the clock is coarse
    const ManifestSet reloaded = load_manifests(dir.path(), {}, in_order, &cache);
    CHECK(cache.parses() == 23);
    check_same_load(reloaded, load_manifests(dir.path()));
    bool seen = false;
    for (const auto& webhook : reloaded.webhooks)
        seen = seen || (webhook.name == "Hook7" && webhook.endpoint_url == "https://example.com/new-path");
    CHECK(seen);
}

TEST_CASE("a touched file with the same content is read again but not re-parsed") {
    ScratchDir dir;
    populate(dir, 5);
    ManifestCache cache;
    InlineExecutor in_order;
    const ManifestSet first = load_manifests(dir.path(), {}, in_order, &cache);
    const std::size_t parses = cache.parses();
    set_mtime(dir / "team-0/hook-3.yaml", 20);
    // Rewritten with the same bytes (a checkout does that): same hash too.
    const auto rewritten = dir.write("broken.yaml", "apiVersion: hookwarden/v1\nkind: Webhook\nmetadata: {name: Broken\n");
    set_mtime(rewritten, 30);
    check_same_load(load_manifests(dir.path(), {}, in_order, &cache), first);
    CHECK(cache.parses() == parses);
}

TEST_CASE("a change of content with a new mtime is seen even when the size stays the same") {
    ScratchDir dir;
    const auto file = dir.write("a.yaml", manifest("Aaaa"));
    ManifestCache cache;
    InlineExecutor in_order;
    CHECK(load_manifests(dir.path(), {}, in_order, &cache).webhooks.at(0).name == "Aaaa");
    dir.write("a.yaml", manifest("Bbbb")); // same size
    set_mtime(file, 5);
    const ManifestSet reloaded = load_manifests(dir.path(), {}, in_order, &cache);
    REQUIRE(reloaded.webhooks.size() == 1);
    CHECK(reloaded.webhooks[0].name == "Bbbb");
    CHECK(cache.parses() == 2);
}

TEST_CASE("files gone from the directory are forgotten, and their names with them") {
    ScratchDir dir;
    populate(dir, 6);
    ManifestCache cache;
    InlineExecutor in_order;
    CHECK(load_manifests(dir.path(), {}, in_order, &cache).diagnostics.error_count() == 3);
    std::filesystem::remove(dir / "zz-duplicate.yml");
    std::filesystem::remove(dir / "broken.yaml");
    const ManifestSet reloaded = load_manifests(dir.path(), {}, in_order, &cache);
    CHECK(reloaded.ok());
    CHECK(reloaded.webhooks.size() == 6);
    CHECK(cache.size() == 6);
    CHECK(cache.parses() == 8);
}

TEST_CASE("other options or another spelling of the directory are parsed afresh") {
    ScratchDir dir;
    dir.write("local.yaml", manifest("Local", "http://localhost:8080/hook"));
    ManifestCache cache;
    InlineExecutor in_order;
    CHECK_FALSE(load_manifests(dir.path(), {}, in_order, &cache).ok());
    const ManifestSet allowed =
        load_manifests(dir.path(), {.allow_insecure_endpoints = true}, in_order, &cache);
    CHECK(allowed.ok());
    CHECK(cache.parses() == 2);
    // The path in messages is the directory as given: a result kept under
    // one spelling is not shown under another.
    const ManifestSet other = load_manifests(dir.path() / "." , {}, in_order, &cache);
    check_same_load(other, load_manifests(dir.path() / "."));
    CHECK(cache.parses() == 3);
}

TEST_CASE("a file that cannot be read is reported every time and never kept") {
    if (::geteuid() == 0)
        return; // root reads whatever the mode says
    ScratchDir dir;
    const auto file = dir.write("secret.yaml", manifest("Secret"));
    ::chmod(file.c_str(), 0);
    ManifestCache cache;
    InlineExecutor in_order;
    CHECK_FALSE(load_manifests(dir.path(), {}, in_order, &cache).ok());
    CHECK(cache.size() == 0);
    ::chmod(file.c_str(), 0644); // the identity does not change with the mode
    CHECK(load_manifests(dir.path(), {}, in_order, &cache).ok());
}

} // TEST_SUITE
