#include "core/snapshot/metrics_text.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <vector>

namespace hookwarden {

std::string escape_label_value(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

namespace {

/// The shortest text that reads back as the same double.
std::string number(double value) {
    std::array<char, 64> buffer{};
    const auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
    return ec == std::errc{} ? std::string(buffer.data(), end) : std::string("NaN");
}

std::string number(std::uint64_t value) { return std::to_string(value); }
std::string number(std::int64_t value) { return std::to_string(value); }

struct Label {
    std::string_view name;
    std::string_view value;
};

class Exposition {
  public:
    void family(std::string_view name, std::string_view type, std::string_view help) {
        name_ = name;
        text_ += "# HELP ";
        text_ += name;
        text_ += ' ';
        text_ += help;
        text_ += "\n# TYPE ";
        text_ += name;
        text_ += ' ';
        text_ += type;
        text_ += '\n';
    }

    void sample(std::initializer_list<Label> labels, const std::string& value) {
        text_ += name_;
        if (labels.size() > 0) {
            text_ += '{';
            bool first = true;
            for (const auto& label : labels) {
                if (!first)
                    text_ += ',';
                first = false;
                text_ += label.name;
                text_ += "=\"";
                text_ += escape_label_value(label.value);
                text_ += '"';
            }
            text_ += '}';
        }
        text_ += ' ';
        text_ += value;
        text_ += '\n';
    }

    /// A counter by one label: the usual keys first (0 when absent), then the others.
    void by_label(std::string_view label, const std::vector<std::string_view>& usual,
                  const std::map<std::string, std::uint64_t>& counts) {
        for (const auto key : usual) {
            const auto found = counts.find(std::string(key));
            sample({{label, key}}, number(found == counts.end() ? std::uint64_t{0} : found->second));
        }
        for (const auto& [key, count] : counts)
            if (std::find(usual.begin(), usual.end(), key) == usual.end())
                sample({{label, key}}, number(count));
    }

    std::string take() { return std::move(text_); }

  private:
    std::string text_;
    std::string_view name_;
};

} // namespace

std::string metrics_text(const CycleReport& report, const ProcessCounters& counters,
                         const std::optional<HealthSnapshot>& health,
                         std::optional<std::chrono::system_clock::time_point> last_success,
                         std::string_view version) {
    Exposition out;
    out.family("hookwarden_build_info", "gauge", "The hookwarden version that wrote this file.");
    out.sample({{"version", version}}, "1");

    out.family("hookwarden_items", "gauge", "Items of the last cycle by what became of them.");
    for (const ResourceKind kind : all_resource_kinds) {
        const CycleCounts c =
            report.result ? count_items(report.result->items, kind) : CycleCounts{};
        const std::array<std::pair<std::string_view, std::size_t>, 10> states{
            {{"created", c.created},
             {"updated", c.updated},
             {"adopted", c.adopted},
             {"deleted", c.deleted},
             {"replaced", c.replaced},
             {"unchanged", c.unchanged},
             {"retained", c.retained},
             {"failed", c.failed},
             {"conflicts", c.conflicts},
             {"deferred", c.deferred}}};
        for (const auto& [state, count] : states)
            out.sample({{"kind", to_string(kind)}, {"state", state}}, number(std::uint64_t{count}));
    }

    out.family("hookwarden_cycle_duration_seconds", "gauge", "How long the last cycle took.");
    out.sample({}, number(std::chrono::duration<double>(report.finished - report.started).count()));

    out.family("hookwarden_cycle_last_outcome", "gauge", "1 for the outcome of the last cycle, 0 for the others.");
    const std::string outcome = report.outcome();
    for (const std::string_view o : {"converged", "failed", "unreachable"})
        out.sample({{"outcome", o}}, o == outcome ? "1" : "0");

    out.family("hookwarden_cycles_total", "counter", "Cycles run by this process, by outcome.");
    out.by_label("outcome", {"converged", "failed", "unreachable"}, counters.cycles_by_outcome);

    out.family("hookwarden_last_success_timestamp_seconds", "gauge",
               "Unix time of the end of the last converged cycle.");
    if (last_success)
        out.sample({}, number(std::chrono::duration<double>(last_success->time_since_epoch()).count()));

    out.family("hookwarden_changes_total", "counter", "Tenant writes made by this process, by action.");
    out.by_label("action", {"create", "update", "adopt", "delete"}, counters.changes_by_action);

    out.family("hookwarden_api_requests_total", "counter",
               "Tenant API requests of this process, by answer class (transport: no answer).");
    out.by_label("class", {"2xx", "3xx", "4xx", "5xx", "transport"}, counters.requests_by_class);

    out.family("hookwarden_api_rate_limited_total", "counter", "429 answers seen by this process.");
    out.sample({}, number(counters.rate_limited));

    out.family("hookwarden_snapshot_failures_total", "counter",
               "Snapshot files this process could not write.");
    out.sample({}, number(counters.snapshot_failures));

    const std::vector<HealthRecord> none;
    const auto& webhooks = health ? health->webhooks : none;
    out.family("hookwarden_webhook_delivery_success", "gauge",
               "Successful deliveries of each owned webhook over the health window.");
    for (const auto& w : webhooks)
        out.sample({{"name", w.name}}, number(w.success_count));
    out.family("hookwarden_webhook_delivery_failure", "gauge",
               "Failed deliveries of each owned webhook over the health window.");
    for (const auto& w : webhooks)
        out.sample({{"name", w.name}}, number(w.failure_count));
    out.family("hookwarden_webhook_delivery_failure_ratio", "gauge",
               "Failed over all deliveries of each owned webhook over the health window.");
    for (const auto& w : webhooks)
        if (w.failure_rate)
            out.sample({{"name", w.name}}, number(*w.failure_rate));
    return out.take();
}

} // namespace hookwarden
