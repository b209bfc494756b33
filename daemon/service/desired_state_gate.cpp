#include "daemon/service/desired_state_gate.hpp"

namespace hookwarden {

std::optional<std::string> DesiredStateGate::refusal_of(const DesiredState& next) const {
    if (next.errors > 0 && in_force_ && in_force_->errors == 0)
        return "manifests invalid (" + std::to_string(next.errors) + " errors)";
    return std::nullopt;
}

std::optional<std::string> DesiredStateGate::offer(DesiredPtr next) {
    if (auto refusal = refusal_of(*next)) {
        refuse(*refusal, LoadSource::manifests);
        return refusal;
    }
    if (!refusal_is_reload_)
        refusal_.reset();
    in_force_ = std::move(next);
    return std::nullopt;
}

void DesiredStateGate::take(DesiredPtr next) {
    in_force_ = std::move(next);
    refusal_.reset();
    refusal_is_reload_ = false;
}

void DesiredStateGate::refuse(std::string reason, LoadSource source) {
    if (refusal_is_reload_ && source == LoadSource::manifests)
        return;
    refusal_ = std::move(reason);
    refusal_is_reload_ = source == LoadSource::reload;
}

} // namespace hookwarden
