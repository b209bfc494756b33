#!/usr/bin/env bash
# The shipped hookwarden-receiver.service and .socket under a real systemd
# PID 1 (sandbox.sh, with a loopback-only network of its own): the service
# reaches active with a "listening on" STATUS, verifying deliveries with a
# secret its webhook's manifest takes from a credential (LoadCredential=); a
# signed delivery is spooled durably under the StateDirectory and answered
# 200, a forged one 401 with a structured journal entry and no secret in the
# journal; `systemctl reload` and `stop` are clean; then, started by the
# socket instead, the first connection starts the service on the passed
# socket, and a stopped service is started again by the next delivery with
# nothing refused. Only drop-ins change the units: the binary, config,
# manifest and credential come from the build tree.
# Needs root; exits 77 (skipped) otherwise.
#   receiver_unit_test.sh SOURCE_DIR HOOKWARDEN
set -euo pipefail
source_dir=$1 hookwarden=$2
if [ "$(id -u)" -ne 0 ]; then
  echo "skipped: the systemd sandbox needs root"; exit 77
fi
for tool in unshare nsenter setpriv ip curl jq openssl; do
  command -v "$tool" >/dev/null || { echo "skipped: $tool is not installed"; exit 77; }
done
source "$source_dir/tests/systemd/sandbox.sh"

work=$(mktemp -d)
cleanup() {
  sandbox_stop || true
  rm -rf "$work"
}
trap cleanup EXIT
unit=hookwarden-receiver.service
journal() { sandbox journalctl -u "$unit" -o cat --no-pager; }
fail() { echo "FAIL: $*"; echo "--- journal"; journal | tail -40 || true; exit 1; }

mkdir -p "$work/art/manifests" "$work/units/$unit.d" "$work/units/hookwarden-receiver.socket.d"
art=$work/art
secret=receiver-test-$RANDOM$RANDOM-credential
cp "$hookwarden" "$art/hookwarden"
printf '%s\n' "$secret" > "$art/monitor-secret"
# Readable by root only: the DynamicUser service can read it only through
# LoadCredential=, never from this path.
chmod 600 "$art/monitor-secret"
cat > "$art/manifests/monitor.yaml" <<'MANIFEST'
apiVersion: hookwarden/v1
kind: Webhook
metadata: {name: Monitor}
spec:
  eventTypes: [user:login, user:logout]
  endpointUrl: https://receiver.example.com/hooks/monitor
  retryPolicy: {retryInterval: PT1M, maxRetries: 3}
  secretRef: {credential: monitor-secret}
MANIFEST
# receive needs no tenant, but a config always has one.
cat > "$art/hookwarden.yaml" <<'CONFIG'
tenant: {environment: mypurecloud.com}
manifests: /opt/t/manifests
receiver:
  listen: 127.0.0.1:18088
  routes: {/hooks/monitor: Monitor}
CONFIG
chmod 755 "$work" "$art" "$art/manifests"
chmod 644 "$art"/*.yaml "$art"/manifests/*

cp "$source_dir/packaging/$unit" "$source_dir/packaging/hookwarden-receiver.socket" "$work/units/"
cat > "$work/units/$unit.d/test.conf" <<'DROPIN'
[Service]
ExecStart=
ExecStart=/opt/t/hookwarden --config /opt/t/hookwarden.yaml receive
LoadCredential=
LoadCredential=monitor-secret:/opt/t/monitor-secret
# Short, so that a few seconds of staying active show the pings arrive.
WatchdogSec=2s
# /etc is read-only in the sandbox; the .deb ships /etc/hookwarden itself.
ConfigurationDirectory=
# The sandbox's /dev is a minimal tmpfs on which systemd 252 cannot build
# the private /dev; the shipped unit keeps PrivateDevices=yes.
PrivateDevices=no
DROPIN
# Another port than receiver.listen: the STATUS then tells which one is served.
cat > "$work/units/hookwarden-receiver.socket.d/test.conf" <<'DROPIN'
[Socket]
ListenStream=
ListenStream=127.0.0.1:18089
DROPIN
cat > "$work/units/hookwarden-test.target" <<'TARGET'
[Unit]
Description=hookwarden receiver sandbox test
Wants=hookwarden-receiver.service
TARGET

started=$(date +%s%N)
SANDBOX_NET=1 sandbox_start "$work/units" "$art" hookwarden-test.target || fail "systemd did not boot"
echo "boot: $(( ($(date +%s%N) - started) / 1000000 )) ms"
show() { sandbox systemctl show "${2:-$unit}" -P "$1"; }
wait_for() { # PROPERTY PATTERN SECONDS [UNIT]
  local i
  for i in $(seq 1 $(($3 * 10))); do
    [[ "$(show "$1" "${4:-}")" =~ $2 ]] && return 0
    sleep 0.1
  done
  return 1
}

# deliver PORT ID BODY [SECRET]: POSTs a Standard Webhooks delivery from
# inside the sandbox; prints "STATUS BODY".
deliver() {
  local port=$1 id=$2 body=$3 key=${4:-$secret} ts signature
  ts=$(date +%s)
  signature=$(printf '%s' "$id.$ts.$body" | openssl dgst -sha256 -hmac "$key" -binary | base64)
  sandbox curl -sS --max-time 20 -o /dev/stdout -w ' %{http_code}' \
    -H 'Content-Type: application/json' -H "webhook-id: $id" -H "webhook-timestamp: $ts" \
    -H "webhook-signature: v1,$signature" --data-binary "$body" "http://127.0.0.1:$port/hooks/monitor" |
    awk '{ status = $NF; $NF = ""; sub(/ $/, ""); print status " " $0 }'
}
event() { printf '{"eventType":"user:login","timestamp":"2024-05-01T12:00:00Z","actor":{"id":"%s","name":"Ada"}}' "$1"; }
spool() { sandbox cat /var/lib/private/hookwarden/spool/current.jsonl; }

# 1. Type=notify: active once READY=1 came, with the STATUS of the listener.
wait_for ActiveState '^active$' 20 || fail "not active: $(show ActiveState) $(show Result)"
wait_for StatusText '^listening on 127\.0\.0\.1:18088 ' 10 || fail "STATUS is '$(show StatusText)'"
echo "active: $(show StatusText)"
journal | grep -q 'cannot be read' && fail "the credential was not readable"

# 2. Signed: accepted and spooled. Forged: 401.
answer=$(deliver 18088 msg_good1 "$(event actor-1)")
[ "$answer" = '200 {"status":"accepted"}' ] || fail "signed delivery answered '$answer'"
spool | jq -s -e 'length == 1 and .[0].delivery.id == "msg_good1" and .[0].delivery.webhook == "Monitor" and .[0].event.actor_id == "actor-1" and .[0].event.routing_key == "system.user_login"' \
  >/dev/null || fail "the spool does not hold the event: $(spool || true)"
answer=$(deliver 18088 msg_good1 "$(event actor-1)")
[ "$answer" = '200 {"status":"duplicate"}' ] || fail "the same webhook-id again answered '$answer'"
answer=$(deliver 18088 msg_forged1 "$(event actor-2)" not-the-secret)
[[ "$answer" =~ ^401\  ]] || fail "a forged delivery answered '$answer'"
[ "$(spool | wc -l)" = 1 ] || fail "the spool grew: $(spool)"
echo "deliveries: signed 200 (spooled, duplicate recognised), forged ${answer%% *}"

# 3. The refusal is a structured journal entry; the secret is nowhere.
for _ in $(seq 1 50); do
  sandbox journalctl -o json --no-pager > "$work/journal.json"
  grep -q msg_forged1 "$work/journal.json" && break
  sleep 0.1
done
jq -s -e --arg unit "$unit" 'any(.[]; ._SYSTEMD_UNIT == $unit and .WEBHOOK_NAME == "Monitor" and .HTTP_STATUS == "401" and .DELIVERY_ID == "msg_forged1")' \
  "$work/journal.json" >/dev/null || fail "no structured 401 entry in the journal"
if grep -q "$secret" "$work/journal.json"; then fail "the secret reached the journal"; fi
echo "journal: WEBHOOK_NAME, HTTP_STATUS=401, DELIVERY_ID; no secret"

# Several watchdog intervals (WatchdogSec=2s) pass without a kill: the pings arrive.
sleep 5
[ "$(show ActiveState)/$(show NRestarts)" = active/0 ] || fail "watchdog: $(show ActiveState), NRestarts=$(show NRestarts)"
echo "watchdog: pinged through 5 s at WatchdogSec=2s"

# 4. reload: RELOADING=1 … READY=1, the credential re-read; then a clean stop.
pid=$(show MainPID)
sandbox systemctl reload "$unit" || fail "reload failed"
for _ in $(seq 1 50); do journal | grep -q '^secrets re-read' && break; sleep 0.1; done
journal | grep -q '^secrets re-read' || fail "no reload logged"
# systemd's own line: the reload job ended, i.e. READY=1 followed RELOADING=1.
journal | grep -q "^Reloaded $unit" || fail "systemd did not log the reload as done"
wait_for ActiveState '^active$' 10 || fail "not active after reload"
[ "$(show MainPID)" = "$pid" ] || fail "reload restarted the process"
answer=$(deliver 18088 msg_good2 "$(event actor-3)")
[ "$answer" = '200 {"status":"accepted"}' ] || fail "signed delivery after reload answered '$answer'"
echo "reload: ok ($(show StatusText))"

sandbox systemctl stop "$unit"
[ "$(show ActiveState)" = inactive ] || fail "not inactive after stop: $(show ActiveState)"
[ "$(show Result)" = success ] || fail "stop result is $(show Result)"
journal | grep -q '^stopped; accepted 2 · duplicates 1 · refused 1 (401×1)$' || fail "no clean stop logged"
echo "stop: clean"

# 5. Socket activation: systemd listens on 18089; the first delivery starts
# the service, which serves that socket (receiver.listen, 18088, is unused).
sandbox systemctl start hookwarden-receiver.socket || fail "the socket did not start"
[ "$(show ActiveState hookwarden-receiver.socket)" = active ] || fail "socket not active"
[ "$(show ActiveState)" = inactive ] || fail "the service started before any connection"
answer=$(deliver 18089 msg_sock1 "$(event actor-4)")
[ "$answer" = '200 {"status":"accepted"}' ] || fail "the first delivery to the socket answered '$answer'"
wait_for ActiveState '^active$' 10 || fail "not active after the first connection"
wait_for StatusText '^listening on 127\.0\.0\.1:18089 ' 10 || fail "STATUS is '$(show StatusText)'"
echo "socket: started on the first connection: $(show StatusText)"
pid=$(show MainPID)

# Stopped, the service is started again by the next deliveries, which wait
# in the socket's backlog meanwhile: none is refused.
sandbox systemctl stop "$unit" 2>/dev/null
[ "$(show Result)" = success ] || fail "stop result is $(show Result)"
[ "$(show ActiveState hookwarden-receiver.socket)" = active ] || fail "the socket went with the service"
senders=()
for n in 1 2 3 4 5; do
  deliver 18089 "msg_back$n" "$(event "actor-back$n")" > "$work/back$n" &
  senders+=($!)
done
wait "${senders[@]}" # not a bare wait: the sandbox itself is a child too
for n in 1 2 3 4 5; do
  [ "$(cat "$work/back$n")" = '200 {"status":"accepted"}' ] || fail "delivery $n after the stop answered '$(cat "$work/back$n")'"
done
wait_for ActiveState '^active$' 10 || fail "not active again"
[ "$(show MainPID)" != "$pid" ] || fail "the service was not restarted"
[ "$(spool | jq -s 'length')" = 8 ] || fail "the spool holds $(spool | jq -s 'length') records, not 8"
sandbox systemctl stop "$unit" hookwarden-receiver.socket 2>/dev/null
[ "$(show Result)" = success ] || fail "stop result is $(show Result)"
echo "socket: restarted by the next deliveries, 5/5 accepted, 8 records spooled in all"
echo "receiver unit test passed"
