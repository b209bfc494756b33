// The built `hookwarden` binary's plan, apply and export against the emulator.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
