// `hookwarden plan [--output text|json] [--check-endpoints]`: what apply
// would do, without doing it. Reads the tenant, state.json and the secret
// sources; writes nothing (a missing generated secret is reported as "to be
// generated", not made). Exit 0 no changes, 2 changes, 1 error (SPEC §4).
#include "core/plan_render.hpp"
#include "daemon/cli/cli_args.hpp"
#include "daemon/cli/commands.hpp"
#include "daemon/net/endpoint_probe.hpp"
#include "daemon/service/reconcile_setup.hpp"

#include <ostream>

namespace hookwarden {

namespace {

int run_plan(CommandContext& context) {
    CliArgs args({"check-endpoints"}, {"output"});
    if (auto problem = parse_output_command_args(args, context.args)) {
        context.err << "hookwarden plan: " << *problem << " (see hookwarden plan --help)\n";
        return exit_code::usage;
    }
    const std::string output = args.option("output").value_or("text");

    auto config = context.load_config();
    if (!config)
        return exit_code::failure;
    const DesiredState desired = desired_state(load_config_manifests(*config, context.err));
    auto reconciler = make_reconciler(*config);
    if (!reconciler) {
        context.err << "hookwarden plan: " << reconciler.error().describe() << '\n';
        return exit_code::failure;
    }
    auto plan = reconciler->engine->plan(desired, plan_options_from(*config));
    if (!plan) {
        context.err << "hookwarden plan: " << plan.error().describe() << '\n';
        return exit_code::failure;
    }
    if (args.flag("check-endpoints")) {
        HttpEndpointProbe probe({.ca_file = config->tenant.ca_file});
        check_endpoints(*plan, probe, EndpointCheck::warn, *reconciler->pool, config->concurrency);
    }

    if (output == "json")
        context.out << render_plan_json(*plan);
    else
        context.out << render_plan_text(*plan, {.color = context.out_is_tty});
    for (const auto& item : plan->items)
        if (item.error)
            context.err << "error: " << item.error->describe() << '\n';
    if (plan->has_errors())
        return exit_code::failure;
    return plan->has_changes() ? exit_code::changes : exit_code::ok;
}

} // namespace

const Command plan_command{
    "plan",
    "show what apply would change in the tenant",
    "Usage: hookwarden plan [--output text|json] [--check-endpoints]\n"
    "\n"
    "Lists the tenant's webhooks, compares them with the manifests and state.json,\n"
    "and shows what `apply` would do: + create, ~ update (field by field, old -> new),\n"
    "~ adopt, - delete (prune), conflicts and errors. Nothing is written anywhere.\n"
    "Secrets are never shown: (sensitive) on a create, (sensitive value changed) when\n"
    "their source holds a new value. A secret rotation in progress (the previous\n"
    "secret still accepted at the receiver) is shown under its webhook with its end.\n"
    "\n"
    "Options:\n"
    "  --output text|json  text for people (default), json for scripts (stable schema,\n"
    "                      \"formatVersion\": 1)\n"
    "  --check-endpoints   probe each endpoint that would be created or updated (HEAD,\n"
    "                      then GET; TLS verified; 5 s) and warn about those that do\n"
    "                      not answer\n"
    "\n"
    "Exit status: 0 no changes, 2 changes pending, 1 error (a manifest, a conflict,\n"
    "a secret source, the tenant), 64 bad command line.\n",
    run_plan,
};

} // namespace hookwarden
