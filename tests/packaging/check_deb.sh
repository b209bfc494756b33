#!/usr/bin/env bash
# Checks what `dpkg-deb -c` and `dpkg-deb -I` show of the two packages
# build_debs.sh made: the files an operator relies on, which package holds
# them, the runtime dependencies, the conffile, and manual pages that hold
# every command.
#   check_deb.sh DEB_DIR HOOKWARDEN_BINARY
set -euo pipefail
debs=$1 hookwarden=$2
daemon_deb=$(ls "$debs"/hookwarden_*.deb)
emulator_deb=$(ls "$debs"/hookwarden-emulator_*.deb)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

failed=0
fail() { echo "$*"; failed=1; }
files_of() { dpkg-deb -c "$1" | awk '{print $6}'; }
expect_files() {  # DEB FILE...
  local deb=$1; shift
  files_of "$deb" > "$work/files"
  for file in "$@"; do
    grep -qx "./$file" "$work/files" || fail "missing from $(basename "$deb"): /$file"
  done
}
expect_depends() {  # DEB "ALTERNATIVE|ALTERNATIVE"...
  local deb=$1 depends alternatives dep found; shift
  depends=$(dpkg-deb -f "$deb" Depends)
  for alternatives in "$@"; do
    found=0
    for dep in ${alternatives//|/ }; do
      case ", $depends," in *", $dep "*|*", $dep,"*) found=1 ;; esac
    done
    [ $found -eq 1 ] || fail "$(basename "$deb") lacks a dependency on $alternatives (Depends: $depends)"
  done
}

expect_files "$daemon_deb" \
  usr/bin/hookwarden \
  usr/lib/systemd/system/hookwarden.service \
  usr/lib/systemd/system/hookwarden@.service \
  usr/lib/systemd/system/hookwarden-receiver.service \
  usr/lib/systemd/system/hookwarden-receiver.socket \
  usr/lib/sysusers.d/hookwarden.conf \
  usr/lib/tmpfiles.d/hookwarden.conf \
  usr/lib/systemd/catalog/hookwarden.catalog \
  etc/hookwarden/hookwarden.yaml \
  usr/share/doc/hookwarden/README.md \
  usr/share/doc/hookwarden/copyright \
  usr/share/doc/hookwarden/changelog.gz \
  usr/share/hookwarden/schema/webhook.schema.json \
  usr/share/bash-completion/completions/hookwarden \
  usr/share/man/man1/hookwarden.1.gz \
  usr/share/man/man5/hookwarden.yaml.5.gz \
  usr/share/man/man5/hookwarden-manifests.5.gz
expect_files "$emulator_deb" \
  usr/bin/hookwarden-emulator \
  usr/share/doc/hookwarden-emulator/copyright \
  usr/share/doc/hookwarden-emulator/changelog.gz \
  usr/share/man/man1/hookwarden-emulator.1.gz
# The emulator is for demos and tests: never in the daemon's package.
files_of "$daemon_deb" | grep -q emulator && fail "the daemon's package holds emulator files"

# The YAML library is yaml-cpp.
expect_depends "$daemon_deb" systemd libssl3 libsystemd0 libboost-json1.81.0 libboost-url1.81.0 \
  "libyaml-cpp0.7"
expect_depends "$emulator_deb" libssl3 libboost-json1.81.0 libboost-url1.81.0
dpkg-deb --ctrl-tarfile "$daemon_deb" | tar -xO ./conffiles | grep -qx /etc/hookwarden/hookwarden.yaml \
  || fail "the default config is not a conffile"

page() { dpkg-deb --fsys-tarfile "$1" | tar -xO "./usr/share/man/$2" | zcat; }
# hookwarden(1) holds every command's --help, one subsection each.
page "$daemon_deb" man1/hookwarden.1.gz > "$work/hookwarden.1"
for command in $("$hookwarden" --help | sed -n '/^Commands:$/,/^$/s/^  \([a-z]\+\)  .*/\1/p'); do
  grep -A1 -x '\.SS' "$work/hookwarden.1" | grep -q "^hookwarden $command\b" \
    || fail "hookwarden(1) lacks the command $command"
done
# The (5) pages are the README's sections: their examples are there.
page "$daemon_deb" man5/hookwarden.yaml.5.gz | grep -q '^manifests: /etc/hookwarden/webhooks.d' \
  || fail "hookwarden.yaml(5) lacks the README's example configuration"
page "$daemon_deb" man5/hookwarden-manifests.5.gz | grep -q '^apiVersion: hookwarden/v1' \
  || fail "hookwarden-manifests(5) lacks the README's example manifest"

[ $failed -eq 0 ] && echo "packages ok: $(basename "$daemon_deb") $(basename "$emulator_deb")"
exit $failed
