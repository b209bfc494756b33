// `hookwarden receive`: the signed-event listener (SPEC §7). The process is
// daemon/receiver/receiver_service; this file is its command line.
#include "daemon/cli/cli_args.hpp"
#include "daemon/cli/commands.hpp"
#include "daemon/receiver/receiver_service.hpp"

#include <ostream>

namespace hookwarden {

namespace {

int run_receive(CommandContext& context) {
    CliArgs args({}, {});
    if (auto problem = args.parse(context.args); problem || !args.positionals().empty()) {
        context.err << "hookwarden receive: " << (problem ? *problem : "takes no arguments")
                    << " (see hookwarden receive --help)\n";
        return exit_code::usage;
    }
    // load_config sets the log level too (--log-level, else logLevel).
    return run_receiver([&context] { return context.load_config(); });
}

} // namespace

const Command receive_command{
    "receive",
    "the signed-event listener: verify, de-duplicate and spool deliveries",
    "Usage: hookwarden receive\n"
    "\n"
    "Listens for the tenant's deliveries (HTTP/1.1, TLS when receiver.tls is\n"
    "set) on receiver.listen, or on the socket systemd passes\n"
    "(hookwarden-receiver.socket). A request is routed by its path\n"
    "(receiver.routes) to a webhook whose manifest's secretRef verifies it, and\n"
    "answered:\n"
    "  404  no route for the path          405  not a POST\n"
    "  413  body over receiver.maxBody (refused before it is read)\n"
    "  401  no signature, or none matches (X-Hub-Signature-256 or\n"
    "       Standard Webhooks webhook-signature)\n"
    "  400  webhook-timestamp outside receiver.tolerance, or the body is not\n"
    "       a valid event (the message names the JSON path)\n"
    "  200  {\"status\":\"duplicate\"}: this webhook-id was accepted before\n"
    "  200  {\"status\":\"accepted\"}: transformed (see transform) and appended\n"
    "       to receiver.spool, fsynced before the answer\n"
    "  503  the spool cannot be written, or the secret cannot be read\n"
    "       (Retry-After): the sender keeps the delivery and retries\n"
    "\n"
    "After a secret rotation (apply --rotate-secret, or a changed secret\n"
    "source) the previous secret is still accepted until the rotation's end,\n"
    "so retries the tenant signed before it are not lost.\n"
    "\n"
    "Spool: current.jsonl is appended to and closed as events-N.jsonl once it\n"
    "holds 64 MiB; consumers read and remove the closed files. accepted-ids\n"
    "remembers ids across restarts for the retry horizon plus the tolerance.\n"
    "\n"
    "Under systemd (Type=notify): READY=1, STATUS= with the counts, watchdog\n"
    "pings while the spool's commits make progress, journal fields\n"
    "WEBHOOK_NAME, DELIVERY_ID, HTTP_STATUS.\n"
    "\n"
    "Signals:\n"
    "  SIGHUP       re-read the routes' secrets and state.json's rotations\n"
    "               (routes and the listen address need a restart)\n"
    "  SIGTERM/INT  stop accepting, answer deliveries in flight for up to 5 s,\n"
    "               exit 0\n"
    "\n"
    "Exit status: 0 after SIGTERM, 1 when it cannot start (invalid config, a\n"
    "route naming no manifest, spool locked by another receiver, address in use).\n",
    run_receive,
};

} // namespace hookwarden
