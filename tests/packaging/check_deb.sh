#!/usr/bin/env bash
# Builds the .deb with CPack from the configured build tree and checks what
# `dpkg-deb -c` and `dpkg-deb -I` show: the files an operator relies on and
# the runtime dependencies.
#   check_deb.sh BUILD_DIR
set -euo pipefail
build_dir=$1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

cpack --config "$build_dir/CPackConfig.cmake" -G DEB -B "$out" >"$out/cpack.log" 2>&1 || {
  cat "$out/cpack.log"; exit 1; }
deb=$(ls "$out"/*.deb)
dpkg-deb -c "$deb" | awk '{print $6}' > "$out/files"
dpkg-deb -I "$deb" > "$out/info"

failed=0
expect_file() {
  if ! grep -qx "./$1" "$out/files"; then
    echo "missing from the package: /$1"; failed=1
  fi
}
expect_file usr/bin/hookwarden
expect_file usr/bin/hookwarden-emulator
expect_file usr/lib/systemd/system/hookwarden.service
expect_file usr/lib/systemd/system/hookwarden@.service
expect_file usr/lib/sysusers.d/hookwarden.conf
expect_file usr/lib/tmpfiles.d/hookwarden.conf
expect_file usr/lib/systemd/catalog/hookwarden.catalog
expect_file etc/hookwarden/hookwarden.yaml
expect_file usr/share/doc/hookwarden/README.md
expect_file usr/share/doc/hookwarden/hookwarden.txt
expect_file usr/share/hookwarden/schema/webhook.schema.json
expect_file usr/share/bash-completion/completions/hookwarden

depends=$(sed -n 's/^ Depends: //p' "$out/info")
for dep in systemd libyaml-cpp0.7 libssl3 libsystemd0 libboost-json1.81.0 libboost-url1.81.0; do
  case ", $depends," in
    *", $dep "*|*", $dep,"*) ;;
    *) echo "missing dependency: $dep (Depends: $depends)"; failed=1 ;;
  esac
done
grep -q '^ */etc/hookwarden/hookwarden.yaml$' <(dpkg-deb -f "$deb" 2>/dev/null; dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles) \
  || { echo "the default config is not a conffile"; failed=1; }

# The manual holds every command's --help.
dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/share/doc/hookwarden/hookwarden.txt > "$out/manual"
for command in $("$build_dir/daemon/hookwarden" --help | sed -n 's/^  \([a-z]\+\)  .*/\1/p'); do
  grep -q "^== hookwarden $command ==$" "$out/manual" || { echo "manual lacks $command"; failed=1; }
done

[ $failed -eq 0 ] && echo "package ok: $(basename "$deb")"
exit $failed
