#!/usr/bin/env bash
# What stock checks cost an import (issue 28: at most 1.2x): the same synq file of ROWS rows
# imported into a tenant whose history (ROWS movements over 100,000 variants) holds no count,
# and into the same tenant after a completed count of every variant, alternating, median of
# RUNS; then, for information, the same rows dated before the count (every one absorbed).
# Usage: bench/counted.sh [ROWS] [RUNS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/common.sh"
rows=${1:-1000000}
runs=${2:-3}
ledger=$("$here/ledger.sh" 100000 10000000)  # the data (catalog, movements, count sheet)
data=$(dirname "$ledger")
build_stockrecon
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
head -n $((rows + 1)) "$data/movements-10000000.csv" >"$work/history.csv"
{ head -n 1 "$data/movements-10000000.csv"; tail -n "$rows" "$data/movements-10000000.csv"; } >"$work/file.csv"
awk 'NR == 1 { print $0 ",occurred_at"; next } { print $0 ",2026-01-02T00:00:00Z" }' "$work/file.csv" >"$work/dated.csv"
db=(--tenant bench)
"$bin" catalog import --db "$work/plain.db" "${db[@]}" "$data"/{orgs,locations,users,variants}.csv >/dev/null
"$bin" import --db "$work/plain.db" "${db[@]}" --org cnt --format synq "$work/history.csv" >/dev/null
cp "$work/plain.db" "$work/counted.db"
count=$("$bin" count start --db "$work/counted.db" "${db[@]}" --org cnt --type FULL --name all --user boss --counted-at 2026-01-03 --json | tr -dc 0-9)
"$bin" count add "$count" --db "$work/counted.db" "${db[@]}" --user counter "$data/sheet-100000.csv" >/dev/null
"$bin" count complete "$count" --db "$work/counted.db" "${db[@]}" --user boss --apply >/dev/null
echo "checks: $(sqlite3 "$work/counted.db" "SELECT count(*) FROM stock_checks")"
seconds() {  # DB FILE: the wall time of importing FILE into a copy of DB
  cp "$work/$1" "$work/run.db"
  rm -f "$work/run.db-wal" "$work/run.db-shm"
  sync
  /usr/bin/time -f "%e %M" -o "$work/time" "$bin" import --db "$work/run.db" "${db[@]}" --org cnt --format synq "$2" >/dev/null
  tail -n 1 "$work/time"
}
for run in $(seq "$runs"); do
  if [ $((run % 2)) -eq 1 ]; then
    echo "plain $(seconds plain.db "$work/file.csv")"; echo "counted $(seconds counted.db "$work/file.csv")"
  else
    echo "counted $(seconds counted.db "$work/file.csv")"; echo "plain $(seconds plain.db "$work/file.csv")"
  fi
  echo "absorbed $(seconds counted.db "$work/dated.csv")"
done | tee "$work/results" >&2
median() {  # KIND: the median time of its runs
  awk -v kind="$1" '$1 == kind { print $2 }' "$work/results" | sort -n | awk '{ t[NR] = $1 } END { print t[int((NR + 1) / 2)] }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
peak() { awk -v kind="$1" '$1 == kind && $3 > m { m = $3 } END { printf "%.0f", m / 1024 }' "$work/results"; }
plain=$(median plain) counted=$(median counted) absorbed=$(median absorbed)
echo "$rows rows into a history of $rows movements, median of $runs runs"
printf "  without counts           %6.2f s %4s MB\n" "$plain" "$(peak plain)"
printf "  after a count of each    %6.2f s %4s MB  %sx\n" "$counted" "$(peak counted)" "$(ratio "$counted" "$plain")"
printf "  dated before that count  %6.2f s %4s MB  %sx (every row absorbed)\n" "$absorbed" "$(peak absorbed)" "$(ratio "$absorbed" "$plain")"
