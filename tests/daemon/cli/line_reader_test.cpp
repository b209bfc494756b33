// The bounded line reader under `hookwarden transform`: lines across reads,
// the length bound at its edge, and the last line without a newline.
#include "daemon/cli/line_reader.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <string>
#include <vector>

using namespace hookwarden;

namespace {

/// What a reader with the given bound and buffer size makes of `input`:
/// each line as its text, or `<too long N>`.
std::vector<std::string> lines_of(const std::string& input, std::size_t max_line, std::size_t buffer_size) {
    std::FILE* file = std::tmpfile();
    REQUIRE(file);
    REQUIRE(std::fwrite(input.data(), 1, input.size(), file) == input.size());
    REQUIRE(std::fflush(file) == 0);
    std::rewind(file);
    LineReader reader(fileno(file), max_line, buffer_size);
    std::vector<std::string> out;
    for (std::size_t expected = 1;; ++expected) {
        const auto next = reader.next();
        if (next.status == LineReader::Status::end)
            break;
        REQUIRE(next.status != LineReader::Status::error);
        CHECK(next.number == expected);
        out.push_back(next.status == LineReader::Status::line ? std::string(next.text)
                                                              : "<too long " + std::to_string(next.length) + ">");
    }
    CHECK(std::fclose(file) == 0);
    return out;
}

using Lines = std::vector<std::string>;

} // namespace

TEST_CASE("lines are the same whatever the read size") {
    const std::string input = "first\n\nthird line\r\nlast without newline";
    for (std::size_t buffer : {1, 2, 3, 7, 64, 4096}) {
        CAPTURE(buffer);
        CHECK(lines_of(input, 100, buffer) == Lines{"first", "", "third line\r", "last without newline"});
    }
}

TEST_CASE("a line of exactly the bound is kept and one byte more is skipped, not held") {
    const std::string at(10, 'a'), over(11, 'b');
    const std::string input = at + "\n" + over + "\nnext\n" + over;
    for (std::size_t buffer : {1, 4, 10, 11, 64}) {
        CAPTURE(buffer);
        CHECK(lines_of(input, 10, buffer) ==
              Lines{at, "<too long 11>", "next", "<too long 11>"});
    }
}

TEST_CASE("empty input has no lines, and a final newline ends the last line") {
    CHECK(lines_of("", 10, 4).empty());
    CHECK(lines_of("one\n", 10, 4) == Lines{"one"});
    CHECK(lines_of("\n", 10, 4) == Lines{""});
}
