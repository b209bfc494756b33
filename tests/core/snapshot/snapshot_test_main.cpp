// The snapshot files of the state directory (core/snapshot/): each file's
// schema field by field, the change log's hash chain, audit de-duplication
// across restarts and crashes, history, the manifest revision from
// hand-made .git directories, and the crash test.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
