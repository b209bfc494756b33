#include "tests/support/emulator_client.hpp"

namespace hookwarden::test {

TenantHttpOptions tenant_options_for(const EmulatorProcess& emulator) {
    TenantHttpOptions options;
    options.api_base = emulator.base_url();
    options.token_url = emulator.token_url();
    options.ca_file = emulator.ca_file().string();
    options.client_id = EmulatorProcess::kClientId;
    options.client_secret = EmulatorProcess::kClientSecret;
    options.requests_per_minute = 100000;
    return options;
}

} // namespace hookwarden::test
