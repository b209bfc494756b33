// doctest for the client's tests, taught to print a Result: the value's
// presence, or the error as people read it.
#pragma once

#include "core/error.hpp"

#include <doctest/doctest.h>

namespace doctest {
template <class T> struct StringMaker<boost::system::result<T, hookwarden::Error>> {
    static String convert(const boost::system::result<T, hookwarden::Error>& result) {
        if (result)
            return "a value";
        const auto text = std::string("error ") + hookwarden::to_string(result.error().kind) + ": " +
                          result.error().describe();
        return String(text.c_str());
    }
};
} // namespace doctest
