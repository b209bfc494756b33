#include "core/manifest_cache.hpp"

#include "core/source_file.hpp"

#include <openssl/evp.h>

#include <mutex>
#include <optional>
#include <stdexcept>
#include <unordered_set>

namespace hookwarden {

namespace {

std::string sha256(const std::string& text) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("OpenSSL could not compute a SHA-256 digest");
    return std::string(reinterpret_cast<const char*>(digest), length);
}

} // namespace

ManifestCache::ManifestCache() = default;
ManifestCache::~ManifestCache() = default;

std::size_t ManifestCache::size() const {
    std::shared_lock lock(mutex_);
    return entries_.size();
}

std::shared_ptr<const ManifestSet> ManifestCache::load(const ManifestFile& file,
                                                       const ManifestOptions& options) {
    const FileStamp& identity = file.stamp;
    std::optional<Entry> known;
    {
        std::shared_lock lock(mutex_);
        if (const auto found = entries_.find(file.display);
            found != entries_.end() && found->second.options == options) {
            if (found->second.identity == identity)
                return found->second.result;
            known = found->second;
        }
    }

    ManifestSet part;
    part.files = 1;
    const auto text = read_source_file(file.display, file.display, part.diagnostics);
    if (!text) {
        // Why it cannot be read may change without the file changing
        // (permissions): never kept.
        std::lock_guard lock(mutex_);
        entries_.erase(file.display);
        return std::make_shared<const ManifestSet>(std::move(part));
    }
    std::string digest = sha256(*text);
    if (known && known->sha256 == digest) {
        std::lock_guard lock(mutex_);
        entries_[file.display].identity = identity;
        return known->result;
    }
    load_manifest_text(*text, file.display, options, part);
    parses_.fetch_add(1, std::memory_order_relaxed);
    auto result = std::make_shared<const ManifestSet>(std::move(part));
    std::lock_guard lock(mutex_);
    entries_.insert_or_assign(file.display, Entry{identity, std::move(digest), options, result});
    return result;
}

void ManifestCache::retain_only(const std::vector<ManifestFile>& files) {
    std::unordered_set<std::string_view> present;
    present.reserve(files.size());
    for (const auto& file : files)
        present.insert(file.display);
    std::lock_guard lock(mutex_);
    std::erase_if(entries_, [&present](const auto& entry) { return !present.contains(entry.first); });
}

} // namespace hookwarden
