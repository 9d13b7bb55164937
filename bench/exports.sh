#!/usr/bin/env bash
# Shop systems' exports over the large catalog: each preset's export of ROWS variants
# (generate_catalog_exports.py) imported over the catalog of VARIANTS variants, mapped from its
# variant index file (a file this large is not read ahead for the variants it names). Prints
# each one's time and peak memory against the 150 MB bound, and checks that its balances are
# the ones it sets. Then Lightspeed's export five nights into one database (the fifth brings a
# checkpoint due), each night against the bound. Exits 1 when a target was not met or a balance
# differs.
# Usage: bench/exports.sh [VARIANTS] [ROWS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/common.sh"
variants=${1:-1000000}
rows=${2:-150000}
data="$here/data/catalog-$variants"
[ -f "$data/variants.csv" ] || python3 "$here/generate_catalog.py" "$variants" 1000 "$data" >/dev/null
presets=(shopify-inventory square-item-library lightspeed-x-series woocommerce odoo-quant erpnext-stock-reconciliation)
[ -f "$data/erpnext-stock-reconciliation-$rows.csv" ] || python3 "$here/generate_catalog_exports.py" "$variants" "$rows" "$data" >/dev/null
build_stockrecon
work=$(mktemp -d)
export STOCKRECON_CACHE_DIR="$work/cache"
trap 'rm -rf "$work"' EXIT

"$bin" catalog import --db "$work/base.db" --tenant bench "$data"/{orgs,locations,users,variants}.csv >/dev/null
# The first large file after a load writes the variant index: one written before the timed runs.
cp "$work/base.db" "$work/first.db"
"$bin" import --db "$work/first.db" --tenant bench --org bench --format shopify-inventory "$data/shopify-inventory-$rows.csv" >/dev/null
"$bin" runs --db "$work/base.db" --tenant bench >/dev/null  # checkpointed before copying
failed=0
echo "exports of $rows variants over a catalog of $variants variants"
for preset in "${presets[@]}"; do
  cp "$work/base.db" "$work/p.db"
  sync
  /usr/bin/time -f "%e %M" -o "$work/time" "$bin" import --db "$work/p.db" --tenant bench --org bench --format "$preset" \
    "$data/$preset-$rows.csv" >"$work/out" 2>"$work/stderr" || { cat "$work/stderr" >&2; exit 1; }
  read -r seconds kilobytes <"$work/time"
  sqlite3 -csv "$work/p.db" "SELECT v.sku, l.location_id, s.on_hand FROM stock_levels s
    JOIN catalog_variants v ON v.id = s.variant JOIN catalog_locations l ON l.id = s.location ORDER BY 1, 2" >"$work/got"
  sort "$data/$preset-$rows.expected" >"$work/expected"
  sort "$work/got" | cmp -s - "$work/expected" && same="balances as set" || { same="BALANCES DIFFER"; failed=1; }
  megabytes=$((kilobytes / 1024))
  [ "$megabytes" -le 150 ] && met="met" || { met="NOT MET"; failed=1; }
  printf "%-30s %6.2f s %4d MB  %s: 150 MB; %s (%s)\n" "$preset" "$seconds" "$megabytes" "$met" "$same" "$(tail -1 "$work/out")"
done

# Five nights of Lightspeed's export into one database, each night's counts one more than the
# last's: every cell moves stock, and on the fifth night the tenant's movements pass four times
# its balances, so a checkpoint falls due (kept from the posting's own book).
echo "lightspeed-x-series, five nights into one database"
cp "$work/base.db" "$work/n.db"
for night in 1 2 3 4 5; do
  awk -F, -v OFS=, -v more="$night" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i ~ /^inventory_/) counted[i] = 1; print; next }
    { for (i in counted) if ($i ~ /^-?[0-9]+$/) $i += more; print }' "$data/lightspeed-x-series-$rows.csv" >"$work/night.csv"
  sync
  /usr/bin/time -f "%e %M" -o "$work/time" "$bin" import --db "$work/n.db" --tenant bench --org bench --format lightspeed-x-series \
    "$work/night.csv" >"$work/out" 2>"$work/stderr" || { cat "$work/stderr" >&2; exit 1; }
  read -r seconds kilobytes <"$work/time"
  megabytes=$((kilobytes / 1024))
  [ "$megabytes" -le 150 ] && met="met" || { met="NOT MET"; failed=1; }
  checkpoints=$(sqlite3 "$work/n.db" "SELECT count(*) FROM stock_checkpoints")
  printf "night %d %6.2f s %4d MB  %s: 150 MB; %d checkpoints (%s)\n" "$night" "$seconds" "$megabytes" "$met" "$checkpoints" "$(tail -1 "$work/out")"
done
[ "$checkpoints" -gt 0 ] || { echo "  no checkpoint was kept: the fifth night did not bring one due"; failed=1; }
differing=$(sqlite3 "$work/n.db" "SELECT count(*) FROM stock_levels s LEFT JOIN
  (SELECT variant, location, sum(quantity_delta) AS total FROM ledger GROUP BY variant, location) l
  ON l.variant = s.variant AND l.location = s.location WHERE s.tenant = 1 AND s.on_hand <> coalesce(l.total, 0)")
[ "$differing" = 0 ] && echo "  every balance is the sum of its movements" || { echo "  $differing BALANCES DIFFER from their movements"; failed=1; }
exit $failed
