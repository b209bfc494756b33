// The files of the state directory: atomic replacement, state.json, the
// secret store and status.json.
#include "core/atomic_file.hpp"
#include "core/secret_store.hpp"
#include "core/state_store.hpp"
#include "core/snapshot/status_file.hpp"
#include "tests/core/counting_random.hpp"
#include "tests/support/file_text.hpp"
#include "tests/support/scratch_dir.hpp"

#include <boost/json.hpp>
#include <doctest/doctest.h>
#include <atomic>
#include <fstream>
#include <thread>
#include <sstream>
#include <sys/stat.h>

namespace hookwarden {
namespace {

namespace fs = std::filesystem;
using hookwarden::testing::counting_random;
using hookwarden::testing::read_text;
using testing::ScratchDir;

unsigned mode_of(const fs::path& path) {
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

std::vector<std::string> entries(const fs::path& dir) {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir))
        names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

// --- atomic files --------------------------------------------------------------

TEST_CASE("an atomic write replaces the file whole and leaves no temporary file behind") {
    ScratchDir dir;
    const auto file = dir / "state.json";
    REQUIRE(write_file_atomically(file, "old").has_value());
    REQUIRE(write_file_atomically(file, "new content").has_value());
    CHECK(read_text(file) == "new content");
    CHECK(entries(dir.path()) == std::vector<std::string>{"state.json"});
}

TEST_CASE("an atomic write gives the file its mode, 0600 unless asked otherwise") {
    ScratchDir dir;
    ::umask(022);
    REQUIRE(write_file_atomically(dir / "secret", "x").has_value());
    CHECK(mode_of(dir / "secret") == 0600);
    REQUIRE(write_file_atomically(dir / "public.yaml", "x", {.mode = fs::perms(0644)}).has_value());
    CHECK(mode_of(dir / "public.yaml") == 0644);
}

TEST_CASE("an atomic write without replace never overwrites an existing file") {
    ScratchDir dir;
    dir.write("a.yaml", "mine");
    auto written = write_file_atomically(dir / "a.yaml", "theirs", {.replace_existing = false});
    REQUIRE_FALSE(written.has_value());
    CHECK(written.error().kind == ErrorKind::conflict);
    CHECK(read_text(dir / "a.yaml") == "mine");
    CHECK(entries(dir.path()) == std::vector<std::string>{"a.yaml"});
    CHECK(write_file_atomically(dir / "b.yaml", "new", {.replace_existing = false}).has_value());
}

TEST_CASE("an atomic write into a missing directory fails with the path in the message") {
    ScratchDir dir;
    auto written = write_file_atomically(dir / "missing" / "f", "x");
    REQUIRE_FALSE(written.has_value());
    CHECK(written.error().kind == ErrorKind::io);
    CHECK(written.error().message.find("missing") != std::string::npos);
}

TEST_CASE("ensure_directory creates the leaf with the mode asked for and accepts an existing one") {
    ScratchDir dir;
    REQUIRE(ensure_directory(dir / "a" / "b", fs::perms::owner_all).has_value());
    CHECK(mode_of(dir / "a" / "b") == 0700);
    REQUIRE(ensure_directory(dir / "a" / "b", fs::perms::owner_all).has_value());
    dir.write("file", "x");
    CHECK_FALSE(ensure_directory(dir / "file", fs::perms::owner_all).has_value());
}

TEST_CASE("threads racing to create one directory all succeed") {
    for (int round = 0; round < 50; ++round) {
        ScratchDir dir;
        std::atomic<int> failures{0};
        std::vector<std::thread> threads;
        threads.reserve(8);
        for (int t = 0; t < 8; ++t)
            threads.emplace_back([&] {
                if (!ensure_directory(dir / "secrets", fs::perms::owner_all).has_value())
                    ++failures;
            });
        for (auto& thread : threads)
            thread.join();
        CHECK(failures == 0);
    }
}

// --- state.json ------------------------------------------------------------------

TEST_CASE(
    "state.json round-trips owned webhooks, including a pending create and an adopted secret") {
    State state;
    state.owned["A"] = {"id-a", "sha256:aa", "sha256:fa"};
    state.owned["Pending"] = {"", "sha256:bb", "sha256:fb"};
    state.owned["Adopted"] = {"id-c", "sha256:cc", std::nullopt};
    const std::string text = state_to_json(state);
    CHECK(text.find("\"formatVersion\": 2") != std::string::npos);
    auto back = state_from_json(text, "state.json");
    REQUIRE(back.has_value());
    CHECK(*back == state);
}

TEST_CASE("state.json keeps webhooks and triggers apart: one name may be owned as both") {
    State state;
    state.owned["Same"] = {"wh-1", "sha256:aa", "sha256:fa"};
    state.owned_triggers["Same"] = {"tr-1", "sha256:bb", std::nullopt};
    state.owned_triggers["SMS after chat error"] = {"", "sha256:cc", std::nullopt};
    const std::string text = state_to_json(state);
    CHECK(text.find("\"triggers\": {") != std::string::npos);
    auto back = state_from_json(text, "state.json");
    REQUIRE(back.has_value());
    CHECK(*back == state);
    CHECK(back->owned_of(ResourceKind::trigger).at("Same").id == "tr-1");
    CHECK(back->owned_of(ResourceKind::webhook).at("Same").id == "wh-1");
}

TEST_CASE("a version 1 state file (webhooks only) is read whole and saved as version 2") {
    ScratchDir dir;
    fs::create_directories(dir / "state");
    // Written by the hookwarden before triggers, with a rotation in progress.
    dir.write("state/state.json",
              "{\n  \"formatVersion\": 1,\n  \"webhooks\": {\n"
              "    \"A\": {\"id\":\"id-a\",\"appliedDigest\":\"sha256:aa\","
              "\"secretFingerprint\":\"sha256:fa\",\"rotation\":{\"previousSecret\":"
              "\"sha256:f0\",\"until\":\"2026-12-02T16:00:00Z\"}},\n"
              "    \"Pending\": {\"id\":\"\",\"appliedDigest\":\"sha256:bb\","
              "\"secretFingerprint\":\"sha256:fb\"}\n  }\n}\n");
    StateStore store(dir / "state");
    auto old = store.load();
    REQUIRE(old.has_value());
    CHECK(old->owned.size() == 2);
    CHECK(old->owned.at("A").rotation.has_value());
    CHECK(old->owned.at("Pending").id.empty());
    CHECK(old->owned_triggers.empty());
    REQUIRE(store.save(*old).has_value());
    const std::string text = read_text(dir / "state/state.json");
    CHECK(text.find("\"formatVersion\": 2") != std::string::npos);
    auto upgraded = store.load();
    REQUIRE(upgraded.has_value());
    CHECK(*upgraded == *old);
}

TEST_CASE(
    "a missing state file is an empty state; a corrupt or newer one is an error, never empty") {
    ScratchDir dir;
    StateStore store(dir / "state");
    auto empty = store.load();
    REQUIRE(empty.has_value());
    CHECK(empty->owned.empty());

    fs::create_directories(dir / "state");
    dir.write("state/state.json", "{not json");
    auto corrupt = store.load();
    REQUIRE_FALSE(corrupt.has_value());
    CHECK(corrupt.error().message.find("not a valid hookwarden state file") != std::string::npos);

    dir.write("state/state.json", R"({"formatVersion": 99, "webhooks": {}})");
    auto newer = store.load();
    REQUIRE_FALSE(newer.has_value());
    CHECK(newer.error().message.find("newer hookwarden") != std::string::npos);

    // No hookwarden writes a version below 1: that is damage, not age.
    dir.write("state/state.json", R"({"formatVersion": 0, "webhooks": {}})");
    auto zero = store.load();
    REQUIRE_FALSE(zero.has_value());
    CHECK(zero.error().message.find("not a valid hookwarden state file") != std::string::npos);
    CHECK(zero.error().message.find("formatVersion 0") != std::string::npos);
    CHECK(zero.error().message.find("newer hookwarden") == std::string::npos);
}

TEST_CASE("a state file that cannot be reached is an error naming why, never an empty state") {
    ScratchDir dir;
    // A path through a regular file fails with ENOTDIR, not ENOENT, even
    // for root (for whom a chmod 000 would not bite).
    dir.write("file", "not a directory");
    StateStore store(dir / "file");
    auto loaded = store.load();
    REQUIRE_FALSE(loaded.has_value());
    CHECK(loaded.error().kind == ErrorKind::io);
    CHECK(loaded.error().message.find((dir / "file" / "state.json").string()) !=
          std::string::npos);
    CHECK(loaded.error().message.find("Not a directory") != std::string::npos);
}

TEST_CASE("saving state creates the state directory 0700 and the file 0600") {
    ScratchDir dir;
    StateStore store(dir / "var" / "hookwarden");
    State state;
    state.owned["A"] = {"id-a", "sha256:aa", std::nullopt};
    REQUIRE(store.save(state).has_value());
    CHECK(mode_of(dir / "var" / "hookwarden") == 0700);
    CHECK(mode_of(store.file()) == 0600);
    auto loaded = store.load();
    REQUIRE(loaded.has_value());
    CHECK(*loaded == state);
}

TEST_CASE("digests are sha256: and 64 hex digits") {
    CHECK(sha256_digest("abc") ==
          "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

// --- secret store ----------------------------------------------------------------

TEST_CASE("a generated secret is 32 bytes from the injected source as 64 hex digits, kept 0600 in "
          "a 0700 dir") {
    ScratchDir dir;
    SecretStore store(dir.path(), {}, counting_random());
    auto value = store.value("Monitor", {});
    REQUIRE(value.has_value());
    CHECK(*value == "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    CHECK(read_text(dir / "secrets" / "Monitor") == *value);
    CHECK(mode_of(dir / "secrets") == 0700);
    CHECK(mode_of(dir / "secrets" / "Monitor") == 0600);
}

TEST_CASE("a generated secret is reused for ever, and replaced only by rotate") {
    ScratchDir dir;
    SecretStore store(dir.path(), {}, counting_random());
    const auto first = *store.value("Monitor", {});
    CHECK(*store.value("Monitor", {}) == first);
    const auto rotated = *store.rotate("Monitor");
    CHECK(rotated != first);
    CHECK(*store.value("Monitor", {}) == rotated);
}

TEST_CASE("inspecting a secret never creates one and reports only its fingerprint") {
    ScratchDir dir;
    SecretStore store(dir.path(), {}, counting_random());
    auto status = store.inspect("Monitor", {});
    CHECK(status.state == SecretStatus::State::not_generated);
    CHECK_FALSE(fs::exists(dir / "secrets"));
    const auto value = *store.value("Monitor", {});
    status = store.inspect("Monitor", {});
    CHECK(status.state == SecretStatus::State::available);
    CHECK(status.fingerprint == secret_fingerprint(value));
    CHECK(status.fingerprint.find(value) == std::string::npos);
}

TEST_CASE("a generated secret that cannot be reached is unavailable, not missing") {
    ScratchDir dir;
    dir.write("file", "not a directory"); // ENOTDIR below it, even for root
    SecretStore store(dir / "file", {}, counting_random());
    const auto status = store.inspect("Monitor", {});
    CHECK(status.state == SecretStatus::State::unavailable);
    REQUIRE(status.error);
    CHECK(status.error->kind == ErrorKind::io);
    CHECK(status.error->message.find("Not a directory") != std::string::npos);
    CHECK(status.error->context.webhook == "Monitor");
    auto value = store.value("Monitor", {});
    REQUIRE_FALSE(value.has_value());
    CHECK(value.error().kind == ErrorKind::io);
}

TEST_CASE(
    "file and env secret sources are read through resolve_secret, errors name the source only") {
    ScratchDir dir;
    fs::permissions(dir.write("monitor.secret", "from-a-file\n"), fs::perms::owner_read | fs::perms::owner_write);
    SecretEnvironment env;
    env.getenv = [](const std::string& name) -> std::optional<std::string> {
        if (name == "MONITOR_SECRET")
            return "from-the-env";
        return std::nullopt;
    };
    SecretStore store(dir / "state", env, counting_random());
    CHECK(*store.value("A", {SecretSource::Kind::file, (dir / "monitor.secret").string()}) ==
          "from-a-file");
    CHECK(*store.value("B", {SecretSource::Kind::env, "MONITOR_SECRET"}) == "from-the-env");
    const auto missing = store.inspect("C", {SecretSource::Kind::env, "NOT_SET"});
    CHECK(missing.state == SecretStatus::State::unavailable);
    REQUIRE(missing.error);
    CHECK(missing.error->message.find("NOT_SET") != std::string::npos);
    CHECK(missing.error->context.webhook == "C");
    CHECK_FALSE(fs::exists(dir / "state" / "secrets")); // nothing generated for other sources
}

TEST_CASE("a name that starts with a dot cannot leave the secrets directory or hide in it") {
    ScratchDir dir;
    SecretStore store(dir.path(), {}, counting_random());
    REQUIRE(store.value("..", {}).has_value());
    REQUIRE(store.value(".hidden", {}).has_value());
    CHECK(entries(dir / "secrets") == std::vector<std::string>{"%2E.", "%2Ehidden"});
    CHECK(entries(dir.path()) == std::vector<std::string>{"secrets"});
}

TEST_CASE("rotate keeps the replaced value as the previous one, 0600 in a 0700 .previous") {
    ScratchDir dir;
    SecretStore store(dir.path(), {}, counting_random());
    CHECK(*store.previous("Monitor") == std::nullopt);
    const auto first = *store.value("Monitor", {});
    CHECK(*store.previous("Monitor") == std::nullopt); // a first generation replaces nothing
    const auto second = *store.rotate("Monitor");
    CHECK(*store.previous("Monitor") == first);
    CHECK(read_text(dir / "secrets" / ".previous" / "Monitor") == first);
    CHECK(mode_of(dir / "secrets" / ".previous") == 0700);
    CHECK(mode_of(dir / "secrets" / ".previous" / "Monitor") == 0600);
    CHECK(*store.value("Monitor", {}) == second);

    const auto third = *store.rotate("Monitor");
    CHECK(*store.previous("Monitor") == second); // only the last one replaced
    CHECK(*store.value("Monitor", {}) == third);
}

TEST_CASE("forgetting the previous value deletes it, and is no error when there is none") {
    ScratchDir dir;
    SecretStore store(dir.path(), {}, counting_random());
    REQUIRE(store.forget_previous("Monitor").has_value());
    (void)*store.value("Monitor", {});
    const auto current = *store.rotate("Monitor");
    REQUIRE(store.forget_previous("Monitor").has_value());
    CHECK(*store.previous("Monitor") == std::nullopt);
    CHECK_FALSE(fs::exists(dir / "secrets" / ".previous" / "Monitor"));
    CHECK(*store.value("Monitor", {}) == current); // the current one stays
    REQUIRE(store.forget_previous("Monitor").has_value());
}

TEST_CASE("a rotation over a value that never reached the tenant keeps the previous one receivers know") {
    ScratchDir dir;
    SecretStore store(dir.path(), {}, counting_random());
    const auto sent = *store.value("Monitor", {});
    const auto unsent = *store.rotate("Monitor", secret_fingerprint(sent)); // its PUT then failed
    CHECK(*store.previous("Monitor") == sent);
    const auto again = *store.rotate("Monitor", secret_fingerprint(sent));
    CHECK(again != unsent);
    CHECK(*store.previous("Monitor") == sent); // not the unsent one
}

TEST_CASE("a previous value that cannot be read is an error, not nothing") {
    ScratchDir dir;
    SecretStore store(dir.path(), {}, counting_random());
    (void)*store.value("Monitor", {});
    (void)*store.rotate("Monitor");
    fs::remove(dir / "secrets" / ".previous" / "Monitor");
    fs::create_directory(dir / "secrets" / ".previous" / "Monitor"); // EISDIR on read
    auto previous = store.previous("Monitor");
    REQUIRE_FALSE(previous.has_value());
    CHECK(previous.error().context.webhook == "Monitor");
}

TEST_CASE("a previous value of a dot-name is encoded like its current one, and cannot collide with it") {
    ScratchDir dir;
    SecretStore store(dir.path(), {}, counting_random());
    const auto first = *store.value(".previous", {});
    (void)*store.rotate(".previous");
    CHECK(*store.previous(".previous") == first);
    CHECK(entries(dir / "secrets") == std::vector<std::string>{"%2Eprevious", ".previous"});
    CHECK(entries(dir / "secrets" / ".previous") == std::vector<std::string>{"%2Eprevious"});
}

TEST_CASE("a failing random source generates nothing and says so") {
    ScratchDir dir;
    SecretStore store(dir.path(), {}, [](std::span<unsigned char>) { return false; });
    auto value = store.value("Monitor", {});
    REQUIRE_FALSE(value.has_value());
    CHECK(value.error().message.find("random source failed") != std::string::npos);
    CHECK_FALSE(fs::exists(dir / "secrets" / "Monitor"));
}

// --- status.json -----------------------------------------------------------------

TEST_CASE("status.json counts every outcome, all 0 when the tenant could not be reached") {
    CycleReport unreachable;
    unreachable.error = make_error(ErrorKind::transport, "connection refused");
    auto json = status_json(unreachable);
    CHECK(json.at("outcome") == "unreachable");
    const boost::json::object zero{{"created", 0},   {"updated", 0},  {"adopted", 0},
                                   {"deleted", 0},   {"replaced", 0}, {"unchanged", 0},
                                   {"retained", 0},  {"failed", 0},   {"conflicts", 0},
                                   {"deferred", 0}};
    CHECK(json.at("counts") == zero);

    CycleReport done;
    done.result = CycleResult{};
    done.result->counts = {.created = 1, .updated = 2, .adopted = 3, .deleted = 4, .unchanged = 5,
                           .retained = 6, .failed = 7, .conflicts = 8, .deferred = 9};
    done.result->prune_blocked_reason = "too many deletes";
    json = status_json(done);
    const boost::json::object counted{{"created", 1},   {"updated", 2},  {"adopted", 3},
                                      {"deleted", 4},   {"replaced", 0}, {"unchanged", 5},
                                      {"retained", 6},  {"failed", 7},   {"conflicts", 8},
                                      {"deferred", 9}};
    CHECK(json.at("counts") == counted);
    CHECK(json.at("pruneBlocked") == "too many deletes");
}

} // namespace
} // namespace hookwarden
