// The one rule by which the daemon takes a newly loaded desired state, and
// the refusal it shows in STATUS= while it keeps the old one (SPEC §6).
//
// The run loop loads manifests on three paths: an inotify change, the
// re-read before a cycle while unwatched, and SIGHUP with a new config. All
// three ask this gate. A broken edit must not undo a good desired state
// (prune would act on the gap); when the state in force is itself broken
// (the start was), the newest is as good as any. A refusal stays in STATUS=
// until a later load is taken: a refused reload until a reload is (a
// refused or accepted manifest change does not hide it), a refused manifest
// change until any manifests are.
#pragma once

#include "core/manifest.hpp"

#include <memory>
#include <optional>
#include <string>

namespace hookwarden {

/// Never changed once loaded: the loop replaces it whole, and a cycle
/// shares the one it started with instead of copying it.
using DesiredPtr = std::shared_ptr<const DesiredState>;

/// Where a load came from: the manifests alone, or a reload (SIGHUP) of
/// config and manifests together.
enum class LoadSource { manifests, reload };

class DesiredStateGate {
public:
    /// The desired state in force; null before the first take().
    const DesiredPtr& in_force() const { return in_force_; }

    /// Why `next` may not replace the state in force, if it may not:
    /// `manifests invalid (N errors)` when `next` has errors and the state
    /// in force has none.
    std::optional<std::string> refusal_of(const DesiredState& next) const;

    /// The manifests path: takes `next` unless refusal_of says no, and then
    /// clears a refused manifest change (not a refused reload). Returns the
    /// refusal, recorded as by refuse(), when `next` was not taken.
    std::optional<std::string> offer(DesiredPtr next);

    /// Takes `next` unconditionally and clears any refusal: the start, and
    /// a reload whose config and manifests were all accepted.
    void take(DesiredPtr next);

    /// Records why a load from `source` was refused, for STATUS=. A refused
    /// manifest change does not replace a refused reload's reason.
    void refuse(std::string reason, LoadSource source);

    /// The refusal STATUS= leads with, if any.
    const std::optional<std::string>& refusal() const { return refusal_; }

private:
    DesiredPtr in_force_;
    std::optional<std::string> refusal_;
    bool refusal_is_reload_ = false;
};

} // namespace hookwarden
