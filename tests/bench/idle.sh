#!/usr/bin/env bash
# tests/bench/idle: the daemon at rest. Converges 1,000 webhooks on the emulator
# with `interval: 1h`, then samples the daemon for SECONDS (default 60) and
# prints its CPU use and resident memory. Goal: < 0.1 % CPU and <= 16 MB RSS.
# Prints figures; never fails on them.
#   tests/bench/idle.sh HOOKWARDEN EMULATOR [SECONDS] [WEBHOOKS]
# IDLE_SMAPS=N (e.g. 15) also prints where the RSS goes: totals by kind
# (program and shared-library files, [heap], other anonymous memory such as
# thread stacks and malloc arenas) and the N largest mappings, from
# /proc/PID/smaps.
set -euo pipefail
hookwarden=$1 emulator=$2 seconds=${3:-60} count=${4:-1000}
. "$(dirname "$0")/emulator_rig.sh"
write_webhooks "$count" "$work/manifests/all.yaml"
cat > "$work/hookwarden.yaml" <<CONFIG
tenant: {apiBase: $base, tokenUrl: $base/oauth/token, caFile: $work/tls/ca.pem, clientId: demo-client, clientSecret: demo-secret}
manifests: $work/manifests
stateDir: $work/state
interval: 1h
requestsPerMinute: 100000
concurrency: 8
CONFIG
# With the environment systemd gives the unit (none of the shell's): a shell's
# SSL_CERT_FILE, for one, makes OpenSSL parse a whole CA bundle up front.
env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$hookwarden" --config "$work/hookwarden.yaml" --log-level warning run &
daemon_pid=$!
for _ in $(seq 1 600); do
  grep -q '"outcome":"converged"' "$work/state/status.json" 2>/dev/null && break
  sleep 0.5
done
grep -q '"outcome":"converged"' "$work/state/status.json" || { echo "did not converge"; exit 1; }

ticks=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$daemon_pid/stat"; }
start=$(cpu)
sleep "$seconds"
end=$(cpu)
rss_kb=$(awk '/^VmRSS/ {print $2}' "/proc/$daemon_pid/status")
hwm_kb=$(awk '/^VmHWM/ {print $2}' "/proc/$daemon_pid/status")
awk -v a="$start" -v b="$end" -v t="$ticks" -v s="$seconds" -v r="$rss_kb" -v h="$hwm_kb" -v n="$count" 'BEGIN {
  printf "idle daemon, %d converged webhooks, interval 1h, sampled %d s\n", n, s
  printf "  CPU: %.3f %% (goal < 0.1 %%)\n", (b - a) / t / s * 100
  printf "  RSS: %.1f MB now, %.1f MB peak (goal <= 16 MB)\n", r / 1024, h / 1024 }'
if [ "${IDLE_SMAPS:-0}" -gt 0 ]; then
  awk '/^RssFile/ {f = $2} /^RssAnon/ {a = $2} END {
    printf "  RSS: %.1f MB file pages (program, shared libraries), %.1f MB private\n", f / 1024, a / 1024 }' \
    "/proc/$daemon_pid/status" || true
  # A mapping header line starts with an address range; its Rss: line follows.
  awk -v top="$IDLE_SMAPS" '
    /^[0-9a-f]+-[0-9a-f]+ / {
      name = (NF >= 6) ? $6 : "[anon]"; perms = $2
      if (name ~ /^\//) kind = "file"; else if (name == "[heap]") kind = "heap"
      else if (name == "[anon]") kind = "anon"; else kind = "other"
      # Anonymous mappings stay apart (a thread stack, a malloc arena each).
      label = (kind == "anon") ? "[anon] " $1 " " perms : name " " perms; next }
    /^Rss:/ { by_kind[kind] += $2; by_label[label] += $2; next }
    END {
      printf "  RSS by kind: files %.1f MB, [heap] %.1f MB, anonymous (stacks, arenas) %.1f MB, other %.1f MB\n",
        by_kind["file"] / 1024, by_kind["heap"] / 1024, by_kind["anon"] / 1024, by_kind["other"] / 1024
      n = 0
      for (l in by_label) sorted[n++] = sprintf("%10d kB  %s", by_label[l], l)
      cmd = "sort -rn | head -n " top
      for (i = 0; i < n; i++) print "  " sorted[i] | cmd
      close(cmd) }' "/proc/$daemon_pid/smaps" || true
fi
