#!/usr/bin/env bash
# A second large file over a tenant's balances (issue 29): a catalog of VARIANTS variants, an
# import of ROWS synq rows, then ROWS more of the same keys (their references renamed, so
# that they post), timed against the first. The second reads the balances the first left
# (more than one scan reads: key by key, a batch at a time on PostgreSQL); it must take at most
# 1.5x the first. Then ROWS more at other locations: keys the tenant has no balance for, so that
# the book holds the tenant's balances and the file's new ones (two million); it must take at
# most 1.5x the first as well, and 150 MB. With URL, the same on PostgreSQL. Exits 1 if a
# target is not met.
# Usage: bench/again.sh [VARIANTS] [ROWS] [URL]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/common.sh"
large_catalog_bench again "$@"
sed '2,$ s/,REF-/,AGAIN-/' "$data/synq-$rows.csv" >"$work/again.csv"
# The same variants, each at the location ten further on (of 20): new keys.
awk -F, 'NR == 1 { print; next } { n = (substr($2, 5) + 9) % 20 + 1; $2 = sprintf("LOC-%02d", n); sub(/^REF-/, "ELSEWHERE-", $4); print }' \
  OFS=, "$data/synq-$rows.csv" >"$work/elsewhere.csv"
unmet=0

again() {  # DB LABEL
  echo "$2:"
  local tenant=(--db "$1" --tenant bench)
  "$bin" catalog import "${tenant[@]}" "$data"/{orgs,locations,users,variants}.csv >/dev/null
  timed "import of $rows rows" "$bin" import "${tenant[@]}" --org bench --format synq "$data/synq-$rows.csv"
  local first=$seconds
  timed "$rows more over its balances" "$bin" import "${tenant[@]}" --org bench --format synq "$work/again.csv"
  grep -q "$rows posted" "$work/out" || { echo "  the second file did not post every row: $(cat "$work/out")"; unmet=1; }
  within "the second" "$first"
  timed "$rows more at other locations" "$bin" import "${tenant[@]}" --org bench --format synq "$work/elsewhere.csv"
  grep -q "$rows posted" "$work/out" || { echo "  the third file did not post every row: $(cat "$work/out")"; unmet=1; }
  within "the third" "$first"
  if [ "$peak_mb" -le 150 ]; then echo "  met: the third within 150 MB"; else echo "  NOT MET: the third within 150 MB"; unmet=1; fi
}

within() {  # WHICH FIRST_SECONDS: the last timed run at most 1.5x the first
  local ratio
  ratio=$(python3 -c "print(f'{$seconds / $2:.2f}')")
  if python3 -c "import sys; sys.exit(0 if $seconds <= 1.5 * $2 else 1)"; then
    echo "  met: $1 at most 1.5x the first (${ratio}x)"
  else
    echo "  NOT MET: $1 at most 1.5x the first (${ratio}x)"
    unmet=1
  fi
}

on_both_backends again
exit $unmet
