// `stateDir/metrics.prom`: the last cycle and this process's counters in the
// Prometheus text exposition format 0.0.4, for node_exporter's textfile
// collector (SPEC §6a).
//
// Every family has `# HELP` and `# TYPE`, even when it has no sample (the
// last success before any, delivery figures without a health snapshot), so
// that dashboards find the same set of names every time. Families and
// samples come in a fixed order; label values are escaped as the format
// says (backslash, double quote, newline). Families:
//   hookwarden_build_info{version}                      gauge 1
//   hookwarden_items{kind,state}                        gauge, last cycle
//   hookwarden_cycle_duration_seconds                   gauge, last cycle
//   hookwarden_cycle_last_outcome{outcome}              gauge, 1 for the last one
//   hookwarden_cycles_total{outcome}                    counter, this process
//   hookwarden_last_success_timestamp_seconds           gauge, omitted when never
//   hookwarden_changes_total{action}                    counter, this process
//   hookwarden_api_requests_total{class}                counter, this process
//   hookwarden_api_rate_limited_total                   counter, 429s seen
//   hookwarden_snapshot_failures_total                  counter
//   hookwarden_webhook_delivery_success{name}           gauge, health window
//   hookwarden_webhook_delivery_failure{name}           gauge, health window
//   hookwarden_webhook_delivery_failure_ratio{name}     gauge, omitted without delivery
#pragma once

#include "core/snapshot/health_snapshot.hpp"
#include "core/snapshot/status_file.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace hookwarden {

/// What this process counted since it started (`apply`: its one cycle).
struct ProcessCounters {
    std::map<std::string, std::uint64_t> cycles_by_outcome; ///< converged | failed | unreachable
    std::map<std::string, std::uint64_t> changes_by_action; ///< create | update | adopt | delete
    std::map<std::string, std::uint64_t> requests_by_class; ///< 2xx | 3xx | 4xx | 5xx | transport
    std::uint64_t rate_limited = 0;
    std::uint64_t snapshot_failures = 0;
};

/// The whole of metrics.prom. The usual keys of each counter map are
/// always written (0 when absent); other keys follow in their order.
/// `last_success` is the end of the last converged cycle, from this process
/// or taken over from the previous files.
std::string metrics_text(const CycleReport& report, const ProcessCounters& counters,
                         const std::optional<HealthSnapshot>& health,
                         std::optional<std::chrono::system_clock::time_point> last_success,
                         std::string_view version);

/// A label value as the text format writes it between double quotes.
std::string escape_label_value(std::string_view value);

} // namespace hookwarden
