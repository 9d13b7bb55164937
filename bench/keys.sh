#!/usr/bin/env bash
# Keyed files past the natural keys a tenant's run holds in memory (1.2 million): four files of
# ROWS canonical rows, each with keys of its own, into one tenant over the 5,000-variant catalog,
# then 1,000 keyed rows over them all. The first two find the tenant's keys in memory; the third
# moves them into the table and looks its keys up there, as the fourth does (PostgreSQL: a
# batch's keys in one statement). The fourth must take at most 3x the first (it took 32x on
# PostgreSQL, a round trip a key), and each file at most 150 MB; the 1,000 rows are timed
# beside. With URL, the same on PostgreSQL. Exits 1 if a target is not met.
# Usage: bench/keys.sh [ROWS] [URL]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/common.sh"
rows=${1:-1000000}
url=${2:-}
synq_data "$rows"
[ -f "$data/canonical-keys-$rows.csv" ] || python3 "$here/generate_formats.py" "$rows" "$data"
build_stockrecon
bench_scratch keys
for file in 1 2 3 4; do sed "2,\$ s/^/f$file-/" "$data/canonical-keys-$rows.csv" >"$work/keys-$file.csv"; done
{ head -n 1 "$work/keys-4.csv"; sed -n '2,1001 s/^f4-/small-/p' "$work/keys-4.csv"; } >"$work/small.csv"
unmet=0

check() {  # WHAT OK: prints met or NOT MET
  if [ "$2" = 1 ]; then echo "  met: $1"; else echo "  NOT MET: $1"; unmet=1; fi
}

keys() {  # DB LABEL
  echo "$2:"
  local tenant=(--db "$1" --tenant bench) first file
  "$bin" catalog import "${tenant[@]}" "$data"/{orgs,locations,variants}.csv >/dev/null
  for file in 1 2 3 4; do
    timed "file $file ($((file - 1)) x $rows keys before)" "$bin" import "${tenant[@]}" --org bench --format canonical "$work/keys-$file.csv"
    grep -q "$rows posted" "$work/out" || { echo "  file $file did not post every row: $(cat "$work/out")"; unmet=1; }
    [ "$file" != 1 ] || first=$seconds
    [ "$peak_mb" -le 150 ] || { echo "  NOT MET: file $file within 150 MB"; unmet=1; }
  done
  check "the fourth at most 3x the first ($(python3 -c "print(f'{$seconds / $first:.2f}')")x)" \
    "$(python3 -c "print(1 if $seconds <= 3 * $first else 0)")"
  timed "1,000 keyed rows over them" "$bin" import "${tenant[@]}" --org bench --format canonical "$work/small.csv"
}

on_both_backends keys
exit $unmet
