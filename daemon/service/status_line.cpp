#include "daemon/service/status_line.hpp"

namespace hookwarden {

namespace {

std::string join(const std::vector<std::string>& parts, const char* separator) {
    std::string out;
    for (const auto& part : parts)
        out += (out.empty() ? "" : separator) + part;
    return out;
}

/// `text` cut to `limit` characters, the last three of them `...`.
std::string shortened(std::string text, std::size_t limit) {
    if (text.size() > limit)
        text = text.substr(0, limit - 3) + "...";
    return text;
}

std::string cycle_status(const StatusState& state, std::chrono::steady_clock::time_point now) {
    const auto wait = format_wait(state.next_cycle - now);
    if (state.cycle_running) {
        if (now - state.cycle_started > state.cycle_timeout)
            return "cycle stuck for " + format_wait(now - state.cycle_started) + " · awaiting restart";
        return "reconciling " + std::to_string(state.desired_webhooks) + " webhooks" +
               (state.desired_triggers ? ", " + std::to_string(state.desired_triggers) + " triggers"
                                       : std::string());
    }
    if (!state.last_cycle)
        return "starting";
    const CycleSummary& last = *state.last_cycle;
    // Snapshot failures never stop a cycle, so STATUS= is where they show.
    const std::string snapshots =
        last.snapshot_errors.empty() ? "" : " · snapshots failed: " + join(last.snapshot_errors, ", ");
    if (!last.reached)
        return "tenant unreachable: " + shortened(last.error, 80) + snapshots + " · retry in " + wait;
    // A blocked prune is shown with any outcome: it stays until someone acts.
    const std::string notes =
        (last.prune_blocked.empty() ? "" : " · prune blocked: " + shortened(last.prune_blocked, 100)) + snapshots;
    if (last.failing_count > 0)
        return std::to_string(last.failing_count) + " failing (" + join(last.failing, ", ") +
               (last.failing_count > status_failing_names ? ", …" : "") + ")" + notes + " · retry in " + wait;
    // Webhook-only directories read as they did before triggers existed.
    std::string converged =
        std::to_string(last.converged) + "/" + std::to_string(state.desired_webhooks);
    if (state.desired_triggers > 0)
        converged += " webhooks, " + std::to_string(last.converged_triggers) + "/" +
                     std::to_string(state.desired_triggers) + " triggers";
    if (state.manifest_errors > 0)
        return "manifests invalid (" + std::to_string(state.manifest_errors) + " errors) · " + converged +
               " converged" + notes + " · next in " + wait;
    return "converged " + converged + notes + " · next in " + wait;
}

} // namespace

std::string format_wait(std::chrono::steady_clock::duration wait) {
    auto s = std::chrono::ceil<std::chrono::seconds>(wait).count();
    if (s < 0)
        s = 0;
    if (s < 120)
        return std::to_string(s) + "s";
    if (s < 7200)
        return std::to_string((s + 30) / 60) + "m";
    return std::to_string((s + 1800) / 3600) + "h";
}

CycleSummary summarize(const CycleReport& report) {
    CycleSummary summary;
    for (const auto& [file, message] : report.snapshot_errors)
        summary.snapshot_errors.push_back(file);
    if (!report.result) {
        summary.error = report.error ? report.error->message : "unknown error";
        return summary;
    }
    summary.reached = true;
    // The whole reason, with what to do, is in the log and status.json.
    const auto& reason = report.result->prune_blocked_reason;
    summary.prune_blocked = reason.substr(0, reason.find(": "));
    for (const auto& item : report.result->items) {
        if (item.outcome == ItemOutcome::failed || item.outcome == ItemOutcome::refused ||
            item.outcome == ItemOutcome::deferred) {
            if (summary.failing.size() < status_failing_names)
                summary.failing.push_back(item.name);
            ++summary.failing_count;
        } else if (item.outcome == ItemOutcome::done || item.outcome == ItemOutcome::unchanged) {
            if (item.action != PlanAction::remove)
                ++(item.kind == ResourceKind::trigger ? summary.converged_triggers
                                                       : summary.converged);
        }
    }
    return summary;
}

std::string status_line(const StatusState& state, std::chrono::steady_clock::time_point now) {
    std::string line = cycle_status(state, now);
    if (state.refusal)
        line = shortened(*state.refusal, 100) + " · keeping last good state · " + line;
    return line;
}

} // namespace hookwarden
