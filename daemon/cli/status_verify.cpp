#include "daemon/cli/status_verify.hpp"

#include "core/snapshot/change_log.hpp"

#include <boost/json.hpp>

namespace hookwarden {

Result<ChangeLogVerdict> verify_changes(const std::filesystem::path& state_dir,
                                        const std::optional<std::pair<std::size_t, std::string>>& recorded) {
    std::optional<ChangeLogHead> head;
    if (recorded)
        head = ChangeLogHead{.lines = recorded->first, .head = recorded->second};
    auto check = verify_change_log(state_dir, head);
    if (!check)
        return check.error();

    ChangeLogVerdict verdict;
    verdict.ok = check->ok;
    verdict.line = check->ok ? "change log: " + std::to_string(check->lines) +
                                   (check->lines == 1 ? " line" : " lines") + ", chain intact"
                             : "change log: " + check->reason; // the reason names the file and line
    verdict.json = {{"ok", check->ok},
                    {"lines", check->lines},
                    {"firstBadLine", check->ok ? boost::json::value(nullptr) : boost::json::value(check->first_bad_line)},
                    {"reason", check->ok ? boost::json::value(nullptr) : boost::json::value(check->reason)},
                    {"head", check->head.head.empty() ? boost::json::value(nullptr) : boost::json::value(check->head.head)}};
    return verdict;
}

} // namespace hookwarden
