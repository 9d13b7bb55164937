#!/usr/bin/env bash
# Receiving over a long order history (issue 29: a file costs what it holds): a tenant of the
# large catalog with ORDERS order lines (one file of purchase orders, ten lines a PO), then 1,000
# receipts against some of them, then ORDERS receipts against all. Prints each time and memory;
# the 1,000 receipts are held to the 1,000 rows' target (0.2 s, 60 MB), exit 1 when not met.
# Usage: bench/receiving.sh [VARIANTS] [ORDERS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/common.sh"
large_catalog_bench receiving "${1:-}" 1000000
orders=${2:-$variants}
python3 - "$work" "$orders" "$variants" <<'PY'
import sys
work, orders, variants = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(f"{work}/po.csv", "w") as po, open(f"{work}/all.csv", "w") as all_, open(f"{work}/some.csv", "w") as some:
    po.write("po_number,sku,location_id,quantity_ordered,unit_cost\n")
    for out in (all_, some):
        out.write("po_number,sku,location_id,quantity_received,unit_cost,notes\n")
    for i in range(orders):
        line = f"PO-{i // 10:07d},SKU-{i % variants:07d},LOC-01"
        po.write(f"{line},10,1.00\n")
        all_.write(f"{line},5,1.00,\n")
        if orders // 2 <= i < orders // 2 + 1000:
            some.write(f"{line},2,1.00,\n")
PY
run() {  # LABEL, then the command: prints the label, seconds and MB
  local label=$1
  shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/stderr" || { cat "$work/stderr" >&2; exit 1; }
  read -r seconds kb <"$work/time"
  printf '%-40s %6s s %5s MB\n' "$label" "$seconds" "$((kb / 1024))"
  echo "$seconds $((kb / 1024))" >"$work/last"
}
receive=("$bin" receive --db "$work/r.db" --tenant bench --org bench --user boss)
"$bin" catalog import --db "$work/r.db" --tenant bench "$data"/{orgs,locations,users,variants}.csv >/dev/null
run "$orders order lines loaded" "${receive[@]}" --purchase-orders "$work/po.csv"
cp "$work/r.db" "$work/base.db"
run "1,000 receipts over them" "${receive[@]}" "$work/some.csv"
read -r small_s small_mb <"$work/last"
cp "$work/base.db" "$work/r.db"
rm -f "$work/r.db-wal" "$work/r.db-shm"
run "$orders receipts, one a line" "${receive[@]}" "$work/all.csv"
if python3 -c "import sys; sys.exit(0 if $small_s <= 0.2 and $small_mb <= 60 else 1)"; then
  echo "  met: 1,000 receipts at most 0.2 s and 60 MB"
else
  echo "  NOT MET: 1,000 receipts at most 0.2 s and 60 MB"
  exit 1
fi
