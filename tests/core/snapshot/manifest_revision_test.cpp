// The manifest revision from .git trees made by hand (no git binary), and
// the digest when there is none or it is broken.
#include "tests/support/doctest_result.hpp"
#include "tests/support/scratch_dir.hpp"

#include "core/snapshot/manifest_revision.hpp"

namespace hookwarden {
namespace {

const std::string commit_a = "1111111111111111111111111111111111111111";
const std::string commit_b = "2222222222222222222222222222222222222222";

DesiredState one_webhook() {
    DesiredState state;
    WebhookManifest w;
    w.name = "Monitor";
    w.event_types = {"v2.users.created"};
    w.endpoint_url = "https://example.com/hook";
    state.webhooks.push_back(w);
    return state;
}

TEST_CASE("a branch checked out: HEAD's ref read from its loose file, in the manifest dir's parent") {
    testing::ScratchDir repo;
    repo.write(".git/HEAD", "ref: refs/heads/main\n");
    repo.write(".git/refs/heads/main", commit_a + "\n");
    const auto manifests = repo.mkdir("deploy/manifests");
    const auto revision = manifest_revision(manifests, one_webhook());
    CHECK(revision.kind == "git");
    CHECK(revision.value == commit_a);
    CHECK(revision.ref == "refs/heads/main");
    CHECK(revision.short_text() == "git 111111111111 (main)");
}

TEST_CASE("a packed ref, and a loose one taking precedence over it") {
    testing::ScratchDir repo;
    repo.write(".git/HEAD", "ref: refs/heads/release\n");
    repo.write(".git/packed-refs", "# pack-refs with: peeled fully-peeled sorted \n" + commit_b +
                                       " refs/heads/main\n" + commit_a + " refs/heads/release\n^" + commit_b + "\n");
    auto revision = manifest_revision(repo.path(), one_webhook());
    CHECK(revision.kind == "git");
    CHECK(revision.value == commit_a);
    CHECK(revision.ref == "refs/heads/release");

    repo.write(".git/refs/heads/release", commit_b + "\n");
    revision = manifest_revision(repo.path(), one_webhook());
    CHECK(revision.value == commit_b);
}

TEST_CASE("a detached HEAD has a commit and no ref") {
    testing::ScratchDir repo;
    repo.write(".git/HEAD", commit_b + "\n");
    const auto revision = manifest_revision(repo.path(), one_webhook());
    CHECK(revision.kind == "git");
    CHECK(revision.value == commit_b);
    CHECK(revision.ref.empty());
    CHECK(revision.short_text() == "git 222222222222 (detached)");
}

TEST_CASE("a worktree: .git is a file naming its git dir, whose commondir holds the branches") {
    testing::ScratchDir root;
    root.write("main/.git/refs/heads/feature", commit_b + "\n");
    root.write("main/.git/HEAD", "ref: refs/heads/main\n");
    root.write("main/.git/worktrees/wt/HEAD", "ref: refs/heads/feature\n");
    root.write("main/.git/worktrees/wt/commondir", "../..\n");
    root.write("wt/.git", "gitdir: ../main/.git/worktrees/wt\n");
    const auto revision = manifest_revision(root / "wt", one_webhook());
    CHECK(revision.kind == "git");
    CHECK(revision.value == commit_b);
    CHECK(revision.ref == "refs/heads/feature");
}

TEST_CASE("a submodule: .git is a file with an absolute gitdir") {
    testing::ScratchDir root;
    root.write("super/.git/modules/m/HEAD", commit_a + "\n");
    root.write("super/m/.git", "gitdir: " + (root / "super/.git/modules/m").string() + "\n");
    const auto revision = manifest_revision(root / "super/m", one_webhook());
    CHECK(revision.value == commit_a);
}

TEST_CASE("no repository, or a broken one, gives the digest of what was loaded") {
    testing::ScratchDir dir;
    const auto plain = manifest_revision(dir.path(), one_webhook());
    // The scratch dir sits in /tmp: no .git above it (git_revision says so
    // when the test machine has one there, and then this check is moot).
    if (!git_revision(dir.path())) {
        CHECK(plain.kind == "digest");
        CHECK(plain.value.size() == 64);
        CHECK(plain.value == desired_state_digest(one_webhook()));
        CHECK(plain.ref.empty());
        CHECK(plain.short_text() == "digest " + plain.value.substr(0, 12));
    }

    for (const std::string& head : {std::string("ref: refs/heads/none\n"), std::string("garbage\n"),
                                    std::string("ref: refs/../../etc/passwd\n")}) {
        testing::ScratchDir broken;
        broken.write(".git/HEAD", head);
        const auto revision = manifest_revision(broken.path(), one_webhook());
        CHECK(revision.kind == "digest");
        CHECK(revision.value == desired_state_digest(one_webhook()));
    }
    testing::ScratchDir no_head;
    no_head.mkdir(".git");
    CHECK(manifest_revision(no_head.path(), one_webhook()).kind == "digest");
    testing::ScratchDir bad_file;
    bad_file.write(".git", "not a gitdir line\n");
    CHECK(manifest_revision(bad_file.path(), one_webhook()).kind == "digest");
}

TEST_CASE("the digest changes with any loaded change and never holds a plain secret") {
    const DesiredState base = one_webhook();
    const std::string digest = desired_state_digest(base);
    CHECK(desired_state_digest(one_webhook()) == digest);

    DesiredState changed = base;
    changed.webhooks[0].endpoint_url = "https://example.com/other";
    CHECK(desired_state_digest(changed) != digest);
    changed = base;
    changed.errors = 1;
    CHECK(desired_state_digest(changed) != digest);
    changed = base;
    changed.duplicates.push_back({.name = "Twice", .places = {{.file = "a.yaml", .line = 1, .column = 1}}});
    CHECK(desired_state_digest(changed) != digest);
    changed = base;
    changed.webhooks[0].labels["team"] = "a";
    CHECK(desired_state_digest(changed) != digest);

    DesiredState one_secret = base, other_secret = base;
    one_secret.webhooks[0].secret_ref = {.kind = SecretSource::Kind::plain, .reference = "s3cr3t"};
    other_secret.webhooks[0].secret_ref = {.kind = SecretSource::Kind::plain, .reference = "other"};
    CHECK(desired_state_digest(one_secret) == desired_state_digest(other_secret));
}

} // namespace
} // namespace hookwarden
