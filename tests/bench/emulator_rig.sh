# Sourced by the shell benchmarks that run the daemon against the emulator
# (idle.sh, soak.sh), after they set $emulator: a scratch directory $work,
# removed on exit with the processes started ($emulator_pid, and $daemon_pid
# once the caller sets it); the tenant emulator on a free loopback port with
# its TLS material in $work/tls, its URL in $base; and write_webhooks.
work=$(mktemp -d)
emulator_pid= daemon_pid=
cleanup() {
  [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null || true
  [ -n "$emulator_pid" ] && kill "$emulator_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/tls" "$work/manifests"
"$emulator" --port 0 --tls-dir "$work/tls" --quiet --rpm 100000 > "$work/emulator.out" &
emulator_pid=$!
for _ in $(seq 1 100); do grep -q "listening on" "$work/emulator.out" && break; sleep 0.1; done
base=$(sed -n 's/^listening on \(https:\/\/[^ ]*\).*/\1/p' "$work/emulator.out")
[ -n "$base" ] || { echo "the emulator did not start"; exit 1; }

# write_webhooks COUNT FILE: COUNT webhook manifests hook-0001… in one file.
write_webhooks() {
  for i in $(seq 1 "$1"); do
    printf 'apiVersion: hookwarden/v1\nkind: Webhook\nmetadata: {name: hook-%04d}\nspec:\n  eventTypes: [user:login]\n  endpointUrl: https://hooks.example.com/%d\n' "$i" "$i"
    echo ---
  done > "$2"
}
