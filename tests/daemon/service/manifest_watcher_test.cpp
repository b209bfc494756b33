// The manifest watcher (daemon/service/manifest_watcher.hpp): real inotify
// on a private temp dir.
#include "daemon/service/manifest_watcher.hpp"
#include "tests/support/scratch_dir.hpp"
#include "tests/support/file_text.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <string>
#include <vector>

using namespace hookwarden;
using hookwarden::testing::contains;
using namespace std::chrono_literals;
using hookwarden::testing::ScratchDir;
namespace fs = std::filesystem;


// inotify queues an event when the file operation returns, so drain() right
// after it sees it: no sleeping.
TEST_SUITE("manifest watcher") {

/// A complete watcher on DIR/manifests, which holds team/one.yaml.
ManifestWatcher watch_team(const ScratchDir& dir) {
    dir.write("manifests/team/one.yaml", "kind: Webhook\n");
    auto watcher = ManifestWatcher::open(dir / "manifests");
    REQUIRE(watcher.has_value());
    REQUIRE(watcher->complete());
    return std::move(*watcher);
}

TEST_CASE("a manifest directory that does not exist yet is watched once it does and the watcher is re-armed") {
    ScratchDir dir;
    auto watcher = ManifestWatcher::open(dir / "manifests");
    REQUIRE(watcher.has_value());
    CHECK_FALSE(watcher->complete());
    CHECK(contains(watcher->problem(), "manifests"));

    dir.write("manifests/team/one.yaml", "kind: Webhook\n");
    watcher->rearm();
    CHECK(watcher->complete());
    CHECK(watcher->problem().empty());
    dir.write("manifests/team/two.yaml", "kind: Webhook\n");
    CHECK(watcher->drain());
}

TEST_CASE("a renamed directory stays watched below its new name, new subdirectories included") {
    ScratchDir dir;
    auto watcher = watch_team(dir);

    fs::rename(dir / "manifests/team", dir / "manifests/crew");
    CHECK(watcher.drain());
    dir.mkdir("manifests/crew/sub");
    CHECK(watcher.drain());
    dir.write("manifests/crew/sub/two.yaml", "kind: Webhook\n");
    CHECK(watcher.drain());
    CHECK(watcher.complete());
}

TEST_CASE("a directory moved out of the tree is no longer watched") {
    ScratchDir dir;
    auto watcher = watch_team(dir);

    fs::rename(dir / "manifests/team", dir / "elsewhere");
    CHECK(watcher.drain());
    dir.write("elsewhere/two.yaml", "kind: Webhook\n");
    CHECK_FALSE(watcher.drain());
}

} // TEST_SUITE
