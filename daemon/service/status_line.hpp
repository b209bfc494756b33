// The daemon's STATUS= line (SPEC §6): what `systemctl status` shows.
//
// A pure function of a small state (the last cycle's summary, the desired
// state's size, the schedule, a refused load) and the time now, so that
// every form is testable without a process. The run loop (run_loop.cpp)
// keeps the state and sends the line. The texts are the product's: the
// README and the process tests quote them.
#pragma once

#include "core/snapshot/status_file.hpp"

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace hookwarden {

/// A wait as STATUS= and the log show it: whole seconds below two minutes
/// (rounded up, never negative), then minutes, then hours (rounded):
/// `55s`, `3m`, `2h`.
std::string format_wait(std::chrono::steady_clock::duration wait);

/// How many failing names STATUS= shows.
inline constexpr std::size_t status_failing_names = 3;

/// What STATUS= needs of the last finished cycle. The whole report (every
/// item with its changes) is in status.json by then; holding it for the
/// interval would keep a result per webhook in memory for nothing.
struct CycleSummary {
    bool reached = false;             ///< the tenant could be listed and a plan made
    std::string error;                ///< why not, when !reached
    std::size_t converged = 0;        ///< desired webhooks done or unchanged
    std::size_t converged_triggers = 0; ///< desired triggers done or unchanged
    std::vector<std::string> failing; ///< the first status_failing_names failing names
    std::size_t failing_count = 0;    ///< failed, refused (conflicts) and deferred items
    /// Why prune deleted nothing, when it was blocked: the reason's fact
    /// (its text before ": ", see PruneDecision::reason); empty otherwise.
    std::string prune_blocked;
    /// The snapshot files this cycle could not write (status.json's
    /// snapshotErrors), by name.
    std::vector<std::string> snapshot_errors;
};

/// The summary of a finished cycle's report.
CycleSummary summarize(const CycleReport& report);

/// Everything the line is made of.
struct StatusState {
    /// Why the last reload or manifest change was refused, while it is shown
    /// (daemon/service/desired_state_gate.hpp).
    std::optional<std::string> refusal;
    bool cycle_running = false;
    std::chrono::steady_clock::time_point cycle_started; ///< when cycle_running
    std::chrono::steady_clock::duration cycle_timeout{};  ///< longer is a hung cycle
    std::optional<CycleSummary> last_cycle;                ///< none before the first ends
    std::size_t desired_webhooks = 0;                      ///< in the desired state in force
    std::size_t desired_triggers = 0;                      ///< likewise
    std::size_t manifest_errors = 0;                       ///< of the desired state in force
    std::chrono::steady_clock::time_point next_cycle;
};

/// STATUS= in one line: a refused reload or edit first (it stays until a
/// load is taken), then what the cycles are doing, e.g.
/// `converged 42/42 · next in 55s` (with triggers desired
/// `converged 40/40 webhooks, 2/2 triggers · next in 55s`), `3 failing (A, B, C) · retry in 20s`,
/// `converged 40/42 · prune blocked: 12 owned webhooks left the manifests,
/// more than maxDeletesPerCycle (10) · next in 55s`,
/// `converged 2/2 · snapshots failed: audit/, health.json · next in 55s`,
/// `tenant unreachable: … · retry in 40s`, `cycle stuck for 11m · awaiting restart`.
std::string status_line(const StatusState& state, std::chrono::steady_clock::time_point now);

} // namespace hookwarden
