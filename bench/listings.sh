#!/usr/bin/env bash
# What reading a large tenant back costs (issue 29: the 150 MB bound everywhere): over a
# catalog of VARIANTS variants and an import of ROWS rows (one movement and one balance each),
# a page of every movement, every balance as of a moment, the summary report, and undoing the
# whole run; then ORDERS purchase order lines, as many receipts against them, and the receipts
# report. Prints each time and peak memory; exit 1 when any is over 150 MB. With URL, the same
# on PostgreSQL afterwards, in a schema of its own.
# Usage: bench/listings.sh [VARIANTS] [ROWS] [ORDERS] [URL]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/common.sh"
large_catalog_bench listings "${1:-}" "${2:-}" "${4:-}"
orders=${3:-$rows}
python3 - "$work" "$orders" "$variants" <<'PY'
import sys
work, orders, variants = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(f"{work}/po.csv", "w") as po, open(f"{work}/r.csv", "w") as r:
    po.write("po_number,sku,location_id,quantity_ordered,unit_cost\n")
    r.write("po_number,sku,location_id,quantity_received,unit_cost\n")
    for i in range(orders):
        line = f"PO-{i // 10:07d},SKU-{i % variants:07d},LOC-01"
        po.write(f"{line},10,1.00\n")
        # A price off the order's now and then; a PO never ordered now and then.
        r.write(f"{line if i % 13 else 'PX' + line[2:]},5,{'1.25' if i % 7 == 0 else '1.00'}\n")
PY
over=0
measure() {  # LABEL COMMAND...: timed, held to 150 MB
  timed "$@"
  if [ "$peak_mb" -gt 150 ]; then over=1; echo "  NOT MET: at most 150 MB"; fi
}
listings() {  # DATABASE: every step into it
  local db=(--db "$1" --tenant bench)
  "$bin" catalog import "${db[@]}" "$data"/{orgs,locations,users,variants}.csv >/dev/null
  "$bin" import "${db[@]}" --org bench --format synq "$data/synq-$rows.csv" >/dev/null
  measure "movements, a page of $rows" "$bin" movements "${db[@]}" --limit "$rows" --format csv
  measure "balance --as-of, $rows balances" "$bin" balance "${db[@]}" --as-of 2100-01-01 --format csv
  measure "report summary" "$bin" report summary "${db[@]}" --format csv
  measure "reverse --run of $rows" "$bin" reverse --run 2 "${db[@]}" --user boss --reason bench
  local receive=("$bin" receive "${db[@]}" --org bench --user boss)
  measure "$orders order lines loaded" "${receive[@]}" --purchase-orders "$work/po.csv"
  measure "$orders receipts" "${receive[@]}" "$work/r.csv"
  measure "report receipts" "$bin" report receipts "${db[@]}" --format csv
}
echo "SQLite:"
listings "$work/l.db"
if [ -n "$url" ]; then
  echo "PostgreSQL:"
  psql -X -q -d "$url" -c "DROP SCHEMA IF EXISTS $schema CASCADE" -c "CREATE SCHEMA $schema" >/dev/null 2>&1
  listings "$url$( [[ $url == *\?* ]] && echo '&' || echo '?' )options=-csearch_path%3D$schema"
fi
exit $over
