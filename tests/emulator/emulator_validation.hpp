// The tenant emulator's own check of a webhook body (POST and PUT
// /api/v2/webhooks), written independently of hookwarden's manifest
// validator on purpose: if both were one function, a misreading of SPEC §2
// would pass hookwarden's tests unnoticed.
//
// The rules are the ones SPEC §5 says the tenant applies: name, event types,
// https endpoint, retry policy, and the JSON type of every known member.
// Unknown members are ignored, as the real API ignores them.
#pragma once

#include <boost/json/fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace hookwarden::emulator {

/// One problem with one field of a request body.
struct FieldProblem {
    std::string field;      ///< e.g. "eventTypes[1]", "retryPolicy.maxRetries"
    std::string error_code; ///< missing.property | invalid.type | invalid.value | duplicate.value
    std::string message;    ///< a sentence naming the field and the rule
};

/// What the body checkers share: the problems found so far, in order.
class FieldChecker {
  public:
    std::vector<FieldProblem> problems;

    void add(std::string field, std::string code, std::string message);

    /// The member `key` of `object` when present and not null (the API
    /// reads an explicit null as an absent member).
    static const boost::json::value* member(const boost::json::object& object,
                                            std::string_view key);
};

/// Every problem of a webhook body, in field order; empty when it is valid.
std::vector<FieldProblem> validate_webhook_body(const boost::json::value& body);

} // namespace hookwarden::emulator
