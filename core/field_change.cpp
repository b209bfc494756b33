#include "core/field_change.hpp"

namespace hookwarden {

FieldChange field_change(std::string field, std::optional<boost::json::value> old_value,
                         std::optional<boost::json::value> new_value) {
    return FieldChange{std::move(field), std::move(old_value), std::move(new_value), false};
}

} // namespace hookwarden
