#!/usr/bin/env bash
# Runs one CLI golden case and compares stdout, stderr and the exit status
# with the files kept beside it.
#
#   run_golden.sh HOOKWARDEN SOURCE_DIR CASE_DIR [CAPTURE_DIR]
#
# A case directory holds `args` (one argument a line), optionally `env`
# (NAME=VALUE lines added to an otherwise clean environment), optionally
# `stdin` (fed to the command; /dev/null otherwise) or `stdin.sh` (run in the
# same clean environment, its output fed: for inputs too big to keep) and
# the expected `stdout`, `stderr` and `exit`. The command runs from SOURCE_DIR so
# paths in messages are stable; a path the program made absolute (a config's
# stateDir) is shown relative to SOURCE_DIR again, so expectations do not
# depend on where the tree is checked out. UPDATE_GOLDEN=1 rewrites the
# expectations. With CAPTURE_DIR, stdout and stderr are also kept in
# CAPTURE_DIR/output/ for the suite-wide secret scan (tests/security/).
set -euo pipefail
hookwarden=$1 source_dir=$2 case_dir=$3 capture_dir=${4:-}

mapfile -t args < "$case_dir/args"
env_vars=(PATH=/usr/bin:/bin NO_COLOR=1 LC_ALL=C.UTF-8)
if [ -f "$case_dir/env" ]; then
  mapfile -t extra < "$case_dir/env"
  env_vars+=("${extra[@]}")
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
input=/dev/null
if [ -f "$case_dir/stdin" ]; then
  input="$case_dir/stdin"
elif [ -f "$case_dir/stdin.sh" ]; then
  env -i "${env_vars[@]}" bash "$case_dir/stdin.sh" > "$work/stdin"
  input="$work/stdin"
fi
status=0
(cd "$source_dir" && env -i "${env_vars[@]}" "$hookwarden" "${args[@]}") \
  >"$work/stdout" 2>"$work/stderr" <"$input" || status=$?
echo "$status" > "$work/exit"
if [ -n "$capture_dir" ]; then
  mkdir -p "$capture_dir/output"
  cat "$work/stdout" "$work/stderr" > "$capture_dir/output/$$-golden-$(basename "$case_dir").log"
fi
SOURCE_PREFIX="$source_dir/" perl -pi -e 's/\Q$ENV{SOURCE_PREFIX}\E//g' "$work/stdout" "$work/stderr"

if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
  cp "$work/stdout" "$work/stderr" "$work/exit" "$case_dir/"
  echo "updated $case_dir"
  exit 0
fi

failed=0
for stream in exit stdout stderr; do
  expected="$case_dir/$stream"
  [ -f "$expected" ] || : > "$work/empty.$stream"
  if ! diff -u --label "expected $stream" --label "actual $stream" \
      "$( [ -f "$expected" ] && echo "$expected" || echo "$work/empty.$stream")" "$work/$stream"; then
    failed=1
  fi
done
exit $failed
