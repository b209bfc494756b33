// The unit tests of core/event (signatures, the event transform) and the
// strict RFC 3339 parser and base64 they rely on.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
