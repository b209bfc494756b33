// The snapshot files of the state directory after a reconcile cycle (SPEC
// §6a), the daemon's and `apply`'s alike.
//
// After a cycle the writer asks the tenant for what the files need beyond
// the cycle — the delivery metrics of the owned webhooks over the health
// window (one call; the client batches 100 ids a request) and the audit
// trail since the stored cursor (one tenant-wide query, every page) — and
// then writes, in this order: changes.jsonl, audit/, health.json (the old
// one kept in history/), metrics.prom, status.json (the old one kept in
// history/; with the secret rotations in progress, read from state.json
// after the cycle saved it). status.json comes last, so that a reader who
// sees a cycle in it finds every other file of that cycle already written.
//
// A failure of any one file is logged (warning), counted
// (snapshot_failures), listed in status.json's snapshotErrors and carried
// in the report for STATUS=; it never fails the cycle and never stops the
// other files. With `snapshots.health: false` or `audit: false` the matching
// query is not sent and the file is not written. When the cycle could not
// reach the tenant, no query is sent: the last health and audit files stay.
//
// One writer lives as long as its process: the daemon's counts cycles,
// changes and requests (by status class, across tenant clients replaced by
// a reload) for its whole life, as metrics.prom's counters require. Not
// thread-safe: one cycle at a time, which is how both callers run.
#pragma once

#include "core/engine.hpp"
#include "core/manifest.hpp"
#include "core/plan.hpp"
#include "core/snapshot/metrics_text.hpp"
#include "core/snapshot/status_file.hpp"
#include "daemon/service/config.hpp"
#include "daemon/tenant/tenant_http.hpp"

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

namespace hookwarden {

struct SnapshotSettings {
    std::filesystem::path state_dir;
    std::filesystem::path manifest_dir; ///< its git commit or digest is the manifest revision
    SnapshotConfig snapshots;
    std::string source = "daemon"; ///< daemon | apply
    /// The health window ends when the snapshot is taken (SPEC §6a: 24 h);
    /// the audit trail's first query reaches back as far.
    std::chrono::seconds health_window{24 * 60 * 60};
};

/// The settings of `config` for `source` ("daemon" or "apply").
SnapshotSettings snapshot_settings(const Config& config, std::string source);

/// The version hookwarden writes into status.json and metrics.prom.
const char* hookwarden_version() noexcept;

/// A new cycle id: 8 random hex digits.
std::string new_cycle_id();

class SnapshotWriter {
public:
    explicit SnapshotWriter(SnapshotSettings settings);

    /// A reload's settings (state_dir stays: the daemon never moves it).
    void set_settings(SnapshotSettings settings);

    /// Queries the tenant and writes every file of the cycle `report`
    /// describes (its result, or its error when no plan could be made).
    /// Fills the report's source, version, manifest revision, change-log
    /// head and snapshot errors. `plan` is the plan the cycle executed, when
    /// one was made; `desired` the desired state it was made from. Reads
    /// the wall clock for the query windows and takenAt.
    void write(CycleReport& report, const DesiredState& desired, const Plan* plan, TenantHttp& tenant);

    /// On SIGTERM: status.json once more without nextRun, as no next run
    /// will come. Nothing when there is none yet or it cannot be read.
    void write_final_status();

    /// What this writer has counted since it was made.
    const ProcessCounters& counters() const noexcept { return counters_; }

private:
    struct Errors;
    ChangeLogHead write_change_log(const CycleReport& report, const std::string& revision,
                                   const Plan* plan, Errors& errors);
    void write_audit(TenantHttp& tenant, Errors& errors);
    std::optional<HealthSnapshot> write_health(const CycleReport& report, const Plan* plan,
                                               TenantHttp& tenant, Errors& errors);
    void count_requests(TenantHttp& tenant);

    SnapshotSettings settings_;
    ProcessCounters counters_;
    /// The end of the last converged cycle: this process's, or read from
    /// the metrics.prom an earlier process left (loaded once).
    std::optional<std::chrono::system_clock::time_point> last_success_;
    bool last_success_loaded_ = false;
    /// changes.jsonl's line count and last hash as this process last wrote
    /// or read them. The state lock keeps every other writer out, so a cycle
    /// that changed nothing need not read the whole, ever-growing file again
    /// (and a hand edit meanwhile is what `status --verify` reports).
    std::optional<ChangeLogHead> change_log_head_;
    /// The client whose counters were last added, and what they were then:
    /// a reload replaces the client, and its successor counts from zero.
    const TenantHttp* counted_client_ = nullptr;
    TenantHttpCounters counted_;
};

} // namespace hookwarden
