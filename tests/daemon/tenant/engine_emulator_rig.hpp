// What the engine's emulator tests share: one tenant emulator for the whole
// executable (every test starts from EmulatorControl::reset()), a TenantHttp
// talking to it over TLS, and the device's random source for secrets.
// Header-only; a failure to start either is a failed REQUIRE.
#pragma once

#include "core/secret_store.hpp"
#include "daemon/tenant/tenant_http.hpp"
#include "tests/support/emulator_client.hpp"
#include "tests/support/emulator_process.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <random>
#include <span>

namespace hookwarden::test {

/// The emulator every test of the executable talks to, started on first use.
inline EmulatorProcess& engine_emulator() {
    static EmulatorProcess process({"--quiet", "--rpm", "100000"});
    return process;
}

/// Secrets from std::random_device, as a SecretStore wants them.
inline SecretRandom device_random() {
    return [](std::span<unsigned char> out) {
        std::random_device device;
        for (auto& b : out)
            b = static_cast<unsigned char>(device());
        return true;
    };
}

/// A new TenantHttp on engine_emulator(): its own connections and token.
inline std::unique_ptr<TenantHttp> make_emulator_tenant() {
    TenantHttpOptions options = tenant_options_for(engine_emulator());
    options.request_timeout = std::chrono::seconds(5);
    auto tenant = TenantHttp::create(options);
    REQUIRE(tenant.has_value());
    return std::move(*tenant);
}

} // namespace hookwarden::test
