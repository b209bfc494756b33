#!/usr/bin/env bash
# The pre-commit hook refuses a commit whose staged manifests are invalid and
# lets a valid one through — judging the staged content, not the work tree.
#   pre_commit_hook_test.sh SOURCE_DIR HOOKWARDEN_BINARY
set -euo pipefail
source_dir=$1 binary=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin" "$work/repo/manifests"
ln -s "$binary" "$work/bin/hookwarden"
export PATH="$work/bin:$PATH" HOME="$work" GIT_CONFIG_NOSYSTEM=1
unset HOOKWARDEN_CONFIG
cd "$work/repo"
git init -q .
git config user.email t@example.com
git config user.name t
cp "$source_dir/contrib/pre-commit-hook" .git/hooks/pre-commit

cp "$source_dir/manifests/examples/system-event-monitor.yaml" manifests/
git add manifests
git commit -qm valid || { echo "a valid manifest was refused"; exit 1; }

sed -i 's/eventTypes:/eventTypez:/' manifests/system-event-monitor.yaml
git add manifests
if git commit -qm broken 2>"$work/err"; then
  echo "an invalid manifest was committed"; exit 1
fi
grep -q "unknown field 'spec.eventTypez'" "$work/err" || { echo "no error line:"; cat "$work/err"; exit 1; }

# Fixed in the work tree but not staged: still refused.
git checkout -q -- manifests 2>/dev/null || true
sed -i 's/eventTypes:/eventTypez:/' manifests/system-event-monitor.yaml
git add manifests
sed -i 's/eventTypez:/eventTypes:/' manifests/system-event-monitor.yaml
if git commit -qm staged-broken 2>/dev/null; then
  echo "the hook judged the work tree instead of the staged content"; exit 1
fi
echo "pre-commit hook ok"
