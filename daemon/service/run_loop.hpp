// `hookwarden run`: the daemon's event loop (SPEC §6).
//
// One `Daemon` owns the process state: configuration, the last good desired
// state, the reconciler (tenant client, stores, engine) and the schedule.
// The decisions are units of their own, tested without a process: when the
// next cycle runs (cycle_scheduler.hpp), which loaded desired state is taken
// and which refusal STATUS= shows (desired_state_gate.hpp), and the STATUS=
// text (status_line.hpp). The Daemon feeds them the time and the events.
// The loop itself is single-threaded and never blocks on the tenant: it
// polls a signalfd (TERM, INT, HUP, USR1), the inotify watcher and an
// eventfd on which the cycle thread reports completion. While the watcher
// cannot see every directory, the manifests are re-read before each cycle
// instead. Cycles run one at a time on their own thread, so the loop keeps
// answering signals and pinging the watchdog — and stops pinging when a
// cycle overruns `cycleTimeout`, so that systemd restarts a hung daemon
// instead of letting it stall silently.
// Between cycles the daemon keeps the desired state, the trust store and a
// summary of the last cycle, but no connection, and hands the memory the
// cycle used back to the system.
#pragma once

#include "daemon/cli/cli.hpp"

namespace hookwarden {

/// Runs the daemon until SIGTERM/SIGINT; returns the exit code.
int run_daemon(CommandContext& context);

} // namespace hookwarden
