#include "core/state_store.hpp"

#include "core/atomic_file.hpp"
#include "core/secret_rotation.hpp"
#include "core/sha256.hpp"

#include <boost/json.hpp>

namespace hookwarden {

namespace json = boost::json;
namespace fs = std::filesystem;

std::string sha256_digest(std::string_view data) { return "sha256:" + sha256_hex(data); }

namespace {

// One member per line: readable, and diffs well when an operator keeps copies.
void write_owned(std::string& out, const char* member,
                 const std::map<std::string, OwnedResource>& owned, bool last) {
    out += std::string("  \"") + member + "\": {";
    bool first = true;
    for (const auto& [name, entry] : owned) {
        json::object fields{{"id", entry.id}, {"appliedDigest", entry.applied_digest}};
        if (entry.secret_fingerprint)
            fields["secretFingerprint"] = *entry.secret_fingerprint;
        else
            fields["secretFingerprint"] = nullptr;
        if (entry.rotation)
            fields["rotation"] = {{"previousSecret", entry.rotation->previous_fingerprint},
                                  {"until", format_rotation_time(entry.rotation->until)}};
        out += first ? "\n    " : ",\n    ";
        out += json::serialize(json::value(name)) + ": " + json::serialize(fields);
        first = false;
    }
    out += first ? "}" : "\n  }";
    out += last ? "\n" : ",\n";
}

} // namespace

std::string state_to_json(const State& state) {
    std::string out = "{\n  \"formatVersion\": " + std::to_string(state_format_version) + ",\n";
    write_owned(out, "webhooks", state.owned, false);
    write_owned(out, "triggers", state.owned_triggers, true);
    out += "}\n";
    return out;
}

namespace {

// Reads the entries of one kind into `into`; `corrupt` makes the error.
template <class Corrupt>
Result<void> read_owned(const json::object& members, const Corrupt& corrupt,
                        std::map<std::string, OwnedResource>& into) {
    for (const auto& [name, value] : members) {
        const std::string key(name);
        if (!value.is_object())
            return corrupt("the entry of '" + key + "' is not an object");
        const auto& entry = value.get_object();
        OwnedResource owned;
        const auto* id = entry.if_contains("id");
        if (!id || !id->is_string())
            return corrupt("the entry of '" + key + "' has no id");
        owned.id = std::string(id->get_string());
        if (const auto* digest = entry.if_contains("appliedDigest"); digest && digest->is_string())
            owned.applied_digest = std::string(digest->get_string());
        if (const auto* secret = entry.if_contains("secretFingerprint");
            secret && secret->is_string())
            owned.secret_fingerprint = std::string(secret->get_string());
        if (const auto* rotation = entry.if_contains("rotation"); rotation && !rotation->is_null()) {
            // A rotation read wrong would let a replaced secret be accepted
            // for too long, or not at all: refused, like any other damage.
            const auto* fields = rotation->if_object();
            const auto* previous = fields ? fields->if_contains("previousSecret") : nullptr;
            const auto* until = fields ? fields->if_contains("until") : nullptr;
            const auto until_time =
                until && until->is_string() ? parse_rotation_time(until->get_string()) : std::nullopt;
            if (!previous || !previous->is_string() || !until_time)
                return corrupt("the rotation of '" + key +
                               "' needs previousSecret and an RFC 3339 until");
            owned.rotation = SecretRotation{std::string(previous->get_string()), *until_time};
        }
        into.emplace(key, std::move(owned));
    }
    return {};
}

} // namespace

Result<State> state_from_json(std::string_view text, const std::string& display) {
    auto corrupt = [&display](const std::string& why) {
        return make_error(ErrorKind::invalid_input,
                          display + " is not a valid hookwarden state file: " + why +
                              " (restore it from a backup, or move it away to start afresh; "
                              "hookwarden then adopts or reports existing webhooks by name)");
    };
    boost::system::error_code ec;
    json::value root = json::parse(text, ec);
    if (ec)
        return corrupt(ec.message());
    if (!root.is_object())
        return corrupt("the top level is not an object");
    const auto& object = root.get_object();
    const auto* version = object.if_contains("formatVersion");
    if (!version || !version->is_int64())
        return corrupt("formatVersion is missing");
    if (version->get_int64() < 1)
        return corrupt("formatVersion " + std::to_string(version->get_int64()) +
                       " is not a version any hookwarden writes");
    if (version->get_int64() > state_format_version)
        return make_error(ErrorKind::invalid_input, display + " has format version " +
                                                        std::to_string(version->get_int64()) +
                                                        "; this hookwarden reads version " +
                                                        std::to_string(state_format_version) +
                                                        " (it was written by a newer hookwarden)");
    const auto* webhooks = object.if_contains("webhooks");
    if (!webhooks || !webhooks->is_object())
        return corrupt("webhooks is missing");
    const auto* triggers = object.if_contains("triggers");
    if (triggers && !triggers->is_object())
        return corrupt("triggers is not an object");

    State state;
    if (auto read = read_owned(webhooks->get_object(), corrupt, state.owned); !read)
        return read.error();
    if (triggers)
        if (auto read = read_owned(triggers->get_object(), corrupt, state.owned_triggers); !read)
            return read.error();
    return state;
}

StateStore::StateStore(fs::path state_dir) : dir_(std::move(state_dir)) {}

Result<State> StateStore::load() const {
    const fs::path path = file();
    auto text = read_file_if_exists(path);
    if (!text)
        return text.error();
    if (!*text)
        return State{}; // nothing owned yet
    return state_from_json(**text, path.string());
}

Result<void> StateStore::save(const State& state) const {
    if (auto dir = ensure_directory(dir_, fs::perms::owner_all); !dir)
        return dir;
    return write_file_atomically(file(), state_to_json(state));
}

} // namespace hookwarden
