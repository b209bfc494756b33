// The receiver's spool (daemon/receiver/delivery_spool.hpp) on real files:
// what is answered `accepted` is on disk, what is not is not, and a restart
// or a crash changes neither.
#include "daemon/receiver/delivery_spool.hpp"

#include "core/event/accepted_deliveries.hpp"
#include "core/snapshot/status_file.hpp" // format_rfc3339

#include "tests/support/file_text.hpp"
#include "tests/support/scratch_dir.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <csignal>
#include <fstream>
#include <future>
#include <set>
#include <thread>
#include <vector>

#include <sys/resource.h>

using namespace hookwarden;
using hookwarden::testing::ScratchDir;
using hookwarden::testing::lines_of;
using hookwarden::testing::read_text;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

/// A clock tests move by hand.
struct TestClock {
    std::shared_ptr<std::atomic<std::int64_t>> seconds = std::make_shared<std::atomic<std::int64_t>>(1767225600);
    std::function<std::chrono::system_clock::time_point()> function() const {
        return [s = seconds] { return std::chrono::system_clock::time_point{std::chrono::seconds{s->load()}}; };
    }
    void advance(std::chrono::seconds by) const { *seconds += by.count(); }
};

std::unique_ptr<DeliverySpool> open_spool(const fs::path& dir, const TestClock& clock,
                                          std::uint64_t file_size = 64u << 20) {
    SpoolOptions options;
    options.dir = dir;
    options.file_size = file_size;
    options.remember = 600s;
    options.clock = clock.function();
    auto spool = DeliverySpool::open(options);
    REQUIRE_MESSAGE(spool.has_value(), (spool ? "" : spool.error().message));
    return std::move(*spool);
}

/// Submits and waits for the answer.
SpoolAnswer put(DeliverySpool& spool, std::optional<std::string> id, std::string line) {
    std::promise<SpoolAnswer> answer;
    spool.submit(std::move(id), std::move(line), [&](const SpoolAnswer& a) { answer.set_value(a); });
    return answer.get_future().get();
}

std::string record(const std::string& id) {
    return R"({"delivery":{"id":")" + id + R"(","receivedAt":"2026-01-01T00:00:00Z"},"event":{}})" "\n";
}

/// A record received now by `clock`, as the intake writes them.
std::string record_now(const std::string& id, const TestClock& clock) {
    return R"({"delivery":{"id":")" + id + R"(","receivedAt":")" + format_rfc3339(clock.function()()) +
           R"("},"event":{}})" "\n";
}

std::vector<std::string> spooled_lines(const fs::path& dir) {
    std::vector<std::string> all;
    std::set<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir))
        if (entry.path().extension() == ".jsonl")
            files.insert(entry.path());
    // closed files in number order, then the current one
    std::vector<fs::path> ordered;
    for (const auto& f : files)
        if (f.filename() != "current.jsonl")
            ordered.push_back(f);
    ordered.push_back(dir / "current.jsonl");
    for (const auto& f : ordered)
        for (auto& line : lines_of(read_text(f)))
            all.push_back(line);
    return all;
}

} // namespace

TEST_CASE("an accepted record is in current.jsonl when the answer comes") {
    ScratchDir dir;
    TestClock clock;
    auto spool = open_spool(dir / "spool", clock);
    const SpoolAnswer answer = put(*spool, "msg_1", record("msg_1"));
    CHECK(answer.outcome == SpoolOutcome::accepted);
    // Read through a new descriptor: the bytes are in the file, not a buffer of ours.
    CHECK(read_text(dir / "spool/current.jsonl") == record("msg_1"));
    CHECK((fs::status(dir / "spool/current.jsonl").permissions() & fs::perms::others_all) == fs::perms::none);
}

TEST_CASE("a webhook-id accepted once is a duplicate afterwards, and nothing more is written") {
    ScratchDir dir;
    TestClock clock;
    auto spool = open_spool(dir / "spool", clock);
    CHECK(put(*spool, "msg_1", record("msg_1")).outcome == SpoolOutcome::accepted);
    CHECK(put(*spool, "msg_1", record("msg_1")).outcome == SpoolOutcome::duplicate);
    CHECK(put(*spool, std::nullopt, record("no-id")).outcome == SpoolOutcome::accepted);
    CHECK(put(*spool, std::nullopt, record("no-id")).outcome == SpoolOutcome::accepted);
    CHECK(spooled_lines(dir / "spool").size() == 3);
    const SpoolCounters counters = spool->counters();
    CHECK(counters.accepted == 3);
    CHECK(counters.duplicates == 1);
}

TEST_CASE("concurrent deliveries share fsyncs, and concurrent copies of one id are written once") {
    ScratchDir dir;
    TestClock clock;
    auto spool = open_spool(dir / "spool", clock);
    constexpr int senders = 16, each = 100;
    std::atomic<int> accepted{0}, duplicates{0}, other{0};
    std::vector<std::thread> threads;
    threads.reserve(senders);
    for (int t = 0; t < senders; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < each; ++i) {
                // Every sender also sends "shared-i": 16 copies of each, racing.
                for (const std::string& id : {"own-" + std::to_string(t) + "-" + std::to_string(i),
                                             "shared-" + std::to_string(i)}) {
                    const SpoolAnswer a = put(*spool, id, record(id));
                    (a.outcome == SpoolOutcome::accepted     ? accepted
                     : a.outcome == SpoolOutcome::duplicate ? duplicates
                                                            : other)++;
                }
            }
        });
    for (auto& t : threads)
        t.join();
    CHECK(accepted == senders * each + each);
    CHECK(duplicates == (senders - 1) * each);
    CHECK(other == 0);
    const auto lines = spooled_lines(dir / "spool");
    CHECK(lines.size() == static_cast<std::size_t>(senders * each + each));
    CHECK(std::set<std::string>(lines.begin(), lines.end()).size() == lines.size());
    const auto counters = spool->counters();
    MESSAGE("batches for ", accepted.load(), " records: ", counters.batches);
    CHECK(counters.batches < static_cast<std::uint64_t>(accepted.load()));
}

TEST_CASE("ids are remembered across a restart") {
    ScratchDir dir;
    TestClock clock;
    {
        auto spool = open_spool(dir / "spool", clock);
        CHECK(put(*spool, "msg_1", record("msg_1")).outcome == SpoolOutcome::accepted);
    }
    auto spool = open_spool(dir / "spool", clock);
    CHECK(put(*spool, "msg_1", record("msg_1")).outcome == SpoolOutcome::duplicate);
    CHECK(put(*spool, "msg_2", record("msg_2")).outcome == SpoolOutcome::accepted);
    CHECK(spooled_lines(dir / "spool").size() == 2);
}

TEST_CASE("ids are forgotten after the window, also across a restart") {
    ScratchDir dir;
    TestClock clock;
    {
        auto spool = open_spool(dir / "spool", clock);
        CHECK(put(*spool, "old", record_now("old", clock)).outcome == SpoolOutcome::accepted);
        clock.advance(500s);
        CHECK(put(*spool, "new", record_now("new", clock)).outcome == SpoolOutcome::accepted);
        clock.advance(102s); // "old" is 602 s old: past the 600 s window
        CHECK(put(*spool, "old", record_now("old", clock)).outcome == SpoolOutcome::accepted);
        CHECK(put(*spool, "new", record_now("new", clock)).outcome == SpoolOutcome::duplicate);
    }
    clock.advance(599s); // "new" is now 701 s old, the second "old" 599 s
    auto spool = open_spool(dir / "spool", clock);
    CHECK(spool->counters().remembered == 1);
    CHECK(put(*spool, "old", record_now("old", clock)).outcome == SpoolOutcome::duplicate);
    CHECK(put(*spool, "new", record_now("new", clock)).outcome == SpoolOutcome::accepted);
}

TEST_CASE("the journal is replayed in order: an id accepted again after it was forgotten counts from then") {
    ScratchDir dir;
    TestClock clock;
    const auto first = std::chrono::floor<std::chrono::seconds>(clock.function()());
    const auto key = delivery_key("again");
    fs::create_directories(dir / "spool");
    dir.write("spool/accepted-ids", accepted_id_line({key, first}) + accepted_id_line({key, first + 602s}));
    clock.advance(1000s); // 398 s after the second acceptance
    auto spool = open_spool(dir / "spool", clock);
    CHECK(spool->counters().remembered == 1);
    CHECK(put(*spool, "again", record_now("again", clock)).outcome == SpoolOutcome::duplicate);
}

TEST_CASE("after a crash a torn last record is cut off and ids only in current.jsonl are remembered") {
    ScratchDir dir;
    TestClock clock;
    // receivedAt in these records is the test clock's start, so they count as fresh.
    {
        auto spool = open_spool(dir / "spool", clock);
        CHECK(put(*spool, "msg_1", record("msg_1")).outcome == SpoolOutcome::accepted);
    }
    // A crash between the two fsyncs of a batch: the record is in
    // current.jsonl, its id not in the journal; then a torn record behind it.
    {
        std::ofstream out(dir / "spool/current.jsonl", std::ios::app | std::ios::binary);
        out << record("msg_2") << R"({"delivery":{"id":"msg_3","rec)";
    }
    auto spool = open_spool(dir / "spool", clock);
    CHECK(read_text(dir / "spool/current.jsonl") == record("msg_1") + record("msg_2"));
    CHECK(put(*spool, "msg_2", record("msg_2")).outcome == SpoolOutcome::duplicate);
    CHECK(put(*spool, "msg_3", record("msg_3")).outcome == SpoolOutcome::accepted);
    CHECK(spooled_lines(dir / "spool") ==
          std::vector<std::string>{lines_of(record("msg_1"))[0], lines_of(record("msg_2"))[0],
                                   lines_of(record("msg_3"))[0]});
}

TEST_CASE("current.jsonl is closed as numbered files by size, and numbering goes on after a restart") {
    ScratchDir dir;
    TestClock clock;
    const std::size_t size = record("msg_00").size();
    {
        auto spool = open_spool(dir / "spool", clock, 3 * size);
        for (int i = 0; i < 7; ++i)
            CHECK(put(*spool, "msg_0" + std::to_string(i), record("msg_0" + std::to_string(i))).outcome ==
                  SpoolOutcome::accepted);
        CHECK(spool->counters().files_closed == 2);
    }
    CHECK(fs::exists(dir / "spool/events-000000000001.jsonl"));
    CHECK(fs::exists(dir / "spool/events-000000000002.jsonl"));
    fs::remove(dir / "spool/events-000000000001.jsonl"); // a consumer took it
    {
        auto spool = open_spool(dir / "spool", clock, 3 * size);
        for (int i = 7; i < 10; ++i)
            CHECK(put(*spool, "msg_0" + std::to_string(i), record("msg_0" + std::to_string(i))).outcome ==
                  SpoolOutcome::accepted);
    }
    CHECK(fs::exists(dir / "spool/events-000000000003.jsonl"));
    CHECK(lines_of(read_text(dir / "spool/events-000000000003.jsonl")).size() == 3);
    CHECK(spooled_lines(dir / "spool").size() == 7); // 3 of 10 were taken by the consumer
}

TEST_CASE("the ids of a closed file outlive its removal by a consumer") {
    ScratchDir dir;
    TestClock clock;
    const std::size_t size = record("msg_00").size();
    {
        auto spool = open_spool(dir / "spool", clock, 2 * size);
        for (int i = 0; i < 5; ++i)
            CHECK(put(*spool, "msg_0" + std::to_string(i), record("msg_0" + std::to_string(i))).outcome ==
                  SpoolOutcome::accepted);
    }
    // The journal holds exactly the closed files' ids; msg_04 is only in current.jsonl.
    CHECK(lines_of(read_text(dir / "spool/accepted-ids")).size() == 4);
    fs::remove(dir / "spool/events-000000000001.jsonl");
    fs::remove(dir / "spool/events-000000000002.jsonl");
    auto spool = open_spool(dir / "spool", clock, 2 * size);
    for (int i = 0; i < 5; ++i)
        CHECK(put(*spool, "msg_0" + std::to_string(i), record("msg_0" + std::to_string(i))).outcome ==
              SpoolOutcome::duplicate);
}

TEST_CASE("a batch the disk refuses is answered unavailable, leaves nothing behind, and the next one succeeds") {
    ScratchDir dir;
    TestClock clock;
    auto spool = open_spool(dir / "spool", clock);
    CHECK(put(*spool, "msg_1", record("msg_1")).outcome == SpoolOutcome::accepted);
    const auto size_before = fs::file_size(dir / "spool/current.jsonl");

    // A real refusal from the kernel: a file-size limit just above what is
    // there (EFBIG, with SIGXFSZ ignored as `receive` ignores it).
    // Parenthesised: doctest would print the operands, and clang cannot
    // print a function pointer.
    const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
    REQUIRE((old_handler != SIG_ERR));
    rlimit old_limit{};
    REQUIRE(::getrlimit(RLIMIT_FSIZE, &old_limit) == 0);
    rlimit tight = old_limit;
    tight.rlim_cur = size_before + 10;
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &tight) == 0);
    const SpoolAnswer refused = put(*spool, "msg_2", record("msg_2"));
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &old_limit) == 0);
    REQUIRE((std::signal(SIGXFSZ, old_handler) != SIG_ERR));

    CHECK(refused.outcome == SpoolOutcome::unavailable);
    CHECK(refused.reason.find("current.jsonl") != std::string::npos);
    CHECK(refused.reason.find("File too large") != std::string::npos);
    CHECK(fs::file_size(dir / "spool/current.jsonl") == size_before);
    CHECK(spool->counters().last_error == refused.reason);

    // The id was not taken: the sender's retry is accepted, once.
    CHECK(put(*spool, "msg_2", record("msg_2")).outcome == SpoolOutcome::accepted);
    CHECK(read_text(dir / "spool/current.jsonl") == record("msg_1") + record("msg_2"));
    CHECK(spool->counters().last_error.empty());
}

TEST_CASE("a second receiver on the same spool is refused") {
    ScratchDir dir;
    TestClock clock;
    auto first = open_spool(dir / "spool", clock);
    SpoolOptions options;
    options.dir = dir / "spool";
    auto second = DeliverySpool::open(options);
    REQUIRE_FALSE(second.has_value());
    CHECK(second.error().kind == ErrorKind::conflict);
}

TEST_CASE("stop commits what is queued, and later submits are unavailable") {
    ScratchDir dir;
    TestClock clock;
    auto spool = open_spool(dir / "spool", clock);
    std::atomic<int> accepted{0};
    for (int i = 0; i < 50; ++i)
        spool->submit("msg_" + std::to_string(i), record("msg_" + std::to_string(i)),
                      [&](const SpoolAnswer& a) { accepted += a.outcome == SpoolOutcome::accepted; });
    spool->stop();
    CHECK(accepted == 50);
    CHECK(put(*spool, "late", record("late")).outcome == SpoolOutcome::unavailable);
    CHECK(spooled_lines(dir / "spool").size() == 50);
}
