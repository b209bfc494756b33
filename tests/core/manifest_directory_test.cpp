// A manifest directory (core/manifest_discovery.hpp, load_manifests):
// recursion, order, symlinks, unreadable parts, names unique across files.
#include "core/manifest.hpp"
#include "core/manifest_discovery.hpp"
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

// ========================================================= directories

TEST_SUITE("manifest directories") {

TEST_CASE("a directory is searched recursively for *.yaml and *.yml only") {
    ScratchDir dir;
    dir.write("top.yaml", minimal("Top"));
    dir.write("team-a/nested/deep.yml", minimal("Deep"));
    dir.write("team-b/b.yaml", minimal("B"));
    dir.write("notes.txt", minimal("Txt"));
    dir.write("schema.json", minimal("Json"));
    dir.write("old.yaml.bak", minimal("Bak"));
    dir.write("yaml", minimal("NoExt"));
    dir.write("README.md", "not yaml: [\n");
    dir.write("shout.YAML", minimal("Upper"));
    const auto set = load_manifests(dir.path());
    INFO(dump(set.diagnostics));
    CHECK(set.ok());
    CHECK(set.files == 3);
    auto names = names_of(set);
    std::sort(names.begin(), names.end());
    CHECK(names == std::vector<std::string>{"B", "Deep", "Top"});
}

TEST_CASE("dot-files and dot-directories are skipped") {
    ScratchDir dir;
    dir.write("visible.yaml", minimal("Visible"));
    dir.write(".hidden.yaml", minimal("Hidden"));
    dir.write(".git/config.yaml", "not: [valid\n");
    dir.write("team/.cache/x.yml", minimal("Cached"));
    dir.write("team/.yaml", minimal("DotYaml"));
    const auto set = load_manifests(dir.path());
    INFO(dump(set.diagnostics));
    CHECK(set.ok());
    CHECK(names_of(set) == std::vector<std::string>{"Visible"});
    CHECK(set.files == 1);
}

TEST_CASE("the manifest root itself may be a dot-directory") {
    ScratchDir dir;
    dir.write(".manifests/a.yaml", minimal("A"));
    const auto set = load_manifests(dir.path() / ".manifests");
    INFO(dump(set.diagnostics));
    CHECK(names_of(set) == std::vector<std::string>{"A"});
}

TEST_CASE("files load in byte-wise order of their path below the directory") {
    ScratchDir dir;
    // Byte order: 'B' (0x42) < 'a' < "a-b" ('-' 0x2D) < "a/" ('/' 0x2F) < 'b' < 0xC3.
    dir.write("b.yaml", minimal("b"));
    dir.write("a/z.yaml", minimal("a_z"));
    dir.write("a-b.yaml", minimal("a-b"));
    dir.write("B.yaml", minimal("B"));
    dir.write("\xc3\xa9.yaml", minimal("e-acute"));
    dir.write("a/10.yaml", minimal("a_10"));
    dir.write("a/9.yaml", minimal("a_9"));
    const std::vector<std::string> expected{"B", "a-b", "a_10", "a_9", "a_z", "b", "e-acute"};
    for (int run = 0; run < 3; ++run) {
        const auto set = load_manifests(dir.path());
        INFO(dump(set.diagnostics));
        CHECK(names_of(set) == expected);
    }
    Diagnostics diagnostics;
    const auto files = discover_manifest_files(dir.path(), diagnostics);
    std::vector<std::string> relative;
    relative.reserve(files.size());
    for (const auto& f : files)
        relative.push_back(f.relative);
    CHECK(relative == std::vector<std::string>{"B.yaml", "a-b.yaml", "a/10.yaml", "a/9.yaml",
                                               "a/z.yaml", "b.yaml", "\xc3\xa9.yaml"});
}

TEST_CASE("diagnostics name files as the directory was given, joined with the path below it") {
    ScratchDir dir;
    dir.write("team/bad.yaml", minimal("bad name"));
    const auto set = load_manifests(dir.path());
    INFO(dump(set.diagnostics));
    const auto errors = errors_of(set.diagnostics);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].format() ==
          (dir.path() / "team" / "bad.yaml").string() + ":4:9: error: " + errors[0].message);
}

TEST_CASE("symlinks to files and directories are followed") {
    ScratchDir dir;
    dir.write("elsewhere/target.txt", minimal("ViaFileLink"));
    dir.write("elsewhere/sub/t.yaml", minimal("ViaDirLink"));
    dir.write("root/plain.yaml", minimal("Plain"));
    dir.symlink(dir.path() / "elsewhere/target.txt", "root/linked.yaml");
    dir.symlink(dir.path() / "elsewhere/sub", "root/linked-dir");
    const auto set = load_manifests(dir.path() / "root");
    INFO(dump(set.diagnostics));
    CHECK(set.ok());
    CHECK(names_of(set) == std::vector<std::string>{"ViaDirLink", "ViaFileLink", "Plain"});
    CHECK(set.webhooks[1].location.file == (dir.path() / "root/linked.yaml").string());
}

TEST_CASE("a symlink loop is detected: no hang, every file once") {
    ScratchDir dir;
    dir.write("root/a/one.yaml", minimal("One"));
    dir.symlink("..", "root/a/up");                           // a/up -> root
    dir.symlink(dir.path() / "root", "root/a/again");         // absolute loop
    dir.symlink("self.yaml", "root/self.yaml");               // a link to itself
    dir.symlink("ping.yaml", "root/pong.yaml");               // two links to each other
    dir.symlink("pong.yaml", "root/ping.yaml");
    const auto start = std::chrono::steady_clock::now();
    const auto set = load_manifests(dir.path() / "root");
    INFO(dump(set.diagnostics));
    CHECK(seconds_since(start) < 5.0);
    CHECK(names_of(set) == std::vector<std::string>{"One"});
    CHECK(set.files == 1);
    CHECK_FALSE(warnings_of(set.diagnostics).empty());
}

TEST_CASE("two links to one file load it once") {
    ScratchDir dir;
    dir.write("root/real.yaml", minimal("Once"));
    dir.symlink("real.yaml", "root/alias.yaml");
    const auto set = load_manifests(dir.path() / "root");
    INFO(dump(set.diagnostics));
    CHECK(set.ok());
    CHECK(names_of(set) == std::vector<std::string>{"Once"});
}

TEST_CASE("a dangling symlink with a manifest name is reported as a warning and skipped") {
    ScratchDir dir;
    dir.write("root/ok.yaml", minimal("Ok"));
    dir.symlink(dir.path() / "nowhere.yaml", "root/gone.yaml");
    const auto set = load_manifests(dir.path() / "root");
    INFO(dump(set.diagnostics));
    CHECK(names_of(set) == std::vector<std::string>{"Ok"});
    REQUIRE(warnings_of(set.diagnostics).size() == 1);
    CHECK(warnings_of(set.diagnostics)[0].location.file == (dir.path() / "root/gone.yaml").string());
}

namespace {

/// Runs the pieces in reverse index order: whatever discovery hands to an
/// executor must not depend on the order the pieces run in.
class ReverseExecutor final : public Executor {
public:
    void run(std::size_t count, const std::function<void(std::size_t)>& fn) override {
        ++runs;
        for (std::size_t i = count; i-- > 0;)
            fn(i);
    }
    std::size_t width() const override { return 4; }
    std::size_t runs = 0;
};

} // namespace

TEST_CASE("a large directory found on an executor is found exactly as in order, links and loops included") {
    ScratchDir dir;
    for (int i = 0; i < 120; ++i)
        dir.write("root/many/m" + std::to_string(i) + ".yaml", minimal("M" + std::to_string(i)));
    for (int i = 0; i < 40; ++i)
        dir.write("root/many/note" + std::to_string(i) + ".txt", "not a manifest\n");
    // Which of two links to one file or directory counts, and which is
    // warned about, depends on the order the entries are looked at.
    for (int i = 0; i < 40; ++i)
        dir.symlink("m" + std::to_string(i) + ".yaml", "root/many/alias" + std::to_string(i) + ".yaml");
    for (int i = 0; i < 10; ++i)
        dir.symlink(dir.path() / ("nowhere" + std::to_string(i)), "root/many/gone" + std::to_string(i) + ".yml");
    dir.symlink("..", "root/many/up");
    dir.symlink("many", "root/again");

    Diagnostics in_order_diagnostics;
    const auto expected = discover_manifest_files(dir.path() / "root", in_order_diagnostics);
    ReverseExecutor reverse;
    Diagnostics diagnostics;
    const auto found = discover_manifest_files(dir.path() / "root", diagnostics, reverse);

    CHECK(reverse.runs > 0); // the directory was large enough to be split
    REQUIRE(found.size() == expected.size());
    CHECK(found.size() == 120);
    for (std::size_t i = 0; i < found.size(); ++i) {
        CHECK(found[i].display == expected[i].display);
        CHECK(found[i].relative == expected[i].relative);
        CHECK(found[i].stamp == expected[i].stamp);
    }
    CHECK(dump(diagnostics) == dump(in_order_diagnostics));
    CHECK(warnings_of(diagnostics).size() == 40 + 10 + 2);
}

TEST_CASE("a manifest directory that does not exist is an error naming it") {
    ScratchDir dir;
    const auto missing = dir.path() / "no-such-dir";
    const auto set = load_manifests(missing);
    INFO(dump(set.diagnostics));
    CHECK_FALSE(set.ok());
    CHECK(set.webhooks.empty());
    REQUIRE(errors_of(set.diagnostics).size() == 1);
    CHECK(errors_of(set.diagnostics)[0].location.file == missing.string());
}

TEST_CASE("a manifest path that is a file, not a directory, is an error") {
    ScratchDir dir;
    const auto file = dir.write("single.yaml", minimal("Single"));
    const auto set = load_manifests(file);
    INFO(dump(set.diagnostics));
    CHECK_FALSE(set.ok());
    CHECK(has_error(set.diagnostics, {"directory"}));
}

TEST_CASE("an empty directory holds no webhook and no error") {
    ScratchDir dir;
    const auto set = load_manifests(dir.path());
    CHECK(set.ok());
    CHECK(set.webhooks.empty());
    CHECK(set.files == 0);
}

namespace {

// Runs `check` in a child that has dropped root to nobody (permission checks
// do not bite root). Returns the child's verdict, or nothing when privileges
// cannot be dropped or nobody cannot reach `dir`.
std::optional<bool> as_unprivileged(const fs::path& dir, const std::function<bool()>& check) {
    if (::geteuid() != 0)
        return check();
    ::chmod(dir.c_str(), 0755);
    const pid_t pid = ::fork();
    if (pid < 0)
        return std::nullopt;
    if (pid == 0) {
        if (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0)
            ::_exit(77);
        if (::access(dir.c_str(), R_OK | X_OK) != 0)
            ::_exit(77);
        ::_exit(check() ? 0 : 1);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) == 77)
        return std::nullopt;
    return WEXITSTATUS(status) == 0;
}

} // namespace

TEST_CASE("an unreadable directory or file is an error, and the readable rest still loads") {
    ScratchDir dir;
    dir.write("ok.yaml", minimal("Ok"));
    dir.write("locked/inside.yaml", minimal("Inside"));
    const auto secret = dir.write("unreadable.yaml", minimal("Unreadable"));
    ::chmod((dir.path() / "locked").c_str(), 0);
    ::chmod(secret.c_str(), 0);
    const std::string locked_display = (dir.path() / "locked").string();
    const std::string secret_display = secret.string();
    const auto verdict = as_unprivileged(dir.path(), [&] {
        const auto set = load_manifests(dir.path());
        const bool ok = !set.ok() && names_of(set) == std::vector<std::string>{"Ok"} &&
                        errors_of(set.diagnostics).size() == 2 &&
                        errors_of(set.diagnostics)[0].location.file == locked_display &&
                        errors_of(set.diagnostics)[1].location.file == secret_display;
        if (!ok)
            (void)std::fprintf(stderr, "%s", dump(set.diagnostics).c_str());
        return ok;
    });
    if (!verdict) {
        MESSAGE("skipped: running as root and privileges could not be dropped to nobody, so "
                "permissions cannot be tested here");
        return;
    }
    CHECK(*verdict);
}

TEST_CASE("an unreadable manifest root is an error") {
    ScratchDir dir;
    dir.write("root/a.yaml", minimal("A"));
    ::chmod((dir.path() / "root").c_str(), 0);
    const auto root = dir.path() / "root";
    const auto verdict = as_unprivileged(dir.path(), [&] {
        const auto set = load_manifests(root);
        return !set.ok() && set.webhooks.empty() && errors_of(set.diagnostics).size() == 1;
    });
    if (!verdict) {
        MESSAGE("skipped: cannot drop root privileges to test permissions");
        return;
    }
    CHECK(*verdict);
}

TEST_CASE("errors of every file are reported, not only the first file's") {
    ScratchDir dir;
    dir.write("a.yaml", minimal("bad a"));
    dir.write("b.yaml", "not: [yaml\n");
    dir.write("c/c.yaml", minimal("Good"));
    dir.write("d.yaml", "");
    dir.write("e.yml", std::string("x: \xff\n"));
    const auto set = load_manifests(dir.path());
    INFO(dump(set.diagnostics));
    CHECK(names_of(set) == std::vector<std::string>{"Good"});
    std::set<std::string> files_with_errors;
    for (const auto& e : errors_of(set.diagnostics))
        files_with_errors.insert(e.location.file);
    CHECK(files_with_errors == std::set<std::string>{(dir.path() / "a.yaml").string(),
                                                     (dir.path() / "b.yaml").string(),
                                                     (dir.path() / "d.yaml").string(),
                                                     (dir.path() / "e.yml").string()});
    CHECK(set.files == 5);
}

TEST_CASE("a duplicate name across files is an error that names both places") {
    ScratchDir dir;
    dir.write("a.yaml", minimal("Same"));
    dir.write("z/b.yaml", minimal("Other") + "---\n" + minimal("Same"));
    const auto set = load_manifests(dir.path());
    INFO(dump(set.diagnostics));
    CHECK_FALSE(set.ok());
    const auto errors = errors_of(set.diagnostics);
    REQUIRE(errors.size() == 1);
    const std::string first = (dir.path() / "a.yaml").string() + ":4:9";
    const std::string second = (dir.path() / "z/b.yaml").string();
    CHECK(errors[0].location == SourceLocation{second, 8 + name_line, name_column});
    CHECK(contains(errors[0].message, "Same"));
    CHECK(contains(errors[0].message, first));
}

TEST_CASE("a duplicate name is reported even when one of the two documents has other errors") {
    ScratchDir dir;
    dir.write("a.yaml", minimal("Same"));
    Doc broken;
    broken.name = "Same";
    broken.url = "http://insecure.example.com";
    dir.write("b.yaml", broken.text());
    const auto set = load_manifests(dir.path());
    INFO(dump(set.diagnostics));
    CHECK(has_error(set.diagnostics, {"Same", (dir.path() / "a.yaml").string() + ":4:9"}));
    CHECK(has_error_at(set.diagnostics, (dir.path() / "b.yaml").string(), url_line, url_column,
                       {"endpointUrl"}));

    // And the other way round: the broken one first.
    ScratchDir dir2;
    dir2.write("a.yaml", broken.text());
    dir2.write("b.yaml", minimal("Same"));
    const auto set2 = load_manifests(dir2.path());
    INFO(dump(set2.diagnostics));
    CHECK(has_error_at(set2.diagnostics, (dir2.path() / "b.yaml").string(), name_line, name_column,
                       {"Same", (dir2.path() / "a.yaml").string() + ":4:9"}));
}

TEST_CASE("a duplicate name within one file is reported") {
    const auto text = minimal("Twin") + "---\n" + minimal("Twin");
    ManifestSet set;
    load_manifest_text(text, "one.yaml", {}, set);
    check_duplicate_names(set);
    INFO(dump(set.diagnostics));
    CHECK(has_error_at(set.diagnostics, "one.yaml", 8 + name_line, name_column, {"Twin", "one.yaml:4:9"}));
}

TEST_CASE("no document of a name defined twice is desired; the others are, and the places are "
          "kept") {
    ScratchDir dir;
    dir.write("a.yaml", minimal("Twice") + "---\n" + minimal("Once"));
    dir.write("b/c.yaml", minimal("Twice"));
    const auto set = load_manifests(dir.path());
    INFO(dump(set.diagnostics));
    REQUIRE(set.webhooks.size() == 1);
    CHECK(set.webhooks[0].name == "Once");
    REQUIRE(set.duplicates.size() == 1);
    CHECK(set.duplicates[0].name == "Twice");
    CHECK(set.duplicates[0].places ==
          std::vector<SourceLocation>{{(dir.path() / "a.yaml").string(), name_line, name_column},
                                      {(dir.path() / "b/c.yaml").string(), name_line, name_column}});

    const DesiredState desired = desired_state(set);
    CHECK(desired.webhooks == set.webhooks);
    CHECK(desired.duplicates == set.duplicates);
    CHECK(desired.errors == 1);
}

TEST_CASE("two files whose names differ only in case are two files: one name in both is refused") {
    ScratchDir dir;
    dir.write("Hooks.yaml", minimal("Same"));
    dir.write("hooks.yaml", minimal("Same"));
    const auto set = load_manifests(dir.path());
    INFO(dump(set.diagnostics));
    CHECK(set.webhooks.empty());
    REQUIRE(set.duplicates.size() == 1);
    CHECK(set.duplicates[0].places.size() == 2);
}

TEST_CASE("a name defined three times is one duplicate with three places, and two errors") {
    const auto text = minimal("Thrice") + "---\n" + minimal("Thrice") + "---\n" + minimal("Thrice");
    ManifestSet set;
    load_manifest_text(text, "one.yaml", {}, set);
    check_duplicate_names(set);
    INFO(dump(set.diagnostics));
    CHECK(set.webhooks.empty());
    REQUIRE(set.duplicates.size() == 1);
    CHECK(set.duplicates[0].places.size() == 3);
    CHECK(errors_of(set.diagnostics).size() == 2);
}

TEST_CASE("a duplicate of a broken document still takes the valid one out of the desired state") {
    Doc broken;
    broken.name = "Same";
    broken.url = "http://insecure.example.com";
    ManifestSet set;
    load_manifest_text(minimal("Same") + "---\n" + broken.text(), "m.yaml", {}, set);
    check_duplicate_names(set);
    INFO(dump(set.diagnostics));
    CHECK(set.webhooks.empty());
    REQUIRE(set.duplicates.size() == 1);
    CHECK(set.duplicates[0].name == "Same");
}

TEST_CASE("documents without a name declare none, so they never collide with each other") {
    const std::string nameless = "apiVersion: hookwarden/v1\nkind: Webhook\n"
                                 "spec: {eventTypes: [user:login], endpointUrl: https://e.com}\n";
    const auto text = minimal("Named") + "---\n" + nameless + "---\n" + nameless;
    ManifestSet set;
    load_manifest_text(text, "m.yaml", {}, set);
    check_duplicate_names(set);
    INFO(dump(set.diagnostics));
    CHECK(set.declared_names.size() == 1);
    CHECK_FALSE(has_error(set.diagnostics, {"already defined"}));
    CHECK(errors_of(set.diagnostics).size() == 2); // the two missing metadata
}

TEST_CASE("a badly formed name is not also reported as a duplicate") {
    const auto text = minimal("bad name") + "---\n" + minimal("bad name");
    ManifestSet set;
    load_manifest_text(text, "m.yaml", {}, set);
    check_duplicate_names(set);
    INFO(dump(set.diagnostics));
    CHECK(errors_of(set.diagnostics).size() == 2);
    CHECK_FALSE(has_error(set.diagnostics, {"already defined"}));
}

TEST_CASE("every manifest field is published for the JSON Schema") {
    const auto fields = accepted_manifest_fields();
    for (const char* f :
         {"apiVersion", "kind", "metadata", "spec", "metadata.name", "metadata.labels",
          "spec.eventTypes", "spec.endpointUrl", "spec.enabled", "spec.retryPolicy",
          "spec.retryPolicy.retryInterval", "spec.retryPolicy.maxRetries", "spec.payloadTemplate",
          "spec.secretRef", "spec.secretRef.generate", "spec.secretRef.credential",
          "spec.secretRef.file", "spec.secretRef.env",
          // kind: Trigger (spec.enabled is both kinds')
          "spec.topicName", "spec.target", "spec.target.type", "spec.target.id",
          "spec.target.dataFormat", "spec.matchCriteria", "spec.matchCriteria.jsonPath",
          "spec.matchCriteria.operator", "spec.matchCriteria.value", "spec.matchCriteria.values",
          "spec.eventTTLSeconds", "spec.delayBySeconds", "spec.description"}) {
        INFO(std::string(f));
        CHECK(std::find(fields.begin(), fields.end(), f) != fields.end());
    }
    CHECK(fields.size() == 31);
}

} // TEST_SUITE
