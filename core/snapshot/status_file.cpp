#include "core/snapshot/status_file.hpp"

#include "core/snapshot/snapshot_file.hpp"

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
    // floor, not duration_cast: before 1970 the fraction must not come out negative.
    const auto seconds = std::chrono::floor<std::chrono::seconds>(since_epoch);
    const auto millis = std::chrono::floor<std::chrono::milliseconds>(since_epoch - seconds);
    const std::time_t t = static_cast<std::time_t>(seconds.count());
    std::tm utc{};
    gmtime_r(&t, &utc);
    // Neither call can run out of room: the widest year, an int's 11
    // characters, fits both buffers.
    char buffer[40];
    (void)std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &utc);
    char out[48];
    (void)std::snprintf(out, sizeof out, "%s.%03dZ", buffer, static_cast<int>(millis.count()));
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

json::object revision_json(const ManifestRevision& revision) {
    if (revision.kind == "git") {
        json::object o{{"kind", "git"}, {"commit", revision.value}};
        if (!revision.ref.empty())
            o["ref"] = revision.ref;
        return o;
    }
    return {{"kind", revision.kind}, {"sha256", revision.value}};
}

json::object counts_json(const CycleCounts& c) {
    return {{"created", c.created},     {"updated", c.updated},     {"adopted", c.adopted},
            {"deleted", c.deleted},     {"replaced", c.replaced},   {"unchanged", c.unchanged},
            {"retained", c.retained},   {"failed", c.failed},       {"conflicts", c.conflicts},
            {"deferred", c.deferred}};
}

json::object webhook_json(const ItemResult& item) {
    json::object w{{"kind", to_string(item.kind)},
                   {"name", item.name},
                   {"action", to_string(item.action)},
                   {"result", to_string(item.outcome)}};
    if (!item.id.empty())
        w["id"] = item.id;
    if (!item.note.empty())
        w["note"] = item.note;
    if (!item.changes.empty()) {
        // Names only: a value, the secret's above all, never lands here.
        json::array fields;
        for (const auto& change : item.changes)
            fields.emplace_back(change.field);
        w["changedFields"] = std::move(fields);
    }
    if (item.error)
        w["error"] = error_json(*item.error);
    return w;
}

} // namespace

json::object status_json(const CycleReport& report) {
    // Keys in the order of the format (json::object keeps insertion order).
    json::object o;
    o["formatVersion"] = status_format_version;
    o["hookwardenVersion"] = report.hookwarden_version;
    o["source"] = report.source;
    o["cycleId"] = report.cycle_id;
    o["start"] = format_rfc3339(report.started);
    o["end"] = format_rfc3339(report.finished);
    o["durationSeconds"] =
        std::chrono::duration<double>(report.finished - report.started).count();
    o["outcome"] = report.outcome();
    if (!report.manifest_revision.kind.empty())
        o["manifestRevision"] = revision_json(report.manifest_revision);
    o["manifestErrors"] = report.manifest_errors;
    // An unreachable tenant has no result: every count is 0.
    const CycleCounts c = report.result ? report.result->counts : CycleCounts{};
    o["counts"] = counts_json(c);
    json::object by_kind;
    for (const ResourceKind kind : all_resource_kinds)
        by_kind[to_string(kind)] =
            counts_json(report.result ? count_items(report.result->items, kind) : CycleCounts{});
    o["countsByKind"] = std::move(by_kind);
    if (report.result && !report.result->prune_blocked_reason.empty())
        o["pruneBlocked"] = report.result->prune_blocked_reason;
    if (report.error)
        o["error"] = error_json(*report.error);
    json::array webhooks;
    if (report.result)
        for (const auto& item : report.result->items)
            webhooks.push_back(webhook_json(item));
    o["webhooks"] = std::move(webhooks);
    json::array rotations;
    for (const auto& rotation : report.rotations)
        rotations.push_back(json::object{{"name", rotation.name},
                                         {"until", format_rotation_time(rotation.until)}});
    o["rotations"] = std::move(rotations);
    o["changeLog"] = {{"lines", report.change_log.lines}, {"head", report.change_log.head}};
    json::array snapshot_errors;
    for (const auto& [file, message] : report.snapshot_errors)
        snapshot_errors.push_back(json::object{{"file", file}, {"message", message}});
    o["snapshotErrors"] = std::move(snapshot_errors);
    if (report.next_run)
        o["nextRun"] = format_rfc3339(*report.next_run);
    return o;
}

Result<void> write_status_snapshot(const std::filesystem::path& state_dir, const CycleReport& report) {
    return write_snapshot_file(state_dir / "status.json", json::serialize(status_json(report)) + "\n");
}

} // namespace hookwarden
