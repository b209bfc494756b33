// Secret sources (core/secret_source.hpp): the four forms of secretRef and
// how each is resolved, never showing a value.
#include "core/secret_source.hpp"
#include "core/secret_source_yaml.hpp"
#include "core/source_file.hpp"
#include "core/yaml_fields.hpp"
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

// ========================================================= secret sources

TEST_SUITE("secret sources") {

namespace {

SecretEnvironment fake_env(std::map<std::string, std::string> vars,
                           std::optional<fs::path> credentials = std::nullopt) {
    SecretEnvironment env;
    env.getenv = [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
        auto it = vars.find(name);
        if (it == vars.end())
            return std::nullopt;
        return it->second;
    };
    env.credentials_directory = std::move(credentials);
    return env;
}

constexpr const char* value = "s3cr3t-V4LUE-do-not-print";

// A secret file as an operator should leave it: its owner's alone.
fs::path write_secret(const ScratchDir& dir, const fs::path& relative, std::string_view content,
                      mode_t mode = 0600) {
    auto path = dir.write(relative, content);
    REQUIRE(::chmod(path.c_str(), mode) == 0);
    return path;
}

std::string octal(mode_t mode) {
    char text[8];
    REQUIRE(std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode)) == 4);
    return text;
}

} // namespace

TEST_CASE("an env source resolves to the variable's value, unchanged") {
    const auto env = fake_env({{"MONITOR_SECRET", std::string(value) + "\n"}});
    const auto result = resolve_secret({SecretSource::Kind::env, "MONITOR_SECRET"}, env);
    REQUIRE(result.has_value());
    CHECK(*result == std::string(value) + "\n");
}

TEST_CASE("a missing env variable is an error that names it and no value") {
    const auto env = fake_env({{"OTHER_SECRET", value}});
    const auto result = resolve_secret({SecretSource::Kind::env, "MONITOR_SECRET"}, env);
    REQUIRE(result.has_error());
    CHECK(contains(result.error().message, "MONITOR_SECRET"));
    CHECK_FALSE(contains(result.error().describe(), value));
}

TEST_CASE("an empty secret is an error") {
    ScratchDir dir;
    write_secret(dir, "empty", "");
    write_secret(dir, "newline-only", "\n");
    CHECK(resolve_secret({SecretSource::Kind::env, "E"}, fake_env({{"E", ""}})).has_error());
    for (const char* name : {"empty", "newline-only"}) {
        const auto result = resolve_secret({SecretSource::Kind::file, (dir / name).string()}, fake_env({}));
        REQUIRE(result.has_error());
        CHECK(contains(result.error().message, "is empty"));
    }
    CHECK(resolve_secret({SecretSource::Kind::plain, ""}, fake_env({})).has_error());
}

TEST_CASE("a file source is the whole file with one trailing newline stripped") {
    ScratchDir dir;
    struct Case {
        std::string content, expected;
    };
    for (const auto& c : {Case{"abc\n", "abc"}, Case{"abc", "abc"}, Case{"abc\r\n", "abc"},
                          Case{"abc\n\n", "abc\n"}, Case{"a\nb\n", "a\nb"}, Case{"abc\r", "abc\r"},
                          Case{" spaced \n", " spaced "}, Case{std::string("bin\0ary\n", 8), std::string("bin\0ary", 7)}}) {
        INFO(std::string(c.content));
        const auto path = write_secret(dir, "secret", c.content);
        const auto result = resolve_secret({SecretSource::Kind::file, path.string()}, fake_env({}));
        REQUIRE(result.has_value());
        CHECK(*result == c.expected);
    }
}

TEST_CASE("a missing secret file is an error naming the path and no value") {
    ScratchDir dir;
    dir.write("present", value);
    const auto missing = (dir / "absent").string();
    const auto result = resolve_secret({SecretSource::Kind::file, missing}, fake_env({}));
    REQUIRE(result.has_error());
    CHECK(contains(result.error().message, missing));
    CHECK_FALSE(contains(result.error().describe(), value));
}

TEST_CASE("a secret file over 1 MiB is refused without echoing its content") {
    ScratchDir dir;
    std::string big;
    while (big.size() <= max_source_file_bytes)
        big += value;
    const auto path = write_secret(dir, "big", big);
    const auto result = resolve_secret({SecretSource::Kind::file, path.string()}, fake_env({}));
    REQUIRE(result.has_error());
    CHECK(contains(result.error().message, path.string()));
    CHECK_FALSE(contains(result.error().describe(), value));
}

TEST_CASE("a credential is read from $CREDENTIALS_DIRECTORY with one trailing newline stripped") {
    ScratchDir dir;
    write_secret(dir, "creds/monitor-secret", std::string(value) + "\n", 0400);
    const auto result = resolve_secret({SecretSource::Kind::credential, "monitor-secret"},
                                       fake_env({}, dir / "creds"));
    REQUIRE(result.has_value());
    CHECK(*result == value);
}

TEST_CASE("a secret file that its group or other users may read or write is refused, naming the file") {
    ScratchDir dir;
    for (const mode_t mode : {0640, 0620, 0610, 0604, 0602, 0601, 0644, 0660, 0666, 0440, 0404}) {
        INFO(octal(mode));
        const auto path = write_secret(dir, "monitor", value, mode);
        const auto result = resolve_secret({SecretSource::Kind::file, path.string()}, fake_env({}));
        REQUIRE(result.has_error());
        const std::string message = result.error().describe();
        CHECK(result.error().kind == ErrorKind::invalid_input);
        CHECK(contains(message, path.string()));
        CHECK(contains(message, "mode " + octal(mode)));
        CHECK(contains(message, (mode & 07) != 0 ? "open to other users" : "open to its group"));
        CHECK(contains(message, "chmod 600 " + path.string()));
        CHECK(message.find('\n') == std::string::npos);
        CHECK_FALSE(contains(message, value));
    }
}

TEST_CASE("a secret file its owner alone may read is accepted: 0600, 0400, 0700") {
    ScratchDir dir;
    for (const mode_t mode : {0600, 0400, 0700, 0200 | 0400}) {
        INFO(octal(mode));
        const auto path = write_secret(dir, "monitor", value, mode);
        const auto result = resolve_secret({SecretSource::Kind::file, path.string()}, fake_env({}));
        REQUIRE(result.has_value());
        CHECK(*result == value);
    }
}

TEST_CASE("a credential is accepted as systemd writes it (0400, or 0440 when an ACL grants the "
          "service user read), and refused when other users may read it") {
    ScratchDir dir;
    struct Case {
        mode_t mode;
        bool accepted;
    };
    for (const Case c : {Case{0400, true}, Case{0440, true}, Case{0600, true}, Case{0640, true},
                         Case{0444, false}, Case{0404, false}, Case{0644, false}, Case{0402, false}}) {
        INFO(octal(c.mode));
        write_secret(dir, "creds/client-secret", value, c.mode);
        const auto result = resolve_secret({SecretSource::Kind::credential, "client-secret"},
                                           fake_env({}, dir / "creds"));
        if (c.accepted) {
            REQUIRE(result.has_value());
            CHECK(*result == value);
            continue;
        }
        REQUIRE(result.has_error());
        CHECK(contains(result.error().message, "credential 'client-secret'"));
        CHECK(contains(result.error().message, (dir / "creds" / "client-secret").string()));
        CHECK(contains(result.error().message, "open to other users"));
        CHECK_FALSE(contains(result.error().describe(), value));
    }
}

TEST_CASE("the permission check is made on the file read, through a symlink too") {
    ScratchDir dir;
    const auto target = write_secret(dir, "real/monitor", value, 0644);
    const auto link = dir.symlink(target, "link");
    const auto result = resolve_secret({SecretSource::Kind::file, link.string()}, fake_env({}));
    REQUIRE(result.has_error());
    CHECK(contains(result.error().message, "mode 0644"));
    REQUIRE(::chmod(target.c_str(), 0600) == 0);
    CHECK(resolve_secret({SecretSource::Kind::file, link.string()}, fake_env({})).has_value());
}

TEST_CASE("a missing credential is an error naming the credential and no value") {
    ScratchDir dir;
    dir.write("creds/other", value);
    const auto result = resolve_secret({SecretSource::Kind::credential, "monitor-secret"},
                                       fake_env({}, dir / "creds"));
    REQUIRE(result.has_error());
    CHECK(contains(result.error().message, "monitor-secret"));
    CHECK_FALSE(contains(result.error().describe(), value));
}

TEST_CASE("a credential without $CREDENTIALS_DIRECTORY is an error that says so") {
    const auto result = resolve_secret({SecretSource::Kind::credential, "monitor-secret"},
                                       fake_env({{"CREDENTIALS_DIRECTORY_X", value}}));
    REQUIRE(result.has_error());
    CHECK(contains(result.error().message, "monitor-secret"));
    CHECK(contains(result.error().message, "CREDENTIALS_DIRECTORY"));
    CHECK_FALSE(contains(result.error().describe(), value));
}

TEST_CASE("a plain value resolves to itself, but is described without it") {
    const SecretSource plain{SecretSource::Kind::plain, value};
    const auto result = resolve_secret(plain, fake_env({}));
    REQUIRE(result.has_value());
    CHECK(*result == value);
    CHECK_FALSE(contains(plain.describe(), value));
}

TEST_CASE("a generated secret is not resolved from a source") {
    CHECK(resolve_secret({SecretSource::Kind::generate, ""}, fake_env({})).has_error());
}

TEST_CASE("describe names the source") {
    CHECK(contains(SecretSource{SecretSource::Kind::credential, "client-id"}.describe(), "client-id"));
    CHECK(contains(SecretSource{SecretSource::Kind::file, "/etc/x"}.describe(), "/etc/x"));
    CHECK(contains(SecretSource{SecretSource::Kind::env, "MONITOR_SECRET"}.describe(), "MONITOR_SECRET"));
}

TEST_CASE("the process environment reads real variables") {
    ::setenv("HOOKWARDEN_TEST_SECRET_VAR", "from-process", 1);
    const auto env = SecretEnvironment::process();
    const auto result = resolve_secret({SecretSource::Kind::env, "HOOKWARDEN_TEST_SECRET_VAR"}, env);
    ::unsetenv("HOOKWARDEN_TEST_SECRET_VAR");
    REQUIRE(result.has_value());
    CHECK(*result == "from-process");
}

TEST_CASE("a relative secret file in config form resolves against the base directory") {
    const std::string file = "c.yaml";
    Diagnostics diagnostics;
    const auto parsed = parse_yaml_documents("{file: secrets/../secrets/id}", file, diagnostics);
    REQUIRE(parsed.has_value());
    const YamlField field{parsed->front(), "tenant.clientId", &file};
    const auto source = read_secret_source(field, {.allow_plain = true, .base_dir = "/etc/hookwarden"},
                                           diagnostics);
    INFO(dump(diagnostics));
    REQUIRE(source.has_value());
    CHECK(*source == SecretSource{SecretSource::Kind::file, "/etc/hookwarden/secrets/id"});

    const auto plain = parse_yaml_documents("just-the-value", file, diagnostics);
    REQUIRE(plain.has_value());
    const auto plain_source = read_secret_source({plain->front(), "tenant.clientId", &file},
                                                 {.allow_plain = true}, diagnostics);
    REQUIRE(plain_source.has_value());
    CHECK(*plain_source == SecretSource{SecretSource::Kind::plain, "just-the-value"});
}

} // TEST_SUITE
