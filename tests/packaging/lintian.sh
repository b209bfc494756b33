#!/usr/bin/env bash
# Debian's own package checker on both .debs build_debs.sh made: any error or
# warning fails (informational tags are printed, not counted).
#   lintian.sh DEB_DIR
set -euo pipefail
debs=$1
if ! command -v lintian >/dev/null; then
  echo "lintian is not installed (./contrib/install-deps installs it)"; exit 1
fi
# lintian warns on stderr when run as root; its tags go to stdout.
lintian --display-info --tag-display-limit 0 "$debs"/*.deb 2>/dev/null > "$debs/lintian.txt" || true
cat "$debs/lintian.txt"
if grep -q '^[EW]: ' "$debs/lintian.txt"; then
  echo "lintian: $(grep -c '^E: ' "$debs/lintian.txt") errors, $(grep -c '^W: ' "$debs/lintian.txt") warnings"
  exit 1
fi
echo "lintian: no errors, no warnings in $(cd "$debs" && echo *.deb)"
