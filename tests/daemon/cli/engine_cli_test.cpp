// `hookwarden plan`, `apply` and `export` as a user runs them: the built
// binary, a config file pointing at the emulator, manifests on disk; exit
// codes and output checked, the tenant observed through the emulator's
// control plane.
#include "core/rfc3339_time.hpp"
#include "core/state_store.hpp"
#include "tests/support/file_text.hpp"
#include "tests/support/output_capture.hpp"
#include "tests/support/scratch_dir.hpp"
#include "tests/support/emulator_control.hpp"
#include "tests/support/emulator_process.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <fstream>
#include <spawn.h>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace hookwarden {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using hookwarden::testing::read_text;
using test::EmulatorControl;
using test::EmulatorProcess;

EmulatorProcess& emulator() {
    static EmulatorProcess process({"--quiet", "--rpm", "100000"});
    return process;
}

const char* const kManifestSecret = "cli-manifest-secret-7f3a9c";
const char* const kFileSecret = "cli-file-secret-4b81d2"; // both known to tests/security/secret_scan.py

struct Run {
    int status = -1;
    std::string out;
    std::string err;
    std::string all() const { return out + err; }
};

std::string manifest_yaml(const std::string& name, const std::string& url,
                          const std::string& extra_spec = "") {
    return "apiVersion: hookwarden/v1\nkind: Webhook\nmetadata:\n  name: " + name +
           "\nspec:\n  eventTypes: [user:login, user:logout]\n  endpointUrl: " + url + "\n" +
           extra_spec;
}

// A scratch directory with a config for the emulator, a manifest directory
// and a state directory.
struct Workspace {
    Workspace() : control(emulator()) {
        control.reset();
        fs::create_directories(manifests());
        write_config(manifests());
    }
    ~Workspace() { test::capture_state_dir(state()); } // for the suite-wide secret scan
    Workspace(const Workspace&) = delete;
    Workspace& operator=(const Workspace&) = delete;

    testing::ScratchDir dir;
    EmulatorControl control;

    fs::path manifests() const { return dir / "manifests"; }
    fs::path state() const { return dir / "state"; }
    fs::path config() const { return dir / "hookwarden.yaml"; }

    void write_config(const fs::path& manifest_dir, const std::string& extra = "") {
        dir.write("hookwarden.yaml", "tenant:\n"
                                     "  apiBase: " +
                                         emulator().base_url() +
                                         "\n"
                                         "  tokenUrl: " +
                                         emulator().token_url() +
                                         "\n"
                                         "  caFile: " +
                                         emulator().ca_file().string() +
                                         "\n"
                                         "  clientId: " +
                                         EmulatorProcess::kClientId +
                                         "\n"
                                         "  clientSecret: {env: HW_TEST_CLIENT_SECRET}\n"
                                         "manifests: " +
                                         manifest_dir.string() +
                                         "\n"
                                         "stateDir: " +
                                         state().string() +
                                         "\n"
                                         "requestsPerMinute: 100000\n" +
                                         extra);
    }
    void add_manifest(const std::string& name, const std::string& url,
                      const std::string& extra = "") {
        dir.write("manifests/" + name + ".yaml", manifest_yaml(name, url, extra));
    }

    // Runs the binary with the config, stdout and stderr captured in files.
    Run run(std::vector<std::string> args) {
        args.insert(args.begin(), {HOOKWARDEN_BINARY, "--config", config().string()});
        std::vector<char*> argv;
        argv.reserve(args.size() + 1);
        for (auto& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);

        std::vector<std::string> env_strings;
        for (char** e = environ; *e; ++e) {
            const std::string entry = *e;
            if (!entry.starts_with("HOOKWARDEN_") && !entry.starts_with("CREDENTIALS_DIRECTORY=") &&
                !entry.starts_with("NO_COLOR="))
                env_strings.push_back(entry);
        }
        env_strings.push_back(std::string("HW_TEST_CLIENT_SECRET=") +
                              EmulatorProcess::kClientSecret);
        env_strings.push_back(std::string("HW_TEST_MANIFEST_SECRET=") + kManifestSecret);
        std::vector<char*> envp;
        envp.reserve(env_strings.size() + 1);
        for (auto& e : env_strings)
            envp.push_back(e.data());
        envp.push_back(nullptr);

        const auto out_file = dir / ".stdout";
        const auto err_file = dir / ".stderr";
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_file.c_str(),
                                         O_WRONLY | O_CREAT | O_TRUNC, 0600);
        posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_file.c_str(),
                                         O_WRONLY | O_CREAT | O_TRUNC, 0600);
        pid_t pid = -1;
        const int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
        posix_spawn_file_actions_destroy(&actions);
        REQUIRE(spawned == 0);
        int status = 0;
        REQUIRE(::waitpid(pid, &status, 0) == pid);
        Run run;
        run.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        run.out = read_text(out_file);
        run.err = read_text(err_file);
        test::capture_output("cli", run.all());
        return run;
    }

    std::int64_t writes() { return control.counters().at("writes").as_int64(); }
};

TEST_CASE("plan exits 2 while changes are pending, apply converges with 0, then plan exits 0") {
    Workspace ws;
    ws.add_manifest("Alpha", "https://alpha.example.com/in");
    ws.add_manifest("Beta", "https://beta.example.com/in");

    const Run before = ws.run({"plan"});
    CHECK_MESSAGE(before.status == 2, before.all());
    CHECK(before.out.find("+ create Alpha") != std::string::npos);
    CHECK(before.out.find("Plan: 2 to create") != std::string::npos);
    CHECK(ws.writes() == 0);

    const Run apply = ws.run({"apply"});
    CHECK_MESSAGE(apply.status == 0, apply.all());
    CHECK(apply.out.find("created Alpha") != std::string::npos);
    CHECK(apply.out.find("Converged.") != std::string::npos);
    CHECK(ws.control.webhooks().size() == 2);

    const Run after = ws.run({"plan"});
    CHECK_MESSAGE(after.status == 0, after.all());
    CHECK(after.out == "No changes. The tenant matches the manifests (2 webhooks).\n");
}

TEST_CASE("plan --output json prints the documented schema") {
    Workspace ws;
    ws.add_manifest("Alpha", "https://alpha.example.com/in");
    const Run run = ws.run({"plan", "--output", "json"});
    CHECK_MESSAGE(run.status == 2, run.all());
    const auto plan = json::parse(run.out).as_object();
    CHECK(plan.at("formatVersion").as_int64() == 1);
    CHECK(plan.at("hasChanges").as_bool());
    CHECK_FALSE(plan.at("hasErrors").as_bool());
    CHECK(plan.at("summary").at("create").as_int64() == 1);
    const auto& item = plan.at("items").as_array().at(0).as_object();
    CHECK(item.at("name") == "Alpha");
    CHECK(item.at("action") == "create");
    const auto& changes = item.at("changes").as_array();
    const auto& secret = changes.back().as_object();
    CHECK(secret.at("field") == "secret");
    CHECK(secret.at("sensitive").as_bool());
    CHECK_FALSE(secret.contains("new"));
    CHECK(ws.run({"plan", "--output", "yaml"}).status == 64);
}

TEST_CASE("apply --dry-run exits like plan and writes nothing, not even state") {
    Workspace ws;
    ws.add_manifest("Alpha", "https://alpha.example.com/in");
    const Run run = ws.run({"apply", "--dry-run"});
    CHECK_MESSAGE(run.status == 2, run.all());
    CHECK(run.out.find("+ create Alpha") != std::string::npos);
    CHECK(ws.writes() == 0);
    CHECK_FALSE(fs::exists(ws.state() / "state.json"));
    CHECK_FALSE(fs::exists(ws.state() / "secrets"));
}

TEST_CASE("a missing secret source is an error of that webhook: the rest is planned and applied, "
          "exit 1") {
    Workspace ws;
    ws.add_manifest("Broken", "https://broken.example.com/in",
                    "  secretRef: {env: HW_TEST_NOT_SET}\n");
    ws.add_manifest("Fine", "https://fine.example.com/in");
    const Run plan = ws.run({"plan"});
    CHECK_MESSAGE(plan.status == 1, plan.all());
    CHECK(plan.out.find("+ create Fine") != std::string::npos);
    CHECK(plan.err.find("HW_TEST_NOT_SET") != std::string::npos);
    const Run apply = ws.run({"apply"});
    CHECK(apply.status == 1);
    CHECK(ws.control.webhooks().size() == 1);
}

// The issue's reproduction: two documents named Twice and one named Once.
const std::string kTwiceAndOnce =
    "apiVersion: hookwarden/v1\nkind: Webhook\nmetadata: {name: Twice}\n"
    "spec: {eventTypes: [user:login], endpointUrl: https://a.example.com/x}\n"
    "---\n"
    "apiVersion: hookwarden/v1\nkind: Webhook\nmetadata: {name: Twice}\n"
    "spec: {eventTypes: [user:logout], endpointUrl: https://b.example.com/y}\n"
    "---\n"
    "apiVersion: hookwarden/v1\nkind: Webhook\nmetadata: {name: Once}\n"
    "spec: {eventTypes: [user:logout], endpointUrl: https://b.example.com/y}\n";

TEST_CASE("a name defined twice in one file is an error of that name: neither is created, the "
          "rest is") {
    Workspace ws;
    ws.dir.write("manifests/a.yaml", kTwiceAndOnce);
    const Run plan = ws.run({"plan"});
    CHECK_MESSAGE(plan.status == 1, plan.all());
    CHECK(plan.out.find("+ create Once") != std::string::npos);
    CHECK(plan.out.find("+ create Twice") == std::string::npos);
    CHECK(plan.err.find("a.yaml:8:") != std::string::npos); // the second definition
    CHECK(plan.err.find("is defined 2 times") != std::string::npos);

    const Run apply = ws.run({"apply"});
    CHECK_MESSAGE(apply.status == 1, apply.all());
    CHECK(ws.control.webhook_names() == std::vector<std::string>{"Once"});
    // And again: a second apply must not create it either.
    CHECK(ws.run({"apply"}).status == 1);
    CHECK(ws.control.webhook_names() == std::vector<std::string>{"Once"});
}

TEST_CASE("a name defined in two files is created by neither; an owned one is left as it is and "
          "not pruned") {
    Workspace ws;
    ws.add_manifest("Twice", "https://a.example.com/x");
    ws.add_manifest("Once", "https://b.example.com/y");
    REQUIRE(ws.run({"apply"}).status == 0);
    const auto before = ws.control.webhooks();
    REQUIRE(before.size() == 2);
    const auto writes = ws.writes();

    ws.dir.write("manifests/copy.yaml",
                 manifest_yaml("Twice", "https://c.example.com/z",
                               "  enabled: false\n"));
    const Run apply = ws.run({"apply", "--prune"});
    CHECK_MESSAGE(apply.status == 1, apply.all());
    CHECK(apply.out.find("Twice") != std::string::npos);
    CHECK(apply.err.find("copy.yaml") != std::string::npos);
    CHECK(apply.err.find("Twice.yaml") != std::string::npos);
    CHECK(ws.writes() == writes); // no create, no update, no delete
    const auto after = ws.control.webhooks();
    CHECK(ws.control.webhook_names() == std::vector<std::string>{"Once", "Twice"});
    for (const auto& w : after)
        if (w.name == "Twice")
            CHECK(w.endpoint_url == "https://a.example.com/x");
    CHECK(read_text(ws.state() / "state.json").find("\"Twice\"") != std::string::npos);
}

TEST_CASE("no secret value appears in the output of plan or apply") {
    Workspace ws;
    ws.add_manifest("Alpha", "https://alpha.example.com/in",
                    "  secretRef: {env: HW_TEST_MANIFEST_SECRET}\n");
    ws.add_manifest("Beta", "https://beta.example.com/in");
    std::vector<Run> runs{ws.run({"plan"}), ws.run({"plan", "--output", "json"}),
                          ws.run({"apply"})};
    const std::string generated = read_text(ws.state() / "secrets" / "Beta");
    REQUIRE(generated.size() == 64);
    CHECK(ws.control.webhooks().size() == 2);
    for (const auto& run : runs) {
        CHECK(run.all().find(kManifestSecret) == std::string::npos);
        CHECK(run.all().find(generated) == std::string::npos);
        CHECK(run.all().find(EmulatorProcess::kClientSecret) == std::string::npos);
    }
    CHECK(read_text(ws.state() / "state.json").find(kManifestSecret) == std::string::npos);
}

TEST_CASE("at --log-level debug, plan, apply, a drift correction, a rotation and export log no "
          "client secret, token, webhook secret or request body") {
    Workspace ws;
    const auto file_secret = ws.dir.write("gamma.secret", std::string(kFileSecret) + "\n");
    fs::permissions(file_secret, fs::perms::owner_read | fs::perms::owner_write);
    ws.add_manifest("Alpha", "https://alpha.example.com/in",
                    "  secretRef: {env: HW_TEST_MANIFEST_SECRET}\n");
    ws.add_manifest("Beta", "https://beta.example.com/in");
    ws.add_manifest("Gamma", "https://gamma.example.com/in",
                    "  secretRef: {file: " + file_secret.string() + "}\n");
    std::vector<Run> runs{ws.run({"--log-level", "debug", "plan"}),
                          ws.run({"--log-level", "debug", "apply"})};
    REQUIRE_MESSAGE(runs.back().status == 0, runs.back().all());
    const std::string first_beta = read_text(ws.state() / "secrets" / "Beta");
    for (const auto& w : ws.control.webhooks())
        if (w.name == "Alpha")
            ws.control.drift(w.id, json::object{{"endpointUrl", "https://drifted.example.com/in"}});
    runs.push_back(ws.run({"--log-level", "debug", "apply"}));
    runs.push_back(ws.run({"--log-level", "debug", "apply", "--rotate-secret", "Beta"}));
    runs.push_back(ws.run({"--log-level", "debug", "export", "--dir", (ws.dir / "exported").string()}));
    const std::string second_beta = read_text(ws.state() / "secrets" / "Beta");
    REQUIRE(first_beta.size() == 64);
    REQUIRE(second_beta.size() == 64);
    REQUIRE(first_beta != second_beta);
    CHECK(ws.control.counters().at("tokensIssued").as_int64() >= 5);

    const std::vector<std::pair<std::string, std::string>> never{
        {"client secret", EmulatorProcess::kClientSecret},
        {"access token", "hwemu-token-"},
        {"Authorization header", "Bearer"},
        {"Basic credentials", "Basic "},
        {"token request body", "grant_type="},
        {"env webhook secret", kManifestSecret},
        {"file webhook secret", kFileSecret},
        {"generated secret", first_beta},
        {"rotated secret", second_beta},
        {"JSON request body", R"("endpointUrl":")"},
        {"JSON request body", R"("eventTypes":[)"},
        {"JSON secret member", R"("secret")"},
    };
    // Every run wrote debug lines (the client's token requests, connections),
    // so the check below reads what debug level adds, not an empty log.
    for (const auto& run : runs) {
        CHECK_MESSAGE(run.status <= 2, run.all());
        CHECK_MESSAGE(run.err.find("debug: ") != std::string::npos, run.all());
        for (const auto& secret : never) // not a structured binding: clang 14 cannot capture one
            CHECK_MESSAGE(run.all().find(secret.second) == std::string::npos, secret.first << " in the output");
    }
}

TEST_CASE("apply --rotate-secret keeps the previous secret valid for the retry horizon, and plan, "
          "status and state.json show the rotation until it ends") {
    Workspace ws;
    ws.add_manifest("Alpha", "https://alpha.example.com/in",
                    "  retryPolicy: {retryInterval: PT10M, maxRetries: 2}\n");
    REQUIRE(ws.run({"apply"}).status == 0);
    const std::string old_secret = read_text(ws.state() / "secrets" / "Alpha");

    const Run dry = ws.run({"apply", "--dry-run", "--rotate-secret", "Alpha"});
    CHECK_MESSAGE(dry.status == 2, dry.all());
    CHECK(dry.out.find("note: the previous secret stays valid at the receiver for 20m after apply") !=
          std::string::npos);

    const auto before = std::chrono::system_clock::now();
    const Run rotate = ws.run({"apply", "--rotate-secret", "Alpha"});
    CHECK_MESSAGE(rotate.status == 0, rotate.all());
    CHECK(rotate.out.find("updated Alpha") != std::string::npos);
    const std::string new_secret = read_text(ws.state() / "secrets" / "Alpha");
    CHECK(new_secret != old_secret);
    CHECK(read_text(ws.state() / "secrets" / ".previous" / "Alpha") == old_secret);

    const auto state = json::parse(read_text(ws.state() / "state.json")).as_object();
    const auto& rotation = state.at("webhooks").at("Alpha").at("rotation").as_object();
    CHECK(rotation.at("previousSecret").as_string() == sha256_digest(old_secret));
    const std::string until(rotation.at("until").as_string());
    // The grace is PT10M × 2 from the moment the update succeeded.
    const auto until_time = parse_rfc3339_strict(until);
    REQUIRE(until_time);
    CHECK(*until_time >= std::chrono::floor<std::chrono::seconds>(before) + std::chrono::minutes(20));
    CHECK(*until_time <= std::chrono::system_clock::now() + std::chrono::minutes(20) + std::chrono::seconds(1));
    CHECK(until.size() == 20); // 2026-12-02T16:05:00Z

    const Run status = ws.run({"status", "--output", "json"});
    CHECK_MESSAGE(status.status == 0, status.all());
    const auto rotations = json::parse(status.out).at("rotations").as_array();
    REQUIRE(rotations.size() == 1);
    CHECK(rotations[0].at("name") == "Alpha");
    CHECK(rotations[0].at("until").as_string() == until.substr(0, 19) + ".000Z");
    const Run status_text = ws.run({"status"});
    CHECK(status_text.out.find("Rotation    Alpha until " + until.substr(0, 19) + ".000Z (in ") !=
          std::string::npos);
    CHECK(json::parse(read_text(ws.state() / "status.json")).at("rotations") ==
          json::array{json::object{{"name", "Alpha"}, {"until", until}}});

    const Run plan = ws.run({"plan"});
    CHECK_MESSAGE(plan.status == 0, plan.all());
    CHECK(plan.out.find("    Alpha\n      secret rotation in progress: the previous secret is "
                        "accepted until " + until + "\n") != std::string::npos);
    const Run plan_json = ws.run({"plan", "--output", "json"});
    CHECK(json::parse(plan_json.out).at("rotations") ==
          json::array{json::object{{"name", "Alpha"}, {"until", until}}});
    for (const auto& run : {dry, rotate, status, status_text, plan, plan_json}) {
        CHECK(run.all().find(old_secret) == std::string::npos);
        CHECK(run.all().find(new_secret) == std::string::npos);
    }
}

TEST_CASE("export writes manifests that validate and that apply adopts with zero writes") {
    Workspace ws;
    Webhook a;
    a.name = "Exported.One";
    a.event_types = {"user:login", "routing:queue.member:added"};
    a.endpoint_url = "https://one.example.com/hooks?team=a&x=1";
    a.payload_template = "{\"kind\": \"{{event}}\", \"n\": 1}";
    a.retry_policy = {"PT30S", 0};
    a.enabled = false;
    a.secret = "secret-set-in-the-ui";
    ws.control.insert_webhook(a);
    Webhook b;
    b.name = "two";
    b.event_types = {"user:logout"};
    b.endpoint_url = "https://two.example.com/";
    b.payload_template = "yes";
    ws.control.insert_webhook(b);

    const auto out_dir = ws.dir / "exported" / "nested";
    const Run exported = ws.run({"export", "--dir", out_dir.string()});
    CHECK_MESSAGE(exported.status == 0, exported.all());
    const std::string one = read_text(out_dir / "Exported.One.yaml");
    std::istringstream lines(one);
    for (std::string line; std::getline(lines, line);)
        if (!line.starts_with("#"))
            CHECK(line.find("secretRef") == std::string::npos); // only the comment mentions it
    CHECK(one.find("secret-set-in-the-ui") == std::string::npos);
    CHECK(one.find("# ") == 0); // the comment on choosing a source comes first

    const Run validated = ws.run({"validate", out_dir.string()});
    CHECK_MESSAGE(validated.status == 0, validated.all());

    ws.write_config(out_dir);
    const Run apply = ws.run({"apply"});
    CHECK_MESSAGE(apply.status == 0, apply.all());
    CHECK(apply.out.find("adopted Exported.One") != std::string::npos);
    CHECK(ws.writes() == 0);
    CHECK(ws.control.request_count("PUT /api/v2/webhooks/{id}") == 0);
    const Run plan = ws.run({"plan"});
    CHECK_MESSAGE(plan.status == 0, plan.all());
}

TEST_CASE("export writes trigger manifests that validate and apply adopts with zero writes") {
    Workspace ws;
    const std::string workflow = "5f6e1c2a-0d3b-4a8e-9c7f-2b1d0e4f6a8b";
    ws.control.insert_trigger(json::object{
        {"name", "SMS after chat error"},
        {"topicName", "v2.detail.events.conversation.{id}.customer.end"},
        {"target", {{"type", "Workflow"}, {"id", workflow},
                    {"workflowTargetSettings", {{"dataFormat", "Json"}}}}},
        {"matchCriteria", json::array{json::object{{"jsonPath", "mediaType"},
                                                   {"operator", "Equal"},
                                                   {"value", "CHAT"}},
                                      json::object{{"jsonPath", "disconnectType"},
                                                   {"operator", "In"},
                                                   {"values", json::array{"error", "transfer"}}}}},
        {"enabled", true},
        {"eventTTLSeconds", 60},
        {"description", "Text the customer when a chat ends badly"}});
    // Made in the UI without workflowTargetSettings, a name a path cannot hold.
    ws.control.insert_trigger(json::object{
        {"name", "Survey a/b: 2 minutes later"},
        {"topicName", "v2.detail.events.conversation.{id}.customer.end"},
        {"target", {{"type", "Workflow"}, {"id", workflow}}},
        {"matchCriteria", json::array{json::object{{"jsonPath", "queueId"},
                                                   {"operator", "Exists"},
                                                   {"value", true}}}},
        {"enabled", false},
        {"delayBySeconds", 120}});
    Webhook same_name;
    same_name.name = "Shared";
    same_name.event_types = {"user:login"};
    same_name.endpoint_url = "https://shared.example.com/in";
    ws.control.insert_webhook(same_name);
    ws.control.insert_trigger(json::object{
        {"name", "Shared"},
        {"topicName", "v2.users.{id}.presence"},
        {"target", {{"type", "Workflow"}, {"id", workflow},
                    {"workflowTargetSettings", {{"dataFormat", "TopLevelPrimitives"}}}}},
        {"enabled", true}});

    const auto out_dir = ws.dir / "exported";
    const Run exported = ws.run({"export", "--dir", out_dir.string()});
    CHECK_MESSAGE(exported.status == 0, exported.all());
    CHECK(exported.out.find("Exported 1 webhook and 3 triggers to ") != std::string::npos);
    CHECK(fs::exists(out_dir / "Shared.yaml"));
    CHECK(fs::exists(out_dir / "triggers" / "Shared.yaml"));
    CHECK(fs::exists(out_dir / "triggers" / "Survey a_b_ 2 minutes later.yaml"));
    const std::string survey = read_text(out_dir / "triggers" / "Survey a_b_ 2 minutes later.yaml");
    CHECK(survey.find("kind: Trigger") != std::string::npos);
    CHECK(survey.find("TopLevelPrimitives") != std::string::npos); // what such a target runs in

    const Run validated = ws.run({"validate", out_dir.string()});
    CHECK_MESSAGE(validated.status == 0, validated.all());
    CHECK(validated.out.find("1 webhook and 3 triggers") != std::string::npos);

    ws.write_config(out_dir);
    const Run apply = ws.run({"apply"});
    CHECK_MESSAGE(apply.status == 0, apply.all());
    CHECK(apply.out.find("adopted trigger \"SMS after chat error\"") != std::string::npos);
    CHECK(ws.writes() == 0);
    const Run plan = ws.run({"plan"});
    CHECK_MESSAGE(plan.status == 0, plan.all());
    CHECK(plan.out.find("No changes. The tenant matches the manifests (1 webhook, 3 triggers).") !=
          std::string::npos);

    const auto only = ws.dir / "only-triggers";
    const Run triggers = ws.run({"export", "--dir", only.string(), "--kind", "trigger"});
    CHECK_MESSAGE(triggers.status == 0, triggers.all());
    CHECK(triggers.out.find("Exported 3 triggers to ") != std::string::npos);
    CHECK_FALSE(fs::exists(only / "Shared.yaml"));
    CHECK(fs::exists(only / "triggers" / "Shared.yaml"));
    const Run bad = ws.run({"export", "--kind", "workflow"});
    CHECK(bad.status == 64);
    CHECK(bad.err.find("--kind must be webhook or trigger") != std::string::npos);
}

TEST_CASE("export never overwrites a file without --force") {
    Workspace ws;
    Webhook a;
    a.name = "Alpha";
    a.event_types = {"user:login"};
    a.endpoint_url = "https://alpha.example.com/in";
    ws.control.insert_webhook(a);
    const auto out_dir = ws.dir / "out";
    REQUIRE(ws.run({"export", "--dir", out_dir.string()}).status == 0);
    ws.dir.write("out/Alpha.yaml", "# edited by hand\n");

    const Run again = ws.run({"export", "--dir", out_dir.string()});
    CHECK(again.status == 1);
    CHECK(again.err.find("already exists") != std::string::npos);
    CHECK(read_text(out_dir / "Alpha.yaml") == "# edited by hand\n");

    const Run forced = ws.run({"export", "--dir", out_dir.string(), "--force"});
    CHECK_MESSAGE(forced.status == 0, forced.all());
    CHECK(read_text(out_dir / "Alpha.yaml").find("name: Alpha") != std::string::npos);
}

TEST_CASE("validate and plan refuse the same tenant URLs, with one line at the value") {
    // One check (daemon/tenant/tenant_endpoints.hpp) for both: what validate
    // passes, plan dials as written.
    struct Case {
        const char* key;
        const char* url;
        const char* why;
    };
    for (const auto& c : {
             Case{"apiBase", "https://127.0.0.1:0", "has an invalid port"},
             Case{"apiBase", "https://api.example.com/x?a=1", "must not have a query"},
             Case{"apiBase", "https://api.example.com#top", "must not have a fragment"},
             Case{"tokenUrl", "https://login.example.com/oauth/token#top", "must not have a fragment"},
             Case{"apiBase", "https://:8443", "has no host"},
             Case{"tokenUrl", "https:///oauth/token", "has no host"},
             // Boost.URL 1.81 wraps this to port 34463 and reads 84a3 as port 84.
             Case{"apiBase", "https://127.0.0.1:99999", "has an invalid port"},
             Case{"tokenUrl", "https://127.0.0.1:99999/oauth/token", "has an invalid port"},
             Case{"apiBase", "https://api.example.com:84a3/x", "has an invalid port"},
             // Decoded, this host name would be "ex/ample.com".
             Case{"tokenUrl", "https://ex%2Fample.com/oauth/token", "has a host name hookwarden cannot dial (letters, digits, '-', '.' and '_' only)"},
         }) {
        INFO(c.key << ": " << c.url);
        Workspace ws;
        ws.add_manifest("Alpha", "https://alpha.example.com/in");
        const bool api = std::string_view(c.key) == "apiBase";
        ws.dir.write("hookwarden.yaml",
                     std::string("tenant:\n  ") + c.key + ": \"" + c.url + "\"\n  " +
                         (api ? "tokenUrl: " + emulator().token_url() : "apiBase: " + emulator().base_url()) +
                         "\n  caFile: " + emulator().ca_file().string() +
                         "\n  clientId: " + EmulatorProcess::kClientId +
                         "\n  clientSecret: {env: HW_TEST_CLIENT_SECRET}\nmanifests: " +
                         ws.manifests().string() + "\nstateDir: " + ws.state().string() + "\n");
        const std::string expected = ws.config().string() + ":2:" + (api ? "12" : "13") +
                                     ": error: the tenant " + c.key + " '" + c.url + "' " + c.why + "\n";
        const Run validate = ws.run({"validate"});
        CHECK(validate.status == 1);
        CHECK(validate.out.empty());
        CHECK(validate.err == expected);
        const Run plan = ws.run({"plan"});
        CHECK(plan.status == 1);
        CHECK(plan.out.empty());
        CHECK(plan.err == expected);
    }
    // Credentials in a URL are refused by both, and never quoted.
    Workspace ws;
    ws.dir.write("hookwarden.yaml", "tenant:\n  apiBase: https://u:hunter2@api.example.com\n"
                                    "  tokenUrl: https://login.example.com/oauth/token\n"
                                    "  clientId: x\n  clientSecret: y\nmanifests: " + ws.manifests().string() + "\n");
    const std::string expected = ws.config().string() + ":2:12: error: the tenant apiBase must not carry credentials\n";
    for (const char* command : {"validate", "plan"}) {
        const Run run = ws.run({command});
        CHECK_MESSAGE(run.status == 1, command);
        CHECK_MESSAGE(run.err == expected, command);
    }
}

TEST_CASE("--log-level and logLevel set what plan and apply log on stderr; the flag wins") {
    Workspace ws;
    ws.add_manifest("Alpha", "https://alpha.example.com/in");
    // The tenant client's debug lines: the token it got, the connections it made.
    const std::string debug_line = "debug: got a new access token";
    const auto debug_shown = [&](const Run& run) {
        INFO(run.all());
        CHECK(run.status == 2);
        return run.err.find(debug_line) != std::string::npos;
    };
    CHECK_FALSE(debug_shown(ws.run({"plan"})));
    CHECK(debug_shown(ws.run({"--log-level", "debug", "plan"})));
    CHECK(debug_shown(ws.run({"--log-level=debug", "apply", "--dry-run"})));

    ws.write_config(ws.manifests(), "logLevel: debug\n");
    CHECK(debug_shown(ws.run({"plan"})));
    CHECK_FALSE(debug_shown(ws.run({"--log-level", "info", "plan"})));

    // A snapshot apply cannot write is a warning, which logLevel error silences.
    fs::create_directories(ws.state() / "metrics.prom");
    const std::string warning_line = "warning: snapshot metrics.prom not written";
    const auto warning_shown = [&](const Run& run) {
        INFO(run.all());
        CHECK(run.status == 0);
        return run.err.find(warning_line) != std::string::npos;
    };
    ws.write_config(ws.manifests());
    CHECK(warning_shown(ws.run({"apply"})));
    CHECK_FALSE(warning_shown(ws.run({"--log-level", "error", "apply"})));
    ws.write_config(ws.manifests(), "logLevel: error\n");
    CHECK_FALSE(warning_shown(ws.run({"apply"})));
    CHECK(warning_shown(ws.run({"--log-level", "warning", "apply"})));
}

TEST_CASE("--check-endpoints warns in plan and keeps apply from creating an unreachable endpoint") {
    Workspace ws;
    // The emulator itself stands for a live receiver (TLS with the configured CA).
    ws.add_manifest("Reachable", emulator().base_url() + "/hooks/in");
    ws.add_manifest("Unreachable", "https://127.0.0.1:1/hooks/in");
    const Run plan = ws.run({"plan", "--check-endpoints"});
    CHECK_MESSAGE(plan.status == 2, plan.all());
    CHECK(plan.out.find("warning: endpoint https://127.0.0.1:1/hooks/in did not answer") !=
          std::string::npos);
    CHECK_MESSAGE(plan.out.find("warning: endpoint " + emulator().base_url()) == std::string::npos,
                  plan.out);

    const Run apply = ws.run({"apply", "--check-endpoints"});
    CHECK_MESSAGE(apply.status == 1, apply.all());
    const auto webhooks = ws.control.webhooks();
    REQUIRE(webhooks.size() == 1);
    CHECK(webhooks[0].name == "Reachable");
}

} // namespace
} // namespace hookwarden
