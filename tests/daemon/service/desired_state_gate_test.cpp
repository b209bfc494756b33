// The rule by which the daemon takes a newly loaded desired state
// (daemon/service/desired_state_gate.hpp), and how long a refusal stays in
// STATUS=: a refused reload until a reload is taken, a refused edit until
// any manifests are.
#include "daemon/service/desired_state_gate.hpp"

#include <doctest/doctest.h>

using namespace hookwarden;

namespace {

/// A loaded desired state of `webhooks` valid documents and `errors` errors.
DesiredPtr loaded(std::size_t webhooks, std::size_t errors = 0) {
    DesiredState state;
    for (std::size_t i = 0; i < webhooks; ++i)
        state.webhooks.push_back(WebhookManifest{.name = "hook-" + std::to_string(i)});
    state.errors = errors;
    return std::make_shared<const DesiredState>(std::move(state));
}

const std::string reload_refused = "reload refused: configuration invalid (1 errors)";

} // namespace

TEST_CASE("a broken edit never replaces a good desired state") {
    DesiredStateGate gate;
    const auto good = loaded(2);
    gate.take(good);

    const auto refusal = gate.offer(loaded(1, 3));
    REQUIRE(refusal);
    CHECK(*refusal == "manifests invalid (3 errors)");
    CHECK(gate.in_force() == good);
    CHECK(gate.refusal() == refusal);
}

TEST_CASE("which loads replace the desired state in force") {
    struct Case {
        const char* what;
        std::size_t in_force_errors;
        std::size_t next_errors;
        bool taken;
    };
    for (const Case& c : {
             Case{"a good edit of a good state", 0, 0, true},
             Case{"a broken edit of a good state", 0, 1, false},
             Case{"a good edit of a broken state", 2, 0, true},
             Case{"a broken edit of a broken state: the newest is as good as any", 2, 5, true},
         }) {
        CAPTURE(c.what);
        DesiredStateGate gate;
        gate.take(loaded(2, c.in_force_errors));
        const auto next = loaded(3, c.next_errors);
        CHECK(gate.refusal_of(*next).has_value() == !c.taken);
        CHECK(!gate.offer(next).has_value() == c.taken);
        CHECK((gate.in_force() == next) == c.taken);
    }
}

TEST_CASE("a refused edit stays in STATUS until manifests are taken") {
    DesiredStateGate gate;
    gate.take(loaded(2));
    REQUIRE(gate.offer(loaded(2, 1)));
    REQUIRE(gate.offer(loaded(2, 4)));
    CHECK(gate.refusal() == "manifests invalid (4 errors)"); // the latest refusal

    CHECK_FALSE(gate.offer(loaded(3)));
    CHECK_FALSE(gate.refusal());
}

TEST_CASE("a rejected reload stays in STATUS until a reload is taken") {
    DesiredStateGate gate;
    gate.take(loaded(2));
    gate.refuse(reload_refused, LoadSource::reload);
    CHECK(gate.refusal() == reload_refused);

    SUBCASE("an accepted edit does not hide it") {
        CHECK_FALSE(gate.offer(loaded(3)));
        CHECK(gate.in_force()->webhooks.size() == 3);
        CHECK(gate.refusal() == reload_refused);
    }
    SUBCASE("a refused edit does not replace it") {
        CHECK(gate.offer(loaded(3, 1)));
        CHECK(gate.refusal() == reload_refused);
    }
    SUBCASE("a later refused reload replaces it") {
        gate.refuse("reload refused: manifests invalid (2 errors)", LoadSource::reload);
        CHECK(gate.refusal() == "reload refused: manifests invalid (2 errors)");
    }
    SUBCASE("a taken reload clears it") {
        gate.take(loaded(4));
        CHECK_FALSE(gate.refusal());
        SUBCASE("and a later refused edit shows again") {
            CHECK(gate.offer(loaded(1, 1)));
            CHECK(gate.refusal() == "manifests invalid (1 errors)");
        }
    }
}

TEST_CASE("a refused reload replaces a refused edit in STATUS") {
    DesiredStateGate gate;
    gate.take(loaded(2));
    REQUIRE(gate.offer(loaded(2, 1)));
    gate.refuse(reload_refused, LoadSource::reload);
    CHECK(gate.refusal() == reload_refused);
    CHECK_FALSE(gate.offer(loaded(2))); // an accepted edit now leaves it
    CHECK(gate.refusal() == reload_refused);
}

TEST_CASE("a reload is refused by the same rule as an edit") {
    DesiredStateGate gate;
    gate.take(loaded(2));
    CHECK(gate.refusal_of(*loaded(2, 2)) == "manifests invalid (2 errors)");
    CHECK_FALSE(gate.refusal_of(*loaded(0)));
}
