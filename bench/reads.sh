#!/usr/bin/env bash
# Reads at scale (issue 10): on the ledger of bench/ledger.sh (10,000,000 movements by
# default), times `movements --variant V --limit 100` (also at one location, paged) and
# `balance --variant V` for a few variants, each the whole command. Target: <= 50 ms.
# Usage: bench/reads.sh [MOVEMENTS] [RUNS] [URL]
#   URL  a PostgreSQL database: the same movements are imported (once) into its schema
#        bench_reads, and read there instead of the SQLite file
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
movements=${1:-10000000}
runs=${2:-5}
ledger=$("$here/ledger.sh" 100000 "$movements")
bin=${STOCKRECON_BIN:-"$here/../.build/release/stockrecon"}  # STOCKRECON_BIN: another build, to compare
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
url=${3:-}
if [ -n "$url" ]; then
  target="$url$( [[ $url == *\?* ]] && echo '&' || echo '?' )options=-csearch_path%3Dbench_reads"
  count=$(psql -X -A -t -d "$target" -c "SELECT count(*) FROM ledger" 2>/dev/null || echo 0)
  if [ "$count" != "$movements" ]; then
    echo "building the PostgreSQL ledger: $movements movements (once, in schema bench_reads)" >&2
    psql -X -q -d "$url" -c "DROP SCHEMA IF EXISTS bench_reads CASCADE" -c "CREATE SCHEMA bench_reads" >/dev/null
    data=$(dirname "$ledger")
    "$bin" catalog import --db "$target" --tenant bench "$data"/{orgs,locations,users,variants}.csv >/dev/null
    "$bin" import --db "$target" --tenant bench --org cnt --format synq "$data/movements-$movements.csv" >/dev/null
  fi
  echo "PostgreSQL ledger: $(psql -X -A -t -d "$target" -c "SELECT count(*) FROM ledger") movements; median of $runs runs"
else
  target="$work/db.sqlite"
  cp "$ledger" "$target"
  "$bin" runs --db "$target" --tenant bench >/dev/null  # migrations, once, not timed
  echo "ledger: $(sqlite3 "$target" "SELECT max(id) FROM ledger") movements; median of $runs runs"
fi
timed() {  # label, then the command: prints the median wall time
  local label=$1
  shift
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e" -o "$work/time" "$@" >/dev/null
    cat "$work/time"
  done | sort -n | awk -v label="$label" '{ t[NR] = $1 } END { printf "%-58s %4.0f ms\n", label, t[int((NR + 1) / 2)] * 1000 }'
}
db=(--db "$target" --tenant bench)
for variant in V0000007 V0054321 V0099999; do
  timed "movements --variant $variant --limit 100" "$bin" movements "${db[@]}" --variant "$variant" --limit 100
  timed "  --location WH --since-id 5000000" "$bin" movements "${db[@]}" --variant "$variant" --location WH --since-id 5000000 --limit 100
  timed "balance --variant $variant" "$bin" balance "${db[@]}" --variant "$variant"
done
timed "stockrecon --help (the floor: starting the binary)" "$bin" --help
