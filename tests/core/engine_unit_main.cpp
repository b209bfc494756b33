// The engine's unit tests: plan, render, stores, executor over a fake tenant.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
