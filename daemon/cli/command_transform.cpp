// `hookwarden transform [FILE|-]`: validate and transform events as SPEC §7
// says (the tutorial's step 3), offline: no config file, no credential, no
// network. The work is core/event/event_transform; this file reads the
// input, tells a single event from JSON Lines, and reports.
//
// The input rule: blank lines are skipped; if the first non-blank line is a
// complete JSON value, the input is JSON Lines (one event a line; a single
// line is a stream of one); otherwise it is one JSON document spread over
// several lines (a pretty-printed event), at most 1 MiB. So every one-line
// event and every JSON Lines stream is read line by line in constant memory,
// and a pretty-printed event still works.
#include "core/diagnostic.hpp"
#include "core/event/event_transform.hpp"
#include "core/rfc3339_time.hpp"
#include "daemon/cli/cli_args.hpp"
#include "daemon/cli/commands.hpp"
#include "daemon/cli/line_reader.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/stream_parser.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <optional>
#include <ostream>

namespace hookwarden {

namespace {

namespace json = boost::json;
using TimePoint = std::chrono::system_clock::time_point;

/// A longer line (or a longer pretty-printed document) is an error of its own.
constexpr std::size_t max_event_bytes = std::size_t{1024} * 1024;

bool blank(std::string_view line) { return line.find_first_not_of(" \t\r") == std::string_view::npos; }

bool opens_container(std::string_view line) {
    const auto first = line.find_first_not_of(" \t\r");
    return first != std::string_view::npos && (line[first] == '{' || line[first] == '[');
}

/// Reads one input and writes its transformed events, remembering whether
/// any was bad. Each step of the input rule is a member.
class Transformer {
public:
    Transformer(CommandContext& context, std::string name, std::optional<TimePoint> received_at)
        : context_(context), name_(std::move(name)), received_at_(received_at) {}

    /// Processes all of `fd`; returns the exit code.
    int run(int fd);

private:
    enum class Mode { undecided, lines, document };

    void on_line(std::string_view text, std::size_t number);
    void on_document_line(std::string_view text, std::size_t number);
    void on_end();
    void on_value(std::size_t number);
    void start_value();
    void report(std::size_t line, std::string message);

    CommandContext& context_;
    std::string name_;
    std::optional<TimePoint> received_at_;
    Mode mode_ = Mode::undecided;
    // Parsed values live in a fresh `arena_` per event, first in `scratch_`,
    // so memory stays that of the largest event however long the stream.
    // (A fresh one rather than monotonic_resource::release(): in Boost 1.81
    // release() keeps the grown block size, which doubles with every event
    // until allocation fails.)
    alignas(std::max_align_t) unsigned char scratch_[16 * 1024];
    std::optional<json::monotonic_resource> arena_;
    json::stream_parser parser_;
    std::size_t document_line_ = 0; ///< first line of the multi-line document
    std::size_t document_bytes_ = 0;
    bool document_done_ = false;
    bool stopped_ = false; ///< the document met an error it cannot resume from
    bool bad_ = false;
    std::string output_;
};

int Transformer::run(int fd) {
    LineReader reader(fd, max_event_bytes);
    while (!stopped_) {
        const auto next = reader.next();
        switch (next.status) {
        case LineReader::Status::line:
            if (mode_ == Mode::document)
                on_document_line(next.text, next.number);
            else
                on_line(next.text, next.number);
            continue;
        case LineReader::Status::too_long:
            report(next.number, "line is longer than 1 MiB (" + std::to_string(next.length) + " bytes), skipped");
            // A document cannot go on without one of its lines.
            stopped_ = mode_ == Mode::document && !document_done_;
            continue;
        case LineReader::Status::error:
            context_.err << "hookwarden transform: " << name_ << ':' << next.number
                         << ": cannot read: " << std::strerror(next.error) << '\n';
            return exit_code::failure;
        case LineReader::Status::end:
            on_end();
            stopped_ = true;
            continue;
        }
    }
    if (!context_.out.flush()) {
        context_.err << "hookwarden transform: cannot write the transformed events to stdout\n";
        return exit_code::failure;
    }
    return bad_ ? exit_code::failure : exit_code::ok;
}

void Transformer::start_value() {
    parser_.reset(); // drops a half-parsed value while its arena still lives
    arena_.emplace(scratch_, sizeof scratch_);
    parser_.reset(json::storage_ptr(&*arena_));
}

// JSON Lines, or the first line of whatever the input turns out to be.
void Transformer::on_line(std::string_view text, std::size_t number) {
    if (blank(text))
        return;
    start_value();
    json::error_code ec;
    parser_.write(text.data(), text.size(), ec);
    if (!ec && !parser_.done()) {
        if (mode_ == Mode::undecided && opens_container(text)) {
            mode_ = Mode::document;
            document_line_ = number;
            document_bytes_ = text.size();
            return;
        }
        parser_.finish(ec); // a number at the top level ends only here
    }
    if (mode_ == Mode::undecided)
        mode_ = Mode::lines;
    if (ec) {
        report(number, "$: not valid JSON (" + ec.message() + ")");
        return;
    }
    on_value(number);
}

// A multi-line document: its lines until it is complete, then only blanks.
void Transformer::on_document_line(std::string_view text, std::size_t number) {
    if (document_done_) {
        if (blank(text))
            return;
        report(number, "$: more than one JSON document; several events must be JSON Lines (one event a line)");
        stopped_ = true;
        return;
    }
    document_bytes_ += 1 + text.size();
    if (document_bytes_ > max_event_bytes) {
        report(document_line_, "$: the JSON document is longer than 1 MiB");
        stopped_ = true;
        return;
    }
    json::error_code ec;
    parser_.write("\n", 1, ec); // the line break is whitespace that separates tokens
    if (!ec)
        parser_.write(text.data(), text.size(), ec);
    if (ec) {
        report(number, "$: not valid JSON (" + ec.message() + ")");
        stopped_ = true;
        return;
    }
    if (parser_.done()) {
        document_done_ = true;
        on_value(document_line_);
    }
}

void Transformer::on_end() {
    if (mode_ != Mode::document || document_done_)
        return;
    json::error_code ec;
    parser_.finish(ec);
    report(document_line_, "$: not valid JSON (" + (ec ? ec.message() : std::string("incomplete JSON")) + ")");
}

void Transformer::on_value(std::size_t number) {
    const json::value event = parser_.release();
    const auto problems = check_event(event);
    if (!problems.empty()) {
        for (const auto& problem : problems)
            report(number, problem.format());
        return;
    }
    // The clock is read here, per event: received_at is the time of processing.
    const TimePoint now = received_at_ ? *received_at_ : std::chrono::system_clock::now();
    output_ = json::serialize(transform_event(event, now));
    output_ += '\n';
    context_.out.write(output_.data(), static_cast<std::streamsize>(output_.size()));
}

void Transformer::report(std::size_t line, std::string message) {
    bad_ = true;
    const Diagnostic diagnostic{Severity::error, {name_, static_cast<int>(line), 0}, std::move(message)};
    context_.err << diagnostic.format() << '\n';
}

int run_transform(CommandContext& context) {
    CliArgs args({}, {"received-at"});
    if (auto problem = args.parse(context.args); problem || args.positionals().size() > 1) {
        context.err << "hookwarden transform: " << (problem ? *problem : "takes at most one FILE")
                    << " (see hookwarden transform --help)\n";
        return exit_code::usage;
    }
    std::optional<TimePoint> received_at;
    if (auto text = args.option("received-at")) {
        const auto parsed = parse_rfc3339_strict(*text);
        // system_clock (nanoseconds) spans the years 1677..2262 only.
        constexpr auto first = std::chrono::time_point_cast<std::chrono::microseconds>(TimePoint::min());
        constexpr auto last = std::chrono::time_point_cast<std::chrono::microseconds>(TimePoint::max());
        if (parsed && *parsed >= first && *parsed <= last)
            received_at = std::chrono::time_point_cast<TimePoint::duration>(*parsed);
        if (!received_at) {
            context.err << "hookwarden transform: --received-at must be an RFC 3339 date-time between the years 1678 and 2261, not '" << *text
                        << "' (see hookwarden transform --help)\n";
            return exit_code::usage;
        }
    }

    const std::string path = args.positionals().empty() ? "-" : args.positionals()[0];
    if (path == "-")
        return Transformer(context, "<stdin>", received_at).run(STDIN_FILENO);
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        context.err << "hookwarden transform: " << path << ": cannot open: " << std::strerror(errno) << '\n';
        return exit_code::failure;
    }
    const int code = Transformer(context, path, received_at).run(fd);
    ::close(fd);
    return code;
}

} // namespace

const Command transform_command{
    "transform",
    "validate and transform events (JSON or JSON Lines), offline",
    "Usage: hookwarden transform [--received-at TIME] [FILE|-]\n"
    "\n"
    "Validates system events and prints each one transformed (SPEC §7) as one\n"
    "compact JSON line on stdout. Reads FILE, or stdin when FILE is - or absent.\n"
    "Needs no config file, no credential and no network.\n"
    "\n"
    "An event: {\"eventType\": string, \"timestamp\": RFC 3339 date-time,\n"
    "\"actor\": {\"id\": string, \"name\": string (optional)}, \"metadata\": object\n"
    "(optional)}; other members are ignored. Output, in this member order:\n"
    "  {\"event_type\", \"actor_id\", \"received_at\", \"original_timestamp\",\n"
    "   \"routing_key\": \"system.<eventType, every ':' as '_'>\",\n"
    "   \"attributes\": {\"actor_name\" (\"unknown\" when absent),\n"
    "                  \"metadata_keys\" (in input order, [] when absent)}}\n"
    "\n"
    "Input: blank lines are skipped. When the first other line is a complete JSON\n"
    "value the input is JSON Lines, one event a line, read line by line in\n"
    "constant memory; otherwise it is one JSON document over several lines (a\n"
    "pretty-printed event). A line, or a document, may hold at most 1 MiB.\n"
    "\n"
    "A bad event is skipped and each of its problems printed on stderr as one line\n"
    "FILE:LINE: error: JSON-PATH: PROBLEM (e.g. `events.jsonl:7: error: $.actor.id:\n"
    "required`); FILE is <stdin> for stdin, LINE where the event starts. The\n"
    "other events are still transformed.\n"
    "\n"
    "Options:\n"
    "  --received-at TIME  use TIME (RFC 3339) as received_at instead of the clock\n"
    "                      (reproducible output, replays of archived events)\n"
    "\n"
    "Exit status: 0 every event transformed, 1 a bad event or line, or an\n"
    "unreadable FILE, 64 bad command line.\n",
    run_transform,
};

} // namespace hookwarden
