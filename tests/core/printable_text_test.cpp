// Text from outside made fit for one line (core/printable_text.hpp), and
// the two renderers that rely on it: Diagnostic::format, Error::describe.
#include "core/error.hpp"
#include "core/printable_text.hpp"

#include <doctest/doctest.h>

using namespace hookwarden;

TEST_SUITE("printable text") {

TEST_CASE("printable ASCII and valid UTF-8 pass unchanged") {
    CHECK(printable_text("") == "");
    CHECK(printable_text("unknown field 'x' (did you mean 'y'?)") == "unknown field 'x' (did you mean 'y'?)");
    CHECK(printable_text("J\xc3\xbcrgen \xe2\x82\xac \xf0\x9f\x98\x80") == "J\xc3\xbcrgen \xe2\x82\xac \xf0\x9f\x98\x80");
}

TEST_CASE("control characters are escaped, the usual ones by name") {
    CHECK(printable_text("a\nb\rc\td") == "a\\nb\\rc\\td");
    CHECK(printable_text(std::string("\0\x1b[2J\x7f", 6)) == "\\x00\\x1b[2J\\x7f");
}

TEST_CASE("bytes that are not UTF-8 are escaped one by one, valid neighbours kept") {
    CHECK(printable_text("\xff") == "\\xff");
    CHECK(printable_text("a\xc3") == "a\\xc3");                      // cut short at the end
    CHECK(printable_text("\xc0\xaf") == "\\xc0\\xaf");               // overlong '/'
    CHECK(printable_text("\xed\xa0\x80") == "\\xed\\xa0\\x80");      // UTF-16 surrogate
    CHECK(printable_text("\x80\xc3\xa9") == "\\x80\xc3\xa9");        // stray continuation, then é
}

TEST_CASE("an error describes itself on one line whatever the tenant wrote") {
    // Found by tests/fuzz/delivery_signature_fuzz: a quoted header value
    // with a line break split the error line (and status.json's message).
    const Error error = make_error(ErrorKind::tenant, "the tenant refused the request: bad\nname",
                                   {.webhook = "W", .http_status = 400, .api_code = "bad.\rrequest"});
    CHECK(error.describe() == "W: the tenant refused the request: bad\\nname (HTTP 400, code bad.\\rrequest)");
}

} // TEST_SUITE
