#include "daemon/service/reconcile_setup.hpp"

#include "daemon/tenant/retry_policy.hpp"
#include "daemon/service/tenant_connect.hpp"

#include <openssl/rand.h>
#include <ostream>

namespace hookwarden {

SecretRandom openssl_secret_random() {
    return [](std::span<unsigned char> out) {
        return RAND_bytes(out.data(), static_cast<int>(out.size())) == 1;
    };
}

ManifestSet load_config_manifests(const Config& config,
                                  const std::function<void(const Diagnostic&)>& report,
                                  Executor& executor, ManifestCache* cache) {
    ManifestSet set = load_manifests(config.manifests,
                                     {.allow_insecure_endpoints = config.allow_insecure_endpoints},
                                     executor, cache);
    for (const auto& diagnostic : set.diagnostics.all())
        report(diagnostic);
    return set;
}

ManifestSet load_config_manifests(const Config& config, std::ostream& err) {
    InlineExecutor in_order;
    return load_config_manifests(
        config, [&err](const Diagnostic& d) { err << d.format() << '\n'; }, in_order);
}

PlanOptions plan_options_from(const Config& config) {
    PlanOptions options;
    options.prune = config.prune;
    options.adopt = config.adopt;
    options.max_deletes_per_cycle = config.max_deletes_per_cycle;
    // The receiver's replay window is the least a rotation's grace may be.
    options.rotation_tolerance = std::chrono::ceil<std::chrono::seconds>(config.receiver.tolerance);
    return options;
}

Result<Reconciler> make_reconciler(const Config& config) {
    Reconciler r;
    auto tenant = connect_tenant(config, SecretEnvironment::process());
    if (!tenant)
        return tenant.error();
    r.tenant = std::move(*tenant);
    r.secrets = std::make_unique<SecretStore>(config.state_dir, SecretEnvironment::process(),
                                              openssl_secret_random());
    r.state = std::make_unique<StateStore>(config.state_dir);
    EngineOptions options;
    options.concurrency = config.concurrency;
    options.wall_clock = [] { return std::chrono::system_clock::now(); };
    r.pool = std::make_unique<ThreadPool>(static_cast<std::size_t>(std::max(1, config.concurrency)));
    r.engine = std::make_unique<Engine>(
        *r.tenant, *r.secrets, *r.state, *r.pool, options,
        [] { return std::chrono::steady_clock::now(); }, make_system_random_source());
    return r;
}

} // namespace hookwarden
