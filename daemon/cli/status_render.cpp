#include "daemon/cli/status_render.hpp"

#include "core/ansi_palette.hpp"
#include "core/snapshot/status_file.hpp"

#include <boost/json.hpp>

#include <array>
#include <charconv>

namespace hookwarden {

namespace json = boost::json;

namespace {

// Columns count characters, not bytes: names may hold any UTF-8.
std::size_t display_width(std::string_view text) {
    std::size_t width = 0;
    for (unsigned char c : text)
        width += (c & 0xC0) != 0x80;
    return width;
}

std::string one_line(std::string text) {
    for (char& c : text)
        if (c == '\n' || c == '\r' || c == '\t')
            c = ' ';
    return text;
}

// At most `width` characters, the last one `…` when cut.
std::string cut_to(const std::string& text, std::size_t width) {
    if (width == 0 || display_width(text) <= width)
        return text;
    std::string out;
    std::size_t kept = 0;
    for (const char c : text) {
        const bool starts_char = (static_cast<unsigned char>(c) & 0xC0) != 0x80;
        if (starts_char && ++kept == width)
            break;
        out += c;
    }
    return out + "…";
}

const char* state_color(const std::string& state) {
    if (state == "failed" || state == "refused")
        return ansi::red;
    if (state == "deferred")
        return ansi::yellow;
    return nullptr;
}

const char* health_color(const std::string& health) {
    if (health == "healthy")
        return ansi::green;
    if (health == "degraded")
        return ansi::yellow;
    if (health == "failing")
        return ansi::bold_red;
    return nullptr;
}

std::string last_change_text(const std::optional<LastChange>& change, SystemTime now) {
    if (!change)
        return "-";
    std::string text = format_relative(change->time, now);
    if (!change->by.empty())
        text += " by " + change->by;
    else if (change->source == "changes")
        text += " by hookwarden";
    return text;
}

std::string revision_text(const ManifestRevisionText& revision) {
    if (revision.kind == "git")
        return "git " + revision.value.substr(0, 7) + (revision.ref.empty() ? " (detached)" : " on " + revision.ref);
    return revision.kind + " sha256:" + revision.value.substr(0, 12);
}

/// `value` with `decimals` digits after the point. The numbers come from
/// files on disk: the buffer holds any double (the widest has 309 digits
/// before the point), so none is cut short.
std::string fixed_text(double value, int decimals) {
    std::array<char, 400> buffer{};
    const auto [end, ec] =
        std::to_chars(buffer.data(), buffer.data() + buffer.size(), value, std::chars_format::fixed, decimals);
    return ec == std::errc{} ? std::string(buffer.data(), end) : std::string("?");
}

std::string seconds_text(double seconds) { return fixed_text(seconds, 3) + "s"; }

std::string counts_text(const StatusFiles& files) {
    std::string text;
    for (const auto& [name, count] : files.counts) {
        if (count == 0)
            continue;
        text += (text.empty() ? "" : ", ") + std::to_string(count) + " " + name;
    }
    return text.empty() ? "none" : text;
}

class Header {
  public:
    void line(const std::string& label, const std::string& value) {
        out_ += label + std::string(label_width - label.size(), ' ') + value + '\n';
    }
    std::string take() { return std::move(out_); }

  private:
    static constexpr std::size_t label_width = 12;
    std::string out_;
};

} // namespace

std::string format_failure_rate(const std::optional<double>& rate) {
    if (!rate)
        return "-";
    return fixed_text(*rate * 100.0, 1) + "%";
}

std::string render_status_table(const std::vector<StatusRow>& rows, SystemTime now,
                                const StatusTextOptions& options) {
    if (rows.empty())
        return "No webhooks in the last cycle, state.json or health.json.\n";
    const Palette palette{options.color};
    constexpr std::size_t columns = 7;
    using Cells = std::array<std::string, columns>;
    std::vector<Cells> table{{"NAME", "KIND", "STATE", "LAST CHANGE", "HEALTH", "FAIL RATE", "LAST ERROR"}};
    for (const auto& row : rows) {
        table.push_back({row.name, row.kind, row.state.empty() ? "-" : row.state,
                         last_change_text(row.last_change, now), row.health.empty() ? "-" : row.health,
                         format_failure_rate(row.failure_rate),
                         row.last_error.empty() ? "-" : one_line(row.last_error)});
    }
    std::array<std::size_t, columns> widths{};
    for (const auto& cells : table)
        for (std::size_t c = 0; c + 1 < columns; ++c)
            widths[c] = std::max(widths[c], display_width(cells[c]));
    std::size_t before_error = 0;
    for (std::size_t c = 0; c + 1 < columns; ++c)
        before_error += widths[c] + 2;
    // A narrow terminal still gets a readable start of the error.
    const std::size_t error_width =
        options.width == 0 ? 0 : std::max<std::size_t>(options.width > before_error ? options.width - before_error : 0, 16);

    std::string out;
    for (std::size_t r = 0; r < table.size(); ++r) {
        const Cells& cells = table[r];
        const StatusRow* row = r == 0 ? nullptr : &rows[r - 1];
        for (std::size_t c = 0; c + 1 < columns; ++c) {
            const std::string padded = cells[c] + std::string(widths[c] - display_width(cells[c]) + 2, ' ');
            const char* color = !row ? nullptr : c == 2 ? state_color(row->state) : c == 4 ? health_color(row->health) : nullptr;
            out += color ? palette.paint(color, padded) : padded;
        }
        const std::string error = cut_to(cells[columns - 1], error_width);
        out += (row && !row->last_error.empty()) ? palette.paint(ansi::red, error) : error;
        out += '\n';
    }
    return out;
}

std::string render_status_text(const StatusFiles& files, SystemTime now, const StatusTextOptions& options) {
    const Palette palette{options.color};
    Header header;
    const char* outcome_color = files.outcome == "converged" ? ansi::green : ansi::red;
    header.line("Last cycle", (files.cycle_id.empty() ? std::string("?") : files.cycle_id) +
                                  (files.source.empty() ? "" : " (" + files.source + ")") + " " +
                                  palette.paint(outcome_color, files.outcome));
    header.line("Ended", format_rfc3339(*files.end) + " (" + format_relative(*files.end, now) + ")" +
                             (files.duration_seconds ? ", took " + seconds_text(*files.duration_seconds) : ""));
    if (files.next_run)
        header.line("Next run", format_rfc3339(*files.next_run) + " (" + format_relative(*files.next_run, now) + ")");
    if (files.manifest_revision || files.manifest_errors > 0) {
        std::string text = files.manifest_revision ? revision_text(*files.manifest_revision) : "";
        if (files.manifest_errors > 0)
            text += (text.empty() ? "" : ", ") +
                    palette.paint(ansi::red, std::to_string(files.manifest_errors) + " manifest errors");
        header.line("Manifests", text);
    }
    header.line("Items", counts_text(files));
    if (!files.prune_blocked.empty())
        header.line("Prune", palette.paint(ansi::yellow, "blocked: " + one_line(files.prune_blocked)));
    if (!files.cycle_error.empty())
        header.line("Error", palette.paint(ansi::red, one_line(files.cycle_error)));
    // Only the ones still in progress now: status.json may be older than
    // the end of one.
    for (const auto& [name, until] : files.rotations)
        if (until > now)
            header.line("Rotation", name + " until " + format_rfc3339(until) + " (" +
                                        format_relative(until, now) +
                                        "): its previous secret is still accepted");
    bool first = true;
    for (const auto& [file, message] : files.snapshot_errors) {
        header.line(first ? "Snapshots" : "", palette.paint(ansi::yellow, file + ": " + one_line(message)));
        first = false;
    }
    return header.take() + "\n" + render_status_table(files.rows, now, options);
}

namespace {

json::value time_or_null(const std::optional<SystemTime>& time) {
    return time ? json::value(format_rfc3339(*time)) : json::value(nullptr);
}

json::value string_or_null(const std::string& text) {
    return text.empty() ? json::value(nullptr) : json::value(text);
}

template <class T> json::value value_or_null(const std::optional<T>& value) {
    return value ? json::value(*value) : json::value(nullptr);
}

json::object row_json(const StatusRow& row) {
    json::object o{{"kind", row.kind},
                   {"name", row.name},
                   {"id", string_or_null(row.id)},
                   {"owned", row.owned},
                   {"state", string_or_null(row.state)},
                   {"lastError", string_or_null(row.last_error)},
                   {"health", string_or_null(row.health)},
                   {"successCount", value_or_null(row.success_count)},
                   {"failureCount", value_or_null(row.failure_count)},
                   {"failureRate", value_or_null(row.failure_rate)}};
    if (row.last_change)
        o["lastChange"] = {{"time", format_rfc3339(row.last_change->time)},
                           {"source", row.last_change->source},
                           {"action", string_or_null(row.last_change->action)},
                           {"by", string_or_null(row.last_change->by)}};
    else
        o["lastChange"] = nullptr;
    return o;
}

} // namespace

json::object status_to_json(const StatusFiles& files, SystemTime now, std::chrono::milliseconds interval) {
    json::object cycle{{"id", files.cycle_id},
                       {"source", string_or_null(files.source)},
                       {"outcome", files.outcome},
                       {"start", time_or_null(files.start)},
                       {"end", time_or_null(files.end)},
                       {"durationSeconds", value_or_null(files.duration_seconds)},
                       {"nextRun", time_or_null(files.next_run)},
                       {"hookwardenVersion", string_or_null(files.hookwarden_version)},
                       {"manifestErrors", files.manifest_errors},
                       {"pruneBlocked", string_or_null(files.prune_blocked)},
                       {"error", string_or_null(files.cycle_error)}};
    if (files.manifest_revision)
        cycle["manifestRevision"] = {{"kind", files.manifest_revision->kind},
                                     {"value", files.manifest_revision->value},
                                     {"ref", string_or_null(files.manifest_revision->ref)}};
    else
        cycle["manifestRevision"] = nullptr;
    json::object counts;
    for (const auto& [name, count] : files.counts)
        counts[name] = count;
    cycle["counts"] = std::move(counts);

    json::array snapshot_errors;
    for (const auto& [file, message] : files.snapshot_errors)
        snapshot_errors.push_back(json::object{{"file", file}, {"message", message}});
    json::array read_errors;
    for (const auto& error : files.read_errors)
        read_errors.push_back(json::value(error.describe()));
    json::array webhooks;
    for (const auto& row : files.rows)
        webhooks.push_back(row_json(row));
    json::array rotations;
    for (const auto& [name, until] : files.rotations)
        if (until > now)
            rotations.push_back(json::object{{"name", name}, {"until", format_rfc3339(until)}});

    const auto warning = staleness_warning(*files.end, now, interval);
    json::object o;
    o["formatVersion"] = status_json_format_version;
    o["stateDir"] = files.state_dir.string();
    o["statusFormatVersion"] = files.format_version;
    o["lastCycle"] = std::move(cycle);
    o["interval"] = format_config_duration(interval);
    o["stale"] = warning.has_value();
    o["warning"] = warning ? json::value(*warning) : json::value(nullptr);
    o["snapshotErrors"] = std::move(snapshot_errors);
    o["healthTakenAt"] = time_or_null(files.health_taken_at);
    if (files.change_log)
        o["changeLog"] = {{"lines", files.change_log->first}, {"head", files.change_log->second}};
    else
        o["changeLog"] = nullptr;
    o["webhooks"] = std::move(webhooks);
    o["rotations"] = std::move(rotations);
    o["readErrors"] = std::move(read_errors);
    return o;
}

int status_exit_code(const StatusFiles& files) { return files.outcome == "converged" ? 0 : 1; }

} // namespace hookwarden
