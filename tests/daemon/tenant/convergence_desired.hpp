// The randomized convergence test's model of the desired state: a real
// manifest directory that random edits change the way operators do (add,
// change, rename or delete a file, break one, fix it again, define a name
// twice, rotate a secret file), and what those edits mean — which webhooks
// and triggers are desired, which names are held because they are defined
// twice, and whether the load has errors — worked out from the model alone,
// never from hookwarden's loader, so that the test can check the loader too.
//
// Everything random comes from the seed's generator (ModelRandom), so that
// a seed replays the same edits.
#pragma once

#include <boost/json/value.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <variant>
#include <vector>

namespace hookwarden::convergence {

/// The seed's one source of choices.
class ModelRandom {
  public:
    explicit ModelRandom(std::uint64_t seed) : engine_(seed) {}
    /// 0..n-1 (n > 0).
    int below(int n) { return std::uniform_int_distribution<int>(0, n - 1)(engine_); }
    bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(engine_) < p; }
    template <class T> const T& pick(const std::vector<T>& from) {
        return from[static_cast<std::size_t>(below(static_cast<int>(from.size())))];
    }
    /// `n` characters of [a-z0-9].
    std::string token(int n);

  private:
    std::mt19937_64 engine_;
};

/// One webhook document as the model writes it.
struct WebhookSpec {
    std::string name;
    std::vector<std::string> event_types;
    std::string endpoint_url;
    bool enabled = true;
    std::string retry_interval = "PT1M"; ///< sometimes PT60S: the same duration, written otherwise
    int max_retries = 3;
    std::string payload_template = "{{event}}";
    bool file_secret = false; ///< secretRef {file: …} instead of the default generate
};

struct CriterionSpec {
    std::string json_path;
    std::string op;
    std::optional<boost::json::value> value;
    std::optional<std::vector<boost::json::value>> values;
};

/// One trigger document as the model writes it.
struct TriggerSpec {
    std::string name;
    std::string topic;
    std::string workflow;
    std::string data_format = "Json";
    std::vector<CriterionSpec> criteria;
    bool enabled = true;
    std::optional<int> ttl;
    std::optional<int> delay;
    std::string description;
};

struct Document {
    std::variant<WebhookSpec, TriggerSpec> spec;
    bool invalid = false; ///< written with an unknown key: a validation error of this document

    bool is_trigger() const { return std::holds_alternative<TriggerSpec>(spec); }
    const std::string& name() const;
};

struct ManifestFileModel {
    std::string path; ///< relative to the manifest directory
    std::vector<Document> docs;
    bool syntax_broken = false; ///< not YAML at all: none of its documents loads
};

/// What the directory asks for, as SPEC §2 reads it.
struct Expected {
    std::map<std::string, WebhookSpec> webhooks; ///< valid, uniquely named
    std::map<std::string, TriggerSpec> triggers;
    std::set<std::string> held_webhooks; ///< defined more than once: nothing of them is written
    std::set<std::string> held_triggers;
    std::size_t problems = 0; ///< broken files, invalid documents and names defined twice
};

class DesiredModel {
  public:
    /// Manifests go to `dir`, secret files to `secret_dir` (both created).
    DesiredModel(std::filesystem::path dir, std::filesystem::path secret_dir);

    /// One random edit; returns a line that says what it did.
    std::string random_edit(ModelRandom& random);
    /// A new document, webhook or trigger, in a new or an existing file.
    std::string add(ModelRandom& random) { return add_document(random, random.chance(0.4)); }
    /// maxDeletesPerCycle: deleting several files at once takes that many
    /// files, give or take one, to probe both sides of the budget.
    void set_delete_budget(int budget) { delete_budget_ = budget; }

    /// A random webhook or trigger spec for `name` (exposed for the tenant
    /// side, which makes same-name items that match or differ).
    static WebhookSpec random_webhook(ModelRandom& random, std::string name);
    static TriggerSpec random_trigger(ModelRandom& random, std::string name);

    Expected expected() const;
    /// The value the secret file of webhook `name` holds, if it has one.
    std::optional<std::string> secret_file_value(const std::string& name) const;
    std::filesystem::path secret_file(const std::string& name) const;
    /// Every secret value the files ever held.
    const std::set<std::string>& secrets_written() const { return secrets_written_; }
    /// Webhook and trigger names the model draws from (the tenant side uses
    /// them for same-name items).
    static const std::vector<std::string>& webhook_names();
    static const std::vector<std::string>& trigger_names();
    static const std::vector<std::string>& topics();

    /// The files and their state, one line each (for a failure report).
    std::string describe() const;

  private:
    std::string add_document(ModelRandom& random, bool trigger);
    std::string change_document(ModelRandom& random, bool topic_only);
    std::string rename_file(ModelRandom& random);
    std::string rename_document(ModelRandom& random);
    std::string delete_files(ModelRandom& random, int how_many);
    std::string break_file(ModelRandom& random);
    std::string invalidate_document(ModelRandom& random);
    std::string duplicate_name(ModelRandom& random);
    std::string fix(ModelRandom& random);
    std::string rotate_secret_file(ModelRandom& random);

    std::string new_path(ModelRandom& random);
    std::vector<std::string> free_names(bool trigger) const;
    void write(const ManifestFileModel& file);
    void remove(const std::string& path);
    void ensure_secret(ModelRandom& random, const WebhookSpec& spec);
    void write_secret(const std::string& name, const std::string& value) const;

    std::filesystem::path dir_;
    std::filesystem::path secret_dir_;
    std::vector<ManifestFileModel> files_;
    std::map<std::string, std::string> secret_values_; ///< by webhook name
    std::set<std::string> secrets_written_;
    int next_file_ = 0;
    int delete_budget_ = 3;
};

/// The YAML text of one file.
std::string render_file(const ManifestFileModel& file, const std::filesystem::path& secret_dir);

} // namespace hookwarden::convergence
