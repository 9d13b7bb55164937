#!/usr/bin/env bash
# Builds (once) the benchmark ledger of MOVEMENTS synq movements over the counts catalog
# (100,000 variants) and prints its path. Usage: bench/ledger.sh [ITEMS] [MOVEMENTS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/common.sh"
items=${1:-100000}
movements=${2:-10000000}
data="$here/data/counts-$items-$movements"
[ -f "$data/sheet-$items.csv" ] || python3 "$here/generate_counts.py" "$items" "$movements" "$data" >&2
build_stockrecon
ledger="$data/ledger.sqlite"
if [ ! -f "$ledger" ]; then
  echo "building the ledger: $movements movements (once)" >&2
  "$bin" catalog import --db "$ledger" --tenant bench "$data"/{orgs,locations,users,variants}.csv >/dev/null
  "$bin" import --db "$ledger" --tenant bench --org cnt --format synq "$data/movements-$movements.csv" >/dev/null
fi
echo "$ledger"
