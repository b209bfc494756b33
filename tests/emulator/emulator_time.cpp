#include "tests/emulator/emulator_time.hpp"

#include "core/snapshot/status_file.hpp"

namespace hookwarden::emulator {
namespace chrono = std::chrono;

namespace {

// A cursor over the text being parsed; every read fails softly.
class Scanner {
  public:
    explicit Scanner(std::string_view text) : text_(text) {}

    bool done() const { return pos_ == text_.size(); }
    char peek() const { return done() ? '\0' : text_[pos_]; }
    bool accept(char c) {
        if (peek() != c)
            return false;
        ++pos_;
        return true;
    }
    bool accept_any_of(std::string_view set) {
        if (done() || set.find(peek()) == std::string_view::npos)
            return false;
        ++pos_;
        return true;
    }
    /// Exactly `count` decimal digits.
    std::optional<int> fixed(int count) {
        int value = 0;
        for (int i = 0; i < count; ++i) {
            if (!is_digit())
                return std::nullopt;
            value = value * 10 + (text_[pos_++] - '0');
        }
        return value;
    }
    /// Digits after a decimal point, as nanoseconds (extra digits ignored).
    std::optional<long long> fraction_ns() {
        long long ns = 0;
        int digits = 0;
        while (is_digit()) {
            if (digits < 9)
                ns = ns * 10 + (text_[pos_] - '0');
            ++digits;
            ++pos_;
        }
        if (digits == 0)
            return std::nullopt;
        for (int i = digits; i < 9; ++i)
            ns *= 10;
        return ns;
    }

  private:
    bool is_digit() const { return !done() && text_[pos_] >= '0' && text_[pos_] <= '9'; }

    std::string_view text_;
    std::size_t pos_ = 0;
};

} // namespace

std::optional<TimePoint> parse_rfc3339(std::string_view text) {
    Scanner s(text);
    const auto year = s.fixed(4);
    if (!year || !s.accept('-'))
        return std::nullopt;
    const auto month = s.fixed(2);
    if (!month || !s.accept('-'))
        return std::nullopt;
    const auto day = s.fixed(2);
    if (!day || !s.accept_any_of("Tt"))
        return std::nullopt;
    const auto hour = s.fixed(2);
    if (!hour || !s.accept(':'))
        return std::nullopt;
    const auto minute = s.fixed(2);
    if (!minute || !s.accept(':'))
        return std::nullopt;
    const auto second = s.fixed(2);
    if (!second)
        return std::nullopt;
    long long ns = 0;
    if (s.accept('.')) {
        const auto fraction = s.fraction_ns();
        if (!fraction)
            return std::nullopt;
        ns = *fraction;
    }
    int offset_minutes = 0;
    if (!s.accept_any_of("Zz")) {
        int sign = 0;
        if (s.accept('+'))
            sign = 1;
        else if (s.accept('-'))
            sign = -1;
        else
            return std::nullopt;
        const auto oh = s.fixed(2);
        if (!oh || !s.accept(':'))
            return std::nullopt;
        const auto om = s.fixed(2);
        if (!om || *oh > 23 || *om > 59)
            return std::nullopt;
        offset_minutes = sign * (*oh * 60 + *om);
    }
    if (!s.done())
        return std::nullopt;

    const chrono::year_month_day ymd{chrono::year{*year}, chrono::month{unsigned(*month)},
                                     chrono::day{unsigned(*day)}};
    if (!ymd.ok() || *hour > 23 || *minute > 59 || *second > 59)
        return std::nullopt;
    const auto local = chrono::sys_days{ymd} + chrono::hours{*hour} + chrono::minutes{*minute} +
                       chrono::seconds{*second} + chrono::nanoseconds{ns};
    return chrono::time_point_cast<TimePoint::duration>(local - chrono::minutes{offset_minutes});
}

std::optional<Interval> parse_interval(std::string_view text) {
    const auto slash = text.find('/');
    if (slash == std::string_view::npos)
        return std::nullopt;
    const auto start = parse_rfc3339(text.substr(0, slash));
    const auto end = parse_rfc3339(text.substr(slash + 1));
    if (!start || !end || !(*start < *end))
        return std::nullopt;
    return Interval{*start, *end};
}

std::string format_interval(const Interval& interval) {
    return format_rfc3339(interval.start) + '/' + format_rfc3339(interval.end);
}

} // namespace hookwarden::emulator
