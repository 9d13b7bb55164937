#!/usr/bin/env bash
# Shop systems' exports over the large catalog: each preset's export of ROWS variants
# (generate_catalog_exports.py) imported over the catalog of VARIANTS variants, mapped from its
# variant index file (a file this large is not read ahead for the variants it names). Prints
# each one's time and peak memory against the 150 MB bound, and checks that its balances are
# the ones it sets. Exits 1 when a target was not met or a balance differs.
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
exit $failed
