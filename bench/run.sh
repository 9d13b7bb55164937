#!/usr/bin/env bash
# The import benchmark of issue 2: stockrecon against sqlite3's own .import of the same
# file, in one run, alternating, median of RUNS. Usage: bench/run.sh [ROWS] [RUNS]
#   ROWS  rows of the generated synq CSV (default 1000000; 10000000 checks flat memory)
#   RUNS  repetitions (default 5)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/common.sh"
rows=${1:-1000000}
runs=${2:-5}
synq_data "$rows"
build_stockrecon
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

measure() {  # prints "seconds kilobytes" for the command, started on a quiet disk
  sync
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/stderr" || { cat "$work/stderr" >&2; exit 1; }
  cat "$work/time"
}

: >"$work/results"
for run in $(seq "$runs"); do
  rm -f "$work"/*.db*
  read -r raw_s raw_kb < <(measure sqlite3 "$work/raw.db" -cmd 'PRAGMA journal_mode=WAL' ".import --csv $file raw")
  "$bin" catalog import --db "$work/s.db" --tenant bench "$data"/{orgs,locations,variants}.csv >/dev/null
  read -r first_s first_kb < <(measure "$bin" import --db "$work/s.db" --tenant bench --org bench --format synq "$file")
  read -r again_s again_kb < <(measure "$bin" import --db "$work/s.db" --tenant bench --org bench --format synq "$file")
  echo "$raw_s $first_s $again_s $first_kb $again_kb" | tee -a "$work/results" >&2
done

python3 - "$work/results" "$rows" "$(stat -c %s "$file")" <<'PY'
import statistics, sys
rows = [list(map(float, line.split())) for line in open(sys.argv[1])]
raw, first, again, first_kb, again_kb = (statistics.median(c) for c in zip(*rows))
peak = max(max(r[3], r[4]) for r in rows) / 1024
print(f"rows {int(sys.argv[2]):,}, file {int(sys.argv[3]) / 1e6:.1f} MB, median of {len(rows)} runs")
print(f"sqlite3 .import (reference) {raw:.2f} s")
print(f"stockrecon import            {first:.2f} s   ratio {first / raw:.2f} (target <= 1.0)")
print(f"stockrecon rerun (duplicates) {again:.2f} s   ratio to first import {again / first:.3f} (target <= 0.2)")
print(f"peak memory                  {peak:.0f} MB (target <= 150)")
PY
