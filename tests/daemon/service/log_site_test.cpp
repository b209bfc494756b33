// Where a log entry says it was written (journald's CODE_FILE, CODE_LINE,
// CODE_FUNC; daemon/service/log.hpp): LogSite::here() as a default argument,
// as every log_* function takes it, names the caller, not log.hpp.
#include "daemon/service/log.hpp"

#include <doctest/doctest.h>

#include <string_view>

using namespace hookwarden;

namespace {

// Declared as log_info is.
LogSite site_of_call(LogSite where = LogSite::here()) { return where; }

} // namespace

TEST_CASE("a log call's CODE_FILE, CODE_LINE and CODE_FUNC are the caller's") {
    const unsigned line = __LINE__ + 1;
    const LogSite site = site_of_call();
    CHECK(std::string_view(site.file).ends_with("log_site_test.cpp"));
    CHECK(site.line == line);
    CHECK_FALSE(std::string_view(site.function).empty());
    CHECK(std::string_view(site.function) != "site_of_call");
}
