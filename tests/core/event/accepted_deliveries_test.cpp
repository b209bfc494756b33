// The memory of accepted delivery ids (core/event/accepted_deliveries.hpp):
// what `receive` de-duplicates with, and the journal that carries it across
// restarts.
#include "core/event/accepted_deliveries.hpp"

#include <doctest/doctest.h>

using namespace hookwarden;
using namespace std::chrono_literals;

namespace {
const std::chrono::sys_seconds t0{1767225600s}; // 2026-01-01T00:00:00Z
}

TEST_CASE("an id is known once accepted, and different ids have different keys") {
    AcceptedDeliveries accepted(600s);
    const auto key = delivery_key("msg_1");
    CHECK_FALSE(accepted.contains(key));
    CHECK(accepted.insert({key, t0}));
    CHECK(accepted.contains(key));
    CHECK_FALSE(accepted.insert({key, t0 + 5s}));
    CHECK(accepted.size() == 1);
    CHECK_FALSE(accepted.contains(delivery_key("msg_2")));
    CHECK(delivery_key("msg_1") == key);
}

TEST_CASE("ids are remembered for the whole window and forgotten after it") {
    AcceptedDeliveries accepted(600s);
    accepted.insert({delivery_key("old"), t0});
    accepted.insert({delivery_key("new"), t0 + 300s});
    accepted.expire(t0 + 600s); // exactly at the edge: still remembered
    CHECK(accepted.contains(delivery_key("old")));
    accepted.expire(t0 + 601s);
    CHECK_FALSE(accepted.contains(delivery_key("old")));
    CHECK(accepted.contains(delivery_key("new")));
    accepted.expire(t0 + 901s);
    CHECK(accepted.size() == 0);
}

TEST_CASE("an id inserted out of time order is never forgotten early") {
    AcceptedDeliveries accepted(60s);
    accepted.insert({delivery_key("late"), t0 + 100s});
    accepted.insert({delivery_key("early"), t0}); // behind a newer one
    accepted.expire(t0 + 61s);
    CHECK(accepted.contains(delivery_key("early")));
    accepted.expire(t0 + 161s);
    CHECK(accepted.size() == 0);
}

TEST_CASE("the journal reads back what was written, in order") {
    const AcceptedId a{delivery_key("msg_a"), t0};
    const AcceptedId b{delivery_key("msg_b"), t0 + 1s};
    const std::string journal = accepted_id_line(a) + accepted_id_line(b);
    CHECK(accepted_id_line(a).size() == std::string("1767225600 ").size() + 32 + 1);
    std::size_t skipped = 99;
    const auto ids = read_accepted_ids(journal, &skipped);
    REQUIRE(ids.size() == 2);
    CHECK(ids[0] == a);
    CHECK(ids[1] == b);
    CHECK(skipped == 0);
}

TEST_CASE("a torn last line and garbage lines are skipped, not fatal") {
    const AcceptedId a{delivery_key("msg_a"), t0};
    const std::string whole = accepted_id_line(a);
    const std::string torn = whole.substr(0, 20);
    std::size_t skipped = 0;
    auto ids = read_accepted_ids(whole + "not a line\n" + "1767225600 XYZ\n" +
                                     "17672x5600 " + std::string(32, 'a') + "\n" + torn,
                                 &skipped);
    REQUIRE(ids.size() == 1);
    CHECK(ids[0] == a);
    CHECK(skipped == 4);
    CHECK(read_accepted_ids("").empty());
}
