#!/usr/bin/env bash
# A second large file over a tenant's balances (issue 29): a catalog of VARIANTS variants, an
# import of ROWS synq rows, then ROWS more of the same keys (their references renamed, so
# that they post), timed against the first. The second reads the balances the first left
# (more than one scan reads: key by key, a batch at a time on PostgreSQL); it must take at most
# 1.5x the first. With URL, the same on PostgreSQL. Exits 1 if a target is not met.
# Usage: bench/again.sh [VARIANTS] [ROWS] [URL]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/common.sh"
large_catalog_bench again "$@"
sed '2,$ s/,REF-/,AGAIN-/' "$data/synq-$rows.csv" >"$work/again.csv"
unmet=0

again() {  # DB LABEL
  echo "$2:"
  local tenant=(--db "$1" --tenant bench)
  "$bin" catalog import "${tenant[@]}" "$data"/{orgs,locations,users,variants}.csv >/dev/null
  timed "import of $rows rows" "$bin" import "${tenant[@]}" --org bench --format synq "$data/synq-$rows.csv"
  local first=$seconds
  timed "$rows more over its balances" "$bin" import "${tenant[@]}" --org bench --format synq "$work/again.csv"
  grep -q "$rows posted" "$work/out" || { echo "  the second file did not post every row: $(cat "$work/out")"; unmet=1; }
  if python3 -c "import sys; sys.exit(0 if $seconds <= 1.5 * $first else 1)"; then
    echo "  met: the second at most 1.5x the first ($(python3 -c "print(f'{$seconds / $first:.2f}')")x)"
  else
    echo "  NOT MET: the second at most 1.5x the first ($(python3 -c "print(f'{$seconds / $first:.2f}')")x)"
    unmet=1
  fi
}

on_both_backends again
exit $unmet
