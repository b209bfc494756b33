# A real systemd, booted as PID 1 of private PID + mount namespaces, for
# testing hookwarden's units (see SYSTEMD-TESTING.md in the shared folder).
#
# Source this file, then:
#   sandbox_start UNITS_DIR ARTIFACTS_DIR TARGET   # boots; sets SANDBOX_PID
#   sandbox systemctl show ...                     # runs a command inside
#   sandbox_stop                                   # poweroff, kill, clean up
#
# UNITS_DIR is copied to /run/systemd/system inside; ARTIFACTS_DIR is bound
# read-only at /opt/t. Safety: systemd only starts once `/` is read-only in
# the namespace and /run, /tmp, /var, /dev are private tmpfs mounts, so
# nothing it boots (tmpfiles, journald) can touch the host. Needs root.
# With SANDBOX_NET=1 set before sandbox_start, the sandbox also gets its own
# network namespace: loopback only (brought up before systemd starts), so a
# unit under test can listen without touching the host's ports; then nothing
# outside can reach it, and clients must run inside (`sandbox curl …`).

SANDBOX_PID=
SANDBOX_CGROUP=
SANDBOX_WORK=

sandbox_inner_script() {
  cat <<'INNER'
set -euo pipefail
units=$1 artifacts=$2 target=$3 net=$4
mount --make-rprivate /
if [ "$net" = 1 ]; then
  ip link set lo up
fi
# Everything the host must not see, before anything is started.
mount -t tmpfs -o mode=755 tmpfs /run
mkdir -p /run/systemd/system /run/lock
cp -r "$units"/. /run/systemd/system/
mount -t tmpfs -o mode=755 tmpfs /opt
mkdir -p /opt/t /opt/hostdev
mount --bind "$artifacts" /opt/t
mount -o remount,bind,ro /opt/t
mount --bind /dev /opt/hostdev
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=755 tmpfs /var
mkdir -p /var/lib /var/log /var/cache /var/tmp
chmod 1777 /var/tmp
ln -s /run /var/run
ln -s /run/lock /var/lock
mount -t tmpfs -o mode=755 tmpfs /etc/systemd/system
mount -t tmpfs -o mode=755 tmpfs /dev
for node in null zero full random urandom tty; do
  touch "/dev/$node"
  mount --bind "/opt/hostdev/$node" "/dev/$node"
done
mkdir -p /dev/shm /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
ln -s /proc/self/fd /dev/fd
ln -s /proc/self/fd/0 /dev/stdin
ln -s /proc/self/fd/1 /dev/stdout
ln -s /proc/self/fd/2 /dev/stderr
umount -l /opt/hostdev
mount -o remount,bind,ro /
mount --bind /proc/sys /proc/sys
mount -o remount,bind,ro /proc/sys
umount -R /sys/fs/cgroup
mount --bind /sys /sys
mount -o remount,bind,ro /sys
mount -t cgroup2 cgroup2 /sys/fs/cgroup
# Without this LoadCredential= fails silently (container= stops systemd from
# doing it); safe because --make-rprivate cut every link to the host above.
mount --make-rshared /

fstype() { findmnt -n -o FSTYPE --mountpoint "$1" | tail -n 1; }
options() { findmnt -n -o OPTIONS --mountpoint "$1" | tail -n 1; }
case ",$(options /)," in *,ro,*) ;; *) echo "sandbox: / is not read-only; refusing to boot" >&2; exit 1 ;; esac
for private in /run /tmp /var /dev; do
  if [ "$(fstype "$private")" != tmpfs ]; then
    echo "sandbox: $private is not a private tmpfs; refusing to boot" >&2; exit 1
  fi
done
export container=hookwarden-test
exec setpriv --bounding-set -sys_module,-sys_time,-sys_rawio -- \
  /lib/systemd/systemd --system "--unit=$target" --log-target=journal --show-status=no
INNER
}

sandbox_start() {
  local units=$1 artifacts=$2 target=$3
  if [ "$(id -u)" -ne 0 ]; then
    echo "sandbox: needs root" >&2; return 1
  fi
  local net_flag=
  [ "${SANDBOX_NET:-0}" = 1 ] && net_flag=--net
  SANDBOX_WORK=$(mktemp -d)
  sandbox_inner_script > "$SANDBOX_WORK/inner.sh"
  local name="hookwarden-test-$$-$RANDOM"
  SANDBOX_CGROUP=/sys/fs/cgroup/unified/$name
  [ -d /sys/fs/cgroup/unified ] || SANDBOX_CGROUP=/sys/fs/cgroup/$name
  mkdir "$SANDBOX_CGROUP"
  (
    echo "$BASHPID" > "$SANDBOX_CGROUP/cgroup.procs"
    exec unshare --pid --fork --mount --cgroup --uts --ipc --mount-proc $net_flag \
      bash "$SANDBOX_WORK/inner.sh" "$units" "$artifacts" "$target" "${SANDBOX_NET:-0}"
  ) > "$SANDBOX_WORK/boot.log" 2>&1 &
  local unshare_pid=$!
  local i
  for i in $(seq 1 100); do
    SANDBOX_PID=$(pgrep -P "$unshare_pid" 2>/dev/null | head -n 1 || true)
    if [ -n "$SANDBOX_PID" ] && [ "$(cat "/proc/$SANDBOX_PID/comm" 2>/dev/null)" = systemd ] &&
       [ -S "/proc/$SANDBOX_PID/root/run/systemd/private" ]; then
      break
    fi
    if ! kill -0 "$unshare_pid" 2>/dev/null; then
      echo "sandbox: boot failed:" >&2; cat "$SANDBOX_WORK/boot.log" >&2; return 1
    fi
    sleep 0.1
  done
  if [ ! -S "/proc/$SANDBOX_PID/root/run/systemd/private" ]; then
    echo "sandbox: systemd did not come up:" >&2; cat "$SANDBOX_WORK/boot.log" >&2; return 1
  fi
  sandbox timeout 60 systemctl is-system-running --wait >/dev/null 2>&1 || true
}

# Runs a command in the sandbox's namespaces (systemctl, journalctl, curl …);
# -n is a no-op unless SANDBOX_NET=1 gave the sandbox a network of its own.
sandbox() {
  nsenter -t "$SANDBOX_PID" -m -p -u -n "$@"
}

sandbox_stop() {
  if [ -n "$SANDBOX_PID" ] && kill -0 "$SANDBOX_PID" 2>/dev/null; then
    # "Failed to connect to bus" from the logind check is harmless here.
    sandbox systemctl poweroff >/dev/null 2>&1 || true
    local i
    for i in $(seq 1 50); do
      kill -0 "$SANDBOX_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$SANDBOX_PID" 2>/dev/null || true
  fi
  if [ -n "$SANDBOX_CGROUP" ] && [ -d "$SANDBOX_CGROUP" ]; then
    local i
    for i in $(seq 1 50); do
      # Depth first: children before parents.
      find "$SANDBOX_CGROUP" -depth -type d -exec rmdir {} + 2>/dev/null || true
      [ -d "$SANDBOX_CGROUP" ] || break
      sleep 0.1
    done
  fi
  [ -n "$SANDBOX_WORK" ] && rm -rf "$SANDBOX_WORK"
  SANDBOX_PID= SANDBOX_CGROUP= SANDBOX_WORK=
}
