#include "daemon/tenant/retry_policy.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <random>

namespace hookwarden {
namespace chrono = std::chrono;

RandomSource make_system_random_source() {
    struct Shared {
        std::mutex mutex;
        std::mt19937_64 engine{std::random_device{}()};
    };
    auto shared = std::make_shared<Shared>();
    return [shared] {
        std::lock_guard lock(shared->mutex);
        return shared->engine();
    };
}

namespace {

// A small cursor over an HTTP-date; every reader returns false on a mismatch.
class DateReader {
public:
    explicit DateReader(std::string_view text) : text_(text) {}

    bool literal(std::string_view expected) {
        if (text_.substr(pos_, expected.size()) != expected)
            return false;
        pos_ += expected.size();
        return true;
    }
    bool spaces() {
        const auto start = pos_;
        while (pos_ < text_.size() && text_[pos_] == ' ')
            ++pos_;
        return pos_ > start;
    }
    bool number(int digits_min, int digits_max, int& out) {
        const auto start = pos_;
        while (pos_ < text_.size() && pos_ - start < static_cast<std::size_t>(digits_max) &&
               text_[pos_] >= '0' && text_[pos_] <= '9')
            ++pos_;
        const auto length = static_cast<int>(pos_ - start);
        if (length < digits_min)
            return false;
        std::from_chars(text_.data() + start, text_.data() + pos_, out);
        return true;
    }
    bool month(int& out) {
        static constexpr std::array<std::string_view, 12> names{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                                "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
        for (std::size_t i = 0; i < names.size(); ++i) {
            if (literal(names[i])) {
                out = static_cast<int>(i) + 1;
                return true;
            }
        }
        return false;
    }
    bool day_name(bool long_form) {
        static constexpr std::array<std::string_view, 7> names{"Monday", "Tuesday",  "Wednesday", "Thursday",
                                                               "Friday", "Saturday", "Sunday"};
        for (auto name : names) {
            if (literal(long_form ? name : name.substr(0, 3)))
                return true;
        }
        return false;
    }
    bool time_of_day(int& h, int& m, int& s) {
        return number(2, 2, h) && literal(":") && number(2, 2, m) && literal(":") && number(2, 2, s);
    }
    bool at_end() const { return pos_ == text_.size(); }

private:
    std::string_view text_;
    std::size_t pos_ = 0;
};

std::optional<chrono::system_clock::time_point> make_time(int year, int month, int day, int h, int m, int s) {
    const chrono::year_month_day date{chrono::year{year}, chrono::month{static_cast<unsigned>(month)},
                                      chrono::day{static_cast<unsigned>(day)}};
    if (!date.ok() || h > 23 || m > 59 || s > 60)
        return std::nullopt;
    const chrono::sys_seconds when = chrono::sys_days{date} + chrono::hours{h} + chrono::minutes{m} + chrono::seconds{s};
    // system_clock counts nanoseconds here: years after 2262 (or before
    // 1677) would wrap round. The ends of its range keep their meaning.
    using wall = chrono::system_clock::time_point;
    if (when >= chrono::floor<chrono::seconds>(wall::max()))
        return wall::max();
    if (when <= chrono::ceil<chrono::seconds>(wall::min()))
        return wall::min();
    return when;
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
        text.remove_suffix(1);
    return text;
}

} // namespace

std::optional<chrono::system_clock::time_point> parse_http_date(std::string_view text) {
    text = trim(text);
    int day = 0, month = 0, year = 0, h = 0, m = 0, s = 0;
    {   // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
        DateReader r(text);
        if (r.day_name(false) && r.literal(", ") && r.number(2, 2, day) && r.literal(" ") && r.month(month) &&
            r.literal(" ") && r.number(4, 4, year) && r.literal(" ") && r.time_of_day(h, m, s) &&
            r.literal(" GMT") && r.at_end())
            return make_time(year, month, day, h, m, s);
    }
    {   // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT (two-digit years: RFC 9110 §5.6.7)
        DateReader r(text);
        if (r.day_name(true) && r.literal(", ") && r.number(2, 2, day) && r.literal("-") && r.month(month) &&
            r.literal("-") && r.number(2, 2, year) && r.literal(" ") && r.time_of_day(h, m, s) &&
            r.literal(" GMT") && r.at_end())
            return make_time(year < 70 ? 2000 + year : 1900 + year, month, day, h, m, s);
    }
    {   // asctime: Sun Nov  6 08:49:37 1994
        DateReader r(text);
        if (r.day_name(false) && r.literal(" ") && r.month(month) && r.spaces() && r.number(1, 2, day) &&
            r.literal(" ") && r.time_of_day(h, m, s) && r.literal(" ") && r.number(4, 4, year) && r.at_end())
            return make_time(year, month, day, h, m, s);
    }
    return std::nullopt;
}

std::optional<chrono::seconds> parse_retry_after(std::string_view value, chrono::system_clock::time_point now) {
    value = trim(value);
    if (value.empty())
        return std::nullopt;
    if (value.front() >= '0' && value.front() <= '9') {
        std::int64_t seconds = 0;
        const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
        if (end != value.data() + value.size())
            return std::nullopt;
        // All digits, yet more than an int64 holds: a very long pause, not
        // an unreadable value (which would mean the 3 s default).
        if (ec == std::errc::result_out_of_range)
            return retry_after_limit;
        if (ec != std::errc{})
            return std::nullopt;
        return std::min(chrono::seconds(seconds), retry_after_limit);
    }
    const auto when = parse_http_date(value);
    if (!when)
        return std::nullopt;
    if (*when <= now)
        return chrono::seconds::zero();
    // Round up: waiting a fraction too long is harmless, too short earns another 429.
    return std::min(chrono::ceil<chrono::seconds>(*when - now), retry_after_limit);
}

RetryVerdict classify_status(int status, RequestSafety safety) {
    if (status >= 200 && status < 300)
        return RetryVerdict::done;
    if (status == 401)
        return RetryVerdict::refresh_token;
    if (status == 429)
        return RetryVerdict::retry_rate_limit;
    if (status >= 500 && status < 600) {
        // A create that got any 5xx may have been committed before the
        // failure: the caller must look before it leaps again.
        if (safety == RequestSafety::create)
            return RetryVerdict::outcome_unknown;
        if (status == 502 || status == 503 || status == 504)
            return RetryVerdict::retry_backoff;
    }
    return RetryVerdict::fail;
}

RetryVerdict classify_transport_failure(bool maybe_sent, bool permanent, RequestSafety safety) {
    if (permanent)
        return RetryVerdict::fail;
    if (maybe_sent && safety == RequestSafety::create)
        return RetryVerdict::outcome_unknown;
    return RetryVerdict::retry_backoff;
}

chrono::steady_clock::time_point SystemRetryClock::now() const { return chrono::steady_clock::now(); }

chrono::system_clock::time_point SystemRetryClock::wall_now() const { return chrono::system_clock::now(); }

bool SystemRetryClock::wait_until(chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    woken_.wait_until(lock, deadline, [this] { return cancelled_; });
    return !cancelled_;
}

void SystemRetryClock::cancel() {
    {
        std::lock_guard lock(mutex_);
        cancelled_ = true;
    }
    woken_.notify_all();
}

bool SystemRetryClock::cancelled() const {
    std::lock_guard lock(mutex_);
    return cancelled_;
}

} // namespace hookwarden
