#!/usr/bin/env bash
# The large-catalog benchmark of issue 29, in one run, median of RUNS, each stockrecon figure
# beside its reference: `catalog import` of VARIANTS variants against sqlite3's own .import of
# the same CSV; an import of 1,000 rows over them (time and memory); an import of ROWS rows
# against sqlite3's .import of that file; the same ROWS rows all held for approval against
# them posted. With URL, the 1,000 rows, the ROWS rows against SPEC section 12's floor (the
# server's COPY of their finished ledger rows into an empty table like the ledger) and the held
# rows on PostgreSQL as well. The first
# large import after a load writes the catalog's variant index file (in the run's own cache
# folder); the figures of ROWS rows are of runs that map it, the first run's printed beside.
# Prints each target and whether it was met; exits 1 when any was not.
# Usage: bench/catalog.sh [VARIANTS] [ROWS] [RUNS] [URL]
#   VARIANTS  catalog size (default 1000000); ROWS  rows of the large file (default 1000000)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/common.sh"
runs=${3:-3}
large_catalog_bench catalog "${1:-}" "${2:-}" "${4:-}"

measure() {  # prints "seconds kilobytes" for the command, started on a quiet disk
  sync
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/stderr" || { cat "$work/stderr" >&2; exit 1; }
  cat "$work/time"
}
catalog=("$data"/{orgs,locations,users,variants}.csv)
synq=(--tenant bench --org bench --format synq)

: >"$work/results"
for run in $(seq "$runs"); do
  rm -rf "$work"/*.db* "$work/cache"
  read -r raw_catalog_s _ < <(measure sqlite3 "$work/raw.db" -cmd 'PRAGMA journal_mode=WAL' ".import --csv ${catalog[3]} variants")
  read -r raw_rows_s _ < <(measure sqlite3 "$work/raw.db" -cmd 'PRAGMA journal_mode=WAL' ".import --csv $data/synq-$rows.csv rows")
  read -r catalog_s catalog_kb < <(measure "$bin" catalog import --db "$work/base.db" --tenant bench "${catalog[@]}")
  read -r reload_s reload_kb < <(measure "$bin" catalog import --db "$work/base.db" --tenant bench "${catalog[@]}")
  "$bin" runs --db "$work/base.db" --tenant bench >/dev/null  # checkpointed before copying
  cp "$work/base.db" "$work/small.db"
  read -r small_s small_kb < <(measure "$bin" import --db "$work/small.db" "${synq[@]}" "$data/synq-1000.csv")
  cp "$work/base.db" "$work/first.db"
  read -r first_s first_kb < <(measure "$bin" import --db "$work/first.db" "${synq[@]}" "$data/synq-$rows.csv")
  cp "$work/base.db" "$work/posted.db"
  read -r posted_s posted_kb < <(measure "$bin" import --db "$work/posted.db" "${synq[@]}" "$data/synq-$rows.csv")
  cp "$work/base.db" "$work/held.db"
  read -r held_s held_kb < <(measure "$bin" import --db "$work/held.db" "${synq[@]}" "$data/held-$rows.csv")
  line="$raw_catalog_s $catalog_s $catalog_kb $reload_s $reload_kb $small_s $small_kb $raw_rows_s $posted_s $posted_kb $held_s $held_kb"
  if [ -n "$url" ]; then
    db="$url$( [[ $url == *\?* ]] && echo '&' || echo '?' )options=-csearch_path%3D$schema"
    fresh() { psql -X -q -d "$url" -c "DROP SCHEMA IF EXISTS $schema CASCADE" -c "CREATE SCHEMA $schema" >/dev/null 2>&1
              "$bin" catalog import --db "$db" --tenant bench "${catalog[@]}" >/dev/null; }
    # The held rows first after a load (they write the variant index and post nothing), then the
    # posted ones mapping it, into an empty ledger; the posted ones again first after a load.
    fresh
    read -r pg_small_s pg_small_kb < <(measure "$bin" import --db "$db" "${synq[@]}" "$data/synq-1000.csv")
    fresh
    read -r pg_held_s _ < <(measure "$bin" import --db "$db" "${synq[@]}" "$data/held-$rows.csv")
    read -r pg_mapped_s pg_mapped_kb < <(measure "$bin" import --db "$db" "${synq[@]}" "$data/synq-$rows.csv")
    pg_floor_s=$(ledger_floor "$db" "$work")
    fresh
    read -r pg_posted_s _ < <(measure "$bin" import --db "$db" "${synq[@]}" "$data/synq-$rows.csv")
    line="$line $pg_small_s $pg_small_kb $pg_posted_s $pg_held_s $pg_mapped_s $pg_mapped_kb $pg_floor_s"
  fi
  line="$line $first_s $first_kb"
  echo "$line" | tee -a "$work/results" >&2
done

python3 - "$work/results" "$variants" "$rows" <<'PY'
import statistics, sys
rows = [list(map(float, line.split())) for line in open(sys.argv[1])]
m = [statistics.median(c) for c in zip(*rows)]
peak = lambda i: max(r[i] for r in rows) / 1024
variants, n = int(sys.argv[2]), int(sys.argv[3])
unmet = 0
def target(label, met):
    global unmet
    unmet += not met
    print(f"  {'met' if met else 'NOT MET'}: {label}")
print(f"catalog of {variants:,} variants, files of 1,000 and {n:,} rows, median of {len(rows)} runs")
print(f"catalog import     {m[1]:.2f} s, {peak(2):.0f} MB; again (updating in place) {m[3]:.2f} s, {peak(4):.0f} MB; "
      f"sqlite3 .import {m[0]:.2f} s: {m[1] / m[0]:.2f}x")
target("catalog import at most 2x sqlite3 .import, 150 MB", m[1] <= 2 * m[0] and max(peak(2), peak(4)) <= 150)
print(f"1,000 rows         {m[5]:.2f} s, {peak(6):.0f} MB")
target("1,000 rows at most 0.2 s and 60 MB", m[5] <= 0.2 and peak(6) <= 60)
print(f"{n:,} rows   {m[8]:.2f} s, {peak(9):.0f} MB; sqlite3 .import {m[7]:.2f} s: {m[8] / m[7]:.2f}x; "
      f"the first after the load (writing the variant index) {m[-2]:.2f} s, {peak(len(m) - 1):.0f} MB: {m[-2] / m[7]:.2f}x")
target(f"{n:,} rows at most 1.0x sqlite3 .import, 150 MB", m[8] <= m[7] and peak(9) <= 150)
print(f"all held           {m[10]:.2f} s, {peak(11):.0f} MB: {m[10] / m[8]:.2f}x posted")
target("every row held at most 1.2x posted", m[10] <= 1.2 * m[8])
if len(m) > 14:
    print(f"PostgreSQL: 1,000 rows {m[12]:.2f} s, {peak(13):.0f} MB; {n:,} rows {m[14]:.2f} s, all held {m[15]:.2f} s: {m[15] / m[14]:.2f}x posted"
          " (each the first after a load)")
    print(f"PostgreSQL: {n:,} rows mapping the variant index {m[16]:.2f} s, {peak(17):.0f} MB; the ledger's floor (SPEC 12: the server's "
          f"COPY of those finished ledger rows into an empty table like it) {m[18]:.2f} s: {m[16] / m[18]:.2f}x")
    target("PostgreSQL: 1,000 rows at most 0.2 s and 60 MB", m[12] <= 0.2 and peak(13) <= 60)
    target("PostgreSQL: every row held at most 1.2x posted", m[15] <= 1.2 * m[14])
    target(f"PostgreSQL: {n:,} rows within 1.25x the ledger's floor, 150 MB", m[16] <= 1.25 * m[18] and peak(17) <= 150)
sys.exit(1 if unmet else 0)
PY
