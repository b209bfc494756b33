#include "core/plan_render.hpp"

#include "core/ansi_palette.hpp"

#include <algorithm>
#include <boost/json.hpp>

namespace hookwarden {

namespace json = boost::json;

namespace {

using ansi::bold_red;
using ansi::cyan;
using ansi::green;
using ansi::red;
using ansi::yellow;

// A few words after the header line that say why an item is there.
std::string cause_words(ChangeCause cause) {
    switch (cause) {
    case ChangeCause::manifest_changed:
        return "manifest changed";
    case ChangeCause::drift:
        return "drift: changed outside hookwarden";
    case ChangeCause::deleted_in_tenant:
        return "deleted outside hookwarden";
    case ChangeCause::adoption:
        return "exists in the tenant, not owned yet";
    case ChangeCause::lost_create:
        return "made by a create whose answer was lost";
    case ChangeCause::secret_changed:
        return "secret source changed";
    case ChangeCause::secret_rotation:
        return "secret rotation";
    case ChangeCause::immutable_changed:
        return "a field fixed after creation changed";
    default:
        return {};
    }
}

// The item's name as people read it: webhooks by name alone (as before
// triggers existed), triggers said to be one, their names quoted (they may
// hold spaces).
std::string shown_name(ResourceKind kind, const std::string& name) {
    if (kind == ResourceKind::trigger)
        return "trigger \"" + name + "\"";
    return name;
}

std::string header(const PlanItem& item) {
    std::string out = shown_name(item.kind, item.name);
    std::string detail;
    if (!item.id.empty())
        detail = "id " + item.id;
    if (auto words = cause_words(item.cause); !words.empty())
        detail += (detail.empty() ? "" : ", ") + words;
    if (!detail.empty())
        out += " (" + detail + ")";
    return out;
}

std::string value_text(const std::optional<json::value>& value) {
    return value ? json::serialize(*value) : std::string("(none)");
}

void field_lines(std::string& out, const std::vector<FieldChange>& changes, bool creating) {
    std::size_t width = 0;
    for (const auto& c : changes)
        width = std::max(width, c.field.size());
    for (const auto& c : changes) {
        if (creating && c.field == "name")
            continue; // already the header
        out += "      " + c.field + std::string(width - c.field.size() + 2, ' ');
        if (c.sensitive)
            out += creating ? "(sensitive)" : "(sensitive value changed)";
        else if (creating)
            out += value_text(c.new_value);
        else
            out += value_text(c.old_value) + " -> " + value_text(c.new_value);
        out += '\n';
    }
}

// The line under an item whose previous secret is still accepted.
std::string rotation_line(const Plan& plan, const std::string& name) {
    for (const auto& rotation : plan.rotations)
        if (rotation.name == name)
            return "      secret rotation in progress: the previous secret is accepted until " +
                   format_rotation_time(rotation.until) + "\n";
    return {};
}

std::string plural(std::size_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}


// "3 webhooks", "3 webhooks, 2 triggers" or "2 triggers": the items of
// `plan` that `counted` keeps, by kind (webhooks always named when there
// are no triggers, so webhook-only plans read as they always have).
template <class Counted> std::string kind_words(const Plan& plan, Counted counted) {
    std::size_t webhooks = 0, triggers = 0;
    for (const auto& item : plan.items)
        if (counted(item))
            ++(item.kind == ResourceKind::trigger ? triggers : webhooks);
    std::string out;
    if (webhooks > 0 || triggers == 0)
        out = plural(webhooks, "webhook", "webhooks");
    if (triggers > 0)
        out += (out.empty() ? "" : ", ") + plural(triggers, "trigger", "triggers");
    return out;
}

} // namespace

std::string plan_summary_line(const Plan& plan) {
    const PlanCounts c = plan.counts();
    std::string problems;
    if (c.conflict)
        problems += ", " + plural(c.conflict, "conflict", "conflicts");
    if (c.error)
        problems += ", " + plural(c.error, "error", "errors");
    if (plan.manifest_errors)
        problems += ", " + plural(plan.manifest_errors, "manifest error", "manifest errors");
    if (!plan.has_changes()) {
        if (!problems.empty())
            return "No changes to make, but" + problems.substr(1) + " (" +
                   kind_words(plan, [](const PlanItem& item) {
                       return item.action == PlanAction::unchanged;
                   }) +
                   " unchanged).";
        const std::string desired = kind_words(plan, [](const PlanItem& item) {
            return item.action != PlanAction::remove && item.action != PlanAction::retain;
        });
        return "No changes. The tenant matches the manifests (" + desired + ").";
    }
    const std::string replaces =
        c.replace ? ", " + std::to_string(c.replace) + " to replace" : std::string();
    return "Plan: " + std::to_string(c.create) + " to create, " + std::to_string(c.update) +
           " to update, " + std::to_string(c.adopt) + " to adopt, " + std::to_string(c.remove) +
           " to delete" + replaces + ", " + std::to_string(c.unchanged) + " unchanged" + problems +
           ".";
}

std::string render_plan_text(const Plan& plan, const RenderOptions& options) {
    const Palette p{options.color};
    std::string body;
    for (const auto& item : plan.items) {
        std::string block;
        switch (item.action) {
        case PlanAction::create:
            block = p.paint(green, "  + create " + header(item)) + "\n";
            field_lines(block, item.changes, true);
            break;
        case PlanAction::update:
            block = p.paint(yellow, "  ~ update " + header(item)) + "\n";
            field_lines(block, item.changes, false);
            break;
        case PlanAction::adopt:
            block = p.paint(yellow, "  ~ adopt " + header(item)) + "\n";
            field_lines(block, item.changes, false);
            break;
        case PlanAction::remove:
            block = p.paint(red, "  - delete " + header(item)) + "\n";
            break;
        case PlanAction::replace:
            block = p.paint(red, "-/+ replace " + header(item)) + "\n";
            field_lines(block, item.changes, false);
            block += "      note: " + item.reason + "\n";
            break;
        case PlanAction::retain:
            block = p.paint(cyan, "  = keep " + header(item)) + ": " + item.reason + "\n";
            break;
        case PlanAction::conflict:
            block = p.paint(bold_red, "  ! conflict " + shown_name(item.kind, item.name)) + ": " +
                    item.reason + "\n";
            break;
        case PlanAction::error:
            block = p.paint(bold_red, "  ! error " + shown_name(item.kind, item.name)) + ": " +
                    item.reason + "\n";
            break;
        case PlanAction::unchanged:
            break;
        }
        if (!item.reason.empty() &&
            (item.action == PlanAction::create || item.action == PlanAction::update ||
             item.action == PlanAction::adopt))
            block += "      note: " + item.reason + "\n";
        if (item.rotation_grace)
            block += "      note: the previous secret stays valid at the receiver for " +
                     format_grace(*item.rotation_grace) +
                     " after apply, for deliveries the tenant is still retrying\n";
        if (item.action != PlanAction::remove)
            block += rotation_line(plan, item.name);
        for (const auto& warning : item.warnings)
            block += "      " + p.paint(yellow, "warning:") + " " + warning + "\n";
        if (item.action == PlanAction::unchanged && !block.empty())
            block.insert(0, "    " + shown_name(item.kind, item.name) + "\n");
        if (!block.empty())
            body += block + "\n";
    }
    if (plan.prune.blocked)
        body += p.paint(yellow, "Prune blocked:") + " " + plan.prune.reason + "\n\n";

    std::string out;
    if (!body.empty())
        out = "hookwarden will:\n\n" + body;
    return out + plan_summary_line(plan) + "\n";
}

json::object plan_to_json(const Plan& plan) {
    const PlanCounts c = plan.counts();
    json::object summary{{"create", c.create},     {"update", c.update},   {"adopt", c.adopt},
                         {"delete", c.remove},     {"replace", c.replace}, {"unchanged", c.unchanged},
                         {"retain", c.retain},     {"conflict", c.conflict}, {"error", c.error}};
    json::array candidates;
    for (const auto& name : plan.prune.candidates)
        candidates.emplace_back(name);
    json::object prune{
        {"enabled", plan.prune.enabled},
        {"candidates", std::move(candidates)},
        {"blocked", plan.prune.blocked},
        {"reason", plan.prune.blocked ? json::value(plan.prune.reason) : json::value(nullptr)}};

    json::array items;
    for (const auto& item : plan.items) {
        json::array changes;
        for (const auto& change : item.changes) {
            json::object c_json{{"field", change.field}, {"sensitive", change.sensitive}};
            if (!change.sensitive) {
                c_json["old"] = change.old_value ? *change.old_value : json::value(nullptr);
                c_json["new"] = change.new_value ? *change.new_value : json::value(nullptr);
            }
            changes.emplace_back(std::move(c_json));
        }
        json::array warnings;
        for (const auto& w : item.warnings)
            warnings.emplace_back(w);
        json::array conflicting;
        for (const auto& id : item.conflicting_ids)
            conflicting.emplace_back(id);
        items.emplace_back(json::object{
            {"name", item.name},
            {"kind", to_string(item.kind)},
            {"action", to_string(item.action)},
            {"cause", to_string(item.cause)},
            {"id", item.id.empty() ? json::value(nullptr) : json::value(item.id)},
            {"changes", std::move(changes)},
            {"reason", item.reason.empty() ? json::value(nullptr) : json::value(item.reason)},
            {"warnings", std::move(warnings)},
            {"conflictingIds", std::move(conflicting)},
        });
    }
    json::array rotations;
    for (const auto& rotation : plan.rotations)
        rotations.emplace_back(json::object{{"name", rotation.name},
                                            {"until", format_rotation_time(rotation.until)}});
    return json::object{{"formatVersion", plan_json_format_version},
                        {"hasChanges", plan.has_changes()},
                        {"hasErrors", plan.has_errors()},
                        {"summary", std::move(summary)},
                        {"manifestErrors", plan.manifest_errors},
                        {"prune", std::move(prune)},
                        {"items", std::move(items)},
                        {"rotations", std::move(rotations)}};
}

std::string render_plan_json(const Plan& plan) {
    return json::serialize(plan_to_json(plan)) + "\n";
}

std::string cycle_summary_line(const CycleResult& r) {
    const CycleCounts& c = r.counts;
    std::string out = "Apply: " + std::to_string(c.created) + " created, " +
                      std::to_string(c.updated) + " updated, " + std::to_string(c.adopted) +
                      " adopted, " + std::to_string(c.deleted) + " deleted, " +
                      std::to_string(c.unchanged) + " unchanged";
    if (c.replaced)
        out += ", " + std::to_string(c.replaced) + " replaced";
    if (c.failed)
        out += ", " + std::to_string(c.failed) + " failed";
    if (c.conflicts)
        out += ", " + plural(c.conflicts, "conflict", "conflicts");
    if (c.deferred)
        out += ", " + std::to_string(c.deferred) + " deferred";
    if (r.manifest_errors)
        out += ", " + plural(r.manifest_errors, "manifest error", "manifest errors");
    out += r.converged() ? ". Converged." : ". Not converged.";
    return out;
}

std::string render_item_result(const ItemResult& item, const RenderOptions& options) {
    const Palette p{options.color};
    const std::string id = item.id.empty() ? std::string() : " (id " + item.id + ")";
    const std::string name = shown_name(item.kind, item.name);
    std::string fields;
    if (item.action != PlanAction::create)
        for (const auto& change : item.changes)
            fields += (fields.empty() ? ": " : ", ") + change.field;
    const std::string why = item.error ? item.error->message : item.note;
    std::string line;
    switch (item.outcome) {
    case ItemOutcome::done:
        switch (item.action) {
        case PlanAction::create:
            line = p.paint(green, "  created ") + name + id;
            break;
        case PlanAction::update:
            line = p.paint(yellow, "  updated ") + name + id + fields;
            break;
        case PlanAction::adopt:
            line = p.paint(yellow, "  adopted ") + name + id + fields;
            break;
        case PlanAction::remove:
            line = p.paint(red, "  deleted ") + name + id;
            break;
        case PlanAction::replace:
            line = p.paint(red, "  replaced ") + name + id;
            break;
        default:
            break;
        }
        if (!line.empty() && !item.note.empty())
            line += " (" + item.note + ")";
        break;
    case ItemOutcome::failed:
        line = p.paint(bold_red, "  failed  ") + name + id + ": " + why;
        break;
    case ItemOutcome::refused:
        line =
            p.paint(bold_red, item.action == PlanAction::conflict ? "  conflict " : "  error   ") +
            name + ": " + why;
        break;
    case ItemOutcome::deferred:
        line = p.paint(yellow, "  waiting ") + name + ": " + item.note;
        break;
    case ItemOutcome::unchanged:
    case ItemOutcome::retained:
        break;
    }
    return line.empty() ? line : line + "\n";
}

std::string render_cycle_footer(const CycleResult& result, const RenderOptions& options) {
    const Palette p{options.color};
    std::string out;
    if (!result.prune_blocked_reason.empty())
        out += p.paint(yellow, "Prune blocked:") + " " + result.prune_blocked_reason + "\n";
    if (result.state_error)
        out += p.paint(bold_red, "State not saved:") + " " + result.state_error->describe() + "\n";
    return out + cycle_summary_line(result) + "\n";
}

std::string render_cycle_text(const CycleResult& result, const RenderOptions& options) {
    std::string out;
    for (const auto& item : result.items)
        out += render_item_result(item, options);
    return out + render_cycle_footer(result, options);
}

} // namespace hookwarden
