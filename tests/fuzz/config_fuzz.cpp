// Fuzzes config loading (SPEC §3): the bytes are the config file, written
// to $TMPDIR (ctest gives each fuzzer a scratch directory) and read by
// load_config as `--config` would, so the file checks are the real ones too.
//
// Invariants: every diagnostic names the file, points inside it and is one
// line; a config that loads keeps every documented bound, and its tenant
// URLs pass the one check the client makes before it dials
// (read_tenant_url), so that `validate` never passes what `plan` refuses.
#include "daemon/service/config.hpp"
#include "daemon/tenant/tenant_endpoints.hpp"
#include "core/manifest_rules.hpp"
#include "tests/fuzz/fuzz_invariants.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

using namespace hookwarden;
using namespace std::chrono_literals;
using fuzz::require;

namespace {

// The file every input is written to, removed when the fuzzer exits.
struct ConfigFile {
    std::filesystem::path path;
    ConfigFile() {
        const char* tmp = std::getenv("TMPDIR");
        path = std::filesystem::path(tmp && *tmp ? tmp : "/tmp") /
               ("hookwarden-fuzz-" + std::to_string(::getpid()) + ".yaml");
    }
    ~ConfigFile() {
        std::error_code ignored;
        std::filesystem::remove(path, ignored);
    }
};

void check_bounds(const Config& c) {
    const auto in = [](auto value, auto low, auto high) { return value >= low && value <= high; };
    require(in(c.interval, 1s, 24h) && in(c.cycle_timeout, 1s, 24h), "a loaded interval is out of bounds");
    require(in(c.max_deletes_per_cycle, 0, 10000) && in(c.concurrency, 1, 64) &&
                in(c.requests_per_minute, 1, 100000) && in(c.snapshots.keep, 1, 100000),
            "a loaded number is out of bounds");
    require(in(c.http.connect_timeout, 100ms, 10min) && in(c.http.request_timeout, 100ms, 10min),
            "a loaded HTTP timeout is out of bounds");
    require(in(c.receiver.max_body, std::uint64_t{1024}, std::uint64_t{64} << 20) &&
                in(c.receiver.tolerance, 1s, 24h),
            "a loaded receiver limit is out of bounds");
    for (const auto& [path, webhook] : c.receiver.routes)
        require(path.starts_with('/') && !check_webhook_name(webhook), "a loaded route is malformed", path);
    for (const auto* p : {&c.manifests, &c.state_dir, &c.receiver.spool})
        require(p->is_absolute(), "a loaded path is relative", p->string());
    if (const auto api = read_tenant_url(c.tenant.api_base, TenantUrl::api_base); !api)
        fuzz::broken("a loaded apiBase is refused by the client", api.error().message);
    if (const auto token = read_tenant_url(c.tenant.token_url, TenantUrl::token_url); !token)
        fuzz::broken("a loaded tokenUrl is refused by the client", token.error().message);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const ConfigFile file;
    const std::filesystem::path& path = file.path;
    const std::string text(reinterpret_cast<const char*>(data), size);
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
        require(static_cast<bool>(out.flush()), "cannot write the config file in TMPDIR", path.string());
    }
    const ConfigEnvironment env{.state_directory = "/var/lib/hookwarden-fuzz"};
    const ConfigLoad load = load_config(path, env);
    fuzz::check_diagnostics(load.diagnostics, path.string(), text);
    if (load.ok())
        check_bounds(load.config);

    // The value parsers on their own, with the whole input as the value.
    if (const auto d = parse_config_duration(text))
        require(d->count() >= 0, "a negative duration parsed", text);
    return 0;
}
