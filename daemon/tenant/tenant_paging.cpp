#include "daemon/tenant/tenant_paging.hpp"

namespace hookwarden {

Result<void> walk_pages(const PagedList& list, const PageFetch& fetch, const PageTake& take) {
    std::set<std::string> fetched;
    std::string target = list.first_target;
    for (int page = 1;; ++page) {
        ErrorContext context{.operation = list.operation};
        if (page > list.max_pages)
            return make_error(ErrorKind::tenant,
                              "the tenant's " + list.what + " did not end after " + std::to_string(list.max_pages) +
                                  " pages",
                              context);
        fetched.insert(target);
        auto answer = fetch(target, context);
        if (!answer)
            return answer.error();
        auto step = take(*answer, page, context);
        if (!step)
            return step.error();
        if (!step->next_target)
            return {};
        if (fetched.contains(*step->next_target))
            return make_error(ErrorKind::tenant,
                              "the tenant's " + list.what + " loops: page " + std::to_string(page) +
                                  " points back to a page already read",
                              context);
        if (step->fresh == 0)
            return make_error(ErrorKind::tenant,
                              "the tenant's " + list.what + " made no progress at page " + std::to_string(page) +
                                  " (nothing new, yet more pages announced)",
                              context);
        target = std::move(*step->next_target);
    }
}

} // namespace hookwarden
