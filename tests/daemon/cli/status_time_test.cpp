// Times in `hookwarden status`: reading RFC 3339, ages, and the rule that
// says the daemon looks stopped (daemon/cli/status_time.hpp).
#include "daemon/cli/status_time.hpp"

#include <doctest/doctest.h>

using namespace hookwarden;
using namespace std::chrono_literals;

namespace {
SystemTime instant(const char* text) { return parse_rfc3339_time(text).value(); }
} // namespace

TEST_SUITE("status times") {

TEST_CASE("hookwarden's timestamps and the tenant's offsets read as the same instant") {
    CHECK(instant("2026-11-29T04:56:06.123Z") - instant("2026-11-29T04:56:06Z") == 123ms);
    CHECK(instant("2026-11-29T05:56:06.123+01:00") == instant("2026-11-29T04:56:06.123Z"));
    CHECK(instant("2026-11-29T03:26:06.123-01:30") == instant("2026-11-29T04:56:06.123Z"));
    CHECK(instant("2026-11-29t04:56:06.5z") - instant("2026-11-29T04:56:06Z") == 500ms);
}

TEST_CASE("malformed timestamps are not read") {
    for (const char* text : {"", "2026-11-29", "2026-11-29T04:56:06", "2026-11-29 04:56:06Z",
                             "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-11-29T24:00:00Z",
                             "2026-11-29T04:56:06.Z", "2026-11-29T04:56:06+0100", "2026-11-29T04:56:06Zjunk"}) {
        INFO(text);
        CHECK_FALSE(parse_rfc3339_time(text).has_value());
    }
}

TEST_CASE("an age is shown in its largest whole unit") {
    CHECK(format_age(0ms) == "0s");
    CHECK(format_age(999ms) == "0s");
    CHECK(format_age(59s) == "59s");
    CHECK(format_age(60s) == "1m");
    CHECK(format_age(59min + 59s) == "59m");
    CHECK(format_age(3h + 59min) == "3h");
    CHECK(format_age(47h) == "47h");
    CHECK(format_age(48h) == "2d");
    CHECK(format_age(-90s) == "1m");
}

TEST_CASE("a time relative to now is past, future or now") {
    const SystemTime now = instant("2026-11-29T12:00:00Z");
    CHECK(format_relative(instant("2026-11-29T09:00:00Z"), now) == "3h ago");
    CHECK(format_relative(instant("2026-11-29T12:00:42Z"), now) == "in 42s");
    CHECK(format_relative(instant("2026-11-29T12:00:00.400Z"), now) == "now");
}

TEST_CASE("a configured duration reads as the config writes it") {
    CHECK(format_config_duration(60s) == "60s");
    CHECK(format_config_duration(90s) == "90s");
    CHECK(format_config_duration(5min) == "5m");
    CHECK(format_config_duration(1h) == "1h");
    CHECK(format_config_duration(500ms) == "500ms");
    CHECK(format_config_duration(1500ms) == "1500ms");
}

TEST_CASE("the last cycle is stale only after more than 3 x interval") {
    const SystemTime end = instant("2026-11-29T09:00:00Z");
    CHECK_FALSE(staleness_warning(end, end + 3min, 60s).has_value());
    CHECK_FALSE(staleness_warning(end, end - 1h, 60s).has_value()); // a clock behind the writer's
    CHECK(staleness_warning(end, end + 3min + 1ms, 60s).has_value());
    CHECK(staleness_warning(end, end + 3h, 60s) ==
          "the last cycle ended 3h ago, more than 3 × interval (60s): is the daemon running?");
    CHECK_FALSE(staleness_warning(end, end + 2h, 1h).has_value());
}

}
