// The tenant client pointed at a running emulator: the one set-up that
// integration tests and benchmarks share (base URL, token URL, the
// emulator's CA, its client credentials, and a budget high enough that
// pacing never slows a test down). Callers adjust what they measure.
#pragma once

#include "daemon/tenant/tenant_http.hpp"
#include "tests/support/emulator_process.hpp"

namespace hookwarden::test {

/// Options for a TenantHttp talking to `emulator`.
TenantHttpOptions tenant_options_for(const EmulatorProcess& emulator);

} // namespace hookwarden::test
