#include "daemon/cli/line_reader.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace hookwarden {

LineReader::LineReader(int fd, std::size_t max_line, std::size_t buffer_size)
    : fd_(fd), max_line_(max_line), buffer_(buffer_size) {}

LineReader::Next LineReader::next() {
    line_.clear();
    std::size_t length = 0;
    bool overflow = false;
    bool started = false; // any byte of this line seen, so EOF ends a line rather than the input
    for (;;) {
        if (begin_ == end_) {
            if (eof_)
                break;
            ssize_t n;
            do
                n = ::read(fd_, buffer_.data(), buffer_.size());
            while (n < 0 && errno == EINTR);
            if (n < 0)
                return {.status = Status::error, .number = number_ + 1, .error = errno};
            begin_ = 0;
            end_ = static_cast<std::size_t>(n);
            if (n == 0) {
                eof_ = true;
                break;
            }
        }
        const char* data = buffer_.data() + begin_;
        const std::size_t available = end_ - begin_;
        const void* newline = std::memchr(data, '\n', available);
        const std::size_t chunk = newline ? static_cast<std::size_t>(static_cast<const char*>(newline) - data) : available;
        begin_ += newline ? chunk + 1 : chunk;
        started = true;
        length += chunk;
        if (!overflow && length > max_line_) {
            overflow = true;
            line_.clear();
        }
        if (newline && !overflow && line_.empty()) {
            // The common case: the whole line is in the buffer, no copy.
            ++number_;
            return {.status = Status::line, .text = std::string_view(data, chunk), .number = number_, .length = length};
        }
        if (!overflow)
            line_.append(data, chunk);
        if (newline)
            break;
    }
    if (!started)
        return {.status = Status::end, .number = number_};
    ++number_;
    if (overflow)
        return {.status = Status::too_long, .number = number_, .length = length};
    return {.status = Status::line, .text = line_, .number = number_, .length = length};
}

} // namespace hookwarden
