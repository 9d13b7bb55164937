#!/usr/bin/env bash
# Two builds of stockrecon on the same files, alternating in one run, median of RUNS: what a
# change to the code costs or saves (issue 27: no figure more than 5% worse).
# Usage: bench/compare.sh OLD_BIN NEW_BIN [ROWS] [RUNS]
#   OLD_BIN, NEW_BIN  two release builds (for example a clone of an earlier commit's
#                     .build/release/stockrecon and this one's)
# Times, for each: a synq import of ROWS rows, the same file again, a canonical import of ROWS
# keyed rows, its re-export with 1,000 new rows (resumed), and the synq file with every variant
# unknown (every row rejected); prints medians and new/old.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/common.sh"
old=$1 new=$2
rows=${3:-1000000}
runs=${4:-5}
synq_data "$rows"
[ -f "$data/canonical-keys-$rows.csv" ] || python3 "$here/generate_formats.py" "$rows" "$data"
keys="$data/canonical-keys-$rows.csv"
if [ ! -f "$data/canonical-keys-$rows-plus-1000.csv" ]; then  # the last 1,000 rows again, under new keys
  { cat "$keys"; tail -n 1000 "$keys" | sed 's/^/re-/'; } >"$data/canonical-keys-$rows-plus-1000.csv"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rejected="$data/synq-$rows-rejected.csv"  # every variant id unknown: every row a rejection
[ -f "$rejected" ] || awk -F, 'NR == 1 { print; next } { $1 = "X" $1; print }' OFS=, "$file" >"$rejected"

seconds() {  # the wall time of the command
  sync
  /usr/bin/time -f "%e" -o "$work/time" "$@" >/dev/null 2>"$work/stderr" || [ $? -le 1 ] || { cat "$work/stderr" >&2; exit 1; }
  tail -n 1 "$work/time"  # after "Command exited with non-zero status 1", where rows were rejected
}
one() {  # BIN NAME: the four figures of one build, on fresh databases
  local bin=$1 name=$2
  rm -f "$work"/*.db*
  "$bin" catalog import --db "$work/s.db" --tenant bench "$data"/{orgs,locations,variants}.csv >/dev/null
  cp "$work/s.db" "$work/k.db"
  local first again keyed resumed refused
  first=$(seconds "$bin" import --db "$work/s.db" --tenant bench --org bench --format synq "$file")
  again=$(seconds "$bin" import --db "$work/s.db" --tenant bench --org bench --format synq "$file")
  keyed=$(seconds "$bin" import --db "$work/k.db" --tenant bench --org bench --format canonical "$keys")
  resumed=$(seconds "$bin" import --db "$work/k.db" --tenant bench --org bench --format canonical "$data/canonical-keys-$rows-plus-1000.csv")
  rm -f "$work"/r.db*; "$bin" catalog import --db "$work/r.db" --tenant bench "$data"/{orgs,locations,variants}.csv >/dev/null
  refused=$(seconds "$bin" import --db "$work/r.db" --tenant bench --org bench --format synq "$rejected")
  echo "$name $first $again $keyed $resumed $refused" | tee -a "$work/results" >&2
}

: >"$work/results"
for run in $(seq "$runs"); do
  if [ $((run % 2)) -eq 1 ]; then one "$old" old; one "$new" new; else one "$new" new; one "$old" old; fi
done

python3 - "$work/results" "$rows" <<'PY'
import statistics, sys
runs = {"old": [], "new": []}
for line in open(sys.argv[1]):
    name, *figures = line.split()
    runs[name].append(list(map(float, figures)))
print(f"rows {int(sys.argv[2]):,}, median of {len(runs['old'])} runs each, alternating")
for i, label in enumerate(["synq import", "synq again", "canonical keyed import", "keyed re-export (resumed)", "every row rejected"]):
    old = statistics.median(r[i] for r in runs["old"])
    new = statistics.median(r[i] for r in runs["new"])
    print(f"{label:28} old {old:6.2f} s   new {new:6.2f} s   new/old {new / old:.3f}")
PY
