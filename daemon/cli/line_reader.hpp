// Lines of a file descriptor, in constant memory, with a bound on the length
// of a line: `hookwarden transform` reads JSON Lines streams of any size
// (SPEC §7: a 1 GiB stream in constant memory) and a line longer than the
// bound is reported and skipped without ever being held whole.
//
// Memory is one read buffer plus at most `max_line` bytes for a line that
// spans reads. A last line without a newline is still a line; the newline
// is not part of a line (a `\r` before it is, and JSON treats it as blank).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace hookwarden {

class LineReader {
public:
    enum class Status {
        line,     ///< `text` holds the line
        too_long, ///< the line had more than max_line bytes: skipped, `length` says how many
        end,      ///< no more input
        error,    ///< read(2) failed: `error` is the errno
    };

    struct Next {
        Status status = Status::end;
        std::string_view text; ///< valid until the next call of next()
        std::size_t number = 0; ///< 1-based line number
        std::size_t length = 0; ///< bytes in the line, newline excluded
        int error = 0;
    };

    /// Reads from `fd` (not owned, not closed).
    LineReader(int fd, std::size_t max_line, std::size_t buffer_size = std::size_t{64} * 1024);

    Next next();

private:
    int fd_;
    std::size_t max_line_;
    std::vector<char> buffer_;
    std::size_t begin_ = 0; ///< unread bytes are buffer_[begin_, end_)
    std::size_t end_ = 0;
    bool eof_ = false;
    std::string line_; ///< a line that spans reads, up to max_line_ bytes
    std::size_t number_ = 0;
};

} // namespace hookwarden
