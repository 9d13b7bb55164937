#!/usr/bin/env bash
# Writes of many rows besides the ledger, on SQLite and on PostgreSQL in one run: a synq
# file of ROWS rows whose every variant is unknown (ROWS rejections and outstanding
# records), and `receive` of 100,000 purchase-order lines with a receipt for each (order
# lines, receipt lines, their totals). Each a fresh database with the bench catalog.
# Usage: bench/bulk.sh URL [ROWS] [RUNS]   (defaults 200000 and 3)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/common.sh"
url=${1:?usage: bench/bulk.sh URL [ROWS] [RUNS]}
rows=${2:-200000}
runs=${3:-3}
synq_data 1000000
build_stockrecon
work=$(mktemp -d)
schema=bulk_$$
trap 'psql -X -q -d "$url" -c "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1; rm -rf "$work"' EXIT
server="$url$( [[ $url == *\?* ]] && echo '&' || echo '?' )options=-csearch_path%3D$schema"

{ head -1 "$file"; sed -n "2,$((rows + 1))p" "$file" | sed 's/^[^,]*,/NO-SUCH-VARIANT,/'; } >"$work/rejected.csv"
python3 - "$data/variants.csv" "$work" <<'PY'
import csv, sys
skus = [row["sku"] for row in csv.DictReader(open(sys.argv[1]))]
with open(f"{sys.argv[2]}/orders.csv", "w") as orders, open(f"{sys.argv[2]}/receipts.csv", "w") as receipts:
    orders.write("po_number,sku,location_id,quantity_ordered,unit_cost\n")
    receipts.write("po_number,sku,location_id,quantity_received,unit_cost,notes\n")
    for i, sku in enumerate(skus):
        for location in range(1, 21):
            po = f"PO-{i // 50:05d}"
            orders.write(f"{po},{sku},LOC-{location:02d},10,1.00\n")
            receipts.write(f"{po},{sku},LOC-{location:02d},{(i + location) % 9 + 1},1.00,box {i}-{location}\n")
PY

fresh() {  # $1: sqlite or postgres; prints the --db value of an empty database with the catalog
  local db
  if [ "$1" = postgres ]; then
    psql -X -q -d "$url" -c "DROP SCHEMA IF EXISTS $schema CASCADE" -c "CREATE SCHEMA $schema" >/dev/null 2>&1
    db=$server
  else
    rm -f "$work/db.sqlite"*
    db="$work/db.sqlite"
  fi
  "$bin" catalog import --db "$db" --tenant bench "$data"/{orgs,locations,variants}.csv >/dev/null
  echo "$db"
}
seconds() {  # the command's wall time; exit 1 (rows rejected) is expected, 2 or more is not
  local start=$(date +%s%N) status=0
  "$@" >/dev/null 2>"$work/stderr" || status=$?
  [ "$status" -le 1 ] || { cat "$work/stderr" >&2; exit 1; }
  awk "BEGIN { print ($(date +%s%N) - $start) / 1e9 }"
}

: >"$work/results"
for _ in $(seq "$runs"); do
  line=""
  for backend in sqlite postgres; do
    db=$(fresh $backend)
    rejected=$(seconds "$bin" import --db "$db" --tenant bench --org bench --format synq "$work/rejected.csv")
    db=$(fresh $backend)
    received=$(seconds "$bin" receive --db "$db" --tenant bench --org bench --purchase-orders "$work/orders.csv" "$work/receipts.csv")
    line="$line $rejected $received"
  done
  echo "$line" | tee -a "$work/results" >&2
done
python3 - "$work/results" "$rows" <<'PY'
import statistics, sys
rows = [list(map(float, line.split())) for line in open(sys.argv[1])]
s_rej, s_rec, p_rej, p_rec = (statistics.median(c) for c in zip(*rows))
print(f"{'median of ' + str(len(rows)) + ' runs':44} {'SQLite':>8} {'PostgreSQL':>11}")
print(f"{f'{int(sys.argv[2]):,} rows, every one rejected':44} {s_rej:6.2f} s {p_rej:9.2f} s")
print(f"{'receive 100,000 order lines and receipts':44} {s_rec:6.2f} s {p_rec:9.2f} s")
PY
