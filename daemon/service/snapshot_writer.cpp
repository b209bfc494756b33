#include "daemon/service/snapshot_writer.hpp"

#include "core/atomic_file.hpp"
#include "core/plan_render.hpp"
#include "core/secret_rotation.hpp"
#include "core/sha256.hpp"
#include "core/snapshot/audit_store.hpp"
#include "core/snapshot/change_log.hpp"
#include "core/snapshot/health_snapshot.hpp"
#include "core/snapshot/manifest_revision.hpp"
#include "core/snapshot/snapshot_file.hpp"
#include "core/state_store.hpp"
#include "daemon/service/log.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cstdio>
#include <random>
#include <sstream>
#include <utility>

#ifndef HOOKWARDEN_VERSION
#define HOOKWARDEN_VERSION "0.0.0"
#endif

namespace hookwarden {

namespace {

namespace fs = std::filesystem;
using SystemClock = std::chrono::system_clock;

/// Audit entries a page (the API's largest): a quiet tenant's trail since
/// the last cycle fits in one.
constexpr int audit_page_size = 500;

/// The file's text; none when it is absent or cannot be read.
std::optional<std::string> read_file(const fs::path& file) {
    auto read = read_file_if_exists(file);
    return read ? *read : std::nullopt;
}

/// hookwarden_last_success_timestamp_seconds from a metrics.prom an earlier
/// process wrote; none when it has no such sample (never converged).
std::optional<SystemClock::time_point> last_success_in(const fs::path& metrics) {
    const auto text = read_file(metrics);
    if (!text)
        return std::nullopt;
    static constexpr std::string_view name = "hookwarden_last_success_timestamp_seconds ";
    std::istringstream lines(*text);
    for (std::string line; std::getline(lines, line);) {
        if (!line.starts_with(name))
            continue;
        double seconds = 0;
        if (std::sscanf(line.c_str() + name.size(), "%lf", &seconds) != 1 || seconds <= 0)
            return std::nullopt;
        return SystemClock::time_point(std::chrono::duration_cast<SystemClock::duration>(
            std::chrono::duration<double>(seconds)));
    }
    return std::nullopt;
}

std::uint64_t since(std::uint64_t now, std::uint64_t then) { return now >= then ? now - then : now; }

} // namespace

/// The failures of one write(): logged once each, as they happen.
struct SnapshotWriter::Errors {
    std::string cycle_id;
    std::vector<std::pair<std::string, std::string>> list;

    void add(std::string file, std::string message) {
        log_warning("snapshot " + file + " not written: " + message + "; reconciliation goes on",
                    {.cycle_id = cycle_id});
        list.emplace_back(std::move(file), std::move(message));
    }
};

SnapshotSettings snapshot_settings(const Config& config, std::string source) {
    return {.state_dir = config.state_dir,
            .manifest_dir = config.manifests,
            .snapshots = config.snapshots,
            .source = std::move(source)};
}

const char* hookwarden_version() noexcept { return HOOKWARDEN_VERSION; }

std::string new_cycle_id() {
    std::random_device device;
    char id[9]; // 8 hex digits of 32 bits and the NUL: it always fits
    (void)std::snprintf(id, sizeof id, "%08x", static_cast<unsigned>(device()));
    return id;
}

SnapshotWriter::SnapshotWriter(SnapshotSettings settings) : settings_(std::move(settings)) {}

void SnapshotWriter::set_settings(SnapshotSettings settings) {
    settings.state_dir = settings_.state_dir;
    settings_ = std::move(settings);
}

void SnapshotWriter::write(CycleReport& report, const DesiredState& desired, const Plan* plan,
                           TenantHttp& tenant) {
    Errors errors{.cycle_id = report.cycle_id, .list = {}};
    report.source = settings_.source;
    report.hookwarden_version = hookwarden_version();
    report.manifest_revision = manifest_revision(settings_.manifest_dir, desired);
    report.change_log = write_change_log(report, report.manifest_revision.value, plan, errors);

    // Without a plan the tenant did not answer: asking again now would only
    // add retries to a cycle that already failed, and the files stay.
    std::optional<HealthSnapshot> health;
    if (report.result) {
        if (settings_.snapshots.audit)
            write_audit(tenant, errors);
        if (settings_.snapshots.health)
            health = write_health(report, plan, tenant, errors);
    }

    // Read after the cycle saved its state: its own rotations are in, and
    // the ones it ended are out.
    if (auto state = StateStore(settings_.state_dir).load(); state)
        report.rotations = rotations_in_progress(*state, SystemClock::now());
    else
        errors.add("status.json", "the rotations in progress could not be read: " + state.error().describe());

    ++counters_.cycles_by_outcome[report.outcome()];
    count_requests(tenant);
    if (!last_success_loaded_) {
        last_success_loaded_ = true;
        last_success_ = last_success_in(settings_.state_dir / "metrics.prom");
    }
    if (report.outcome() == "converged")
        last_success_ = report.finished;

    // metrics.prom counts its own failure only from the next cycle on: its
    // text is made before it is known. status.json lists every failure.
    counters_.snapshot_failures += errors.list.size();
    report.snapshot_errors = errors.list;
    const auto metrics = metrics_text(report, counters_, health, last_success_, hookwarden_version());
    if (auto written = write_snapshot_file(settings_.state_dir / "metrics.prom", metrics); !written) {
        ++counters_.snapshot_failures;
        errors.add("metrics.prom", written.error().describe());
        report.snapshot_errors = errors.list;
    }

    auto kept = keep_history(settings_.state_dir, "status", report.cycle_id, settings_.snapshots.keep);
    auto written = kept ? write_status_snapshot(settings_.state_dir, report) : Result<void>(kept.error());
    if (!written) {
        ++counters_.snapshot_failures;
        errors.add("status.json", written.error().describe());
        report.snapshot_errors = errors.list; // for STATUS=, which is all that shows it now
    }
}

ChangeLogHead SnapshotWriter::write_change_log(const CycleReport& report, const std::string& revision,
                                               const Plan* plan, Errors& errors) {
    std::vector<ChangeRecord> records;
    if (report.result) {
        const std::string plan_digest = plan ? sha256_hex(render_plan_json(*plan)) : std::string();
        records = change_records(*report.result, {.cycle_id = report.cycle_id,
                                                  .time = report.finished,
                                                  .manifest_revision = revision,
                                                  .plan_digest = plan_digest});
    }
    for (const auto& record : records)
        ++counters_.changes_by_action[record.action];
    if (records.empty() && change_log_head_)
        return *change_log_head_;
    auto head = append_changes(settings_.state_dir, records);
    if (head) {
        change_log_head_ = *head;
        return *head;
    }
    errors.add("changes.jsonl", head.error().describe());
    // The head of the file as it is, so that status.json still matches it.
    change_log_head_.reset();
    auto current = append_changes(settings_.state_dir, {});
    if (!current)
        return {};
    change_log_head_ = *current;
    return *current;
}

void SnapshotWriter::write_audit(TenantHttp& tenant, Errors& errors) {
    AuditStore store(settings_.state_dir);
    auto interval = store.query_interval(SystemClock::now(), settings_.health_window);
    if (!interval)
        return errors.add("audit/", interval.error().describe());
    auto entries = tenant.audit_entries({.entity_id = {}, .interval = *interval, .page_size = audit_page_size});
    if (!entries) {
        // A stop (SIGTERM) cancels the query: nothing failed, the trail
        // waits for the next run.
        if (entries.error().kind != ErrorKind::cancelled)
            errors.add("audit/", "the audit trail could not be read: " + entries.error().describe());
        return;
    }
    auto stored = store.store(*entries);
    if (!stored)
        return errors.add("audit/", stored.error().describe());
    const auto& problems = store.problems();
    if (!problems.empty())
        errors.add("audit/", problems.front() +
                                 (problems.size() > 1 ? " (and " + std::to_string(problems.size() - 1) +
                                                            " more; see the log)"
                                                      : ""));
    for (std::size_t i = 1; i < problems.size(); ++i)
        log_warning(problems[i], {.cycle_id = errors.cycle_id});
    if (*stored > 0)
        log_debug("audit: " + std::to_string(*stored) + " new entries stored", {.cycle_id = errors.cycle_id});
}

std::optional<HealthSnapshot> SnapshotWriter::write_health(const CycleReport& report, const Plan* plan,
                                                           TenantHttp& tenant, Errors& errors) {
    // The owned webhooks after the cycle: its creates are in, its deletes out.
    auto state = StateStore(settings_.state_dir).load();
    if (!state) {
        errors.add("health.json", "the owned webhooks could not be read: " + state.error().describe());
        return std::nullopt;
    }
    std::vector<HealthSubject> owned;
    std::vector<std::string> ids;
    for (const auto& [name, entry] : state->owned) {
        if (entry.id.empty())
            continue; // a create whose answer is still unknown
        HealthSubject subject{.id = entry.id, .name = name};
        if (plan) {
            // A webhook created in this cycle was not listed: "unknown",
            // which is what the tenant says before any delivery.
            if (auto listed = plan->health_by_id.find(entry.id); listed != plan->health_by_id.end())
                subject.health_status = listed->second.status;
        }
        ids.push_back(entry.id);
        owned.push_back(std::move(subject));
    }

    const auto end = SystemClock::now();
    const auto start = end - settings_.health_window;
    std::vector<DeliveryMetrics> metrics;
    if (!ids.empty()) {
        auto got = tenant.delivery_metrics(ids, format_rfc3339(start) + "/" + format_rfc3339(end));
        if (!got) {
            if (got.error().kind != ErrorKind::cancelled)
                errors.add("health.json", "the delivery metrics could not be read: " + got.error().describe());
            return std::nullopt;
        }
        metrics = std::move(*got);
    }
    auto snapshot = make_health_snapshot(owned, metrics, end, start, end);
    auto kept = keep_history(settings_.state_dir, "health", report.cycle_id, settings_.snapshots.keep);
    if (!kept) {
        errors.add("health.json", kept.error().describe());
        return snapshot;
    }
    if (auto written = write_snapshot_file(settings_.state_dir / "health.json",
                                           boost::json::serialize(health_json(snapshot)) + "\n");
        !written)
        errors.add("health.json", written.error().describe());
    return snapshot;
}

void SnapshotWriter::count_requests(TenantHttp& tenant) {
    const auto now = tenant.counters();
    if (&tenant != counted_client_) {
        counted_client_ = &tenant;
        counted_ = {};
    }
    for (const auto& [status_class, count] : now.answers_by_class) {
        const auto before = counted_.answers_by_class.find(status_class);
        counters_.requests_by_class[status_class] +=
            since(count, before == counted_.answers_by_class.end() ? 0 : before->second);
    }
    counters_.rate_limited += since(now.rate_limited, counted_.rate_limited);
    counted_ = now;
}

void SnapshotWriter::write_final_status() {
    const auto file = settings_.state_dir / "status.json";
    const auto text = read_file(file);
    if (!text)
        return;
    boost::system::error_code ec;
    auto status = boost::json::parse(*text, ec);
    if (ec || !status.is_object() || !status.as_object().contains("nextRun"))
        return;
    status.as_object().erase("nextRun");
    if (auto written = write_snapshot_file(file, boost::json::serialize(status) + "\n"); !written)
        log_warning("cannot write the final status.json: " + written.error().describe());
}

} // namespace hookwarden
