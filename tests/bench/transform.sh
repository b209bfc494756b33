#!/usr/bin/env bash
# tests/bench/transform: `hookwarden transform -` on a JSON Lines stream of
# about SIZE_MIB MiB (default 1024), generated on the fly into a pipe (no
# file), output to /dev/null. Prints the throughput and the process's peak
# RSS (from /usr/bin/time -v): SPEC §7 wants constant memory, so the RSS
# must not grow with SIZE_MIB (compare a run at 64 with one at 1024).
# A bad line every 200 events exercises the error path too.
# Prints figures; never fails on them.
#   tests/bench/transform.sh HOOKWARDEN [SIZE_MIB]
set -uo pipefail
hookwarden=$1 size_mib=${2:-1024}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

good='{"eventType":"routing:queue:member:added","timestamp":"2024-01-15T10:30:00.250Z","actor":{"id":"usr-123456","name":"Jane Doe"},"metadata":{"ip":"192.168.1.10","device":"desktop","queue":"support-tier-2"}}'
bad='{"eventType":"user:login","timestamp":"2024-01-15 10:30:00","actor":{"name":"Jane Doe"}}'
block=$(for _ in $(seq 1 199); do echo "$good"; done; echo "$bad")
block_bytes=$(( $(printf '%s\n' "$block" | wc -c) ))
blocks=$(( size_mib * 1024 * 1024 / block_bytes ))
bytes=$(( blocks * block_bytes ))

start=$(date +%s.%N)
# `yes` repeats the block into the pipe (one argument: under 128 KiB).
yes "$block" | head -n "$(( blocks * 200 ))" |
  /usr/bin/time -v -o "$work/time" "$hookwarden" transform - > /dev/null 2> "$work/stderr"
end=$(date +%s.%N)

errors=$(wc -l < "$work/stderr")
rss_kib=$(sed -n 's/^\s*Maximum resident set size (kbytes): //p' "$work/time")
awk -v bytes="$bytes" -v events="$(( blocks * 200 ))" -v errors="$errors" -v start="$start" -v end="$end" -v rss="$rss_kib" 'BEGIN {
  s = end - start
  printf "transform: %.0f MiB, %d events (%d error lines) in %.1f s: %.1f MiB/s, %.0f events/s; peak RSS %.1f MiB\n",
         bytes / 1048576, events, errors, s, bytes / 1048576 / s, events / s, rss / 1024
}'
exit 0
