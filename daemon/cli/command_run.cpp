// `hookwarden run`: the daemon (SPEC §6). See daemon/run_loop.hpp.
#include "daemon/cli/cli_args.hpp"
#include "daemon/cli/commands.hpp"
#include "daemon/service/run_loop.hpp"

#include <ostream>

namespace hookwarden {

namespace {

int run_run(CommandContext& context) {
    CliArgs args({}, {});
    if (auto problem = args.parse(context.args); problem || !args.positionals().empty()) {
        context.err << "hookwarden run: " << (problem ? *problem : "takes no arguments")
                    << " (see hookwarden run --help)\n";
        return exit_code::usage;
    }
    return run_daemon(context);
}

} // namespace

const Command run_command{
    "run",
    "the daemon: reconcile continuously (systemd Type=notify)",
    "Usage: hookwarden run\n"
    "\n"
    "Runs the reconcile loop until SIGTERM: a cycle every `interval` (jittered\n"
    "±10%), at once when a file below the manifest directory changes (inotify,\n"
    "debounced 1 s) and on SIGUSR1. Failed webhooks are retried with exponential\n"
    "backoff. Takes stateDir/lock: a second instance exits with status 1 naming\n"
    "the holder's PID.\n"
    "\n"
    "Under systemd (Type=notify) it reports READY=1, a one-line STATUS= such as\n"
    "`converged 42/42 · next in 55s`, and pings the watchdog (WatchdogSec=) while\n"
    "the loop makes progress; a cycle running longer than `cycleTimeout` stops\n"
    "the pings so that systemd restarts the service. Logs go to journald with\n"
    "structured fields (CYCLE_ID, WEBHOOK_NAME, ACTION, ...) when stderr is the\n"
    "journal, else to stderr.\n"
    "\n"
    "Signals:\n"
    "  SIGHUP         reload config and manifests (RELOADING=1 ... READY=1); when\n"
    "                 either is invalid the errors are logged and the running\n"
    "                 ones stay in force\n"
    "  SIGUSR1        reconcile now\n"
    "  SIGTERM/INT    stop: no new work, requests in flight finished or abandoned\n"
    "                 within 5 s, status.json written, exit 0\n"
    "\n"
    "Exit status: 0 after SIGTERM, 1 when it cannot start (invalid config,\n"
    "missing credentials, state directory locked).\n",
    run_run,
};

} // namespace hookwarden
