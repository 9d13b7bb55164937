#!/usr/bin/env bash
# Reads at scale (issue 10): on the ledger of bench/ledger.sh (10,000,000 movements by
# default), times `movements --variant V --limit 100` (also at one location, paged) and
# `balance --variant V` for a few variants, each the whole command. Target: <= 50 ms.
# Usage: bench/reads.sh [MOVEMENTS] [RUNS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
movements=${1:-10000000}
runs=${2:-5}
ledger=$("$here/ledger.sh" 100000 "$movements")
bin="$here/../.build/release/stockrecon"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$ledger" "$work/db.sqlite"
"$bin" runs --db "$work/db.sqlite" --tenant bench >/dev/null  # migrations, once, not timed
echo "ledger: $(sqlite3 "$work/db.sqlite" "SELECT max(id) FROM ledger") movements; median of $runs runs"
timed() {  # label, then the command: prints the median wall time
  local label=$1
  shift
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e" -o "$work/time" "$@" >/dev/null
    cat "$work/time"
  done | sort -n | awk -v label="$label" '{ t[NR] = $1 } END { printf "%-58s %4.0f ms\n", label, t[int((NR + 1) / 2)] * 1000 }'
}
db=(--db "$work/db.sqlite" --tenant bench)
for variant in V0000007 V0054321 V0099999; do
  timed "movements --variant $variant --limit 100" "$bin" movements "${db[@]}" --variant "$variant" --limit 100
  timed "  --location WH --since-id 5000000" "$bin" movements "${db[@]}" --variant "$variant" --location WH --since-id 5000000 --limit 100
  timed "balance --variant $variant" "$bin" balance "${db[@]}" --variant "$variant"
done
timed "stockrecon --help (the floor: starting the binary)" "$bin" --help
