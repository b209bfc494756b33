// `hookwarden receive` as a process (SPEC §7, issue 13): the signed-event
// listener under systemd.
//
// Start: load the config and the manifests, check that every route names a
// webhook the manifests define (its `secretRef` verifies the route), open
// and lock the spool, then listen — on the socket systemd passes
// (`sd_listen_fds`, hookwarden-receiver.socket) or on `receiver.listen` —
// and send READY=1.
//
// Running: STATUS= tells the address and the counts (`accepted 1200 ·
// duplicates 3 · refused 5 (401×5)`), refreshed every second; WATCHDOG=1
// every half WatchdogSec= while the spool's commits make progress (a disk
// that hangs stops the pings, and systemd restarts the receiver); refusals
// are logged with WEBHOOK_NAME, DELIVERY_ID and HTTP_STATUS, at most 20
// lines a second (the rest are counted in one line), acceptances at debug.
//
// Signals: SIGHUP re-reads every route's secret and state.json's rotations
// (RELOADING=1 … READY=1); routes and the listen address are read at start
// only. SIGTERM/SIGINT: stop accepting, let deliveries in flight reach the
// spool and be answered for up to 5 s, commit, STOPPING=1, exit 0.
#pragma once

#include "daemon/service/config.hpp"

#include <functional>
#include <optional>

namespace hookwarden {

/// Reads the configuration, reporting every problem itself; empty when it
/// is invalid. Called once signals are blocked, before any thread starts.
using ConfigLoader = std::function<std::optional<Config>()>;

/// Runs the receiver until SIGTERM; the exit code (0 after SIGTERM, 1 when
/// it cannot start).
int run_receiver(const ConfigLoader& load_config);

} // namespace hookwarden
