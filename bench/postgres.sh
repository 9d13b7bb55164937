#!/usr/bin/env bash
# The PostgreSQL benchmark of issue 10: stockrecon importing a synq file into PostgreSQL
# against psql's own `\copy raw from FILE csv header` of the same file into a plain
# five-column table, and against SPEC section 12's floor (the server's COPY of the finished
# ledger rows into an empty table of the ledger's definition), in one run, alternating,
# median of RUNS; then four importers at once
# (four tenants' files, or one tenant's) against one importer's time four times, and one
# tenant's four at once against the same four one after another.
# Usage: bench/postgres.sh URL [ROWS] [RUNS]
#   URL   a database stockrecon may fill (scripts/postgres-cluster.sh start DIR prints one)
#   ROWS  rows of the generated synq CSV (default 1000000)
#   RUNS  repetitions (default 5)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/common.sh"
url=${1:?usage: bench/postgres.sh URL [ROWS] [RUNS]}
rows=${2:-1000000}
runs=${3:-5}
synq_data "$rows"
build_stockrecon
work=$(mktemp -d)
schema=bench_$$
trap 'psql -X -q -d "$url" -c "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1; rm -rf "$work"' EXIT
db="$url$( [[ $url == *\?* ]] && echo '&' || echo '?' )options=-csearch_path%3D$schema"
sql() { psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@" >/dev/null; }

measure() {  # prints "seconds kilobytes" for the command
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/stderr" || { cat "$work/stderr" >&2; exit 1; }
  cat "$work/time"
}
fresh() {  # an empty schema with the catalog loaded for tenants bench and bench1..bench3
  psql -X -q -d "$url" -c "DROP SCHEMA IF EXISTS $schema CASCADE" -c "CREATE SCHEMA $schema" >/dev/null 2>&1
  for tenant in bench bench1 bench2 bench3; do
    "$bin" catalog import --db "$db" --tenant "$tenant" "$data"/{orgs,locations,variants}.csv >/dev/null
  done
}

# Quarter files for the concurrent runs.
quarter=$((rows / 4))
tail -n +2 "$file" | split -l "$quarter" -d - "$work/part-"
for part in "$work"/part-0?; do { head -1 "$file"; cat "$part"; } >"$part.csv"; done

: >"$work/results"
for run in $(seq "$runs"); do
  fresh
  sql -c "CREATE TABLE raw (variant_id text, location_id text, quantity_delta text, reference_id text, notes text)"
  read -r raw_s _ < <(measure psql -X -q -d "$db" -c "\\copy raw from '$file' csv header")
  read -r first_s first_kb < <(measure "$bin" import --db "$db" --tenant bench --org bench --format synq "$file")
  read -r again_s again_kb < <(measure "$bin" import --db "$db" --tenant bench --org bench --format synq "$file")
  floor_s=$(ledger_floor "$db" "$work")
  # Four importers at once, four tenants; then four at once into one tenant.
  fresh
  start=$(date +%s%N)
  i=0; for part in "$work"/part-0?.csv; do
    tenant=bench$([ $i -eq 0 ] || echo $i); "$bin" import --db "$db" --tenant "$tenant" --org bench --format synq "$part" >/dev/null & i=$((i + 1))
  done; wait
  four_tenants_s=$(awk "BEGIN { print ($(date +%s%N) - $start) / 1e9 }")
  fresh
  start=$(date +%s%N)
  for part in "$work"/part-0?.csv; do "$bin" import --db "$db" --tenant bench --org bench --format synq "$part" >/dev/null & done; wait
  four_one_s=$(awk "BEGIN { print ($(date +%s%N) - $start) / 1e9 }")
  # The same four one after another: what one tenant's lock makes of them at best.
  fresh
  start=$(date +%s%N)
  for part in "$work"/part-0?.csv; do "$bin" import --db "$db" --tenant bench --org bench --format synq "$part" >/dev/null; done
  in_row_s=$(awk "BEGIN { print ($(date +%s%N) - $start) / 1e9 }")
  fresh
  read -r one_s _ < <(measure "$bin" import --db "$db" --tenant bench --org bench --format synq "$work/part-00.csv")
  echo "$raw_s $first_s $again_s $first_kb $again_kb $one_s $four_tenants_s $four_one_s $in_row_s $floor_s" | tee -a "$work/results" >&2
done

python3 - "$work/results" "$rows" <<'PY'
import statistics, sys
rows = [list(map(float, line.split())) for line in open(sys.argv[1])]
raw, first, again, first_kb, again_kb, one, four_t, four_1, in_row, floor = (statistics.median(c) for c in zip(*rows))
peak = max(max(r[3], r[4]) for r in rows) / 1024
print(f"rows {int(sys.argv[2]):,} into PostgreSQL, median of {len(rows)} runs")
print(f"psql \\copy raw (reference)    {raw:.2f} s")
print(f"the ledger's floor (SPEC 12)  {floor:.2f} s   the server's COPY of the finished ledger rows into an empty table like it")
print(f"stockrecon import             {first:.2f} s   ratio {first / floor:.2f} to the floor (target <= 1.25); {first / raw:.2f} to \\copy raw (issue 10's target <= 1.0)")
print(f"stockrecon rerun (duplicates) {again:.2f} s   ratio to first import {again / first:.3f} (target <= 0.2)")
print(f"peak memory                   {peak:.0f} MB (target <= 150)")
print(f"one importer, a quarter       {one:.2f} s; times four {4 * one:.2f} s")
print(f"four at once, four tenants    {four_t:.2f} s   ratio to four times one {four_t / (4 * one):.2f} (target < 1)")
print(f"four at once, one tenant      {four_1:.2f} s   ratio to four times one {four_1 / (4 * one):.2f} (no target: the tenant's lock takes them in turn)")
print(f"four in a row, one tenant     {in_row:.2f} s   four at once against it {four_1 / in_row:.2f}")
PY
