// Secret rotation's rules (core/secret_rotation.hpp): how long the previous
// secret stays valid, when a rotation is in progress, and how state.json
// records one.
#include "core/secret_rotation.hpp"
#include "core/state_store.hpp"

#include <doctest/doctest.h>

namespace hookwarden {
namespace {

using namespace std::chrono_literals;
using std::chrono::sys_days;
using std::chrono::sys_seconds;

constexpr sys_seconds noon = sys_days(std::chrono::year{2026} / 12 / 2) + 12h;

TEST_CASE("the grace is the retry horizon, retryInterval × maxRetries") {
    CHECK(rotation_grace({"PT1M", 10}, 5min) == 10min);
    CHECK(rotation_grace({"PT1H", 3}, 5min) == 3h);
    CHECK(rotation_grace({"P1D", 10}, 5min) == 240h); // the longest policy the manifests allow
}

TEST_CASE("the grace is never shorter than the receiver's tolerance") {
    CHECK(rotation_grace({"PT1M", 3}, 5min) == 5min);
    CHECK(rotation_grace({"PT1S", 10}, 5min) == 5min);
    CHECK(rotation_grace({"PT1M", 5}, 5min) == 5min); // equal: either
    CHECK(rotation_grace({"PT10M", 1}, 0s) == 10min);
}

TEST_CASE("zero retries leave the tolerance as the whole grace") {
    CHECK(rotation_grace({"PT1H", 0}, 5min) == 5min);
    CHECK(rotation_grace({"PT1H", 0}, 90s) == 90s);
    CHECK(rotation_grace({"PT1H", 0}, 0s) == 0s);
}

TEST_CASE("an interval that does not parse counts as the default PT1M") {
    CHECK(rotation_grace({"soon", 10}, 5min) == 10min);
}

TEST_CASE("a rotation lasts from now to now + grace, rounded up to the second, and no longer") {
    const auto now = std::chrono::system_clock::time_point(noon) + 250ms;
    const SecretRotation rotation = start_rotation("sha256:old", now, 5min);
    CHECK(rotation.previous_fingerprint == "sha256:old");
    CHECK(rotation.until == noon + 5min + 1s);
    CHECK(rotation_in_progress(rotation, now));
    CHECK(rotation_in_progress(rotation, rotation.until - 1ms));
    CHECK_FALSE(rotation_in_progress(rotation, rotation.until));
    CHECK_FALSE(rotation_in_progress(rotation, rotation.until + 1h));
}

TEST_CASE("ended rotations are dropped and named; the ones in progress stay") {
    State state;
    state.owned["Ended"] = {"id-1", "sha256:d1", "sha256:new1", SecretRotation{"sha256:old1", noon}};
    state.owned["Running"] = {"id-2", "sha256:d2", "sha256:new2",
                              SecretRotation{"sha256:old2", noon + 1s}};
    state.owned["Plain"] = {"id-3", "sha256:d3", "sha256:f3"};
    CHECK(rotations_in_progress(state, noon) ==
          std::vector<RotationInProgress>{{"Running", noon + 1s}});
    CHECK(drop_ended_rotations(state, noon) == std::vector<std::string>{"Ended"});
    CHECK_FALSE(state.owned.at("Ended").rotation);
    CHECK(state.owned.at("Ended").secret_fingerprint == "sha256:new1"); // the rest stays
    CHECK(state.owned.at("Running").rotation);
    CHECK(drop_ended_rotations(state, noon).empty());
}

TEST_CASE("rotation times are RFC 3339 UTC to the second, and read back from any RFC 3339 form") {
    CHECK(format_rotation_time(noon + 5min) == "2026-12-02T12:05:00Z");
    CHECK(parse_rotation_time("2026-12-02T12:05:00Z") == noon + 5min);
    CHECK(parse_rotation_time("2026-12-02T13:05:00.900+01:00") == noon + 5min);
    CHECK_FALSE(parse_rotation_time("2026-12-02 12:05:00"));
}

TEST_CASE("a grace reads in its units, largest first") {
    CHECK(format_grace(5min) == "5m");
    CHECK(format_grace(90min) == "1h30m");
    CHECK(format_grace(45s) == "45s");
    CHECK(format_grace(26h) == "1d2h");
    CHECK(format_grace(0s) == "0s");
}

TEST_CASE("state.json round-trips a rotation in progress, and writes none when there is none") {
    State state;
    state.owned["Rotating"] = {"id-a", "sha256:aa", "sha256:new",
                               SecretRotation{"sha256:old", noon + 5min}};
    state.owned["Quiet"] = {"id-b", "sha256:bb", "sha256:fb"};
    const std::string text = state_to_json(state);
    CHECK(text.find(R"("rotation":{"previousSecret":"sha256:old","until":"2026-12-02T12:05:00Z"})") !=
          std::string::npos);
    CHECK(text.find("rotation") == text.rfind("rotation")); // only the one that has one
    CHECK(text.find("\"formatVersion\": 2") != std::string::npos);
    auto back = state_from_json(text, "state.json");
    REQUIRE(back.has_value());
    CHECK(*back == state);
}

TEST_CASE("a state file written before rotations existed reads as having none") {
    auto state = state_from_json(
        R"({"formatVersion": 1, "webhooks": {"A": {"id": "id-a", "appliedDigest": "sha256:aa", "secretFingerprint": "sha256:fa"}}})",
        "state.json");
    REQUIRE(state.has_value());
    CHECK_FALSE(state->owned.at("A").rotation);
}

TEST_CASE("a damaged rotation makes the state file invalid rather than a rotation misread") {
    for (const char* rotation : {R"({"until": "2026-12-02T12:05:00Z"})",
                                 R"({"previousSecret": "sha256:old"})",
                                 R"({"previousSecret": "sha256:old", "until": "tomorrow"})",
                                 R"("sha256:old")"}) {
        CAPTURE(rotation);
        const std::string text =
            std::string(R"({"formatVersion": 1, "webhooks": {"A": {"id": "id-a", "rotation": )") +
            rotation + "}}}";
        auto state = state_from_json(text, "state.json");
        REQUIRE_FALSE(state.has_value());
        CHECK(state.error().message.find("the rotation of 'A'") != std::string::npos);
    }
}

} // namespace
} // namespace hookwarden
