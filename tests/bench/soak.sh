#!/usr/bin/env bash
# tests/bench/soak: the daemon against the emulator for CYCLES reconcile
# cycles (default 2,000) back to back, with a fault or a change behind its
# back every FAULT_EVERY cycles (default 25): 503, 429 with Retry-After,
# connection resets, a hang, a malformed answer, revoked tokens, drift and
# UI deletion of a webhook and of a trigger. Prints the daemon's resident
# memory, open file descriptors and threads every SAMPLE_EVERY cycles
# (default 100) and their growth after warm-up (the first 10 % of cycles).
# Goal: flat (growth within noise). Prints figures; never fails on them.
#   tests/bench/soak.sh HOOKWARDEN EMULATOR [CYCLES] [WEBHOOKS] [TRIGGERS]
# Cycles are started with SIGUSR1 (the daemon's "reconcile now") as soon as
# the previous one has written status.json, so the interval does not bound
# the pace.
set -euo pipefail
hookwarden=$1 emulator=$2 cycles=${3:-2000} webhooks=${4:-40} triggers=${5:-20}
fault_every=${FAULT_EVERY:-25} sample_every=${SAMPLE_EVERY:-100}
. "$(dirname "$0")/emulator_rig.sh"
mkdir -p "$work/manifests/triggers"
write_webhooks "$webhooks" "$work/manifests/webhooks.yaml"
for i in $(seq 1 "$triggers"); do
  cat <<TRIGGER
apiVersion: hookwarden/v1
kind: Trigger
metadata: {name: trigger-$i}
spec:
  topicName: v2.users.{id}.presence
  target: {type: Workflow, id: 0b7f1c2e-0000-4000-8000-$(printf '%012d' "$i")}
  matchCriteria:
    - {jsonPath: presenceDefinition.systemPresence, operator: Equal, value: Offline}
---
TRIGGER
done > "$work/manifests/triggers/all.yaml"
cat > "$work/hookwarden.yaml" <<CONFIG
tenant: {apiBase: $base, tokenUrl: $base/oauth/token, caFile: $work/tls/ca.pem, clientId: demo-client, clientSecret: demo-secret}
manifests: $work/manifests
stateDir: $work/state
interval: 1h
cycleTimeout: 30s
requestsPerMinute: 100000
concurrency: 4
CONFIG

control() { # METHOD PATH [JSON]
  curl -sS --fail --cacert "$work/tls/ca.pem" -X "$1" -H 'Content-Type: application/json' \
       ${3:+--data "$3"} "$base$2" > /dev/null
}
control_get() { curl -sS --fail --cacert "$work/tls/ca.pem" "$base$1"; }
first_id() { # the first id in a control-plane listing
  control_get "$1" | grep -o '"id":"[^"]*"' | head -n 1 | cut -d'"' -f4
}
fault() { control POST /_emulator/faults "$1"; }
cycle_id() { grep -o '"cycleId":"[^"]*"' "$work/state/status.json" 2>/dev/null || true; }
# The next fault or change behind the daemon's back, in turn.
disturb() {
  case $(( ($1 / fault_every) % 9 )) in
    0) fault '{"path": "^/api/v2/webhooks$", "method": "GET", "action": "status", "status": 503}' ;;
    1) fault '{"path": "^/api/v2/processautomation/triggers$", "method": "GET", "action": "status", "status": 429, "retryAfter": 1}' ;;
    2) fault '{"path": "^/api/v2/", "action": "reset", "count": 2}' ;;
    3) fault '{"path": "^/api/v2/webhooks$", "method": "GET", "action": "hang", "seconds": 1}' ;;
    4) fault '{"path": "^/api/v2/processautomation/triggers$", "method": "GET", "action": "malformed"}' ;;
    5) control POST /_emulator/revoke-tokens ;;
    6) id=$(first_id /_emulator/state)
       [ -n "$id" ] && control PATCH "/_emulator/webhooks/$id" '{"endpointUrl": "https://drift.example.com/x"}' ;;
    7) id=$(first_id /_emulator/triggers)
       [ -n "$id" ] && control DELETE "/_emulator/triggers/$id" ;;
    8) id=$(first_id /_emulator/state)
       [ -n "$id" ] && control DELETE "/_emulator/webhooks/$id" ;;
  esac
}

env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$hookwarden" --config "$work/hookwarden.yaml" --log-level warning run \
  2> "$work/daemon.err" &
daemon_pid=$!
for _ in $(seq 1 600); do
  grep -q '"outcome":"converged"' "$work/state/status.json" 2>/dev/null && break
  kill -0 "$daemon_pid" 2>/dev/null || break
  sleep 0.1
done
grep -q '"outcome":"converged"' "$work/state/status.json" || { echo "did not converge"; tail "$work/daemon.err"; exit 1; }

sample() { # CYCLE -> "cycle rss_kb fds threads"
  printf '%d %d %d %d\n' "$1" "$(awk '/^VmRSS/ {print $2}' "/proc/$daemon_pid/status")" \
    "$(ls "/proc/$daemon_pid/fd" | wc -l)" "$(awk '/^Threads/ {print $2}' "/proc/$daemon_pid/status")"
}
echo "soak: $cycles cycles, $webhooks webhooks + $triggers triggers, a disturbance every $fault_every cycles"
printf '%8s %10s %5s %8s %10s\n' cycle "RSS kB" fds threads "outcome"
warmup=$(( cycles / 10 )) failed=0 started=$SECONDS
: > "$work/samples"
for n in $(seq 1 "$cycles"); do
  (( n % fault_every == 0 )) && disturb "$n"
  before=$(cycle_id)
  kill -USR1 "$daemon_pid"
  for _ in $(seq 1 3000); do
    [ "$(cycle_id)" != "$before" ] && break
    sleep 0.01
  done
  kill -0 "$daemon_pid" 2>/dev/null || { echo "the daemon exited at cycle $n"; tail "$work/daemon.err"; exit 1; }
  grep -q '"outcome":"converged"' "$work/state/status.json" || failed=$(( failed + 1 ))
  if (( n % sample_every == 0 || n == warmup )); then
    line=$(sample "$n")
    echo "$line" >> "$work/samples"
    printf '%8d %10d %5d %8d %10s\n' $line \
      "$(grep -o '"outcome":"[a-z]*"' "$work/state/status.json" | cut -d'"' -f4)"
  fi
done
awk -v w="$warmup" -v c="$cycles" -v f="$failed" -v s="$(( SECONDS - started ))" '
  $1 == w { r0 = $2; f0 = $3; t0 = $4 } $1 >= w { if ($2 > rmax) rmax = $2; if ($3 > fmax) fmax = $3 }
  { r1 = $2; f1 = $3; t1 = $4 }
  END {
    printf "after warm-up (cycle %d) to cycle %d: RSS %+d kB (%.1f %%, peak %d kB), fds %+d (peak %d), threads %+d\n",
      w, c, r1 - r0, r0 ? (r1 - r0) * 100 / r0 : 0, rmax, f1 - f0, fmax, t1 - t0
    printf "%d cycles in %d s; %d ended other than converged (the disturbances)\n", c, s, f }' "$work/samples"
