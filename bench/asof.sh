#!/usr/bin/env bash
# Balances as of a moment (issue 28) on a ledger of MOVEMENTS movements over 100,000 variants
# (bench/ledger.sh's data), dated through 2026 in file order and imported as FILES files of
# equal size, one after another (default 1: the hardest case, every moment falls inside that
# one posting and no checkpoint lies inside it; 100 is a history of nightly files).
# Times, median of RUNS, the whole command: `balance --as-of T --variant V` (target 50 ms) and
# `balance --as-of T` of the whole tenant at three moments (target 2 s), beside today's
# `balance` of the whole tenant; prints the peak memory of each whole-tenant read.
# Usage: bench/asof.sh [MOVEMENTS] [RUNS] [URL] [FILES]
#   URL  a PostgreSQL database ("" for SQLite): the movements are imported (once) into its
#        schema bench_asof (bench_asof_FILES for more than one file)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/common.sh"
movements=${1:-10000000}
runs=${2:-5}
url=${3:-}
files=${4:-1}
ledger=$("$here/ledger.sh" 100000 "$movements")  # the data; its undated ledger is not used
data=$(dirname "$ledger")
build_stockrecon
dated="$data/movements-$movements-dated.csv"
if [ ! -f "$dated" ]; then  # occurred_at from 2026-01-01 to 2026-12-26, rising with the row
  awk -v n="$movements" 'NR == 1 { print $0 ",occurred_at"; next }
    { s = 1767225600 + int((NR - 2) * 31104000 / n); print $0 "," strftime("%Y-%m-%dT%H:%M:%SZ", s, 1) }' \
    "$data/movements-$movements.csv" >"$dated"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
import_ledger() {  # the dated movements into $target: the catalog, then FILES files in order
  "$bin" catalog import --db "$target" --tenant bench "$data"/{orgs,locations,users,variants}.csv >/dev/null
  if [ "$files" = 1 ]; then
    "$bin" import --db "$target" --tenant bench --org cnt --format synq "$dated" >/dev/null
    return
  fi
  local part=$(( (movements + files - 1) / files ))
  awk -v part="$part" -v dir="$work" 'NR == 1 { header = $0; next }
    { n = int((NR - 2) / part); f = sprintf("%s/part-%04d.csv", dir, n); if (!(f in seen)) { print header > f; seen[f] = 1 }
      print > f }' "$dated"
  for f in "$work"/part-*.csv; do
    "$bin" import --db "$target" --tenant bench --org cnt --format synq "$f" >/dev/null
    rm "$f"
  done
}
if [ -n "$url" ]; then
  schema=bench_asof$( [ "$files" = 1 ] || echo "_$files" )
  target="$url$( [[ $url == *\?* ]] && echo '&' || echo '?' )options=-csearch_path%3D$schema"
  count=$(psql -X -A -t -d "$target" -c "SELECT count(*) FROM ledger" 2>/dev/null || echo 0)
  if [ "$count" != "$movements" ]; then
    echo "building the PostgreSQL ledger: $movements dated movements in $files files (once, in schema $schema)" >&2
    psql -X -q -d "$url" -c "DROP SCHEMA IF EXISTS $schema CASCADE" -c "CREATE SCHEMA $schema" >/dev/null
    import_ledger
  fi
else
  target="$data/ledger-dated$( [ "$files" = 1 ] || echo "-$files" ).sqlite"
  if [ ! -f "$target" ]; then
    echo "building the SQLite ledger: $movements dated movements in $files files (once)" >&2
    import_ledger
  fi
  "$bin" runs --db "$target" --tenant bench >/dev/null  # migrations, once, not timed
fi
echo "ledger: $movements movements dated through 2026 in $files file(s); median of $runs runs"
timed() {  # label, then the command: prints the median wall time and the largest peak memory
  local label=$1
  shift
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null
    tail -n 1 "$work/time"
  done | sort -n | awk -v label="$label" '{ t[NR] = $1; if ($2 > m) m = $2 }
    END { printf "%-52s %6.0f ms %5.0f MB\n", label, t[int((NR + 1) / 2)] * 1000, m / 1024 }'
}
db=(--db "$target" --tenant bench)
for variant in V0000007 V0054321 V0099999; do
  timed "balance --as-of 2026-06-30 --variant $variant" "$bin" balance "${db[@]}" --as-of 2026-06-30 --variant "$variant"
done
timed "balance (today, whole tenant: the reference)" "$bin" balance "${db[@]}"
for at in 2026-02-01 2026-06-30 2026-12-01; do
  timed "balance --as-of $at (whole tenant)" "$bin" balance "${db[@]}" --as-of "$at"
done
