// Reading a plan in assertions: the item of one name, and the fields an item
// changes.
#pragma once

#include "core/plan.hpp"

#include <doctest/doctest.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace hookwarden::testing {

/// The plan's item named `name` (of `kind`, when given); fails the test
/// when there is none.
inline const PlanItem& item_named(const Plan& plan, const std::string& name,
                                  std::optional<ResourceKind> kind = std::nullopt) {
    for (const auto& item : plan.items)
        if (item.name == name && (!kind || item.kind == *kind))
            return item;
    FAIL("no plan item " << name);
    throw std::logic_error("unreachable");
}

/// The fields `item` changes, in the plan's order.
inline std::vector<std::string> fields_of(const PlanItem& item) {
    std::vector<std::string> out;
    for (const auto& change : item.changes)
        out.push_back(change.field);
    return out;
}

} // namespace hookwarden::testing
