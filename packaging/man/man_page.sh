#!/bin/sh
# Writes a gzipped manual page from text that already exists, so that the
# page never says something --help or the README does not:
#   man_page.sh OUT.gz NAME SECTION VERSION SEE_ALSO help PROGRAM
#     from `PROGRAM --help` and, for each command it lists under
#     "Commands:", `PROGRAM COMMAND --help` (help2roff.awk);
#   man_page.sh OUT.gz NAME SECTION VERSION SEE_ALSO readme README HEADING SUMMARY
#     from the README's "## HEADING" section (md2roff.awk), named
#     "NAME - SUMMARY".
# SEE_ALSO is a space-separated list of pages such as "hookwarden.yaml(5)".
set -eu
out=$1 name=$2 section=$3 version=$4 see_also=$5 kind=$6
shift 6
here=$(dirname "$0")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

upper=$(printf '%s' "$name" | tr a-z A-Z | sed 's/-/\\-/g')
case $section in 1) manual="User Commands" ;; *) manual="File Formats" ;; esac
printf '.TH %s %s "" "hookwarden %s" "%s"\n' "$upper" "$section" "$version" "$manual" > "$tmp/page"

case $kind in
help)
  program=$1
  "$program" --help > "$tmp/help"
  : > "$tmp/details"
  for command in $(sed -n '/^Commands:$/,/^$/s/^  \([a-z][a-z-]*\)  .*/\1/p' "$tmp/help"); do
    "$program" "$command" --help | awk -v mode=command -f "$here/help2roff.awk" >> "$tmp/details"
  done
  awk -v mode=page -v program="$name" -v details="$tmp/details" -f "$here/help2roff.awk" \
    "$tmp/help" >> "$tmp/page"
  ;;
readme)
  readme=$1 heading=$2 summary=$3
  printf '.SH NAME\n%s \\- %s\n.SH DESCRIPTION\n' "$(printf '%s' "$name" | sed 's/-/\\-/g')" \
    "$(printf '%s' "$summary" | sed 's/-/\\-/g')" >> "$tmp/page"
  awk -v heading="$heading" -f "$here/md2roff.awk" "$readme" >> "$tmp/page"
  ;;
*)
  echo "man_page.sh: unknown source kind '$kind'" >&2; exit 1 ;;
esac

if [ -n "$see_also" ]; then
  printf '.SH "SEE ALSO"\n' >> "$tmp/page"
  printf '%s\n' $see_also | sed 's/-/\\-/g; s/^\(.*\)(\(.*\))$/.BR \1 (\2),/; $s/,$//' >> "$tmp/page"
fi
gzip -9n -c "$tmp/page" > "$out"
