// TenantHttp as the engine sees it (core/tenant.hpp): each kind-neutral
// call goes to the typed call of its kind. The kinds share the client's
// authentication, pacing, retries and paging (tenant_http.cpp); only the
// paths and the JSON differ, and those are in the typed calls.
#include "daemon/tenant/tenant_http.hpp"

namespace hookwarden {

namespace {

// A typed answer (one resource or a list of them) as TenantResource.
template <class T> Result<TenantResource> neutral(Result<T> typed) {
    if (!typed)
        return typed.error();
    return TenantResource(std::move(*typed));
}

template <class T> Result<std::vector<TenantResource>> neutral(Result<std::vector<T>> typed) {
    if (!typed)
        return typed.error();
    std::vector<TenantResource> out;
    out.reserve(typed->size());
    for (auto& item : *typed)
        out.emplace_back(std::move(item));
    return out;
}

} // namespace

Result<std::vector<TenantResource>> TenantHttp::list(ResourceKind kind) {
    if (kind == ResourceKind::trigger)
        return neutral(list_triggers());
    return neutral(list_webhooks());
}

Result<std::vector<TenantResource>> TenantHttp::find_named(ResourceKind kind,
                                                           std::string_view name) {
    if (kind == ResourceKind::trigger)
        return neutral(find_triggers_named(name));
    return neutral(search_webhooks(name));
}

Result<TenantResource> TenantHttp::get(ResourceKind kind, std::string_view id) {
    if (kind == ResourceKind::trigger)
        return neutral(get_trigger(id));
    return neutral(get_webhook(id));
}

Result<TenantResource> TenantHttp::create(const TenantResource& body) {
    if (const auto* trigger = std::get_if<Trigger>(&body))
        return neutral(create_trigger(*trigger));
    return neutral(create_webhook(std::get<Webhook>(body)));
}

Result<TenantResource> TenantHttp::update(const TenantResource& body) {
    if (const auto* trigger = std::get_if<Trigger>(&body))
        return neutral(update_trigger(*trigger));
    return neutral(update_webhook(std::get<Webhook>(body)));
}

Result<void> TenantHttp::remove(ResourceKind kind, std::string_view id) {
    if (kind == ResourceKind::trigger)
        return delete_trigger(id);
    return delete_webhook(id);
}

} // namespace hookwarden
