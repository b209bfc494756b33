#!/usr/bin/env bash
# The shipped hookwarden.service under a real systemd PID 1 (sandbox.sh):
# it starts and reaches active with a STATUS text, the journal holds the
# structured fields of a cycle, `systemctl reload` works, a hung cycle is
# killed and restarted by the watchdog, and `systemctl stop` is clean.
# Only a drop-in changes the unit: the binary, config and credentials come
# from the build tree. Needs root; exits 77 (skipped) otherwise.
#   systemd_unit_test.sh SOURCE_DIR HOOKWARDEN EMULATOR
set -euo pipefail
source_dir=$1 hookwarden=$2 emulator=$3
if [ "$(id -u)" -ne 0 ]; then
  echo "skipped: the systemd sandbox needs root"; exit 77
fi
for tool in unshare nsenter setpriv curl jq; do
  command -v "$tool" >/dev/null || { echo "skipped: $tool is not installed"; exit 77; }
done
source "$source_dir/tests/systemd/sandbox.sh"

work=$(mktemp -d)
emulator_pid=
cleanup() {
  sandbox_stop || true
  [ -n "$emulator_pid" ] && kill "$emulator_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- journal"; sandbox journalctl -u hookwarden.service -o cat --no-pager | tail -40 || true; exit 1; }

mkdir -p "$work/tls" "$work/art/manifests" "$work/units/hookwarden.service.d"
"$emulator" --port 0 --tls-dir "$work/tls" --quiet --stop-at-stdin-eof > "$work/emulator.out" 2>&1 < <(sleep 100000) &
emulator_pid=$!
for _ in $(seq 1 100); do grep -q "listening on" "$work/emulator.out" && break; sleep 0.1; done
base=$(sed -n 's/^listening on \(https:\/\/[^ ]*\).*/\1/p' "$work/emulator.out")
[ -n "$base" ] || fail "the emulator did not start"
control() { curl -sS --cacert "$work/tls/ca.pem" "$@"; }

art=$work/art
cp "$hookwarden" "$art/hookwarden"
cp "$work/tls/ca.pem" "$art/ca.pem"
printf 'demo-client\n' > "$art/client-id"
printf 'demo-secret\n' > "$art/client-secret"
cp "$source_dir/manifests/examples/system-event-monitor.yaml" "$art/manifests/"
cat > "$art/hookwarden.yaml" <<CONFIG
tenant:
  apiBase: $base
  tokenUrl: $base/oauth/token
  caFile: /opt/t/ca.pem
  clientId: {credential: client-id}
  clientSecret: {credential: client-secret}
manifests: /opt/t/manifests
interval: 1h
cycleTimeout: 2s
http: {connectTimeout: 2s, requestTimeout: 60s}
CONFIG
chmod 755 "$work" "$art" "$art/manifests"
chmod 644 "$art"/*.yaml "$art"/manifests/* "$art/ca.pem"

cp "$source_dir/packaging/hookwarden.service" "$work/units/"
cat > "$work/units/hookwarden.service.d/test.conf" <<'DROPIN'
[Service]
ExecStart=
ExecStart=/opt/t/hookwarden --config /opt/t/hookwarden.yaml run
LoadCredential=
LoadCredential=client-id:/opt/t/client-id
LoadCredential=client-secret:/opt/t/client-secret
WatchdogSec=3s
RestartSec=1s
# /etc is read-only in the sandbox; the .deb ships /etc/hookwarden itself.
ConfigurationDirectory=
# The sandbox's /dev is a minimal tmpfs on which systemd 252 cannot build
# the private /dev; the shipped unit keeps PrivateDevices=yes.
PrivateDevices=no
DROPIN
cat > "$work/units/hookwarden-test.target" <<'TARGET'
[Unit]
Description=hookwarden sandbox test
Wants=hookwarden.service
TARGET

sandbox_start "$work/units" "$art" hookwarden-test.target || fail "systemd did not boot"
show() { sandbox systemctl show hookwarden.service -P "$1"; }
wait_for() { # PROPERTY PATTERN SECONDS
  local i
  for i in $(seq 1 $(($3 * 10))); do
    [[ "$(show "$1")" =~ $2 ]] && return 0
    sleep 0.1
  done
  return 1
}

wait_for ActiveState '^active$' 20 || fail "not active: $(show ActiveState) $(show Result)"
wait_for StatusText '^converged 1/1' 20 || fail "STATUS is '$(show StatusText)'"
echo "active: $(show StatusText)"
[ "$(control "$base/_emulator/state" | jq '.webhooks | length')" = 1 ] || fail "the webhook was not created"

# journald may write an entry a moment after the STATUS= that followed it.
for _ in $(seq 1 50); do
  sandbox journalctl -u hookwarden.service -o json --no-pager > "$work/journal.json"
  grep -q 47d0c69f78f240c9949b1be94011555f "$work/journal.json" && break
  sleep 0.1
done
jq -s -e 'any(.[]; .WEBHOOK_NAME == "SystemEventMonitor" and .ACTION == "create" and .CYCLE_ID != null and .WEBHOOK_ID != null and .MESSAGE_ID == "01eb61cdd93e439cb6a5ec2b919af72b")' \
  "$work/journal.json" >/dev/null || fail "no structured create entry in the journal"
jq -s -e 'any(.[]; .MESSAGE_ID == "47d0c69f78f240c9949b1be94011555f" and .SYSLOG_IDENTIFIER == "hookwarden" and (.CODE_FILE // "" | test("run_loop")))' \
  "$work/journal.json" >/dev/null || fail "no cycle-finished entry with CODE_FILE"
if grep -q demo-secret "$work/journal.json"; then fail "the client secret reached the journal"; fi
echo "journal: structured fields present"

sandbox systemctl reload hookwarden.service || fail "reload failed"
for _ in $(seq 1 50); do
  sandbox journalctl -u hookwarden.service -o cat --no-pager | grep -q '^reloaded' && break; sleep 0.1
done
sandbox journalctl -u hookwarden.service -o cat --no-pager | grep -q '^reloaded' || fail "no reload logged"
wait_for ActiveState '^active$' 10 || fail "not active after reload"
echo "reload: ok"

# A list that hangs for a minute: the cycle overruns cycleTimeout (2 s), the
# pings stop and WatchdogSec=3s kills the service, which restarts.
control -X POST -H 'Content-Type: application/json' "$base/_emulator/faults" \
  -d '{"method":"GET","path":"^/api/v2/webhooks$","action":"hang","seconds":60,"count":1}' >/dev/null
sandbox systemctl kill -s USR1 hookwarden.service
wait_for NRestarts '^[1-9]' 20 || fail "no watchdog restart (NRestarts=$(show NRestarts), Result=$(show Result))"
sandbox journalctl -u hookwarden.service -o cat --no-pager | grep -q 'longer than cycleTimeout' || fail "the hang was not logged"
wait_for ActiveState '^active$' 20 || fail "not active after the watchdog restart"
echo "watchdog: restarted $(show NRestarts) time(s)"

sandbox systemctl stop hookwarden.service
[ "$(show ActiveState)" = inactive ] || fail "not inactive after stop: $(show ActiveState)"
[ "$(show Result)" = success ] || fail "stop result is $(show Result)"
sandbox journalctl -u hookwarden.service -o cat --no-pager | grep -q '^stopped$' || fail "no clean stop logged"
echo "stop: clean"
echo "systemd unit test passed"
