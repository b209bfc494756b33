// Diagnostics (core/diagnostic.hpp): the one-line FILE:LINE:COLUMN format.
#include "core/diagnostic.hpp"
#include "tests/core/manifest_fixtures.hpp"
#include "tests/support/scratch_dir.hpp"

#include <doctest/doctest.h>

#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <grp.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

using namespace hookwarden;
using namespace hookwarden::testing;
namespace fs = std::filesystem;

// ========================================================= diagnostics

TEST_SUITE("diagnostics") {

TEST_CASE("a diagnostic prints as FILE:LINE:COLUMN: error: MESSAGE, dropping unknown parts") {
    CHECK(Diagnostic{Severity::error, {"a.yaml", 3, 5}, "bad"}.format() == "a.yaml:3:5: error: bad");
    CHECK(Diagnostic{Severity::warning, {"a.yaml", 3, 5}, "odd"}.format() ==
          "a.yaml:3:5: warning: odd");
    CHECK(Diagnostic{Severity::error, {"a.yaml", 3, 0}, "bad"}.format() == "a.yaml:3: error: bad");
    CHECK(Diagnostic{Severity::error, {"a.yaml", 0, 0}, "bad"}.format() == "a.yaml: error: bad");
}

TEST_CASE("a diagnostic stays one line of UTF-8: what it quotes is escaped, valid UTF-8 kept") {
    // Found by tests/fuzz (manifest, config): a carriage return or a line
    // break in a key, a value or a file name split the error line.
    CHECK(Diagnostic{Severity::error, {"a.yaml", 1, 1}, "unknown field 'apiV\rersion'"}.format() ==
          "a.yaml:1:1: error: unknown field 'apiV\\rersion'");
    CHECK(Diagnostic{Severity::error, {"new\nline.yaml", 2, 0}, "tab\there"}.format() ==
          "new\\nline.yaml:2: error: tab\\there");
    CHECK(Diagnostic{Severity::warning, {"a.yaml"}, "'\x1b[31m\x7f\xff\xc3'"}.format() ==
          "a.yaml: warning: '\\x1b[31m\\x7f\\xff\\xc3'");
    CHECK(Diagnostic{Severity::error, {"a.yaml"}, "owner 'J\xc3\xbcrgen \xe2\x82\xac'"}.format() ==
          "a.yaml: error: owner 'J\xc3\xbcrgen \xe2\x82\xac'");
}

TEST_CASE("warnings do not make a set invalid; errors do") {
    Diagnostics d;
    d.warning({"a"}, "w");
    CHECK_FALSE(d.has_errors());
    d.error({"a"}, "e");
    CHECK(d.has_errors());
    CHECK(d.error_count() == 1);
    CHECK(d.size() == 2);
}

} // TEST_SUITE
