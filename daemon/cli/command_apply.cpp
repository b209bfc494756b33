// `hookwarden apply [--prune] [--dry-run] [--check-endpoints]
// [--rotate-secret NAME]`: one reconcile cycle, then exit (SPEC §4, §4a).
// Holds the state directory's lock for the whole cycle, so that it never
// runs beside the daemon or another apply. Writes the cycle's snapshots
// (status.json with source "apply" and no nextRun, health.json, audit/,
// changes.jsonl, metrics.prom) like a daemon cycle. Exit 0 converged, 1
// anything failed; --dry-run exits like `plan` (0, 2 or 1) and writes
// nothing.
#include "core/plan_render.hpp"
#include "daemon/cli/cli_args.hpp"
#include "daemon/cli/commands.hpp"
#include "daemon/net/endpoint_probe.hpp"
#include "daemon/service/reconcile_setup.hpp"
#include "daemon/service/snapshot_writer.hpp"
#include "daemon/service/state_lock.hpp"

#include <algorithm>
#include <ostream>

namespace hookwarden {

namespace {

int run_apply(CommandContext& context) {
    CliArgs args({"prune", "dry-run", "check-endpoints"}, {"rotate-secret"});
    if (auto problem = args.parse(context.args); problem || !args.positionals().empty()) {
        context.err << "hookwarden apply: " << (problem ? *problem : "takes no arguments")
                    << " (see hookwarden apply --help)\n";
        return exit_code::usage;
    }
    const bool dry_run = args.flag("dry-run");

    auto config = context.load_config();
    if (!config)
        return exit_code::failure;
    const DesiredState desired = desired_state(load_config_manifests(*config, context.err));
    PlanOptions options = plan_options_from(*config);
    options.prune = options.prune || args.flag("prune");
    if (auto name = args.option("rotate-secret")) {
        const bool defined = std::any_of(desired.webhooks.begin(), desired.webhooks.end(),
                                         [&](const WebhookManifest& m) { return m.name == *name; });
        if (!defined) {
            context.err << "hookwarden apply: --rotate-secret " << *name
                        << ": no valid manifest defines a webhook of that name\n";
            return exit_code::failure;
        }
        options.rotate_secrets.insert(*name);
    }

    // The lock comes before the first read of state.json: the plan must be
    // made from the state the cycle will change. A dry run changes nothing
    // and may run beside the daemon.
    std::optional<StateLock> lock;
    if (!dry_run) {
        auto acquired = StateLock::acquire(config->state_dir);
        if (!acquired) {
            context.err << "hookwarden apply: " << acquired.error().describe() << '\n';
            return exit_code::failure;
        }
        lock.emplace(std::move(*acquired));
    }

    auto reconciler = make_reconciler(*config);
    if (!reconciler) {
        context.err << "hookwarden apply: " << reconciler.error().describe() << '\n';
        return exit_code::failure;
    }
    CycleReport report;
    report.cycle_id = new_cycle_id();
    report.started = std::chrono::system_clock::now();
    report.manifest_errors = desired.errors;
    // Snapshot failures are reported on stderr, once each, by the writer's
    // log lines; they do not change the exit status.
    const auto write_snapshots = [&](const Plan* made) {
        report.finished = std::chrono::system_clock::now();
        SnapshotWriter(snapshot_settings(*config, "apply")).write(report, desired, made, *reconciler->tenant);
    };

    auto plan = reconciler->engine->plan(desired, options);
    if (!plan) {
        context.err << "hookwarden apply: " << plan.error().describe() << '\n';
        if (!dry_run) {
            report.error = plan.error();
            write_snapshots(nullptr);
        }
        return exit_code::failure;
    }
    if (args.flag("check-endpoints")) {
        HttpEndpointProbe probe({.ca_file = config->tenant.ca_file});
        check_endpoints(*plan, probe, dry_run ? EndpointCheck::warn : EndpointCheck::refuse,
                        *reconciler->pool, config->concurrency);
    }

    const RenderOptions render{.color = context.out_is_tty};
    context.out << render_plan_text(*plan, render);
    if (dry_run) {
        for (const auto& item : plan->items)
            if (item.error)
                context.err << "error: " << item.error->describe() << '\n';
        if (plan->has_errors())
            return exit_code::failure;
        return plan->has_changes() ? exit_code::changes : exit_code::ok;
    }

    if (plan->has_changes())
        context.out << "\nApplying:\n";
    context.out.flush();
    const CycleResult result = reconciler->engine->apply(*plan, [&](const ItemResult& item) {
        context.out << render_item_result(item, render);
        context.out.flush();
    });
    report.result = result;
    write_snapshots(&*plan);
    context.out << render_cycle_footer(result, render);
    for (const auto& item : result.items)
        if (item.error)
            context.err << "error: " << item.error->describe() << '\n';
    if (result.state_error)
        context.err << "error: " << result.state_error->describe() << '\n';
    return result.converged() ? exit_code::ok : exit_code::failure;
}

} // namespace

const Command apply_command{
    "apply",
    "make the tenant match the manifests (one cycle)",
    "Usage: hookwarden apply [--prune] [--dry-run] [--check-endpoints] [--rotate-secret NAME]\n"
    "\n"
    "Runs one reconcile cycle: shows the plan, then creates, updates, adopts and\n"
    "(with prune) deletes webhooks so that the tenant matches the manifests, and\n"
    "records what it owns in stateDir/state.json. Only webhooks hookwarden created\n"
    "or adopted are ever changed or deleted. One webhook's failure does not stop\n"
    "the others. Takes stateDir/lock, so it never runs beside the daemon.\n"
    "\n"
    "Options:\n"
    "  --prune               delete owned webhooks whose manifest is gone (as\n"
    "                        `prune: true`), at most maxDeletesPerCycle, and never\n"
    "                        when a manifest fails to load\n"
    "  --dry-run             show the plan and exit like `plan`; write nothing\n"
    "  --check-endpoints     probe endpoints first (HEAD, then GET; TLS verified;\n"
    "                        5 s) and refuse to create or update a webhook whose\n"
    "                        endpoint does not answer\n"
    "  --rotate-secret NAME  make a new generated secret for NAME and send it; the\n"
    "                        previous one stays valid at the receiver for the retry\n"
    "                        horizon (retryInterval x maxRetries, at least\n"
    "                        receiver.tolerance), as plan and status show\n"
    "\n"
    "Exit status: 0 converged, 1 something failed (see stderr, one line each),\n"
    "64 bad command line; with --dry-run 0 no changes, 2 changes, 1 error.\n",
    run_apply,
};

} // namespace hookwarden
