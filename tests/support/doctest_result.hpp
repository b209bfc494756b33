// Teaches doctest to print a hookwarden Result, so that a failed
// CHECK(result) shows the error as people read it instead of refusing to
// compile. Include it instead of <doctest/doctest.h> in tests that check
// Results directly.
#pragma once

#include "core/error.hpp"

#include <doctest/doctest.h>
#include <string>

namespace doctest {
template <class T> struct StringMaker<boost::system::result<T, hookwarden::Error>> {
    static String convert(const boost::system::result<T, hookwarden::Error>& result) {
        if (result)
            return "a value";
        const std::string text = std::string("error ") +
                                 hookwarden::to_string(result.error().kind) + ": " +
                                 result.error().describe();
        return String(text.c_str());
    }
};
} // namespace doctest
