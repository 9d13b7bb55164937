#!/usr/bin/env bash
# The stocktake benchmark of issue 8: a count of ITEMS lines against a ledger of MOVEMENTS
# movements; times starting, adding the sheet, completing with --apply, and each report.
# Targets: complete <= 2 s, each report of the count <= 2 s.
# Usage: bench/counts.sh [ITEMS] [MOVEMENTS] [URL]   (defaults 100000 and 10000000)
#   URL  a PostgreSQL database: the same catalog and movements are imported (untimed) into a
#        fresh schema bench_counts, and the count runs there instead of in the SQLite file
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/common.sh"
items=${1:-100000}
movements=${2:-10000000}
url=${3:-}
data="$here/data/counts-$items-$movements"
ledger=$("$here/ledger.sh" "$items" "$movements")  # built once, copied for each run
bin=${STOCKRECON_BIN:-"$here/../.build/release/stockrecon"}  # STOCKRECON_BIN: another build, to compare
work=$(mktemp -d)
trap 'rm -rf "$work"; [ -z "$url" ] || psql -X -q -d "$url" -c "DROP SCHEMA IF EXISTS bench_counts CASCADE" >/dev/null 2>&1' EXIT
if [ -n "$url" ]; then
  target="$url$( [[ $url == *\?* ]] && echo '&' || echo '?' )options=-csearch_path%3Dbench_counts"
  psql -X -q -d "$url" -c "DROP SCHEMA IF EXISTS bench_counts CASCADE" -c "CREATE SCHEMA bench_counts" >/dev/null
  "$bin" catalog import --db "$target" --tenant bench "$data"/{orgs,locations,users,variants}.csv >/dev/null
  "$bin" import --db "$target" --tenant bench --org cnt --format synq "$data/movements-$movements.csv" >/dev/null
  echo "PostgreSQL, schema bench_counts"
else
  target="$work/db.sqlite"
  cp "$ledger" "$target"
  "$bin" runs --db "$target" --tenant bench >/dev/null  # migrations, once, not timed
fi
db=(--db "$target")
ledger_size() { if [ -n "$url" ]; then psql -X -A -t -d "$target" -c "SELECT max(id) FROM ledger"; else sqlite3 "$target" "SELECT max(id) FROM ledger"; fi; }
echo "ledger: $(ledger_size) movements; a count of $items lines"
timed "count start (FULL)" "$bin" count start --tenant bench --org cnt --type FULL --name bench --user boss "${db[@]}"
timed "count add (sheet of $items lines)" "$bin" count add 1 --tenant bench --user counter "$data/sheet-$items.csv" "${db[@]}"
timed "count complete --apply (<= 2 s)" "$bin" count complete 1 --tenant bench --apply --user boss "${db[@]}"
cat "$work/out"
for format in md csv json html; do
  timed "report variance --format $format (<= 2 s)" "$bin" report variance 1 --tenant bench --format "$format" -o "$work/v.$format" "${db[@]}"
done
timed "report summary --format html" "$bin" report summary --tenant bench --format html -o "$work/s.html" "${db[@]}"
timed "count sheet (blind, xlsx)" "$bin" count sheet 1 --tenant bench -o "$work/blind.xlsx" "${db[@]}"
