// LogSite is what the journal's CODE_FILE, CODE_LINE and CODE_FUNC come
// from: the default argument must name the caller, not log.hpp.
#include "daemon/service/log.hpp"

#include <doctest/doctest.h>

#include <string_view>

namespace hookwarden {
namespace {

LogSite where_called(LogSite where = LogSite::current()) { return where; }

TEST_CASE("a LogSite default argument names the line and function that called") {
    const unsigned line = __LINE__ + 1;
    const LogSite site = where_called();
    CHECK(site.line == line);
    CHECK(std::string_view(site.file).ends_with("log_site_test.cpp"));
    CHECK(std::string_view(site.function).find("DOCTEST_ANON_FUNC") != std::string_view::npos);
}

} // namespace
} // namespace hookwarden
