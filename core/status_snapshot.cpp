#include "core/status_snapshot.hpp"

#include "core/atomic_file.hpp"

#include <boost/json.hpp>

#include <ctime>

namespace hookwarden {

namespace json = boost::json;

std::string CycleReport::outcome() const {
    if (!result)
        return "unreachable";
    return result->converged() ? "converged" : "failed";
}

std::string format_rfc3339(std::chrono::system_clock::time_point time) {
    const auto since_epoch = time.time_since_epoch();
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
    const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch - seconds);
    const std::time_t t = static_cast<std::time_t>(seconds.count());
    std::tm utc{};
    gmtime_r(&t, &utc);
    char buffer[40];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &utc);
    char out[48];
    std::snprintf(out, sizeof out, "%s.%03dZ", buffer, static_cast<int>(millis.count()));
    return out;
}

namespace {

json::object error_json(const Error& error) {
    json::object o{{"kind", to_string(error.kind)}, {"message", error.describe()}};
    if (error.context.http_status != 0)
        o["httpStatus"] = error.context.http_status;
    if (!error.context.correlation_id.empty())
        o["correlationId"] = error.context.correlation_id;
    return o;
}

} // namespace

json::object status_json(const CycleReport& report) {
    json::object o;
    o["formatVersion"] = 1;
    o["cycleId"] = report.cycle_id;
    o["start"] = format_rfc3339(report.started);
    o["end"] = format_rfc3339(report.finished);
    o["outcome"] = report.outcome();
    o["manifestErrors"] = report.manifest_errors;
    if (report.error)
        o["error"] = error_json(*report.error);
    json::array webhooks;
    if (report.result) {
        for (const auto& item : report.result->items) {
            json::object w{{"name", item.name},
                           {"action", to_string(item.action)},
                           {"result", to_string(item.outcome)}};
            if (!item.id.empty())
                w["id"] = item.id;
            if (!item.note.empty())
                w["note"] = item.note;
            if (item.error)
                w["error"] = error_json(*item.error);
            webhooks.push_back(std::move(w));
        }
        if (!report.result->prune_blocked_reason.empty())
            o["pruneBlocked"] = report.result->prune_blocked_reason;
    }
    // An unreachable tenant has no result: every count is 0.
    const CycleCounts c = report.result ? report.result->counts : CycleCounts{};
    o["counts"] = {{"created", c.created},     {"updated", c.updated},     {"adopted", c.adopted},
                   {"deleted", c.deleted},     {"unchanged", c.unchanged}, {"retained", c.retained},
                   {"failed", c.failed},       {"conflicts", c.conflicts}, {"deferred", c.deferred}};
    o["webhooks"] = std::move(webhooks);
    if (report.next_run)
        o["nextRun"] = format_rfc3339(*report.next_run);
    return o;
}

Result<void> write_status_snapshot(const std::filesystem::path& state_dir, const CycleReport& report) {
    using std::filesystem::perms;
    const std::string text = json::serialize(status_json(report)) + "\n";
    return write_file_atomically(state_dir / "status.json", text,
                                 {.mode = perms::owner_read | perms::owner_write | perms::group_read |
                                          perms::others_read});
}

} // namespace hookwarden
