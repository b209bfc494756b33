// The strict command-line argument parser (daemon/cli/cli_args.hpp).
#include "daemon/cli/cli_args.hpp"
#include "tests/support/file_text.hpp"

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

using namespace hookwarden;
using hookwarden::testing::contains;

// ============================================================ cli args

TEST_SUITE("command-line arguments") {

namespace {

CliArgs apply_args() { return CliArgs({"prune", "dry-run"}, {"output", "rotate-secret"}); }

} // namespace

TEST_CASE("flags, options in both spellings and positionals are parsed") {
    auto args = apply_args();
    const auto problem =
        args.parse({"first", "--prune", "--output", "json", "--rotate-secret=Monitor", "second"});
    REQUIRE_FALSE(problem.has_value());
    CHECK(args.flag("prune"));
    CHECK_FALSE(args.flag("dry-run"));
    CHECK(args.option("output") == std::optional<std::string>("json"));
    CHECK(args.option("rotate-secret") == std::optional<std::string>("Monitor"));
    CHECK(args.positionals() == std::vector<std::string>{"first", "second"});
}

TEST_CASE("an option not given is absent; an empty value given with = is present") {
    auto args = apply_args();
    REQUIRE_FALSE(args.parse({"--output="}).has_value());
    CHECK(args.option("output") == std::optional<std::string>(""));
    CHECK_FALSE(args.option("rotate-secret").has_value());
    CHECK_FALSE(args.flag("prune"));
}

TEST_CASE("an option value may itself contain '=' or start with '-'") {
    auto args = apply_args();
    REQUIRE_FALSE(args.parse({"--output=a=b", "--rotate-secret", "-"}).has_value());
    CHECK(args.option("output") == std::optional<std::string>("a=b"));
    CHECK(args.option("rotate-secret") == std::optional<std::string>("-"));
}

TEST_CASE("an unknown option is an error naming it") {
    const std::vector<std::vector<std::string>> command_lines{
        {"--prnue"}, {"--force"}, {"--prune", "--Output", "json"}, {"-p"}, {"-x", "pos"},
        {"---prune"}, {"--=x"}};
    for (const auto& argv : command_lines) {
        INFO(argv.front());
        auto args = apply_args();
        const auto problem = args.parse(argv);
        REQUIRE(problem.has_value());
        CHECK(contains(*problem, "unknown option"));
    }
    auto args = apply_args();
    CHECK(contains(args.parse({"--prnue"}).value_or(""), "--prnue"));
}

TEST_CASE("a flag given a value is an error") {
    auto args = apply_args();
    const auto problem = args.parse({"--prune=yes"});
    REQUIRE(problem.has_value());
    CHECK(contains(*problem, "--prune"));
}

TEST_CASE("an option without its value is an error") {
    auto args = apply_args();
    const auto problem = args.parse({"--prune", "--output"});
    REQUIRE(problem.has_value());
    CHECK(contains(*problem, "--output"));
}

TEST_CASE("after --, every argument is a positional, even one that looks like an option") {
    auto args = apply_args();
    REQUIRE_FALSE(args.parse({"--prune", "--", "--output", "-x", "--", "file"}).has_value());
    CHECK(args.flag("prune"));
    CHECK_FALSE(args.option("output").has_value());
    CHECK(args.positionals() == std::vector<std::string>{"--output", "-x", "--", "file"});
}

TEST_CASE("a lone '-' is a positional (standard input)") {
    auto args = apply_args();
    REQUIRE_FALSE(args.parse({"-"}).has_value());
    CHECK(args.positionals() == std::vector<std::string>{"-"});
}

TEST_CASE("a parser that knows nothing rejects every option but keeps positionals") {
    CliArgs args({}, {});
    REQUIRE_FALSE(args.parse({"dir"}).has_value());
    CHECK(args.positionals() == std::vector<std::string>{"dir"});
    CliArgs strict({}, {});
    CHECK(strict.parse({"--prune"}).has_value());
}

TEST_CASE("plan and status take no argument and only text or json as --output") {
    auto parsed = [](const std::vector<std::string>& argv) {
        CliArgs args({"verify"}, {"output"});
        return parse_output_command_args(args, argv);
    };
    CHECK_FALSE(parsed({}).has_value());
    CHECK_FALSE(parsed({"--output", "json", "--verify"}).has_value());
    CHECK_FALSE(parsed({"--output=text"}).has_value());
    CHECK(parsed({"--output", "yaml"}) == std::optional<std::string>("--output must be text or json"));
    CHECK(parsed({"dir"}) == std::optional<std::string>("takes no arguments"));
    CHECK(contains(parsed({"--verfy"}).value_or(""), "unknown option"));
}

} // TEST_SUITE
