#!/usr/bin/env bash
# Makes both .debs (hookwarden, hookwarden-emulator) with CPack from the
# configured build tree into OUT_DIR, replacing what was there; the other
# packaging tests read them from there.
#   build_debs.sh BUILD_DIR OUT_DIR
set -euo pipefail
build_dir=$1 out=$2
rm -rf "$out"
mkdir -p "$out"
cpack --config "$build_dir/CPackConfig.cmake" -G DEB -B "$out" >"$out/cpack.log" 2>&1 || {
  cat "$out/cpack.log"; exit 1; }
ls "$out"/*.deb
