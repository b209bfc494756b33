#include "tests/daemon/tenant/convergence_desired.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace hookwarden::convergence {

namespace fs = std::filesystem;
namespace json = boost::json;

std::string ModelRandom::token(int n) {
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    std::string out;
    for (int i = 0; i < n; ++i)
        out += alphabet[below(36)];
    return out;
}

const std::string& Document::name() const {
    return std::visit([](const auto& s) -> const std::string& { return s.name; }, spec);
}

namespace {

// A YAML double-quoted scalar: JSON's string syntax is a subset of it.
std::string quoted(const std::string& text) {
    return json::serialize(json::value(text));
}

// A criterion value as a plain YAML scalar hookwarden reads back as the same
// JSON value: strings quoted, numbers in JSON's decimal form (a double with
// its fraction, so that 5.0 stays a double), true and false.
std::string scalar(const json::value& value) {
    if (value.is_string())
        return quoted(std::string(value.get_string()));
    if (value.is_double()) {
        char text[64];
        if (std::snprintf(text, sizeof text, "%.1f", value.get_double()) < 0)
            throw std::runtime_error("cannot render a number");
        return text;
    }
    return json::serialize(value);
}

void render_webhook(std::ostringstream& out, const WebhookSpec& w, bool invalid,
                    const fs::path& secret_dir) {
    out << "apiVersion: hookwarden/v1\nkind: Webhook\nmetadata:\n  name: " << quoted(w.name)
        << "\n  labels: {model: convergence}\nspec:\n  eventTypes: [";
    for (std::size_t i = 0; i < w.event_types.size(); ++i)
        out << (i ? ", " : "") << quoted(w.event_types[i]);
    out << "]\n  endpointUrl: " << quoted(w.endpoint_url) << "\n  enabled: "
        << (w.enabled ? "true" : "false") << "\n  retryPolicy:\n    retryInterval: "
        << w.retry_interval << "\n    maxRetries: " << w.max_retries
        << "\n  payloadTemplate: " << quoted(w.payload_template) << '\n';
    if (w.file_secret)
        out << "  secretRef:\n    file: " << quoted((secret_dir / (w.name + ".secret")).string())
            << '\n';
    if (invalid)
        out << "  retryPolicyy: {maxRetries: 1}\n"; // a typo: unknown keys are errors
}

void render_trigger(std::ostringstream& out, const TriggerSpec& t, bool invalid) {
    out << "apiVersion: hookwarden/v1\nkind: Trigger\nmetadata:\n  name: " << quoted(t.name)
        << "\nspec:\n  topicName: " << quoted(t.topic) << "\n  target:\n    type: Workflow\n    id: "
        << t.workflow << "\n    dataFormat: " << t.data_format << '\n';
    if (!t.criteria.empty()) {
        out << "  matchCriteria:\n";
        for (const auto& c : t.criteria) {
            out << "    - jsonPath: " << quoted(c.json_path) << "\n      operator: " << c.op << '\n';
            if (c.value)
                out << "      value: " << scalar(*c.value) << '\n';
            if (c.values) {
                out << "      values: [";
                for (std::size_t i = 0; i < c.values->size(); ++i)
                    out << (i ? ", " : "") << scalar((*c.values)[i]);
                out << "]\n";
            }
        }
    }
    out << "  enabled: " << (t.enabled ? "true" : "false") << '\n';
    if (t.ttl)
        out << "  eventTTLSeconds: " << *t.ttl << '\n';
    if (t.delay)
        out << "  delayBySeconds: " << *t.delay << '\n';
    if (!t.description.empty())
        out << "  description: " << quoted(t.description) << '\n';
    if (invalid)
        out << "  enabeld: true\n";
}

const std::vector<std::string> event_pool{
    "user:login", "user:logout", "audit:configuration.changed", "routing:queue.member.added",
    "conversation:call.ended", "user:presence.changed"};

const std::vector<std::string> workflows{"5f6e1c2a-0d3b-4a8e-9c7f-2b1d0e4f6a8b",
                                         "8d2b7e41-6c3a-4f19-b5e0-9a7c1d3e2f64"};

std::vector<CriterionSpec> random_criteria(ModelRandom& random) {
    std::vector<CriterionSpec> out;
    const int n = random.below(4);
    for (int i = 0; i < n; ++i) {
        CriterionSpec c;
        c.json_path = random.pick(std::vector<std::string>{"mediaType", "direction", "queueId",
                                                           "disconnectType", "wrapup.durationMs"});
        switch (random.below(6)) {
        case 0: c.op = "Equal"; c.value = json::value(random.pick(std::vector<std::string>{"CHAT", "VOICE", "404", "true"})); break;
        case 1: c.op = "GreaterThan"; c.value = json::value(random.below(1000)); break;
        case 2: c.op = "LessThanOrEqual"; c.value = json::value(2.5 * random.below(10)); break;
        case 3: c.op = "Exists"; c.value = json::value(random.chance(0.5)); break;
        case 4: c.op = "In"; c.values = std::vector<json::value>{json::value("error"), json::value("transfer")}; break;
        default:
            c.op = "NotIn";
            c.values = std::vector<json::value>{json::value(7), json::value("x"), json::value(false)};
            break;
        }
        out.push_back(std::move(c));
    }
    return out;
}

} // namespace

std::string render_file(const ManifestFileModel& file, const fs::path& secret_dir) {
    std::ostringstream out;
    out << "# written by the convergence model\n";
    if (file.syntax_broken)
        out << "metadata: {name: [unclosed\n"; // a flow sequence never closed: not YAML
    for (std::size_t i = 0; i < file.docs.size(); ++i) {
        if (i)
            out << "---\n";
        const Document& doc = file.docs[i];
        if (const auto* w = std::get_if<WebhookSpec>(&doc.spec))
            render_webhook(out, *w, doc.invalid, secret_dir);
        else
            render_trigger(out, std::get<TriggerSpec>(doc.spec), doc.invalid);
    }
    return out.str();
}

const std::vector<std::string>& DesiredModel::webhook_names() {
    static const std::vector<std::string> names{"hook-a", "hook-b", "hook-c", "hook-d",
                                                "hook-e", "hook-f", "hook-g", "hook-h",
                                                "hook-i", "hook-j"};
    return names;
}

const std::vector<std::string>& DesiredModel::trigger_names() {
    // Two share a name with a webhook: names are unique per kind only.
    static const std::vector<std::string> names{"Trigger A", "Trigger B", "Trigger C",
                                                "Trigger D", "Trigger E", "Trigger F",
                                                "hook-a",    "hook-b"};
    return names;
}

const std::vector<std::string>& DesiredModel::topics() {
    // The emulator's default topics (default_trigger_topics()), minus the
    // last two, which the tenant side withdraws and restores.
    static const std::vector<std::string> names{
        "v2.detail.events.conversation.{id}.customer.start",
        "v2.detail.events.conversation.{id}.customer.end",
        "v2.detail.events.conversation.{id}.acw",
        "v2.detail.events.conversation.{id}.user.start",
        "v2.users.{id}.presence",
        "v2.routing.queues.{id}.members"};
    return names;
}

WebhookSpec DesiredModel::random_webhook(ModelRandom& random, std::string name) {
    WebhookSpec w;
    w.name = std::move(name);
    const int n = 1 + random.below(3);
    for (int i = 0; i < n; ++i) {
        const auto& e = random.pick(event_pool);
        if (std::find(w.event_types.begin(), w.event_types.end(), e) == w.event_types.end())
            w.event_types.push_back(e);
    }
    w.endpoint_url = "https://hooks.example.com/" + w.name + "/" + std::to_string(random.below(5));
    w.enabled = !random.chance(0.2);
    w.retry_interval = random.pick(std::vector<std::string>{"PT1M", "PT60S", "PT30S", "PT5M"});
    w.max_retries = random.below(11);
    w.payload_template = random.chance(0.7) ? "{{event}}" : "{\"wrapped\": {{event}}}";
    w.file_secret = random.chance(0.3);
    return w;
}

TriggerSpec DesiredModel::random_trigger(ModelRandom& random, std::string name) {
    TriggerSpec t;
    t.name = std::move(name);
    t.topic = random.pick(topics());
    t.workflow = random.pick(workflows);
    t.data_format = random.chance(0.7) ? "Json" : "TopLevelPrimitives";
    t.criteria = random_criteria(random);
    t.enabled = !random.chance(0.2);
    switch (random.below(3)) {
    case 0: t.ttl = 10 + random.below(300); break;
    case 1: t.delay = 60 + random.below(841); break;
    default: break;
    }
    if (random.chance(0.5))
        t.description = "model trigger " + random.token(4);
    return t;
}

DesiredModel::DesiredModel(fs::path dir, fs::path secret_dir)
    : dir_(std::move(dir)), secret_dir_(std::move(secret_dir)) {
    fs::create_directories(dir_);
    fs::create_directories(secret_dir_);
}

fs::path DesiredModel::secret_file(const std::string& name) const {
    return secret_dir_ / (name + ".secret");
}

std::optional<std::string> DesiredModel::secret_file_value(const std::string& name) const {
    const auto it = secret_values_.find(name);
    return it == secret_values_.end() ? std::nullopt : std::optional(it->second);
}

// Owner-only, as the loader wants a secret file (core/secret_source.cpp).
void DesiredModel::write_secret(const std::string& name, const std::string& value) const {
    const fs::path path = secret_file(name);
    std::ofstream out(path, std::ios::trunc);
    out << value << '\n';
    out.close();
    if (!out)
        throw std::runtime_error("cannot write " + path.string());
    fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write);
}

void DesiredModel::ensure_secret(ModelRandom& random, const WebhookSpec& spec) {
    if (!spec.file_secret || secret_values_.contains(spec.name))
        return;
    const std::string value = "filesecret" + random.token(30);
    write_secret(spec.name, value);
    secret_values_[spec.name] = value;
    secrets_written_.insert(value);
}

void DesiredModel::write(const ManifestFileModel& file) {
    const fs::path path = dir_ / file.path;
    fs::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << render_file(file, secret_dir_);
    if (!out)
        throw std::runtime_error("cannot write " + path.string());
}

void DesiredModel::remove(const std::string& path) {
    fs::remove(dir_ / path);
}

std::string DesiredModel::new_path(ModelRandom& random) {
    const int n = next_file_++;
    switch (random.below(3)) {
    case 0: return "team-" + std::string(1, static_cast<char>('x' + random.below(3))) + "/m" + std::to_string(n) + ".yml";
    default: return "m" + std::to_string(n) + ".yaml";
    }
}

std::vector<std::string> DesiredModel::free_names(bool trigger) const {
    std::set<std::string> used;
    for (const auto& f : files_)
        for (const auto& d : f.docs)
            if (d.is_trigger() == trigger)
                used.insert(d.name());
    std::vector<std::string> out;
    for (const auto& name : trigger ? trigger_names() : webhook_names())
        if (!used.contains(name))
            out.push_back(name);
    return out;
}

std::string DesiredModel::random_edit(ModelRandom& random) {
    // Weighted: mostly ordinary edits, now and then a breaking one.
    const int roll = random.below(100);
    if (files_.empty() || roll < 20)
        return add_document(random, random.chance(0.4));
    if (roll < 36)
        return change_document(random, false);
    if (roll < 41)
        return change_document(random, true);
    if (roll < 46)
        return rename_file(random);
    if (roll < 51)
        return rename_document(random);
    if (roll < 58)
        return delete_files(random, 1);
    // Several at once, around the delete budget: what it is for.
    if (roll < 66)
        return delete_files(random, std::max(2, delete_budget_ + random.below(3)));
    if (roll < 73)
        return break_file(random);
    if (roll < 79)
        return invalidate_document(random);
    if (roll < 83)
        return duplicate_name(random);
    if (roll < 94)
        return fix(random);
    return rotate_secret_file(random);
}

std::string DesiredModel::add_document(ModelRandom& random, bool trigger) {
    auto names = free_names(trigger);
    if (names.empty())
        return change_document(random, false);
    const std::string name = random.pick(names);
    Document doc{trigger ? std::variant<WebhookSpec, TriggerSpec>(random_trigger(random, name))
                         : std::variant<WebhookSpec, TriggerSpec>(random_webhook(random, name))};
    if (!trigger)
        ensure_secret(random, std::get<WebhookSpec>(doc.spec));
    if (!files_.empty() && random.chance(0.3)) {
        auto& file = files_[static_cast<std::size_t>(random.below(static_cast<int>(files_.size())))];
        file.docs.push_back(std::move(doc));
        write(file);
        return "desired: add " + std::string(trigger ? "trigger" : "webhook") + " " + name +
               " to " + file.path;
    }
    ManifestFileModel file{new_path(random), {std::move(doc)}, false};
    write(file);
    files_.push_back(file);
    return "desired: add " + std::string(trigger ? "trigger" : "webhook") + " " + name + " in " +
           file.path;
}

std::string DesiredModel::change_document(ModelRandom& random, bool topic_only) {
    std::vector<std::pair<std::size_t, std::size_t>> candidates;
    for (std::size_t f = 0; f < files_.size(); ++f)
        for (std::size_t d = 0; d < files_[f].docs.size(); ++d)
            if (!topic_only || files_[f].docs[d].is_trigger())
                candidates.emplace_back(f, d);
    if (candidates.empty())
        return add_document(random, topic_only);
    const auto [f, d] = random.pick(candidates);
    Document& doc = files_[f].docs[d];
    std::string what;
    if (auto* w = std::get_if<WebhookSpec>(&doc.spec)) {
        const WebhookSpec fresh = random_webhook(random, w->name);
        switch (random.below(7)) {
        case 0: w->event_types = fresh.event_types; what = "eventTypes"; break;
        case 1: w->endpoint_url = fresh.endpoint_url; what = "endpointUrl"; break;
        case 2: w->enabled = !w->enabled; what = "enabled"; break;
        case 3:
            // PT1M and PT60S are one duration: no change for the tenant.
            w->retry_interval = w->retry_interval == "PT1M" ? "PT60S" : fresh.retry_interval;
            w->max_retries = fresh.max_retries;
            what = "retryPolicy";
            break;
        case 4: w->payload_template = fresh.payload_template; what = "payloadTemplate"; break;
        case 5:
            w->file_secret = !w->file_secret;
            ensure_secret(random, *w);
            what = w->file_secret ? "secretRef file" : "secretRef generate";
            break;
        default: *w = fresh; ensure_secret(random, *w); what = "everything"; break;
        }
    } else {
        auto& t = std::get<TriggerSpec>(doc.spec);
        const TriggerSpec fresh = random_trigger(random, t.name);
        if (topic_only) {
            t.topic = fresh.topic;
            what = "topicName";
        } else {
            switch (random.below(6)) {
            case 0: t.enabled = !t.enabled; what = "enabled"; break;
            case 1: t.description = fresh.description; what = "description"; break;
            case 2: t.criteria = fresh.criteria; what = "matchCriteria"; break;
            case 3: t.ttl = fresh.ttl; t.delay = fresh.delay; what = "ttl/delay"; break;
            case 4: t.data_format = fresh.data_format; t.workflow = fresh.workflow; what = "target"; break;
            default: t = fresh; what = "everything"; break;
            }
        }
    }
    write(files_[f]);
    return "desired: change " + what + " of " + doc.name() + " in " + files_[f].path;
}

std::string DesiredModel::rename_file(ModelRandom& random) {
    auto& file = files_[static_cast<std::size_t>(random.below(static_cast<int>(files_.size())))];
    const std::string old = file.path;
    remove(old);
    file.path = new_path(random);
    write(file);
    return "desired: rename " + old + " to " + file.path;
}

std::string DesiredModel::rename_document(ModelRandom& random) {
    auto& file = files_[static_cast<std::size_t>(random.below(static_cast<int>(files_.size())))];
    auto& doc = file.docs[static_cast<std::size_t>(random.below(static_cast<int>(file.docs.size())))];
    auto names = free_names(doc.is_trigger());
    if (names.empty())
        return change_document(random, false);
    const std::string old = doc.name();
    const std::string name = random.pick(names);
    if (auto* w = std::get_if<WebhookSpec>(&doc.spec)) {
        w->name = name;
        ensure_secret(random, *w);
    } else {
        std::get<TriggerSpec>(doc.spec).name = name;
    }
    write(file);
    return "desired: rename " + std::string(doc.is_trigger() ? "trigger " : "webhook ") + old +
           " to " + name + " in " + file.path;
}

std::string DesiredModel::delete_files(ModelRandom& random, int how_many) {
    std::string out = "desired: delete";
    for (int i = 0; i < how_many && !files_.empty(); ++i) {
        const auto at = static_cast<std::size_t>(random.below(static_cast<int>(files_.size())));
        out += " " + files_[at].path + " (";
        for (const auto& d : files_[at].docs)
            out += (out.back() == '(' ? "" : ", ") + d.name();
        out += ")";
        remove(files_[at].path);
        files_.erase(files_.begin() + static_cast<std::ptrdiff_t>(at));
    }
    return out;
}

std::string DesiredModel::break_file(ModelRandom& random) {
    auto& file = files_[static_cast<std::size_t>(random.below(static_cast<int>(files_.size())))];
    file.syntax_broken = true;
    write(file);
    return "desired: break the YAML of " + file.path;
}

std::string DesiredModel::invalidate_document(ModelRandom& random) {
    auto& file = files_[static_cast<std::size_t>(random.below(static_cast<int>(files_.size())))];
    auto& doc = file.docs[static_cast<std::size_t>(random.below(static_cast<int>(file.docs.size())))];
    doc.invalid = true;
    write(file);
    return "desired: make " + doc.name() + " invalid in " + file.path;
}

std::string DesiredModel::duplicate_name(ModelRandom& random) {
    const auto& source = files_[static_cast<std::size_t>(random.below(static_cast<int>(files_.size())))];
    Document copy = source.docs[static_cast<std::size_t>(random.below(static_cast<int>(source.docs.size())))];
    copy.invalid = false;
    if (auto* w = std::get_if<WebhookSpec>(&copy.spec))
        w->endpoint_url = "https://elsewhere.example.com/" + w->name;
    else
        std::get<TriggerSpec>(copy.spec).description = "the second definition";
    ManifestFileModel file{new_path(random), {copy}, false};
    write(file);
    files_.push_back(file);
    return "desired: define " + copy.name() + " a second time in " + file.path;
}

std::string DesiredModel::fix(ModelRandom& random) {
    std::vector<std::size_t> broken;
    std::vector<std::pair<std::size_t, std::size_t>> invalid;
    for (std::size_t f = 0; f < files_.size(); ++f) {
        if (files_[f].syntax_broken)
            broken.push_back(f);
        for (std::size_t d = 0; d < files_[f].docs.size(); ++d)
            if (files_[f].docs[d].invalid)
                invalid.emplace_back(f, d);
    }
    // Names defined twice: drop the later definition.
    std::map<std::pair<bool, std::string>, std::vector<std::pair<std::size_t, std::size_t>>> seen;
    for (std::size_t f = 0; f < files_.size(); ++f)
        if (!files_[f].syntax_broken)
            for (std::size_t d = 0; d < files_[f].docs.size(); ++d)
                seen[{files_[f].docs[d].is_trigger(), files_[f].docs[d].name()}].emplace_back(f, d);
    std::vector<std::pair<std::size_t, std::size_t>> duplicates;
    for (const auto& [key, places] : seen)
        if (places.size() > 1)
            duplicates.push_back(places.back());

    const int kinds = (!broken.empty()) + (!invalid.empty()) + (!duplicates.empty());
    if (kinds == 0)
        return add_document(random, random.chance(0.4));
    int choice = random.below(kinds);
    if (!broken.empty() && choice-- == 0) {
        auto& file = files_[random.pick(broken)];
        file.syntax_broken = false;
        write(file);
        return "desired: fix the YAML of " + file.path;
    }
    if (!invalid.empty() && choice-- == 0) {
        const auto [f, d] = random.pick(invalid);
        files_[f].docs[d].invalid = false;
        write(files_[f]);
        return "desired: fix " + files_[f].docs[d].name() + " in " + files_[f].path;
    }
    const auto [f, d] = random.pick(duplicates);
    const std::string name = files_[f].docs[d].name();
    const std::string path = files_[f].path;
    files_[f].docs.erase(files_[f].docs.begin() + static_cast<std::ptrdiff_t>(d));
    if (files_[f].docs.empty()) {
        remove(path);
        files_.erase(files_.begin() + static_cast<std::ptrdiff_t>(f));
    } else {
        write(files_[f]);
    }
    return "desired: remove the second definition of " + name + " from " + path;
}

std::string DesiredModel::rotate_secret_file(ModelRandom& random) {
    std::vector<std::string> names;
    for (const auto& f : files_)
        for (const auto& d : f.docs)
            if (const auto* w = std::get_if<WebhookSpec>(&d.spec); w && w->file_secret)
                names.push_back(w->name);
    if (names.empty())
        return change_document(random, false);
    const std::string name = random.pick(names);
    const std::string value = "filesecret" + random.token(30);
    write_secret(name, value);
    secret_values_[name] = value;
    secrets_written_.insert(value);
    return "desired: new value in the secret file of " + name;
}

Expected DesiredModel::expected() const {
    Expected out;
    std::map<std::pair<bool, std::string>, std::vector<const Document*>> by_name;
    for (const auto& f : files_) {
        if (f.syntax_broken) {
            ++out.problems;
            continue;
        }
        for (const auto& d : f.docs)
            by_name[{d.is_trigger(), d.name()}].push_back(&d);
    }
    for (const auto& [key, docs] : by_name) {
        const auto& [trigger, name] = key;
        for (const Document* d : docs)
            out.problems += d->invalid ? 1 : 0;
        if (docs.size() > 1) {
            ++out.problems;
            (trigger ? out.held_triggers : out.held_webhooks).insert(name);
            continue;
        }
        if (docs.front()->invalid)
            continue;
        if (trigger)
            out.triggers.emplace(name, std::get<TriggerSpec>(docs.front()->spec));
        else
            out.webhooks.emplace(name, std::get<WebhookSpec>(docs.front()->spec));
    }
    return out;
}

std::string DesiredModel::describe() const {
    std::string out;
    for (const auto& f : files_) {
        out += "  " + f.path + (f.syntax_broken ? " [not YAML]" : "") + ":";
        for (const auto& d : f.docs)
            out += std::string(" ") + (d.is_trigger() ? "trigger " : "webhook ") + "\"" + d.name() +
                   "\"" + (d.invalid ? " [invalid]" : "");
        out += "\n";
    }
    return out;
}

} // namespace hookwarden::convergence
