#!/usr/bin/env bash
# contrib/install-deps is idempotent: on a machine that has every package
# (this one: it built the tests) it exits 0 without touching apt. apt-get is
# replaced by a stub on PATH that records any call.
#   install_deps_test.sh SOURCE_DIR
set -euo pipefail
source_dir=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/bin"
cat > "$work/bin/apt-get" <<STUB
#!/bin/sh
echo "apt-get \$*" >> "$work/apt-calls"
exit 1
STUB
chmod +x "$work/bin/apt-get"

status=0
PATH="$work/bin:$PATH" "$source_dir/contrib/install-deps" > "$work/out" 2>&1 || status=$?
if [ -s "$work/apt-calls" ] || [ $status -ne 0 ] || [ -s "$work/out" ]; then
  echo "FAIL: install-deps did something with every package present (exit $status)"
  cat "$work/out"; [ -f "$work/apt-calls" ] && cat "$work/apt-calls"
  exit 1
fi
echo "install-deps: nothing to do, no apt call"
