// Manifests written to hurt: alias bombs, deep nesting, binary files,
// invalid UTF-8, oversized files (core/source_file.hpp, core/yaml_tree.hpp).
#include "core/manifest.hpp"
#include "core/source_file.hpp"
#include "tests/core/manifest_fixtures.hpp"
#include "tests/support/scratch_dir.hpp"

#include <doctest/doctest.h>

#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <grp.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

using namespace hookwarden;
using namespace hookwarden::testing;
namespace fs = std::filesystem;

// ========================================================= hostile input

TEST_SUITE("hostile manifest input") {

TEST_CASE("a YAML alias bomb finishes quickly and within bounded memory") {
    // Billion laughs: ten levels of nine aliases each = 9^9 leaves if expanded.
    std::string bomb = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
    char previous = 'a';
    for (char c = 'b'; c <= 'j'; ++c) {
        bomb += std::string(1, c) + ": &" + c + " [";
        for (int i = 0; i < 9; ++i)
            bomb += std::string(i ? ", " : "") + "*" + previous;
        bomb += "]\n";
        previous = c;
    }
    // Also point the fields the validator walks at the biggest alias.
    const std::string in_fields = "x: &x [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
                                  "y: &y [*x, *x, *x, *x, *x, *x, *x, *x, *x]\n"
                                  "z: &z [*y, *y, *y, *y, *y, *y, *y, *y, *y]\n"
                                  "apiVersion: hookwarden/v1\nkind: Webhook\n"
                                  "metadata: {name: *z, labels: *z}\n"
                                  "spec: {eventTypes: *z, endpointUrl: *z, payloadTemplate: *z,\n"
                                  "       retryPolicy: *z, secretRef: *z}\n";
    const long rss_before = peak_rss_kib();
    const auto start = std::chrono::steady_clock::now();
    const auto set = load_text(bomb + "---\n" + in_fields);
    const double elapsed = seconds_since(start);
    const long grown_kib = peak_rss_kib() - rss_before;
    INFO(dump(set.diagnostics));
    INFO((std::string("took ") + std::to_string(elapsed) + " s, peak RSS grew " +
          std::to_string(grown_kib) + " KiB"));
    CHECK_FALSE(set.ok());
    CHECK(set.webhooks.empty());
    CHECK(elapsed < 2.0);
    CHECK(grown_kib < 64 * 1024);
    CHECK(set.diagnostics.size() < 100);
}

TEST_CASE("deeply nested YAML is an error, not a stack overflow") {
    for (const std::string& text : {std::string(200'000, '['), std::string("a: ") + std::string(100'000, '{'),
                                    [] {
                                        std::string s;
                                        for (int i = 0; i < 1000; ++i)
                                            s += std::string(static_cast<std::size_t>(i), ' ') + "- \n";
                                        return s;
                                    }()}) {
        const auto start = std::chrono::steady_clock::now();
        const auto set = load_text(text);
        INFO(dump(set.diagnostics));
        CHECK_FALSE(set.ok());
        CHECK(errors_of(set.diagnostics).size() == 1);
        CHECK(seconds_since(start) < 5.0);
    }
}

TEST_CASE("a NUL byte marks a binary file, reported with its position") {
    const std::string text = "apiVersion: hookwarden/v1\nki" + std::string(1, '\0') + "nd: Webhook\n";
    const auto set = load_text(text);
    INFO(dump(set.diagnostics));
    REQUIRE(errors_of(set.diagnostics).size() == 1);
    CHECK(has_error_at(set.diagnostics, "m.yaml", 2, 3, {"NUL"}));
}

TEST_CASE("invalid UTF-8 is reported at the offending byte") {
    struct Case {
        std::string text;
        int line, column;
    };
    for (const auto& c : {Case{"apiVersion: hookwarden/v1\nkind: W\xff" "ebhook\n", 2, 8},
                          Case{"a: \xc3\xa9\xc3\xa9\xc3\n", 1, 6},         // truncated sequence at the end
                          Case{"# caf\xc3\xa9\nb: \xc0\xaf\n", 2, 4},      // overlong '/'
                          Case{"x: \xed\xa0\x80\n", 1, 4},                 // UTF-16 surrogate
                          Case{"x: \xf4\x90\x80\x80\n", 1, 4},             // above U+10FFFF
                          Case{"\x80\n", 1, 1}}) {                         // stray continuation byte
        INFO(std::string(c.text));
        const auto set = load_text(c.text);
        INFO(dump(set.diagnostics));
        REQUIRE(errors_of(set.diagnostics).size() == 1);
        CHECK(has_error_at(set.diagnostics, "m.yaml", c.line, c.column, {"UTF-8"}));
    }
}

TEST_CASE("a carriage return or an escaped line break in a key or value is reported on one line") {
    // Found by tests/fuzz/manifest_fuzz: yaml-cpp keeps a lone CR inside a
    // plain scalar, and "\n" in a double-quoted one is a line break.
    const auto set = load_text("apiV\rersion: hookwarden/v1\nkind: \"Web\\nhook\"\nmetadata: {name: a}\n"
                               "spec: {eventTypes: [user:login], endpointUrl: https://a.example.com}\n");
    const std::string lines = dump(set.diagnostics);
    INFO(lines);
    CHECK(std::count(lines.begin(), lines.end(), '\n') == static_cast<long>(set.diagnostics.size()));
    CHECK(lines.find('\r') == std::string::npos);
    CHECK(lines.find("m.yaml:1:1: error: unknown field 'apiV\\rersion'") != std::string::npos);
    CHECK(lines.find("m.yaml:2:7: error: kind must be 'Webhook' or 'Trigger', not 'Web\\nhook'") != std::string::npos);
}

TEST_CASE("valid multi-byte UTF-8 passes the encoding check") {
    Diagnostics diagnostics;
    CHECK(check_source_text("labels: {owner: \"J\xc3\xbcrgen \xe2\x82\xac \xf0\x9f\x98\x80\"}\n", "f",
                            diagnostics));
    CHECK(diagnostics.empty());
}

TEST_CASE("a manifest file over 1 MiB is refused before parsing; exactly 1 MiB is read") {
    ScratchDir dir;
    std::string exact = minimal("Big");
    exact += "# " + std::string(max_source_file_bytes - exact.size() - 3, 'x') + "\n";
    REQUIRE(exact.size() == max_source_file_bytes);
    dir.write("exact.yaml", exact);
    dir.write("over.yaml", exact + "\n");
    const auto set = load_manifests(dir.path());
    INFO(dump(set.diagnostics));
    CHECK(names_of(set) == std::vector<std::string>{"Big"});
    REQUIRE(errors_of(set.diagnostics).size() == 1);
    CHECK(errors_of(set.diagnostics)[0].location.file == (dir.path() / "over.yaml").string());
    CHECK(contains(errors_of(set.diagnostics)[0].message, "1 MiB"));

    ManifestSet text_set;
    load_manifest_text(exact + "\n", "t.yaml", {}, text_set);
    CHECK(has_error(text_set.diagnostics, {"1 MiB"}));
}

TEST_CASE("a file that is longer than its stat says is still read whole") {
    // /proc files report size 0 yet have content: the reader must not trust
    // the stat for more than a first guess.
    Diagnostics diagnostics;
    const auto text = read_source_file("/proc/self/status", "/proc/self/status", diagnostics);
    INFO(dump(diagnostics));
    REQUIRE(text.has_value());
    CHECK(text->starts_with("Name:"));
    CHECK(contains(*text, "\nPid:"));
    CHECK(text->ends_with("\n"));
}

TEST_CASE("a huge file is refused without reading it all") {
    ScratchDir dir;
    const auto big = dir.path() / "huge.yaml";
    {
        std::ofstream out(big, std::ios::binary);
        out << minimal("Huge");
    }
    fs::resize_file(big, 256ull * 1024 * 1024); // sparse where the file system allows
    const long rss_before = peak_rss_kib();
    const auto start = std::chrono::steady_clock::now();
    const auto set = load_manifests(dir.path());
    INFO(dump(set.diagnostics));
    CHECK(seconds_since(start) < 2.0);
    CHECK(peak_rss_kib() - rss_before < 64 * 1024);
    CHECK(has_error(set.diagnostics, {"1 MiB"}));
}

} // TEST_SUITE
