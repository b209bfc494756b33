// Everything one reconcile needs, assembled from the configuration: the
// manifests, the tenant client, the secret and state stores and the engine.
//
// Shared by `plan`, `apply` and the daemon's loop so that all three decide
// with the same inputs. The daemon's random sources live here: OpenSSL's
// RAND_bytes for generated secrets, a seeded generator for backoff jitter;
// and its clocks: the steady clock for backoff, the system clock for secret
// rotations.
#pragma once

#include "core/engine.hpp"
#include "core/executor.hpp"
#include "core/manifest.hpp"
#include "core/plan.hpp"
#include "core/secret_store.hpp"
#include "core/state_store.hpp"
#include "daemon/service/config.hpp"
#include "daemon/service/thread_pool.hpp"
#include "daemon/tenant/tenant_http.hpp"

#include <functional>
#include <iosfwd>
#include <memory>

namespace hookwarden {

/// Cryptographically strong bytes from OpenSSL (RAND_bytes).
SecretRandom openssl_secret_random();

/// Loads and validates the config's manifest directory (with the config's
/// validation options), parsing on `executor` and through `cache` when one
/// is given (core/manifest.hpp), and hands every diagnostic to `report`, in
/// order.
ManifestSet load_config_manifests(const Config& config,
                                  const std::function<void(const Diagnostic&)>& report,
                                  Executor& executor, ManifestCache* cache = nullptr);

/// The same, printing every diagnostic on `err` (one line each), parsing
/// in order on the calling thread (plan and apply: the tenant's answers,
/// not the parse, set their pace).
ManifestSet load_config_manifests(const Config& config, std::ostream& err);

/// The plan options the config asks for (prune, adopt, delete budget, and
/// receiver.tolerance as the least grace of a secret rotation).
PlanOptions plan_options_from(const Config& config);

/// The objects of one reconcile, in dependency order (the engine refers to
/// the ones before it, so they are destroyed after it).
struct Reconciler {
    std::unique_ptr<TenantHttp> tenant;
    std::unique_ptr<SecretStore> secrets;
    std::unique_ptr<StateStore> state;
    /// The engine's tenant calls run here, `concurrency` at once.
    std::unique_ptr<ThreadPool> pool;
    std::unique_ptr<Engine> engine;
};

/// Connects to the tenant (credentials resolved now) and builds the engine
/// over `config.stateDir`. Sends no request.
Result<Reconciler> make_reconciler(const Config& config);

} // namespace hookwarden
