// The crash test's child: writes the snapshot files generation after
// generation, as the daemon does after each cycle (change log, audit,
// health, metrics, status last), until it is killed or reaches the last
// generation.
//   snapshot_writer_child STATE_DIR FIRST_GENERATION LAST_GENERATION
#include "tests/core/snapshot/snapshot_generation.hpp"

#include "core/snapshot/snapshot_file.hpp"

#include <cstdio>
#include <string>

using namespace hookwarden;
namespace crash = hookwarden::testing::crash;

namespace {

int fail(const std::string& what, const Error& error) {
    (void)std::fprintf(stderr, "snapshot_writer_child: %s: %s\n", what.c_str(), error.describe().c_str());
    return 2;
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 4) {
        (void)std::fprintf(stderr,
                           "usage: snapshot_writer_child STATE_DIR FIRST_GENERATION LAST_GENERATION\n");
        return 64;
    }
    const std::filesystem::path dir = argv[1];
    const int first = std::stoi(argv[2]);
    const int last = std::stoi(argv[3]);
    for (int gen = first; gen <= last; ++gen) {
        auto head = append_changes(dir, crash::changes(gen));
        if (!head)
            return fail("changes.jsonl", head.error());
        AuditStore audit(dir);
        auto interval = audit.query_interval(crash::now(gen), std::chrono::hours(24));
        if (!interval)
            return fail("audit cursor", interval.error());
        if (auto stored = audit.store(crash::tenant_audit(gen, *interval)); !stored)
            return fail("audit", stored.error());
        if (!audit.problems().empty())
            return fail("audit", make_error(ErrorKind::io, audit.problems().front()));
        if (auto kept = keep_history(dir, "health", crash::cycle_id(gen), 3); !kept)
            return fail("health history", kept.error());
        if (auto written = write_snapshot_file(dir / "health.json", crash::health_text(gen)); !written)
            return fail("health.json", written.error());
        if (auto written = write_snapshot_file(dir / "metrics.prom", crash::metrics(gen)); !written)
            return fail("metrics.prom", written.error());
        if (auto kept = keep_history(dir, "status", crash::cycle_id(gen), 3); !kept)
            return fail("status history", kept.error());
        if (auto written = write_status_snapshot(dir, crash::report(gen, *head)); !written)
            return fail("status.json", written.error());
    }
    return 0;
}
