#!/bin/bash
# The journal catalog, read by journald itself: journalctl compiles
# packaging/hookwarden.catalog into a scratch root's catalog database, and
# every MESSAGE_ID daemon/service/log.hpp sends must come back with a text
# (a MESSAGE_ID without an entry makes `journalctl -x` silent for it).
set -euo pipefail
source_dir=$1

root=$(mktemp -d "${TMPDIR:-/tmp}/hookwarden-catalog.XXXXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/usr/lib/systemd/catalog"
cp "$source_dir/packaging/hookwarden.catalog" "$root/usr/lib/systemd/catalog/"
journalctl --root "$root" --update-catalog
listed=$(journalctl --root "$root" --list-catalog)

sent=$(grep -oE 'inline constexpr std::string_view [a-z_]+ = "[0-9a-f]{32}"' \
         "$source_dir/daemon/service/log.hpp" | grep -oE '[0-9a-f]{32}')
[[ -n $sent ]] || { echo "no MESSAGE_ID found in daemon/service/log.hpp" >&2; exit 1; }

missing=0
for id in $sent; do
    if ! grep -q "^$id hookwarden: " <<<"$listed"; then
        echo "MESSAGE_ID $id (daemon/service/log.hpp) has no entry in packaging/hookwarden.catalog" >&2
        missing=1
    fi
done
[[ $(sort <<<"$sent" | uniq -d) == "" ]] || { echo "a MESSAGE_ID is used twice in log.hpp" >&2; exit 1; }
exit $missing
