#!/usr/bin/env bash
# Shop systems' exports (issue 25): a Shopify inventory export of ROWS rows against the same
# rows as canonical CSV (target: within 1.3x), and count add of a Square item library of
# SQUARE rows (one per variation, over a catalog that has them) with 10 location columns
# (target: 2 s), peak memory of each. Alternating, median of RUNS.
# Usage: bench/presets.sh [ROWS] [SQUARE] [RUNS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/common.sh"
rows=${1:-1000000}
square=${2:-100000}
runs=${3:-3}
synq_data 1000  # the catalog
[ -f "$data/shopify-$rows.csv" ] && [ -f "$data/square-$square.csv" ] && [ -f "$data/variants-square-$square.csv" ] \
  || python3 "$here/generate_presets.py" "$rows" "$square" >/dev/null
build_stockrecon
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

measure() {  # prints "seconds kilobytes"
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/stderr" || { cat "$work/stderr" >&2; exit 1; }
  cat "$work/time"
}
fresh() {
  rm -f "$work"/*.db*
  "$bin" catalog import --db "$work/s.db" --tenant bench "$data"/{orgs,locations,variants}.csv >/dev/null
}

: >"$work/results"
for run in $(seq "$runs"); do
  fresh
  read -r canonical_s canonical_kb < <(measure "$bin" import --db "$work/s.db" --tenant bench --org bench --format canonical "$data/canonical-set-$rows.csv")
  fresh
  read -r shopify_s shopify_kb < <(measure "$bin" import --db "$work/s.db" --tenant bench --org bench --format shopify-inventory "$data/shopify-$rows.csv")
  fresh
  "$bin" catalog import --db "$work/s.db" --tenant bench "$data/variants-square-$square.csv" >/dev/null
  "$bin" count start --db "$work/s.db" --tenant bench --org bench --type FULL --name bench --user boss >/dev/null 2>&1 || {
    printf 'user_id,role\nboss,manager\n' >"$work/users.csv"
    "$bin" catalog import --db "$work/s.db" --tenant bench "$work/users.csv" >/dev/null
    "$bin" count start --db "$work/s.db" --tenant bench --org bench --type FULL --name bench --user boss >/dev/null
  }
  read -r square_s square_kb < <(measure "$bin" count add 1 --db "$work/s.db" --tenant bench --user boss --format square-item-library "$data/square-$square.csv")
  echo "$canonical_s $shopify_s $square_s $canonical_kb $shopify_kb $square_kb" | tee -a "$work/results" >&2
done

python3 - "$work/results" "$rows" "$square" <<'PY'
import statistics, sys
rows = [list(map(float, line.split())) for line in open(sys.argv[1])]
canonical, shopify, square, ckb, skb, qkb = (statistics.median(c) for c in zip(*rows))
print(f"{int(sys.argv[2]):,} rows, median of {len(rows)} runs")
print(f"canonical CSV (reference)      {canonical:.2f} s  {ckb / 1024:.0f} MB")
print(f"shopify-inventory              {shopify:.2f} s  {skb / 1024:.0f} MB   ratio {shopify / canonical:.2f} (target <= 1.3)")
print(f"count add, Square, {int(sys.argv[3]):,} rows x 10 locations  {square:.2f} s  {qkb / 1024:.0f} MB (target <= 2 s, 150 MB)")
PY
