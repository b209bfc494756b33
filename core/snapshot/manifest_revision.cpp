#include "core/snapshot/manifest_revision.hpp"

#include "core/sha256.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace hookwarden {

namespace fs = std::filesystem;
namespace json = boost::json;

std::string ManifestRevision::short_text() const {
    const std::string abbreviated = value.substr(0, 12);
    if (kind != "git")
        return kind + " " + abbreviated;
    std::string name = ref;
    for (const char* prefix : {"refs/heads/", "refs/tags/", "refs/"})
        if (name.starts_with(prefix)) {
            name.erase(0, std::char_traits<char>::length(prefix));
            break;
        }
    return "git " + abbreviated + " (" + (name.empty() ? "detached" : name) + ")";
}

namespace {

/// The small text files of a repository; nothing when absent or unreadable.
std::optional<std::string> read_small_file(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in)
        return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad())
        return std::nullopt;
    return text.str();
}

std::string trimmed(std::string_view text) {
    const auto begin = text.find_first_not_of(" \t\r\n");
    if (begin == std::string_view::npos)
        return {};
    const auto end = text.find_last_not_of(" \t\r\n");
    return std::string(text.substr(begin, end - begin + 1));
}

bool is_object_id(std::string_view text) {
    return (text.size() == 40 || text.size() == 64) &&
           std::all_of(text.begin(), text.end(),
                       [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

/// A ref name as git allows it well enough not to leave the repository.
bool is_ref_name(std::string_view ref) {
    return ref.starts_with("refs/") && ref.find("..") == std::string_view::npos &&
           ref.find('\0') == std::string_view::npos && !ref.ends_with("/");
}

struct Repository {
    fs::path git_dir;    ///< HEAD and the worktree's own refs
    fs::path common_dir; ///< shared refs and packed-refs (== git_dir outside a worktree)
};

/// `.git` in `dir`: the directory itself, or the one a `gitdir: PATH` file names.
std::optional<Repository> repository_at(const fs::path& dir) {
    const fs::path dot_git = dir / ".git";
    std::error_code ec;
    const auto status = fs::status(dot_git, ec);
    if (ec || !fs::exists(status))
        return std::nullopt;
    Repository repo;
    if (fs::is_directory(status)) {
        repo.git_dir = dot_git;
    } else {
        const auto text = read_small_file(dot_git);
        const std::string line = text ? trimmed(*text) : std::string{};
        if (!line.starts_with("gitdir:"))
            return Repository{}; // a .git that is neither: found, but unreadable
        const fs::path target = trimmed(std::string_view(line).substr(7));
        repo.git_dir = target.is_absolute() ? target : dir / target;
    }
    repo.common_dir = repo.git_dir;
    if (const auto common = read_small_file(repo.git_dir / "commondir")) {
        const fs::path target = trimmed(*common);
        repo.common_dir = target.is_absolute() ? target : repo.git_dir / target;
    }
    return repo;
}

std::optional<std::string> packed_ref(const Repository& repo, std::string_view ref) {
    const auto text = read_small_file(repo.common_dir / "packed-refs");
    if (!text)
        return std::nullopt;
    std::istringstream lines(*text);
    for (std::string line; std::getline(lines, line);) {
        // "# pack-refs with: ..." and "^PEELED" lines describe, not name.
        if (line.empty() || line[0] == '#' || line[0] == '^')
            continue;
        const auto space = line.find(' ');
        if (space == std::string::npos)
            continue;
        if (trimmed(std::string_view(line).substr(space + 1)) == ref) {
            const std::string id = line.substr(0, space);
            return is_object_id(id) ? std::optional(id) : std::nullopt;
        }
    }
    return std::nullopt;
}

/// The commit `ref` points at, following symbolic refs a few levels deep.
std::optional<std::string> resolve_ref(const Repository& repo, std::string ref) {
    for (int depth = 0; depth < 5; ++depth) {
        if (!is_ref_name(ref))
            return std::nullopt;
        // A worktree's own refs (bisect, rewritten) live in its git dir; the
        // branches in the common dir.
        std::optional<std::string> loose = read_small_file(repo.git_dir / ref);
        if (!loose)
            loose = read_small_file(repo.common_dir / ref);
        if (!loose)
            return packed_ref(repo, ref);
        const std::string content = trimmed(*loose);
        if (is_object_id(content))
            return content;
        if (!content.starts_with("ref:"))
            return std::nullopt;
        ref = trimmed(std::string_view(content).substr(4));
    }
    return std::nullopt;
}

std::optional<ManifestRevision> revision_of(const Repository& repo) {
    if (repo.git_dir.empty())
        return std::nullopt;
    const auto head = read_small_file(repo.git_dir / "HEAD");
    if (!head)
        return std::nullopt;
    const std::string content = trimmed(*head);
    if (is_object_id(content))
        return ManifestRevision{.kind = "git", .value = content, .ref = {}};
    if (!content.starts_with("ref:"))
        return std::nullopt;
    const std::string ref = trimmed(std::string_view(content).substr(4));
    const auto commit = resolve_ref(repo, ref);
    if (!commit) // a broken ref, or a branch with no commit yet
        return std::nullopt;
    return ManifestRevision{.kind = "git", .value = *commit, .ref = ref};
}

} // namespace

std::optional<ManifestRevision> git_revision(const fs::path& manifest_dir) {
    try {
        std::error_code ec;
        fs::path dir = fs::weakly_canonical(fs::absolute(manifest_dir, ec), ec);
        if (ec)
            return std::nullopt;
        for (;;) {
            // The nearest .git decides, as for git itself: a broken one is
            // not skipped for an outer repository the manifests are not in.
            if (const auto repo = repository_at(dir))
                return revision_of(*repo);
            if (!dir.has_relative_path())
                return std::nullopt;
            dir = dir.parent_path();
        }
    } catch (const std::exception&) {
        // A path the library refuses (bad_alloc aside): no revision, the digest serves.
        return std::nullopt;
    }
}

std::string desired_state_digest(const DesiredState& loaded) {
    json::array webhooks;
    for (const auto& w : loaded.webhooks) {
        json::object labels;
        for (const auto& [key, value] : w.labels)
            labels[key] = value;
        json::array events;
        for (const auto& e : w.event_types)
            events.emplace_back(e);
        // A plain source's reference is the value itself: only its kind counts.
        const bool plain = w.secret_ref.kind == SecretSource::Kind::plain;
        webhooks.push_back(json::object{
            {"name", w.name},
            {"labels", std::move(labels)},
            {"eventTypes", std::move(events)},
            {"endpointUrl", w.endpoint_url},
            {"enabled", w.enabled},
            {"retryInterval", w.retry_policy.retry_interval},
            {"maxRetries", w.retry_policy.max_retries},
            {"payloadTemplate", w.payload_template},
            {"secretKind", static_cast<int>(w.secret_ref.kind)},
            {"secretReference", plain ? std::string() : w.secret_ref.reference},
        });
    }
    json::array duplicates;
    for (const auto& d : loaded.duplicates) {
        json::array places;
        for (const auto& place : d.places)
            places.emplace_back(place.format());
        duplicates.push_back(json::object{{"name", d.name}, {"places", std::move(places)}});
    }
    const json::object canonical{{"webhooks", std::move(webhooks)},
                                 {"duplicates", std::move(duplicates)},
                                 {"errors", loaded.errors}};
    return sha256_hex(json::serialize(canonical));
}

ManifestRevision manifest_revision(const fs::path& manifest_dir, const DesiredState& loaded) {
    if (auto git = git_revision(manifest_dir))
        return *std::move(git);
    try {
        return ManifestRevision{.kind = "digest", .value = desired_state_digest(loaded), .ref = {}};
    } catch (const std::exception&) {
        // Only an OpenSSL without SHA-256 gets here; a revision is no reason to stop.
        return ManifestRevision{.kind = "digest", .value = {}, .ref = {}};
    }
}

} // namespace hookwarden
