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
    dir.write("empty", "");
    dir.write("newline-only", "\n");
    CHECK(resolve_secret({SecretSource::Kind::env, "E"}, fake_env({{"E", ""}})).has_error());
    CHECK(resolve_secret({SecretSource::Kind::file, (dir / "empty").string()}, fake_env({})).has_error());
    CHECK(resolve_secret({SecretSource::Kind::file, (dir / "newline-only").string()}, fake_env({}))
              .has_error());
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
        const auto path = dir.write("secret", c.content);
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
    const auto path = dir.write("big", big);
    const auto result = resolve_secret({SecretSource::Kind::file, path.string()}, fake_env({}));
    REQUIRE(result.has_error());
    CHECK(contains(result.error().message, path.string()));
    CHECK_FALSE(contains(result.error().describe(), value));
}

TEST_CASE("a credential is read from $CREDENTIALS_DIRECTORY with one trailing newline stripped") {
    ScratchDir dir;
    dir.write("creds/monitor-secret", std::string(value) + "\n");
    const auto result = resolve_secret({SecretSource::Kind::credential, "monitor-secret"},
                                       fake_env({}, dir / "creds"));
    REQUIRE(result.has_value());
    CHECK(*result == value);
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
