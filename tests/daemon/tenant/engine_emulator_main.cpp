// The engine against the tenant emulator, over TLS, through TenantHttp.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
