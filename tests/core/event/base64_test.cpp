// Base64 as the signatures carry it: RFC 4648's vectors, and strict decoding.
#include "core/base64.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace hookwarden;

namespace {

std::string encode(std::string_view text) {
    return base64_encode({reinterpret_cast<const unsigned char*>(text.data()), text.size()});
}

} // namespace

TEST_CASE("base64 encodes and decodes RFC 4648's test vectors") {
    struct Vector {
        const char* plain;
        const char* encoded;
    };
    const Vector vectors[] = {{"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},
                              {"foo", "Zm9v"},  {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="},
                              {"foobar", "Zm9vYmFy"}};
    for (const Vector& v : vectors) {
        CAPTURE(v.plain);
        CHECK(encode(v.plain) == v.encoded);
        CHECK(base64_decode_strict(v.encoded) == std::string(v.plain));
    }
    CHECK(encode("\xff\xfe\xfd") == "//79");
    CHECK(base64_decode_strict("//79") == std::string("\xff\xfe\xfd"));
}

TEST_CASE("base64 decoding refuses anything but canonical padded base64") {
    for (const char* text : {"Zg", "Zg=", "Zg===", "Z===", "====", "Zm9", "Zh==", "Zm9=", "Zm8=Zm8=", "Zm-v",
                             "Zm_v", "Zm9v\n", " Zm9v", "Zm 9v", "Z=9v"}) {
        CAPTURE(text);
        CHECK_FALSE(base64_decode_strict(text).has_value());
    }
}
