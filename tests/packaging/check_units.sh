#!/usr/bin/env bash
# Static checks of the shipped units: `systemd-analyze verify` must be clean
# (for hookwarden-receiver.socket too) and `systemd-analyze security --offline`
# must rate the services at an exposure of 2.0 or better. (--threshold counts
# in tenths: 20 is an exposure of 2.0.) Only ExecStart's binary path is
# adjusted (to the build tree), as the units are otherwise verified as shipped.
#   check_units.sh SOURCE_DIR HOOKWARDEN_BINARY
set -euo pipefail
source_dir=$1 binary=$2
if ! command -v systemd-analyze >/dev/null; then
  echo "systemd-analyze is not installed (package systemd)"; exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

failed=0
for unit in hookwarden.service hookwarden@.service hookwarden-receiver.service; do
  sed "s|/usr/bin/hookwarden|$binary|" "$source_dir/packaging/$unit" > "$work/$unit"
  target=$unit
  [ "$unit" = hookwarden@.service ] && { cp "$work/$unit" "$work/hookwarden@demo.service"; target=hookwarden@demo.service; }
  if ! (cd "$work" && systemd-analyze verify --man=no "./$target") > "$work/verify.log" 2>&1; then
    echo "systemd-analyze verify $unit:"; cat "$work/verify.log"; failed=1
  elif [ -s "$work/verify.log" ]; then
    echo "systemd-analyze verify $unit is not clean:"; cat "$work/verify.log"; failed=1
  fi
  if ! (cd "$work" && systemd-analyze security --offline=true --threshold=20 "./$target") > "$work/security.log" 2>&1; then
    echo "systemd-analyze security $unit: exposure above 2.0"; tail -3 "$work/security.log"; failed=1
  else
    echo "$unit: $(grep -o 'Overall exposure level.*' "$work/security.log")"
  fi
done
# The socket (security rates services only), verified beside the service it starts.
cp "$source_dir/packaging/hookwarden-receiver.socket" "$work/"
if ! (cd "$work" && systemd-analyze verify --man=no ./hookwarden-receiver.socket) > "$work/verify.log" 2>&1 ||
   [ -s "$work/verify.log" ]; then
  echo "systemd-analyze verify hookwarden-receiver.socket:"; cat "$work/verify.log"; failed=1
else
  echo "hookwarden-receiver.socket: verify clean"
fi
exit $failed
