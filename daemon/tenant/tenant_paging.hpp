// Walking a paged tenant list to its end (SPEC §5, §8): the webhook list's
// page numbers and the trigger and topic lists' `nextUri` cursors alike.
//
// The walk is where a server that never ends, or loops, is stopped: a
// partial list would make the engine create duplicates of what it did not
// see, so every such walk fails instead (ErrorKind::tenant). The list's own
// reader says what a page holds and where the next one is; the walk fetches,
// counts, and refuses. Used by daemon/tenant/tenant_http.cpp. Plain C++: the
// fetch is given, so it is tested with scripted answers.
#pragma once

#include "core/error.hpp"

#include <boost/json/value.hpp>

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace hookwarden {

/// A list to walk.
struct PagedList {
    std::string what;         ///< for messages: "trigger list"
    std::string operation;    ///< for errors: "GET /api/v2/processautomation/triggers"
    std::string first_target; ///< below the API base: "/api/v2/processautomation/triggers?pageSize=200"
    int max_pages = 1000;     ///< a walk longer than this fails
};

/// What one page brought: how many items no earlier page had, and where the
/// next page is (none: this was the last).
struct PageStep {
    std::size_t fresh = 0;
    std::optional<std::string> next_target;
};

/// Gets one page: GET `target` below the API base, errors with `context`.
using PageFetch = std::function<Result<boost::json::value>(const std::string& target, const ErrorContext& context)>;

/// Takes page `number` (from 1): keeps its items and says where to go next.
using PageTake =
    std::function<Result<PageStep>(const boost::json::value& page, int number, const ErrorContext& context)>;

/// Fetches and takes pages from `first_target` until one names no next
/// page. Fails when the walk would pass `max_pages`, when a page's next
/// target is one already fetched (a cursor that loops), or when a page
/// announces more yet brought nothing new (a server stuck on one page).
Result<void> walk_pages(const PagedList& list, const PageFetch& fetch, const PageTake& take);

/// The items of one page as a list's reader sees them.
template <class Item> struct PageOf {
    std::vector<Item> items;
    std::optional<std::string> next_target;
};

/// walk_pages collecting the items of every page, each once by `key(item)`
/// (the first page to show an item keeps it), in the order served.
/// `read(page, number, context)` returns Result<PageOf<Item>>.
template <class Item, class Read, class Key>
Result<std::vector<Item>> collect_pages(const PagedList& list, const PageFetch& fetch, Read read, Key key) {
    std::vector<Item> all;
    std::set<std::string> seen;
    auto walked = walk_pages(list, fetch,
                             [&](const boost::json::value& value, int number, const ErrorContext& context)
                                 -> Result<PageStep> {
                                 Result<PageOf<Item>> page = read(value, number, context);
                                 if (!page)
                                     return page.error();
                                 PageStep step{0, std::move(page->next_target)};
                                 for (auto& item : page->items) {
                                     if (seen.insert(std::string(key(item))).second) {
                                         all.push_back(std::move(item));
                                         ++step.fresh;
                                     }
                                 }
                                 return step;
                             });
    if (!walked)
        return walked.error();
    return all;
}

} // namespace hookwarden
