// Crash safety of the snapshot files (issue 12): a child writes them
// generation after generation and is SIGKILLed at seeded random moments;
// after every kill each file present parses and is exactly one generation's
// content (the one before or the one being written), no audit line is lost
// or doubled, and the change log verifies. The next child goes on from
// what the files say, as a restarted daemon would.
//   HOOKWARDEN_CRASH_SEED=N picks another sequence of kill moments.
#include "core/atomic_file.hpp"
#include "tests/core/snapshot/snapshot_generation.hpp"
#include "tests/support/doctest_result.hpp"
#include "tests/support/scratch_dir.hpp"

#include <boost/json.hpp>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <random>
#include <regex>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#ifndef HOOKWARDEN_SNAPSHOT_WRITER_CHILD
#error "the build names the child program"
#endif

namespace hookwarden {
namespace {

namespace crash = testing::crash;
namespace fs = std::filesystem;
namespace json = boost::json;

std::string read_text(const fs::path& file) {
    auto text = read_file_if_exists(file);
    REQUIRE(text);
    REQUIRE(text->has_value());
    return **text;
}

json::object parse_object(const std::string& text, const fs::path& file) {
    boost::system::error_code ec;
    const json::value value = json::parse(text, ec);
    INFO(file.string() << " holds: " << text);
    REQUIRE_FALSE(ec);
    REQUIRE(value.is_object());
    return value.as_object();
}

/// Every line of a text exposition is a comment of the two kinds we write
/// or a sample `name{labels} value`.
void check_exposition_lines(const std::string& text) {
    static const std::regex help(R"(# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*)");
    static const std::regex type(R"(# TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (gauge|counter))");
    static const std::regex sample(
        R"re([a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\.)*"(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\.)*")*\})? [-+0-9.eE]+)re");
    REQUIRE_FALSE(text.empty());
    REQUIRE(text.back() == '\n');
    std::size_t at = 0;
    while (at < text.size()) {
        const auto end = text.find('\n', at);
        const std::string line = text.substr(at, end - at);
        at = end + 1;
        INFO("metrics.prom line: " << line);
        CHECK((std::regex_match(line, help) || std::regex_match(line, type) || std::regex_match(line, sample)));
    }
}

struct Observed {
    int status = 0; ///< generation of status.json; 0 when there is none yet
};

/// Checks the state directory after a kill; returns the generation status.json is at.
Observed check_state(const fs::path& dir, const Observed& before) {
    Observed now;
    std::optional<ChangeLogHead> recorded;
    if (fs::exists(dir / "status.json")) {
        const std::string text = read_text(dir / "status.json");
        const auto o = parse_object(text, dir / "status.json");
        const std::string id(o.at("cycleId").as_string());
        now.status = std::stoi(id.substr(4));
        const auto& log = o.at("changeLog").as_object();
        recorded = ChangeLogHead{.lines = static_cast<std::size_t>(log.at("lines").as_int64()),
                                 .head = std::string(log.at("head").as_string())};
        CHECK(text == crash::status_text(now.status, *recorded));
    }
    // Status never goes back; the writers before it are at most one ahead.
    CHECK(now.status >= before.status);
    const int newest = now.status + 1;

    int health = 0;
    if (fs::exists(dir / "health.json")) {
        const std::string text = read_text(dir / "health.json");
        const auto o = parse_object(text, dir / "health.json");
        health = static_cast<int>(o.at("webhooks").as_array().at(0).as_object().at("successCount").as_int64());
        CHECK(text == crash::health_text(health));
        CHECK(health >= now.status);
        CHECK(health <= newest);
    }
    if (fs::exists(dir / "metrics.prom")) {
        const std::string text = read_text(dir / "metrics.prom");
        check_exposition_lines(text);
        static const std::regex converged(R"(hookwarden_cycles_total\{outcome="converged"\} (\d+))");
        std::smatch m;
        REQUIRE(std::regex_search(text, m, converged));
        const int gen = std::stoi(m[1].str());
        CHECK(text == crash::metrics(gen));
        CHECK(gen >= now.status);
        CHECK(gen <= health);
    }

    const auto verified = verify_change_log(dir, recorded);
    REQUIRE(verified);
    INFO(verified->reason);
    CHECK(verified->ok);

    // Each webhook's audit file: the entries of generations 1..A in order,
    // once each, with A the status generation or the one being written.
    for (const auto& webhook : crash::webhook_ids) {
        const fs::path file = dir / "audit" / (webhook + ".jsonl");
        if (!fs::exists(file)) {
            CHECK(now.status == 0);
            continue;
        }
        const std::string text = read_text(file);
        std::string expected;
        int gen = 0;
        while (expected.size() < text.size()) {
            ++gen;
            expected += json::serialize(crash::audit_entry(gen, webhook).raw) + "\n";
        }
        INFO(file.string());
        CHECK(text == expected);
        CHECK(gen >= now.status);
        CHECK(gen <= newest);
    }
    if (fs::exists(dir / "audit" / "cursor.json"))
        parse_object(read_text(dir / "audit" / "cursor.json"), dir / "audit" / "cursor.json");
    if (fs::exists(dir / "history"))
        for (const auto& entry : fs::directory_iterator(dir / "history"))
            parse_object(read_text(entry.path()), entry.path());
    return now;
}

pid_t spawn_child(const fs::path& dir, int first, int last) {
    const std::string program = HOOKWARDEN_SNAPSHOT_WRITER_CHILD;
    const std::string dir_arg = dir.string(), first_arg = std::to_string(first), last_arg = std::to_string(last);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::execl(program.c_str(), program.c_str(), dir_arg.c_str(), first_arg.c_str(), last_arg.c_str(),
                static_cast<char*>(nullptr));
        ::_exit(127);
    }
    return pid;
}

TEST_CASE("a writer killed at any moment leaves every snapshot whole, and no audit line lost or doubled") {
    testing::ScratchDir dir("hookwarden-crash");
    const char* seed_text = std::getenv("HOOKWARDEN_CRASH_SEED");
    const unsigned seed = seed_text ? static_cast<unsigned>(std::strtoul(seed_text, nullptr, 10)) : 12u;
    MESSAGE("HOOKWARDEN_CRASH_SEED=" << seed);
    std::mt19937 random(seed);
    // Kill moments spread over about two generations' work (a generation
    // takes tens of ms, fsyncs included), from before the child wrote
    // anything on.
    std::uniform_int_distribution<int> delay_us(0, 150'000);

    const auto started = std::chrono::steady_clock::now();
    constexpr int trials = 200;
    Observed observed;
    int killed_while_writing = 0;
    for (int trial = 0; trial < trials; ++trial) {
        const pid_t pid = spawn_child(dir.path(), observed.status + 1, 1'000'000);
        std::this_thread::sleep_for(std::chrono::microseconds(delay_us(random)));
        ::kill(pid, SIGKILL);
        int status = 0;
        REQUIRE(::waitpid(pid, &status, 0) == pid);
        INFO("trial " << trial);
        // Exit codes mean the child failed on its own: its message is on stderr.
        REQUIRE(WIFSIGNALED(status));
        killed_while_writing += WTERMSIG(status) == SIGKILL;
        observed = check_state(dir.path(), observed);
    }
    const auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    MESSAGE(trials << " kills in " << elapsed << " s; status.json reached generation " << observed.status);
    CHECK(killed_while_writing == trials);
    CHECK(observed.status > 0);
    CHECK(elapsed < 60.0);

    // And a writer left alone finishes the next generation cleanly from there.
    const pid_t pid = spawn_child(dir.path(), observed.status + 1, observed.status + 1);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    CHECK(check_state(dir.path(), observed).status == observed.status + 1);
}

} // namespace
} // namespace hookwarden
