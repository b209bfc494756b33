// The emulator's reading and writing of RFC 3339 timestamps and intervals
// (written with core's format_rfc3339).
#include "tests/emulator/emulator_time.hpp"

#include "core/snapshot/status_file.hpp"

#include <doctest/doctest.h>

using namespace hookwarden::emulator;
using hookwarden::format_rfc3339;
using namespace std::chrono_literals;

TEST_CASE("timestamps are written in UTC with milliseconds and read back unchanged") {
    const auto t = parse_rfc3339("2026-01-05T10:30:00.123Z");
    REQUIRE(t);
    CHECK(format_rfc3339(*t) == "2026-01-05T10:30:00.123Z");
    CHECK(format_rfc3339(TimePoint{}) == "1970-01-01T00:00:00.000Z");
}

TEST_CASE("timestamps with offsets are converted to UTC") {
    CHECK(format_rfc3339(*parse_rfc3339("2026-01-05T12:30:00+02:00")) ==
          "2026-01-05T10:30:00.000Z");
    CHECK(format_rfc3339(*parse_rfc3339("2026-01-05T00:15:00.5-01:00")) ==
          "2026-01-05T01:15:00.500Z");
}

TEST_CASE("malformed timestamps are refused") {
    for (const char* text :
         {"", "2026-01-05", "2026-01-05T10:30:00", "2026-13-05T10:30:00Z", "2026-02-30T10:30:00Z",
          "2026-01-05T24:00:00Z", "2026-01-05T10:30:00.Z", "2026-01-05T10:30:00Zjunk",
          "2026-1-05T10:30:00Z"}) {
        CAPTURE(text);
        CHECK_FALSE(parse_rfc3339(text));
    }
}

TEST_CASE("an interval is two timestamps with the start before the end") {
    const auto i = parse_interval("2026-01-05T10:00:00Z/2026-01-05T11:00:00Z");
    REQUIRE(i);
    CHECK(format_interval(*i) == "2026-01-05T10:00:00.000Z/2026-01-05T11:00:00.000Z");
    CHECK_FALSE(parse_interval("2026-01-05T11:00:00Z/2026-01-05T10:00:00Z"));
    CHECK_FALSE(parse_interval("2026-01-05T10:00:00Z/2026-01-05T10:00:00Z"));
    CHECK_FALSE(parse_interval("2026-01-05T10:00:00Z"));
    CHECK_FALSE(parse_interval("PT1H/2026-01-05T10:00:00Z"));
}
