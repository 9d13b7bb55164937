#!/usr/bin/env bash
# Hostile input (issue 26): how long and how much memory stockrecon takes to refuse or read
# files built to hurt (bench/generate_hostile.py), beside the file's size. Each must end in
# seconds with one located error (or its rows), in bounded memory.
# Usage: bench/hostile.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/common.sh"
build_stockrecon
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
files="$here/data/hostile"
[ -f "$files/rejected-sheet.csv" ] || python3 "$here/generate_hostile.py" "$files" >/dev/null
"$bin" catalog import --db "$work/s.db" --tenant t "$here/../fixtures/catalog/"*.csv >/dev/null
measure() {  # name, then the command: prints size, seconds, MB, exit status and the message
  local name=$1 size
  shift
  size=$(du -k "$files/$name" | cut -f1)
  local status=0
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/err" || status=$?
  read -r seconds kb < <(tail -1 "$work/time")
  printf '%-16s %9s KB %7s s %6s MB  exit %s  %s\n' "$name" "$size" "$seconds" "$((kb / 1024))" "$status" \
    "$(grep -v '^run \|^Command exited' "$work/err" | head -1 | cut -c1-110)"
}
import=("$bin" import --db "$work/s.db" --tenant t --org acme --format canonical)
measure wide.csv "${import[@]}" "$files/wide.csv"
measure long-field.csv "${import[@]}" "$files/long-field.csv"
measure deep.json "$bin" import --db "$work/s.db" --tenant t --org acme --format dayzero "$files/deep.json"
measure laughs.yaml "$bin" import --db "$work/s.db" --tenant t --org acme --mapping "$files/laughs.yaml" "$files/wide.csv"
measure bomb.xlsx "${import[@]}" "$files/bomb.xlsx"
# Refused rows are written as they are read: a catalog load and a count sheet of a million.
measure rejected-catalog.csv "$bin" catalog import --db "$work/s.db" --tenant t "$files/rejected-catalog.csv"
count=$("$bin" count start --db "$work/s.db" --tenant t --org acme --type FULL --name hostile --user alice --json | tr -dc 0-9)
measure rejected-sheet.csv "$bin" count add "$count" --db "$work/s.db" --tenant t --user alice "$files/rejected-sheet.csv"
