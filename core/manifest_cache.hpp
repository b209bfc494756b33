// Parsed manifest files kept between loads, so that a process loading the
// same directory again and again (the daemon, after every edit) parses only
// the files that changed.
//
// The caller owns the cache and passes it to load_manifests
// (core/manifest.hpp). Each file's result — its valid webhooks and
// triggers, its diagnostics, the names it declares — is kept under its path
// together with the file's identity: device, inode, size and modification
// time to the nanosecond, as discovery found them (FileStamp,
// manifest_discovery.hpp).
// On the next load, for each file found:
//   - same identity: the result is reused and the file is not even read;
//   - another identity: the file is read and hashed (SHA-256); when the hash
//     is the one the result was parsed from (a `touch`, a checkout that
//     rewrote the same bytes) the result is reused, otherwise the file is
//     parsed again;
//   - a file that can no longer be read gets its error, and is forgotten.
// Files the load no longer finds are forgotten too.
//
// A load through the cache returns exactly what an uncached load returns,
// diagnostics included: a file's result depends only on its text, its path
// as displayed and the options, and all three are part of what is compared.
// A change that keeps the device, inode, size and nanosecond mtime of a file
// would go unseen; no editor, VCS or configuration tool makes one.
#pragma once

#include "core/manifest.hpp"
#include "core/manifest_discovery.hpp"

#include <atomic>
#include <cstddef>
#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace hookwarden {

class ManifestCache {
public:
    ManifestCache();
    ~ManifestCache();
    ManifestCache(const ManifestCache&) = delete;
    ManifestCache& operator=(const ManifestCache&) = delete;

    /// How many times a file was parsed (rather than reused) by the loads
    /// that used this cache.
    std::size_t parses() const noexcept { return parses_.load(std::memory_order_relaxed); }

    /// How many files have a result kept.
    std::size_t size() const;

    /// For load_manifests: the result of one file (see above). Calls for
    /// different files of one load may run at the same time.
    std::shared_ptr<const ManifestSet> load(const ManifestFile& file, const ManifestOptions& options);

    /// For load_manifests, once a load has every result: forgets the files
    /// that are not in `files`.
    void retain_only(const std::vector<ManifestFile>& files);

private:
    struct Entry {
        FileStamp identity;
        std::string sha256;
        ManifestOptions options;
        std::shared_ptr<const ManifestSet> result;
    };

    /// Guards entries_; shared for look-ups, which is all an unchanged file
    /// needs. File I/O and parsing run unlocked.
    mutable std::shared_mutex mutex_;
    std::unordered_map<std::string, Entry> entries_; ///< by displayed path
    std::atomic<std::size_t> parses_{0};
};

} // namespace hookwarden
