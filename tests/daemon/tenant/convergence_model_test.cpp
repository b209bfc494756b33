// Randomized convergence, model-based (issue 15): the real engine, the real
// HTTPS tenant client and the daemon's snapshot writer against the tenant
// emulator over TLS, driven by a seed.
//
// Each round of a seed edits the manifest directory (convergence_desired.hpp),
// edits the tenant behind hookwarden's back through the emulator's control
// plane (drift, deletions in the UI, items someone else made, items with a
// desired name, topics withdrawn), and runs one or two cycles with faults
// injected (5xx, 429, resets, hangs, malformed answers, commits whose answer
// is lost, revoked tokens), sometimes editing the tenant between a cycle's
// plan and its apply. Then the faults stop and at most two cycles must
// reach a plan without changes, with the tenant equal to the manifests.
//
// After every cycle the test checks, from the emulator's own state and never
// from the engine's report:
//  - no name of a kind is held twice by resources hookwarden created;
//  - no resource someone else made is modified or deleted, unless it was
//    adoptable (adopt on, its name desired, alone with that name) when the
//    cycle started, or adopted before; nor recorded as owned in state.json;
//  - nothing is deleted (or a delete even sent) in a cycle whose manifests
//    have an error;
//  - no cycle deletes more than maxDeletesPerCycle, and none at all when
//    more owned resources than that left the manifests;
//  - state.json, status.json, health.json, audit/, changes.jsonl (its hash
//    chain too), history/ and metrics.prom parse; generated secrets are 0600;
//  - no secret (webhook secrets the tenant holds, secret files, generated
//    secrets, the OAuth client secret, the access tokens issued) appears in
//    any plan, result, `status` output or log line (the daemon's, on stderr,
//    and the client's debug lines), or in any file of the state directory
//    outside secrets/.
// After the faults stop it also checks that every item of the plan that is
// not `unchanged` (a conflict, an error, a retained resource) has a reason
// the model knows, that each desired resource is in the tenant as its
// manifest says (its secret too), and that prune left nothing it owns behind.
//
// Not covered: renames in the UI, withdrawn permissions, secrets changed in
// the UI (the tenant never shows them), several hookwarden processes, and
// crashes (tests/core/snapshot has those). By design, a copy of exactly what
// hookwarden sends, made by someone else while a create of that name has
// lost its answer, cannot be told from hookwarden's own; the model makes no
// such copy then (see edit_tenant).
//
// A seed that fails prints `seed S failed at round R: …` and the command
// that replays it; its directories are kept.
//
//     convergence_model_tests --seeds 500            # seeds from a random base
//     convergence_model_tests --seeds 20 --base 1    # seeds 1..20
//     convergence_model_tests --seed 1234 --verbose  # replay one, saying what it does
#include "core/engine.hpp"
#include "core/manifest.hpp"
#include "core/plan_render.hpp"
#include "core/state_store.hpp"
#include "daemon/cli/status_files.hpp"
#include "daemon/cli/status_render.hpp"
#include "daemon/cli/status_verify.hpp"
#include "daemon/net/https_client.hpp"
#include "daemon/service/config.hpp"
#include "daemon/service/log.hpp"
#include "daemon/service/snapshot_writer.hpp"
#include "daemon/service/thread_pool.hpp"
#include "daemon/tenant/retry_policy.hpp"
#include "daemon/tenant/tenant_http.hpp"
#include "tests/daemon/tenant/convergence_desired.hpp"
#include "tests/daemon/tenant/convergence_truth.hpp"
#include "tests/support/emulator_client.hpp"
#include "tests/support/emulator_control.hpp"
#include "tests/support/emulator_process.hpp"
#include "tests/support/scratch_dir.hpp"

#include <boost/json.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <iostream>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <string_view>

namespace hookwarden::convergence {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace std::chrono_literals;

// --- What the run is told ------------------------------------------------

struct RunOptions {
    std::uint64_t base = 0;
    int seeds = 1;
    int rounds = 6;
    bool verbose = false;
    bool keep = false;
    std::string program;
};

/// An invariant that did not hold: the seed stops here.
struct Violation {
    std::string what;
};

// --- The access tokens the client was given ------------------------------

/// The real transport, passed through untouched, noting every access token
/// the token endpoint hands out, so that the secret scan can look for them.
/// Not a mock: every byte still goes over TLS to the emulator.
class TokenTap final : public HttpsTransport {
  public:
    TokenTap(std::unique_ptr<HttpsTransport> inner, std::set<std::string>& tokens, std::mutex& mutex)
        : inner_(std::move(inner)), tokens_(tokens), mutex_(mutex) {}

    TransportResult exchange(const HttpRequest& request) override {
        auto answer = inner_->exchange(request);
        if (answer && answer->status == 200 && request.target.find("/oauth/token") != std::string::npos) {
            boost::system::error_code ec;
            const json::value body = json::parse(answer->body, ec);
            if (!ec && body.is_object())
                if (const auto* token = body.get_object().if_contains("access_token"); token && token->is_string()) {
                    std::lock_guard lock(mutex_);
                    tokens_.insert(std::string(token->get_string()));
                }
        }
        return answer;
    }
    void cancel() override { inner_->cancel(); }
    void close_idle_connections() override { inner_->close_idle_connections(); }

  private:
    std::unique_ptr<HttpsTransport> inner_;
    std::set<std::string>& tokens_;
    std::mutex& mutex_;
};

// --- stderr, where the daemon's log lines go -----------------------------

/// A Prometheus text-format sample line as metrics.prom writes them:
/// `name{labels} value [timestamp]` (the real parser reads the file in
/// tests/core/snapshot; this only checks every cycle's file is whole). Not
/// std::regex: g++ 12 at -O2 with the sanitizers warns inside it
/// (maybe-uninitialized in std::function, GCC bug 105562).
bool is_metric_sample(std::string_view line) {
    const auto name_char = [](char c, bool first) {
        return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':' ||
               (!first && std::isdigit(static_cast<unsigned char>(c)));
    };
    std::size_t at = 0;
    while (at < line.size() && name_char(line[at], at == 0))
        ++at;
    if (at == 0)
        return false;
    if (at < line.size() && line[at] == '{') {
        const auto close = line.find('}', at);
        if (close == std::string_view::npos)
            return false;
        at = close + 1;
    }
    if (at >= line.size() || line[at] != ' ')
        return false;
    const auto value = line.substr(at + 1);
    const auto space = value.find(' ');
    const auto number = value.substr(0, space);
    const auto timestamp = space == std::string_view::npos ? std::string_view{} : value.substr(space + 1);
    if (number.empty() || number.find_first_not_of("-+0123456789.eEInfNa") != std::string_view::npos)
        return false;
    return space == std::string_view::npos ||
           (!timestamp.empty() && timestamp.find_first_not_of("0123456789") == std::string_view::npos);
}

/// Sends this process's stderr to `file` while it lives.
class StderrCapture {
  public:
    explicit StderrCapture(const fs::path& file) {
        (void)std::fflush(stderr);
        saved_ = ::dup(STDERR_FILENO);
        const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        if (saved_ < 0 || fd < 0)
            throw std::runtime_error("cannot capture stderr into " + file.string());
        ::dup2(fd, STDERR_FILENO);
        ::close(fd);
    }
    ~StderrCapture() {
        (void)std::fflush(stderr);
        ::dup2(saved_, STDERR_FILENO);
        ::close(saved_);
    }
    StderrCapture(const StderrCapture&) = delete;
    StderrCapture& operator=(const StderrCapture&) = delete;

  private:
    int saved_ = -1;
};

std::string read_all(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

test::EmulatorProcess& emulator() {
    static test::EmulatorProcess process({"--quiet", "--rpm", "100000"});
    return process;
}

// --- Faults ---------------------------------------------------------------

struct Route {
    const char* method;
    const char* path;
};

// Every call the engine, the client and the snapshot writer make; writes
// come more often, since that is where duplicates and lost answers live.
const std::vector<Route> fault_routes{
    {"GET", "^/api/v2/webhooks$"},
    {"POST", "^/api/v2/webhooks$"},
    {"POST", "^/api/v2/webhooks$"},
    {"POST", "^/api/v2/webhooks/search$"},
    {"GET", "^/api/v2/webhooks/[^/]+$"},
    {"PUT", "^/api/v2/webhooks/[^/]+$"},
    {"PUT", "^/api/v2/webhooks/[^/]+$"},
    {"DELETE", "^/api/v2/webhooks/[^/]+$"},
    {"GET", "^/api/v2/processautomation/triggers$"},
    {"POST", "^/api/v2/processautomation/triggers$"},
    {"POST", "^/api/v2/processautomation/triggers$"},
    {"GET", "^/api/v2/processautomation/triggers/topics$"},
    {"PUT", "^/api/v2/processautomation/triggers/[^/]+$"},
    {"DELETE", "^/api/v2/processautomation/triggers/[^/]+$"},
    {"POST", "^/oauth/token$"},
    {"POST", "^/api/v2/analytics/webhooks/summary/query$"},
    {"POST", "^/api/v2/auditlogs/query$"},
    {"", "^/api/"},
};

// A create whose outcome the client cannot know: committed or not, the
// answer never arrives (or cannot be read).
test::FaultSpec ambiguous_create(ModelRandom& random) {
    test::FaultSpec fault{.method = "POST",
                          .path = random.chance(0.6) ? "^/api/v2/webhooks$" : "^/api/v2/processautomation/triggers$"};
    fault.count = 1 + random.below(2);
    fault.action = random.pick(std::vector<std::string>{"commit-then-reset", "commit-then-reset", "reset", "malformed"});
    return fault;
}

test::FaultSpec random_fault(ModelRandom& random, bool& hang_used) {
    if (random.chance(0.25))
        return ambiguous_create(random);
    const Route& route = random.pick(fault_routes);
    test::FaultSpec fault{.method = route.method, .path = route.path};
    fault.count = 1 + random.below(3);
    switch (random.below(10)) {
    case 0: fault.status = 500; break;
    case 1: fault.status = 502; break;
    case 2: fault.status = 503; break;
    case 3: fault.status = 504; break;
    case 4:
        fault.status = 429;
        if (random.chance(0.15))
            fault.retry_after = 1;
        break;
    case 5: fault.action = "reset"; break;
    case 6:
        if (hang_used) {
            fault.action = "reset";
            break;
        }
        // Longer than the client's request timeout: the answer never comes.
        hang_used = true;
        fault.action = "hang";
        fault.count = 1;
        fault.seconds = 1.5;
        break;
    case 7: fault.action = "malformed"; break;
    default: fault.action = "commit-then-reset"; break;
    }
    return fault;
}

std::string describe_fault(const test::FaultSpec& f) {
    std::string out = (f.method.empty() ? std::string("*") : f.method) + " " + f.path + " " + f.action;
    if (f.action == "status")
        out += " " + std::to_string(f.status) + (f.retry_after ? " Retry-After " + std::to_string(*f.retry_after) : "");
    return out + " x" + std::to_string(f.count);
}

// --- One seed -------------------------------------------------------------

/// The seed of stream `n` of a run's seed (splitmix64).
std::uint64_t stream(std::uint64_t seed, std::uint64_t n) {
    std::uint64_t z = seed * 4 + n + 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/// Which resources someone else made, as the model remembers them.
struct UiItem {
    std::int64_t version = 0; ///< what the tenant shows after the model's own edits
    bool adopted = false;     ///< hookwarden took it over while it was allowed to
};

struct Snapshot {
    TenantView view;
    std::int64_t deletes_sent = 0; ///< DELETE requests the emulator counted so far
};

struct SeedStats {
    int cycles = 0;
    int faults = 0;
    int edits = 0;
};

class SeedRun {
  public:
    SeedRun(std::uint64_t seed, const RunOptions& run)
        : seed_(seed), run_(run), random_(stream(seed, 0)), desired_random_(stream(seed, 1)),
          tenant_random_(stream(seed, 2)), control_(emulator()),
          desired_(scratch_ / "manifests", scratch_ / "secret-src") {
        control_.reset();
        control_.clear_faults();
        default_topics_ = topics_now();
        // The seed chooses the configuration it runs with.
        options_.adopt = random_.chance(0.6);
        options_.prune = random_.chance(0.75);
        options_.max_deletes_per_cycle = 1 + random_.below(4);
        concurrency_ = 1 + random_.below(4);
        desired_.set_delete_budget(options_.max_deletes_per_cycle);
        secrets_.insert(test::EmulatorProcess::kClientSecret);
        note("config: adopt " + std::string(options_.adopt ? "on" : "off") + ", prune " +
             (options_.prune ? "on" : "off") + ", maxDeletesPerCycle " +
             std::to_string(options_.max_deletes_per_cycle) + ", concurrency " + std::to_string(concurrency_));
    }

    const fs::path& dir() const { return scratch_.path(); }
    const SeedStats& stats() const { return stats_; }
    int round() const { return round_; }
    const std::deque<std::string>& history() const { return history_; }
    std::string model() const { return desired_.describe(); }

    /// Runs every round; throws Violation at the first broken invariant.
    void run() {
        start_hookwarden();
        // A directory with something in it to begin with.
        for (int i = 4 + desired_random_.below(6); i > 0; --i)
            note(desired_.add(desired_random_));
        for (round_ = 1; round_ <= run_.rounds; ++round_) {
            note("--- round " + std::to_string(round_));
            for (int i = 1 + random_.below(3); i > 0; --i)
                edit_desired();
            for (int i = random_.below(3); i > 0; --i)
                edit_tenant();
            for (int c = 1 + random_.below(2); c > 0; --c) {
                inject_faults();
                cycle("fault", random_.chance(0.3));
                for (int i = random_.below(2); i > 0; --i)
                    edit_tenant();
            }
            converge();
        }
    }

  private:
    // --- bookkeeping -------------------------------------------------------

    void note(std::string line) {
        if (run_.verbose)
            std::cout << "  [" << seed_ << "] " << line << '\n' << std::flush;
        history_.push_back(std::move(line));
        if (history_.size() > 60)
            history_.pop_front();
    }

    [[noreturn]] void fail(const std::string& what) { throw Violation{what}; }

    std::vector<std::string> topics_now() {
        std::vector<std::string> out;
        const json::value answer = control_.get("/_emulator/trigger-topics");
        for (const auto& t : answer.at("topics").as_array())
            out.emplace_back(t.as_string());
        return out;
    }

    std::int64_t deletes_sent() {
        return control_.request_count("DELETE /api/v2/webhooks/{id}") +
               control_.request_count("DELETE /api/v2/processautomation/triggers/{id}");
    }

    Snapshot snapshot() {
        Snapshot s{observe(control_, secrets_), deletes_sent()};
        for (const auto& [key, item] : s.view.items)
            if (!ui_.contains(key) && !made_.contains(key))
                made_.emplace(key, item.name); // first seen under the name it was created with
        return s;
    }

    void start_hookwarden() {
        TenantHttpOptions options = test::tenant_options_for(emulator());
        options.concurrency = concurrency_;
        options.connect_timeout = 2s;
        options.request_timeout = 1s; // a hang fault (1.5 s) outlasts it
        options.backoff_base = 10ms;
        options.backoff_cap = 200ms;
        options.default_retry_after = 100ms;
        options.max_retry_time = 20s;
        options.log = [](std::string_view line) { log_debug(line); };
        HttpsClientOptions transport{.ca_file = options.ca_file,
                                     .max_connections = concurrency_,
                                     .connect_timeout = options.connect_timeout,
                                     .request_timeout = options.request_timeout,
                                     .log = options.log};
        auto client = HttpsClient::create(std::move(transport));
        if (!client)
            fail("cannot make the HTTPS client: " + client.error().describe());
        auto tenant = TenantHttp::create(std::move(options),
                                         std::make_unique<TokenTap>(std::move(*client), tokens_, tokens_mutex_),
                                         std::make_shared<SystemRetryClock>(), make_system_random_source());
        if (!tenant)
            fail("cannot make the tenant client: " + tenant.error().describe());
        tenant_ = std::move(*tenant);
        secrets_store_ = std::make_unique<SecretStore>(state_dir(), SecretEnvironment{}, [](std::span<unsigned char> out) {
            std::random_device device;
            for (auto& b : out)
                b = static_cast<unsigned char>(device());
            return true;
        });
        state_ = std::make_unique<StateStore>(state_dir());
        pool_ = std::make_unique<ThreadPool>(static_cast<std::size_t>(concurrency_));
        EngineOptions engine_options;
        engine_options.concurrency = concurrency_;
        engine_options.wall_clock = [this] { return std::chrono::system_clock::now() + skew(); };
        engine_ = std::make_unique<Engine>(
            *tenant_, *secrets_store_, *state_, *pool_, engine_options,
            [this] { return std::chrono::steady_clock::now() + skew(); },
            [this] {
                std::lock_guard lock(jitter_mutex_);
                return jitter_();
            });
        SnapshotSettings settings{.state_dir = state_dir(),
                                  .manifest_dir = manifest_dir(),
                                  .snapshots = SnapshotConfig{.health = true, .audit = true, .keep = 3},
                                  .source = "daemon"};
        writer_ = std::make_unique<SnapshotWriter>(settings);
    }

    fs::path state_dir() const { return scratch_ / "state"; }
    fs::path manifest_dir() const { return scratch_ / "manifests"; }
    std::chrono::milliseconds skew() const { return std::chrono::milliseconds(skew_ms_.load()); }
    /// The daemon's time between cycles, on the engine's clocks.
    void advance(std::chrono::milliseconds by) { skew_ms_ += by.count(); }

    // --- the desired side -----------------------------------------------

    void edit_desired() {
        ++stats_.edits;
        note(desired_.random_edit(desired_random_));
    }

    /// Loads the directory as the daemon does and checks the loader agrees
    /// with the model about what it asks for.
    DesiredState load_desired(const Expected& expected) {
        ManifestSet set = load_manifests(manifest_dir());
        std::set<std::string> webhooks, triggers, held_w, held_t;
        for (const auto& w : set.webhooks)
            webhooks.insert(w.name);
        for (const auto& t : set.triggers)
            triggers.insert(t.name);
        for (const auto& d : set.duplicates)
            (d.kind == ResourceKind::trigger ? held_t : held_w).insert(d.name);
        const auto keys = [](const auto& map) {
            std::set<std::string> out;
            for (const auto& [name, spec] : map)
                out.insert(name);
            return out;
        };
        std::string diagnostics;
        for (const auto& d : set.diagnostics.all())
            diagnostics += "\n    " + d.format();
        if (set.ok() != (expected.problems == 0) || webhooks != keys(expected.webhooks) ||
            triggers != keys(expected.triggers) || held_w != expected.held_webhooks ||
            held_t != expected.held_triggers)
            fail("the manifest loader and the model disagree about the directory:\n" + desired_.describe() +
                 "  loader diagnostics:" + diagnostics);
        return desired_state(std::move(set));
    }

    // --- the tenant side ----------------------------------------------------

    std::vector<Key> keys_where(const TenantView& view, bool owned) const {
        std::vector<Key> out;
        for (const auto& [key, item] : view.items) {
            const auto ui = ui_.find(key);
            const bool ours = ui == ui_.end() || ui->second.adopted;
            if (ours == owned)
                out.push_back(key);
        }
        return out;
    }

    json::object webhook_drift() {
        json::object changes;
        switch (tenant_random_.below(5)) {
        case 0: changes["endpointUrl"] = "https://drifted.example.com/" + tenant_random_.token(6); break;
        case 1: changes["enabled"] = tenant_random_.chance(0.5); break;
        case 2: changes["eventTypes"] = json::array{"user:login"}; break;
        case 3: changes["retryPolicy"] = {{"retryInterval", "PT2M"}, {"maxRetries", 7}}; break;
        default: changes["payloadTemplate"] = "{\"drifted\": {{event}}}"; break;
        }
        return changes;
    }

    json::object trigger_drift(bool allow_topic) {
        json::object changes;
        switch (tenant_random_.below(allow_topic ? 6 : 5)) {
        case 0: changes["enabled"] = tenant_random_.chance(0.5); break;
        case 1: changes["description"] = "changed in the UI"; break;
        case 2: changes["matchCriteria"] = json::array{{{"jsonPath", "mediaType"}, {"operator", "Equal"}, {"value", "EMAIL"}}}; break;
        case 3: changes["eventTTLSeconds"] = 42; changes["delayBySeconds"] = nullptr; break;
        case 4: changes["target"] = {{"id", "00000000-0000-4000-8000-00000000beef"}}; break;
        default: changes["topicName"] = tenant_random_.pick(DesiredModel::topics()); break;
        }
        return changes;
    }

    std::string drift(const Key& key, bool allow_topic) {
        json::value answer;
        json::object changes = key.kind == ResourceKind::webhook ? webhook_drift() : trigger_drift(allow_topic);
        std::string what = json::serialize(changes);
        if (key.kind == ResourceKind::webhook)
            answer = control_.patch("/_emulator/webhooks/" + key.id, changes);
        else
            answer = control_.patch("/_emulator/triggers/" + key.id, changes);
        if (auto ui = ui_.find(key); ui != ui_.end())
            ui->second.version = answer.at("version").to_number<std::int64_t>();
        return what;
    }

    void remove_as_ui(const Key& key) {
        if (key.kind == ResourceKind::webhook)
            control_.delete_webhook_as_ui(key.id);
        else
            control_.delete_trigger_as_ui(key.id);
        ui_.erase(key);
    }

    /// Whether a create of `name` may be in doubt: state.json records it
    /// without an id (its answer was lost and the lookup did not settle it).
    bool create_in_doubt(ResourceKind kind, const std::string& name) {
        auto state = state_->load();
        if (!state)
            fail("state.json does not load: " + state.error().describe());
        const auto& owned = state->owned_of(kind);
        const auto it = owned.find(name);
        return it != owned.end() && it->second.id.empty();
    }

    /// Someone makes a resource named `name`; with `like`, half the time
    /// exactly what the manifest asks for.
    void insert_as_ui(ResourceKind kind, const std::string& name, const std::optional<Expected>& like) {
        json::value answer;
        if (kind == ResourceKind::webhook) {
            WebhookSpec spec = DesiredModel::random_webhook(tenant_random_, name);
            if (like && like->webhooks.contains(name) && tenant_random_.chance(0.5))
                spec = like->webhooks.at(name);
            const std::string secret = "uisecret" + tenant_random_.token(30);
            secrets_.insert(secret);
            answer = control_.post("/_emulator/webhooks", ui_webhook_body(spec, secret));
        } else {
            TriggerSpec spec = DesiredModel::random_trigger(tenant_random_, name);
            if (like && like->triggers.contains(name) && tenant_random_.chance(0.5))
                spec = like->triggers.at(name);
            answer = control_.post("/_emulator/triggers", ui_trigger_body(spec));
        }
        const Key key{kind, std::string(answer.at("id").as_string())};
        ui_[key] = UiItem{answer.at("version").to_number<std::int64_t>(), false};
        note("tenant: someone makes " + describe(key, name));
    }

    /// One change behind hookwarden's back; `between` when it falls
    /// between a cycle's plan and its apply.
    void edit_tenant(bool between = false) {
        ++stats_.edits;
        const TenantView view = snapshot().view;
        const auto owned = keys_where(view, true);
        const auto unowned = keys_where(view, false);
        const auto name_of = [&](const Key& key) { return view.items.at(key).name; };
        const int roll = tenant_random_.below(100);
        if (roll < 25 && !owned.empty()) {
            const Key key = tenant_random_.pick(owned);
            note("tenant: drift " + describe(key, name_of(key)) + ": " + drift(key, tenant_random_.chance(0.3)));
        } else if (roll < 37 && !owned.empty()) {
            const Key key = tenant_random_.pick(owned);
            note("tenant: the UI deletes " + describe(key, name_of(key)));
            remove_as_ui(key);
        } else if (roll < 50) {
            const bool trigger = tenant_random_.chance(0.4);
            const std::string name = trigger ? "UI trigger " + std::to_string(++foreign_) : "ui-hook-" + std::to_string(++foreign_);
            insert_as_ui(trigger ? ResourceKind::trigger : ResourceKind::webhook, name, std::nullopt);
        } else if (roll < 58 && !unowned.empty()) {
            const Key key = tenant_random_.pick(unowned);
            note("tenant: someone drifts their " + describe(key, name_of(key)) + ": " + drift(key, true));
        } else if (roll < 64 && !unowned.empty()) {
            const Key key = tenant_random_.pick(unowned);
            note("tenant: someone deletes their " + describe(key, name_of(key)));
            remove_as_ui(key);
        } else if (roll < 82) {
            // A resource with a name the manifests use (or used, or will).
            const Expected expected = desired_.expected();
            const bool trigger = tenant_random_.chance(0.4);
            std::vector<std::string> names;
            for (const auto& [name, spec] : expected.webhooks)
                if (!trigger)
                    names.push_back(name);
            for (const auto& [name, spec] : expected.triggers)
                if (trigger)
                    names.push_back(name);
            if (names.empty() || tenant_random_.chance(0.3))
                names = trigger ? DesiredModel::trigger_names() : DesiredModel::webhook_names();
            // A copy of exactly what hookwarden sends, made while a create of
            // that name is in doubt (its answer lost), cannot be told from
            // hookwarden's own: triggers carry no creator, and the content is
            // the same. SPEC §4a's lookup claims it; so the model makes such
            // copies only when no create of the name can be in doubt.
            const ResourceKind kind = trigger ? ResourceKind::trigger : ResourceKind::webhook;
            const std::string name = tenant_random_.pick(names);
            const bool identical_allowed = !between && !create_in_doubt(kind, name);
            insert_as_ui(kind, name, identical_allowed ? std::optional(expected) : std::nullopt);
        } else if (roll < 92) {
            std::vector<std::string> topics = default_topics_;
            const std::string gone = tenant_random_.pick(DesiredModel::topics());
            std::erase(topics, gone);
            control_.set_trigger_topics(topics);
            note("tenant: topic " + gone + " is withdrawn");
        } else {
            control_.set_trigger_topics(default_topics_);
            note("tenant: every topic is back");
        }
    }

    void inject_faults() {
        bool hang_used = false;
        for (int n = 1 + random_.below(4); n > 0; --n) {
            const auto fault = random_fault(random_, hang_used);
            control_.add_fault(fault);
            ++stats_.faults;
            note("fault: " + describe_fault(fault));
        }
        if (random_.chance(0.25)) {
            control_.revoke_tokens();
            ++stats_.faults;
            note("fault: every token is revoked");
        }
    }

    // --- cycles ---------------------------------------------------------------

    /// Whether hookwarden may take over someone else's `key` in a cycle
    /// that starts from `view`: adopt is on, a valid manifest names it, it
    /// is the only one of its kind with that name, and (a trigger) its
    /// topic is the manifest's: adopting must not need a replace.
    bool may_adopt(const TenantView& view, const Expected& expected, const Key& key) const {
        const Item* item = view.find(key);
        if (!options_.adopt || !item || view.named(key.kind, item->name).size() != 1)
            return false;
        if (key.kind == ResourceKind::webhook)
            return expected.webhooks.contains(item->name);
        const auto it = expected.triggers.find(item->name);
        return it != expected.triggers.end() && item->body.at("topicName").as_string() == it->second.topic;
    }

    std::set<Key> adoptable(const TenantView& view, const Expected& expected) const {
        std::set<Key> out;
        for (const auto& [key, ui] : ui_)
            if (!ui.adopted && may_adopt(view, expected, key))
                out.insert(key);
        return out;
    }

    std::set<Key> owned_in_state() {
        auto state = state_->load();
        if (!state)
            fail("state.json does not load: " + state.error().describe());
        std::set<Key> out;
        for (const ResourceKind kind : all_resource_kinds)
            for (const auto& [name, owned] : state->owned_of(kind))
                if (!owned.id.empty())
                    out.insert(Key{kind, owned.id});
        return out;
    }

    /// One daemon cycle: plan, (maybe someone edits the tenant meanwhile),
    /// apply, snapshots; then every invariant.
    std::optional<Plan> cycle(const char* phase, bool edit_between) {
        ++stats_.cycles;
        advance(std::chrono::seconds(30 + random_.below(60)));
        const Expected expected = desired_.expected();
        const DesiredState desired = load_desired(expected);
        PlanOptions options = options_;
        if (std::string_view(phase) == "fault" && !expected.webhooks.empty() && random_.chance(0.05)) {
            auto it = expected.webhooks.begin();
            std::advance(it, random_.below(static_cast<int>(expected.webhooks.size())));
            options.rotate_secrets.insert(it->first);
            note("cycle: --rotate-secret " + it->first);
        }

        const Snapshot before = snapshot();
        const std::set<Key> may_adopt = adoptable(before.view, expected);
        const int leaving = prune_candidates(before.view, expected);
        CycleReport report;
        report.cycle_id = new_cycle_id();
        report.started = std::chrono::system_clock::now();
        report.manifest_errors = desired.errors;
        std::string output;
        auto plan = engine_->plan(desired, options);
        if (edit_between)
            edit_tenant(true);
        const Snapshot applying = snapshot();
        if (!plan) {
            report.error = plan.error();
            output += plan.error().describe() + '\n';
            note(std::string(phase) + " cycle: no plan: " + plan.error().describe());
        } else {
            output += render_plan_text(*plan) + render_plan_json(*plan);
            for (const auto& item : plan->items)
                output += item.reason + (item.error ? item.error->describe() : std::string()) + '\n';
            const CycleResult result = engine_->apply(*plan, [&output](const ItemResult& item) {
                output += render_item_result(item);
            });
            output += render_cycle_text(result) + render_cycle_footer(result);
            for (const auto& item : result.items)
                output += item.note + (item.error ? item.error->describe() : std::string()) + '\n';
            if (result.state_error)
                output += result.state_error->describe();
            note(std::string(phase) + " cycle: " + cycle_summary_line(result));
            for (const auto& item : result.items)
                if (item.error)
                    note("  " + std::string(to_string(item.outcome)) + " " + std::string(kind_name(item.kind)) + " \"" +
                         item.name + "\": " + item.error->describe());
            report.result = result;
        }
        report.finished = std::chrono::system_clock::now();
        report.next_run = report.finished + 60s;
        writer_->write(report, desired, plan ? &*plan : nullptr, *tenant_);
        const Snapshot after = snapshot();

        check_cycle(expected, may_adopt, leaving, applying, after);
        check_files();
        scan("the cycle's plan and results", output);
        check_log();
        return plan ? std::optional<Plan>(std::move(*plan)) : std::nullopt;
    }

    void check_cycle(const Expected& expected, const std::set<Key>& may_adopt, int leaving,
                     const Snapshot& applying, const Snapshot& after) {
        // Resources someone else made: never touched unless adopted.
        const std::set<Key> owned = owned_in_state();
        for (auto it = ui_.begin(); it != ui_.end();) {
            const auto& [key, ui] = *it;
            const Item* was = applying.view.find(key);
            const Item* now = after.view.find(key);
            const bool allowed = ui.adopted || may_adopt.contains(key);
            const std::string name = was ? was->name : now ? now->name : std::string("?");
            if (was && !now && !ui.adopted)
                fail("hookwarden deleted " + describe(key, name) + ", which someone else made and it never adopted");
            if (now && !allowed) {
                if (now->version != ui.version)
                    fail("hookwarden modified " + describe(key, name) + ", which someone else made (version " +
                         std::to_string(ui.version) + " -> " + std::to_string(now->version) + ")");
                if (key.kind == ResourceKind::webhook && now->modified_by != "ui-user")
                    fail("hookwarden modified " + describe(key, name) + ", which someone else made (modifiedBy " +
                         now->modified_by + ")");
                if (owned.contains(key))
                    fail("state.json claims " + describe(key, name) +
                         ", which someone else made and hookwarden could not adopt");
            }
            if (!now) {
                it = ui_.erase(it);
                continue;
            }
            if (allowed && (owned.contains(key) || now->version != ui.version))
                it->second.adopted = true;
            ++it;
        }

        // No name held twice by what hookwarden made.
        std::map<std::pair<ResourceKind, std::string>, std::vector<std::string>> made_by_name;
        for (const auto& [key, item] : after.view.items)
            if (auto made = made_.find(key); made != made_.end())
                made_by_name[{key.kind, made->second}].push_back(key.id);
        for (const auto& [name, ids] : made_by_name)
            if (ids.size() > 1)
                fail("hookwarden made " + std::to_string(ids.size()) + " " + kind_name(name.first) + "s named \"" +
                     name.second + "\"");

        // Deletes: never with a broken manifest, never over the budget.
        std::vector<std::string> gone;
        for (const auto& [key, item] : applying.view.items)
            if (!after.view.items.contains(key))
                gone.push_back(describe(key, item.name));
        const auto list = [](const std::vector<std::string>& v) {
            std::string out;
            for (const auto& s : v)
                out += (out.empty() ? "" : ", ") + s;
            return out;
        };
        if (expected.problems > 0 && !gone.empty())
            fail("deleted in a cycle with a broken manifest: " + list(gone));
        if (expected.problems > 0 && after.deletes_sent != applying.deletes_sent)
            fail("a delete was sent in a cycle with a broken manifest");
        if (static_cast<int>(gone.size()) > options_.max_deletes_per_cycle)
            fail("one cycle deleted " + std::to_string(gone.size()) + " resources, over maxDeletesPerCycle (" +
                 std::to_string(options_.max_deletes_per_cycle) + "): " + list(gone));
        // Above the budget nothing at all is deleted (SPEC §4a).
        if (options_.prune && leaving > options_.max_deletes_per_cycle && !gone.empty())
            fail(std::to_string(leaving) + " owned resources left the manifests, more than maxDeletesPerCycle (" +
                 std::to_string(options_.max_deletes_per_cycle) + "), yet the cycle deleted " + list(gone));
        for (const auto& [key, item] : applying.view.items)
            if (!after.view.items.contains(key))
                made_.erase(key);
    }

    // --- convergence ------------------------------------------------------

    /// Owned resources (state.json, with an id) that no manifest names any
    /// more and the tenant still holds: prune candidates, whatever faults
    /// and topics do to the rest of the plan.
    int prune_candidates(const TenantView& view, const Expected& expected) {
        auto state = state_->load();
        if (!state)
            fail("state.json does not load: " + state.error().describe());
        int out = 0;
        for (const ResourceKind kind : all_resource_kinds)
            for (const auto& [name, owned] : state->owned_of(kind)) {
                const bool desired = kind == ResourceKind::trigger
                                         ? expected.triggers.contains(name) || expected.held_triggers.contains(name)
                                         : expected.webhooks.contains(name) || expected.held_webhooks.contains(name);
                if (!desired && !owned.id.empty() && view.find(Key{kind, owned.id}))
                    ++out;
            }
        return out;
    }

    struct Blocking {
        int deletes = 0;  ///< prune candidates (when prune is on) and replaces
        bool blocked = false;
    };

    /// How many deletes the next plan needs (SPEC §4a, §8: prune candidates
    /// and replaces) and whether they are blocked, worked out from the
    /// tenant, state.json and the model.
    Blocking blocking(const TenantView& view, const Expected& expected) {
        auto state = state_->load();
        if (!state)
            fail("state.json does not load: " + state.error().describe());
        Blocking out;
        for (const ResourceKind kind : all_resource_kinds) {
            const bool trigger = kind == ResourceKind::trigger;
            for (const auto& [name, owned] : state->owned_of(kind)) {
                const bool desired = trigger ? expected.triggers.contains(name) || expected.held_triggers.contains(name)
                                             : expected.webhooks.contains(name) || expected.held_webhooks.contains(name);
                if (!desired) {
                    const bool present = owned.id.empty() ? view.named(kind, name).size() == 1
                                                          : view.find(Key{kind, owned.id}) != nullptr;
                    out.deletes += options_.prune && present ? 1 : 0;
                    continue;
                }
                if (!trigger || owned.id.empty())
                    continue;
                const Item* item = view.find(Key{kind, owned.id});
                const auto it = expected.triggers.find(name);
                if (item && it != expected.triggers.end() && view.named(kind, name).size() <= 1 &&
                    std::string(item->body.at("topicName").as_string()) != it->second.topic)
                    ++out.deletes;
            }
        }
        out.blocked = out.deletes > 0 && (expected.problems > 0 || out.deletes > options_.max_deletes_per_cycle);
        return out;
    }

    void converge() {
        control_.clear_faults();
        control_.set_trigger_topics(default_topics_);
        // The daemon's next cycles come after every backoff has run out.
        advance(6min);
        std::optional<Plan> plan;
        for (int cycles = 1; cycles <= 2; ++cycles) {
            cycle("converge", false);
            auto planned = engine_->plan(load_desired(desired_.expected()), options_);
            if (!planned)
                fail("no plan after the faults stopped: " + planned.error().describe());
            plan = std::move(*planned);
            scan("the plan after convergence", render_plan_text(*plan) + render_plan_json(*plan));
            if (!plan->has_changes())
                break;
            if (cycles == 2)
                fail("the plan still has changes two cycles after the faults stopped:\n" + render_plan_text(*plan));
            advance(6min);
        }
        check_converged(*plan);
    }

    const PlanItem* item_of(const Plan& plan, ResourceKind kind, const std::string& name) const {
        for (const auto& item : plan.items)
            if (item.kind == kind && item.name == name)
                return &item;
        return nullptr;
    }

    /// The plan is empty; every item that is not `unchanged` must have a
    /// reason the model knows, and the tenant must hold what the manifests say.
    void check_converged(const Plan& plan) {
        const Expected expected = desired_.expected();
        const TenantView view = snapshot().view;
        const Blocking block = blocking(view, expected);
        // Someone else's resource, alone with a desired name, that hookwarden
        // may not take over: adopt is off, or (a trigger) adopting it would
        // need a replace, and what is not ours is never deleted.
        const auto not_adoptable = [&](ResourceKind kind, const std::string& name) {
            const auto keys = view.named(kind, name);
            if (keys.size() != 1)
                return false;
            const auto ui = ui_.find(keys.front());
            return ui != ui_.end() && !ui->second.adopted && !may_adopt(view, expected, keys.front());
        };
        for (const auto& item : plan.items) {
            const std::string what = std::string(kind_name(item.kind)) + " \"" + item.name + "\"";
            const bool held = item.kind == ResourceKind::trigger ? expected.held_triggers.contains(item.name)
                                                                 : expected.held_webhooks.contains(item.name);
            switch (item.action) {
            case PlanAction::conflict:
                if (view.named(item.kind, item.name).size() > 1 || not_adoptable(item.kind, item.name))
                    break;
                fail("after convergence " + what + " is a conflict the tenant does not explain: " + item.reason);
            case PlanAction::error:
                if (held || (item.cause == ChangeCause::immutable_changed && block.blocked))
                    break;
                fail("after convergence " + what + " is an error the model does not expect: " + item.reason);
            case PlanAction::retain:
                if (!options_.prune || block.blocked)
                    break;
                fail("after convergence " + what + " is retained although prune may run: " + item.reason);
            default:
                break;
            }
        }

        // The specs by name, not by [&]: clang 14 (clang-tidy) cannot capture a structured binding.
        for (const auto& [name, spec] : expected.webhooks)
            check_desired(plan, view, ResourceKind::webhook, name, block, [&, &wanted = spec](const Item& item) {
                if (auto difference = webhook_difference(item, wanted))
                    return difference;
                return secret_difference(item, wanted);
            });
        for (const auto& [name, spec] : expected.triggers)
            check_desired(plan, view, ResourceKind::trigger, name, block,
                          [&wanted = spec](const Item& item) { return trigger_difference(item, wanted); });

        if (options_.prune && !block.blocked)
            for (const auto& [key, item] : view.items) {
                const auto ui = ui_.find(key);
                const bool ours = ui == ui_.end() || ui->second.adopted;
                const bool desired = key.kind == ResourceKind::trigger
                                         ? expected.triggers.contains(item.name) || expected.held_triggers.contains(item.name)
                                         : expected.webhooks.contains(item.name) || expected.held_webhooks.contains(item.name);
                if (ours && !desired && view.named(key.kind, item.name).size() == 1)
                    fail("after convergence hookwarden's " + describe(key, item.name) +
                         " is still in the tenant although no manifest names it and prune is on");
            }
        note("converged");
    }

    template <class Compare>
    void check_desired(const Plan& plan, const TenantView& view, ResourceKind kind, const std::string& name,
                       const Blocking& block, Compare compare) {
        const std::string what = std::string(kind_name(kind)) + " \"" + name + "\"";
        const auto keys = view.named(kind, name);
        const PlanItem* item = item_of(plan, kind, name);
        if (keys.empty())
            fail("after convergence the tenant has no " + what + " although a manifest asks for it");
        if (keys.size() > 1) {
            if (!item || item->action != PlanAction::conflict)
                fail("the tenant holds " + what + " " + std::to_string(keys.size()) + " times and the plan does not call it a conflict");
            return;
        }
        const auto ui = ui_.find(keys.front());
        if (ui != ui_.end() && !ui->second.adopted) {
            if (may_adopt(view, desired_.expected(), keys.front()))
                fail("after convergence " + describe(keys.front(), name) + " is still not adopted although it may be");
            if (!item || item->action != PlanAction::conflict)
                fail(what + " is someone else's, may not be adopted, and the plan does not call it a conflict");
            return;
        }
        const Item& found = view.items.at(keys.front());
        if (auto difference = compare(found)) {
            const bool replace_blocked = kind == ResourceKind::trigger && item && item->action == PlanAction::error &&
                                         item->cause == ChangeCause::immutable_changed && block.blocked;
            if (!replace_blocked)
                fail("after convergence " + describe(keys.front(), name) + " differs from its manifest: " + *difference);
        }
    }

    /// A webhook's secret is its file's value, or the generated one
    /// hookwarden keeps; one it adopted with `generate` keeps its own.
    std::optional<std::string> secret_difference(const Item& item, const WebhookSpec& spec) {
        const auto* secret = item.body.if_contains("secret");
        const std::string held = secret && secret->is_string() ? std::string(secret->get_string()) : std::string();
        if (spec.file_secret) {
            if (held != desired_.secret_file_value(spec.name))
                return std::string("the secret is not the secret file's value");
            return std::nullopt;
        }
        const Key key{ResourceKind::webhook, std::string(item.body.at("id").as_string())};
        if (ui_.contains(key))
            return std::nullopt; // adopted: keeps the secret the tenant had, unknown to hookwarden
        const fs::path generated = state_dir() / "secrets" / spec.name;
        if (!fs::exists(generated) || held != read_all(generated))
            return std::string("the secret is not the generated one in secrets/");
        return std::nullopt;
    }

    // --- files and secrets --------------------------------------------------

    void check_files() {
        const fs::path dir = state_dir();
        if (auto state = state_->load(); !state)
            fail("state.json does not parse: " + state.error().describe());
        auto files = read_status_files(dir);
        if (!files)
            fail("status.json does not read: " + files.error().describe());
        if (!*files)
            fail("no status.json after a cycle");
        for (const auto& problem : (*files)->read_errors)
            fail("a snapshot file does not read: " + problem.describe());
        // What `hookwarden status` shows of them, for people and for scripts.
        const auto now = std::chrono::system_clock::now();
        scan("hookwarden status", render_status_text(**files, now) +
                                      json::serialize(status_to_json(**files, now, 60s)));
        auto verdict = verify_changes(dir, (*files)->change_log);
        if (!verdict)
            fail("changes.jsonl cannot be verified: " + verdict.error().describe());
        if (!verdict->ok)
            fail("changes.jsonl: " + verdict->line);

        for (const auto& entry : fs::recursive_directory_iterator(dir)) {
            if (!entry.is_regular_file())
                continue;
            const fs::path& path = entry.path();
            const std::string relative = fs::relative(path, dir).string();
            if (relative.starts_with("secrets/")) {
                if ((entry.status().permissions() & (fs::perms::group_all | fs::perms::others_all)) != fs::perms::none)
                    fail(relative + " is readable by others than its owner");
                continue;
            }
            const std::string text = read_all(path);
            scan(relative, text);
            const std::string ext = path.extension().string();
            if (ext == ".json") {
                if (auto parsed = parse_json_text(text, relative); !parsed)
                    fail(parsed.error().describe());
            } else if (ext == ".jsonl") {
                std::istringstream lines(text);
                std::string line;
                for (int number = 1; std::getline(lines, line); ++number)
                    if (auto parsed = parse_json_text(line, relative + ":" + std::to_string(number)); !line.empty() && !parsed)
                        fail(parsed.error().describe());
            } else if (ext == ".prom") {
                std::istringstream lines(text);
                std::string line;
                for (int number = 1; std::getline(lines, line); ++number)
                    if (!line.empty() && line[0] != '#' && !is_metric_sample(line)) {
                        std::string where = relative;
                        where.append(":").append(std::to_string(number));
                        fail(where.append(": not a Prometheus sample: ").append(line));
                    }
            }
        }
    }

    /// Every secret the run knows of.
    std::set<std::string> known_secrets() {
        std::set<std::string> all = secrets_;
        all.insert(desired_.secrets_written().begin(), desired_.secrets_written().end());
        {
            std::lock_guard lock(tokens_mutex_);
            all.insert(tokens_.begin(), tokens_.end());
        }
        const fs::path generated = state_dir() / "secrets";
        if (fs::exists(generated))
            for (const auto& entry : fs::recursive_directory_iterator(generated))
                if (entry.is_regular_file())
                    if (auto value = read_all(entry.path()); value.size() >= 8)
                        all.insert(value);
        return all;
    }

    void scan(const std::string& where, const std::string& text) {
        for (const auto& secret : known_secrets())
            if (!secret.empty() && text.find(secret) != std::string::npos)
                fail("a secret (" + std::to_string(secret.size()) + " characters, starting " + secret.substr(0, 3) +
                     "…) appears in " + where);
    }

    /// The log lines written since the last look.
    void check_log() {
        (void)std::fflush(stderr);
        const std::string text = read_all(scratch_ / "log.txt");
        if (text.size() > log_seen_)
            scan("the log (stderr)", text.substr(log_seen_));
        log_seen_ = text.size();
    }

    // --- state ----------------------------------------------------------------

    std::uint64_t seed_;
    const RunOptions& run_;
    /// Three streams, so that what hookwarden did (which depends on timing
    /// when requests run in parallel) never shifts the manifest edits:
    /// the schedule and faults, the manifest edits, the tenant edits.
    ModelRandom random_;
    ModelRandom desired_random_;
    ModelRandom tenant_random_;
    test::EmulatorControl control_;
    testing::ScratchDir scratch_{"hookwarden-convergence"};
    /// The daemon's log goes here for as long as the seed's client lives
    /// (declared before the client, so destroyed after it).
    StderrCapture capture_{scratch_ / "log.txt"};
    std::size_t log_seen_ = 0;
    DesiredModel desired_;
    PlanOptions options_;
    int concurrency_ = 4;
    std::vector<std::string> default_topics_;

    std::set<std::string> secrets_;
    std::set<std::string> tokens_;
    std::mutex tokens_mutex_;
    std::map<Key, UiItem> ui_;
    std::map<Key, std::string> made_; ///< what hookwarden made, with the name it made it under
    int foreign_ = 0;

    std::atomic<std::int64_t> skew_ms_{0};
    std::mutex jitter_mutex_;
    std::mt19937_64 jitter_{seed_ ^ 0x9e3779b97f4a7c15ull};
    std::unique_ptr<TenantHttp> tenant_;
    std::unique_ptr<SecretStore> secrets_store_;
    std::unique_ptr<StateStore> state_;
    std::unique_ptr<ThreadPool> pool_;
    std::unique_ptr<Engine> engine_;
    std::unique_ptr<SnapshotWriter> writer_;

    SeedStats stats_;
    int round_ = 0;
    std::deque<std::string> history_;
};

/// Copies the seed's directories where they outlive the run.
fs::path keep_directory(const fs::path& from, std::uint64_t seed) {
    fs::path to = fs::temp_directory_path() / ("hookwarden-convergence-seed-" + std::to_string(seed));
    std::error_code ec;
    fs::remove_all(to, ec);
    fs::copy(from, to, fs::copy_options::recursive, ec);
    return to;
}

bool run_seed(std::uint64_t seed, const RunOptions& run, double& seconds) {
    const auto start = std::chrono::steady_clock::now();
    std::optional<std::string> failure;
    int round = 0;
    std::string details;
    {
        SeedRun seed_run(seed, run);
        try {
            seed_run.run();
        } catch (const Violation& v) {
            failure = v.what;
        } catch (const ErrorException& e) {
            failure = std::string("the test's own call to the emulator failed: ") + e.what();
        } catch (const std::exception& e) {
            failure = std::string("unexpected exception: ") + e.what();
        }
        round = seed_run.round();
        if (failure) {
            details += "  what the seed did last:\n";
            for (const auto& line : seed_run.history())
                details += "    " + line + "\n";
            details += "  the manifest directory:\n" + seed_run.model();
            details += "  kept in " + keep_directory(seed_run.dir(), seed).string() + "\n";
        } else if (run.verbose) {
            const auto& s = seed_run.stats();
            std::cout << "seed " << seed << ": ok (" << s.cycles << " cycles, " << s.edits << " edits, "
                      << s.faults << " faults)\n";
        }
    }
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!failure)
        return true;
    std::cout << "seed " << seed << " failed at round " << round << ": " << *failure << "\n"
              << details << "replay: " << run.program << " --seed " << seed
              << (run.rounds != RunOptions{}.rounds ? " --rounds " + std::to_string(run.rounds) : std::string())
              << "\n"
              << std::flush;
    return false;
}

int usage(const char* program) {
    std::cerr << "usage: " << program << " [--seed S | --seeds N [--base B]] [--rounds R] [--verbose]\n"
              << "  --seed S    run seed S only (replays a failure)\n"
              << "  --seeds N   run N seeds, B, B+1, ... (B random unless --base)\n"
              << "  --rounds R  rounds per seed (default 6)\n";
    return 64;
}

} // namespace
} // namespace hookwarden::convergence

namespace hookwarden::convergence {
namespace {

int run_main(int argc, char** argv) {
    RunOptions run;
    run.program = argv[0];
    std::optional<std::uint64_t> base;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const auto value = [&]() -> std::optional<std::uint64_t> {
            if (i + 1 >= argc)
                return std::nullopt;
            try {
                return std::stoull(argv[++i]);
            } catch (const std::exception&) {
                return std::nullopt;
            }
        };
        std::optional<std::uint64_t> v;
        if (arg == "--verbose") {
            run.verbose = true;
            continue;
        }
        if (arg != "--seed" && arg != "--seeds" && arg != "--base" && arg != "--rounds")
            return usage(argv[0]);
        if (!(v = value()))
            return usage(argv[0]);
        if (arg == "--seed") {
            base = *v;
            run.seeds = 1;
        } else if (arg == "--seeds") {
            run.seeds = static_cast<int>(*v);
        } else if (arg == "--base") {
            base = *v;
        } else {
            run.rounds = static_cast<int>(*v);
        }
    }
    run.base = base ? *base : std::random_device{}() % 1000000;
    // The daemon's log lines (and the client's debug lines) go to stderr,
    // which each seed captures and scans; never to the journal here.
    ::unsetenv("JOURNAL_STREAM");
    hookwarden::init_logging(hookwarden::LogLevel::debug);
    hookwarden::test::EmulatorProcess& started = emulator();
    (void)started;

    std::cout << "convergence model: " << run.seeds << " seed(s) from " << run.base << ", " << run.rounds
              << " rounds each\n"
              << std::flush;
    int failed = 0;
    double total = 0, slowest = 0;
    for (int i = 0; i < run.seeds; ++i) {
        double seconds = 0;
        if (!run_seed(run.base + static_cast<std::uint64_t>(i), run, seconds))
            ++failed;
        total += seconds;
        slowest = std::max(slowest, seconds);
    }
    std::printf("%d seed(s), %d failed; %.1f s in all, %.2f s a seed on average, %.2f s the slowest\n", run.seeds,
                failed, total, run.seeds ? total / run.seeds : 0.0, slowest);
    return failed == 0 ? 0 : 1;
}

} // namespace
} // namespace hookwarden::convergence

int main(int argc, char** argv) {
    try {
        return hookwarden::convergence::run_main(argc, argv);
    } catch (const std::exception& e) {
        (void)std::fprintf(stderr, "convergence model: %s\n", e.what());
    } catch (...) {
        (void)std::fprintf(stderr, "convergence model: an exception that is not a std::exception\n");
    }
    return 1;
}
