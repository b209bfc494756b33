// The strict RFC 3339 parser: the grammar of RFC 3339 §5.6, as JSON Schema's
// "date-time" format uses it (cases after the JSON-Schema-Test-Suite's).
#include "core/rfc3339_time.hpp"

#include <doctest/doctest.h>

using namespace hookwarden;
using namespace std::chrono;

namespace {

Rfc3339Time utc(int y, unsigned m, unsigned d, int hh, int mm, int ss) {
    return sys_days{year{y} / month{m} / day{d}} + hours{hh} + minutes{mm} + seconds{ss};
}

} // namespace

TEST_CASE("RFC 3339 date-times parse to the instant they name") {
    CHECK(parse_rfc3339_strict("2024-01-15T10:30:00Z") == utc(2024, 1, 15, 10, 30, 0));
    CHECK(parse_rfc3339_strict("2024-01-15t10:30:00z") == utc(2024, 1, 15, 10, 30, 0));
    CHECK(parse_rfc3339_strict("2024-01-15T12:30:00+02:00") == utc(2024, 1, 15, 10, 30, 0));
    CHECK(parse_rfc3339_strict("2024-01-15T10:30:00-00:00") == utc(2024, 1, 15, 10, 30, 0));
    CHECK(parse_rfc3339_strict("2024-01-15T05:00:00-05:30") == utc(2024, 1, 15, 10, 30, 0));
    CHECK(parse_rfc3339_strict("2024-01-15T10:30:00.5Z") == utc(2024, 1, 15, 10, 30, 0) + milliseconds{500});
    CHECK(parse_rfc3339_strict("2024-01-15T10:30:00.123456789123Z") ==
          utc(2024, 1, 15, 10, 30, 0) + microseconds{123456});
    CHECK(parse_rfc3339_strict("2024-02-29T00:00:00Z") == utc(2024, 2, 29, 0, 0, 0));
    // Beyond system_clock's nanosecond range (1677..2262), still valid.
    CHECK(parse_rfc3339_strict("0000-01-01T00:00:00Z") == utc(0, 1, 1, 0, 0, 0));
    CHECK(parse_rfc3339_strict("9999-12-31T23:59:59.999999+00:00") == utc(9999, 12, 31, 23, 59, 59) + microseconds{999999});
}

TEST_CASE("a leap second is accepted at 23:59:60 UTC only") {
    CHECK(parse_rfc3339_strict("1998-12-31T23:59:60Z") == utc(1999, 1, 1, 0, 0, 0));
    CHECK(parse_rfc3339_strict("1998-12-31T15:59:60.123-08:00").has_value());
    CHECK_FALSE(parse_rfc3339_strict("1998-12-31T22:59:60Z").has_value());
    CHECK_FALSE(parse_rfc3339_strict("1998-12-31T23:58:60Z").has_value());
    CHECK_FALSE(parse_rfc3339_strict("1998-12-31T23:59:60+01:00").has_value());
}

TEST_CASE("anything else is not an RFC 3339 date-time") {
    for (const char* text : {
             "", "2024-01-15", "2024-01-15T10:30:00", "2024-01-15 10:30:00Z", "2024-01-15T10:30Z",
             "2024-1-15T10:30:00Z", "24-01-15T10:30:00Z", "2024-01-15T10:30:00.Z", "2024-01-15T10:30:00ZZ",
             "2024-01-15T10:30:00+0200", "2024-01-15T10:30:00+02", "2024-01-15T10:30:00+24:00",
             "2024-01-15T10:30:00+02:60", "2023-02-29T00:00:00Z", "2024-04-31T00:00:00Z", "2024-13-01T00:00:00Z",
             "2024-00-01T00:00:00Z", "2024-01-00T00:00:00Z", "2024-01-15T24:00:00Z", "2024-01-15T10:60:00Z",
             "2024-01-15T10:30:61Z", "２024-01-15T10:30:00Z", "2024-01-15T10:30:00Z ", " 2024-01-15T10:30:00Z",
             "2024-01-15T10:30:00,5Z", "2024-01-15T1a:30:00Z", "1767225600"}) {
        CAPTURE(text);
        CHECK_FALSE(parse_rfc3339_strict(text).has_value());
    }
}
