// The secrets a route verifies with (daemon/receiver/route_secrets.hpp):
// the current one, and the previous ones a rotation keeps valid until its end.
#include "daemon/receiver/route_secrets.hpp"

#include "core/secret_store.hpp" // secret_fingerprint

#include <doctest/doctest.h>

using namespace hookwarden;
using namespace std::chrono_literals;

namespace {

const std::chrono::system_clock::time_point new_year{1767225600s}; // 2026-01-01T00:00:00Z

/// What the sources say now; tests change it between refreshes.
struct Sources {
    std::optional<std::string> current = "secret-A";
    std::optional<std::string> previous_file;
    std::map<std::string, SecretRotation> rotations;
    std::string version = "v1";

    SecretReaders readers() {
        return {
            [this](const std::string&, const SecretSource&) -> Result<std::string> {
                if (!current)
                    return make_error(ErrorKind::not_found, "no generated secret is kept for W");
                return *current;
            },
            [this](const std::string&) -> Result<std::optional<std::string>> { return previous_file; },
            [this]() -> Result<std::map<std::string, SecretRotation>> { return rotations; },
            [this](const std::string&, const SecretSource&) { return version; },
        };
    }
};

RouteDefinition route() {
    return {"/hooks/w", "W", SecretSource{SecretSource::Kind::generate, ""}, 600s};
}

std::vector<std::string> valid_at(const RouteSecrets& secrets, std::chrono::system_clock::time_point now) {
    const auto span = secrets.candidates(now).secrets();
    return {span.begin(), span.end()};
}

const auto tick = std::chrono::steady_clock::time_point{};

} // namespace

TEST_CASE("nothing verifies before the first read, the current secret after it") {
    Sources sources;
    RouteSecrets secrets(route(), sources.readers());
    CHECK(valid_at(secrets, new_year) == std::vector<std::string>{""});
    CHECK(secrets.refresh(new_year, tick, true));
    CHECK(valid_at(secrets, new_year) == std::vector<std::string>{"secret-A"});
    CHECK(secrets.candidates(new_year).problem().empty());
}

TEST_CASE("a value the receiver held stays valid for the grace after its source changes") {
    Sources sources;
    RouteSecrets secrets(route(), sources.readers());
    secrets.refresh(new_year, tick, true);
    sources.current = "secret-B";
    secrets.refresh(new_year + 10s, tick + 10s, false);
    CHECK(valid_at(secrets, new_year + 10s) == std::vector<std::string>{"secret-B", "secret-A"});
    CHECK(valid_at(secrets, new_year + 609s) == std::vector<std::string>{"secret-B", "secret-A"});
    CHECK(valid_at(secrets, new_year + 610s) == std::vector<std::string>{"secret-B"});
}

TEST_CASE("state.json's rotation end decides how long the previous secret is valid") {
    Sources sources;
    RouteSecrets secrets(route(), sources.readers());
    secrets.refresh(new_year, tick, true);
    sources.current = "secret-B";
    sources.rotations["W"] = {secret_fingerprint("secret-A"), std::chrono::floor<std::chrono::seconds>(new_year + 60s)};
    secrets.refresh(new_year + 1s, tick + 1s, false);
    CHECK(valid_at(secrets, new_year + 59s) == std::vector<std::string>{"secret-B", "secret-A"});
    CHECK(valid_at(secrets, new_year + 60s) == std::vector<std::string>{"secret-B"});
}

TEST_CASE("after a restart the previous generated secret comes from disk while its rotation lasts") {
    Sources sources;
    sources.current = "secret-B";
    sources.previous_file = "secret-A";
    sources.rotations["W"] = {secret_fingerprint("secret-A"), std::chrono::floor<std::chrono::seconds>(new_year + 60s)};
    RouteSecrets secrets(route(), sources.readers());
    secrets.refresh(new_year, tick, true);
    CHECK(valid_at(secrets, new_year) == std::vector<std::string>{"secret-B", "secret-A"});

    sources.rotations.clear(); // apply dropped the ended rotation; the file is not trusted alone
    RouteSecrets later(route(), sources.readers());
    later.refresh(new_year + 61s, tick, true);
    CHECK(valid_at(later, new_year + 61s) == std::vector<std::string>{"secret-B"});
}

TEST_CASE("re-reading is limited to once a second unless forced") {
    Sources sources;
    RouteSecrets secrets(route(), sources.readers());
    CHECK(secrets.refresh(new_year, tick, true));
    CHECK_FALSE(secrets.refresh(new_year, tick + 999ms, false));
    CHECK(secrets.refresh(new_year, tick + 1s, false));
    CHECK(secrets.refresh(new_year, tick + 1s, true));
}

TEST_CASE("a secret that cannot be read says why, and a held previous one still verifies") {
    Sources sources;
    RouteSecrets secrets(route(), sources.readers());
    secrets.refresh(new_year, tick, true);
    sources.current.reset();
    secrets.refresh(new_year + 5s, tick + 5s, true);
    CHECK(valid_at(secrets, new_year + 5s) == std::vector<std::string>{"", "secret-A"});
    CHECK(secrets.candidates(new_year + 5s).problem() == "no generated secret is kept for W");
}

TEST_CASE("two rotations in a row keep both previous secrets, each until its own end") {
    Sources sources;
    RouteSecrets secrets(route(), sources.readers());
    secrets.refresh(new_year, tick, true);
    sources.current = "secret-B";
    secrets.refresh(new_year + 100s, tick + 100s, true); // A until new_year+700
    sources.current = "secret-C";
    secrets.refresh(new_year + 200s, tick + 200s, true); // B until new_year+800
    CHECK(valid_at(secrets, new_year + 200s) == std::vector<std::string>{"secret-C", "secret-B", "secret-A"});
    CHECK(valid_at(secrets, new_year + 750s) == std::vector<std::string>{"secret-C", "secret-B"});
    CHECK(valid_at(secrets, new_year + 800s) == std::vector<std::string>{"secret-C"});
}

TEST_CASE("a secret whose file changed is re-read at once, within the second") {
    Sources sources;
    RouteSecrets secrets(route(), sources.readers());
    CHECK(secrets.refresh(new_year, tick, true));
    sources.current = "secret-B";
    CHECK_FALSE(secrets.refresh(new_year, tick + 10ms, false)); // same file: the limit holds
    sources.version = "v2";                                 // apply replaced it
    CHECK(secrets.refresh(new_year, tick + 20ms, false));
    CHECK(valid_at(secrets, new_year) == std::vector<std::string>{"secret-B", "secret-A"});
}

TEST_CASE("a previous secret on disk that is not the one state.json names is not trusted") {
    Sources sources;
    sources.current = "secret-B";
    sources.previous_file = "left-by-a-crash";
    sources.rotations["W"] = {secret_fingerprint("secret-A"), std::chrono::floor<std::chrono::seconds>(new_year + 60s)};
    RouteSecrets secrets(route(), sources.readers());
    secrets.refresh(new_year, tick, true);
    CHECK(valid_at(secrets, new_year) == std::vector<std::string>{"secret-B"});
}
