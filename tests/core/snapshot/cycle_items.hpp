// Builds a cycle's items from the counts a test wants, so that figures
// derived from the items (per kind) and the totals agree.
#pragma once

#include "core/engine.hpp"

#include <string>
#include <vector>

namespace hookwarden::testing {

/// Items of `kind` whose count_items() is `counts`, appended to `into`.
inline void add_items(std::vector<ItemResult>& into, const CycleCounts& counts,
                      ResourceKind kind = ResourceKind::webhook) {
    auto add = [&](std::size_t n, PlanAction action, ItemOutcome outcome) {
        for (std::size_t i = 0; i < n; ++i)
            into.push_back(ItemResult{.name = std::string(to_string(kind)) + "-" +
                                              std::to_string(into.size()),
                                      .kind = kind,
                                      .action = action,
                                      .outcome = outcome});
    };
    add(counts.created, PlanAction::create, ItemOutcome::done);
    add(counts.updated, PlanAction::update, ItemOutcome::done);
    add(counts.adopted, PlanAction::adopt, ItemOutcome::done);
    add(counts.deleted, PlanAction::remove, ItemOutcome::done);
    add(counts.replaced, PlanAction::replace, ItemOutcome::done);
    add(counts.unchanged, PlanAction::unchanged, ItemOutcome::unchanged);
    add(counts.retained, PlanAction::retain, ItemOutcome::retained);
    add(counts.failed, PlanAction::update, ItemOutcome::failed);
    add(counts.conflicts, PlanAction::conflict, ItemOutcome::refused);
    add(counts.deferred, PlanAction::update, ItemOutcome::deferred);
}

} // namespace hookwarden::testing
