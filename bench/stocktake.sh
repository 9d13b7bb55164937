#!/usr/bin/env bash
# A stocktake over a large catalog (issue 29: counts keep their figures over a million
# variants): an import of ROWS rows, `count start --location LOC-01`, the blind sheet (CSV),
# every line counted, `count add`, `count complete --apply`, the variance report in each format
# and `balance` of the location; the time and peak memory of each. Checks the figures (the
# posted movements are the items with a discrepancy, each balance of the location is what the
# sheet counted) and that every step keeps within 150 MB; exits 1 if not. With URL, the same on
# PostgreSQL.
# Usage: bench/stocktake.sh [VARIANTS] [ROWS] [URL]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/common.sh"
large_catalog_bench stocktake "$@"

# Every step keeps within the 150 MB the project keeps; those that did not are listed at the end.
over=()
step() {  # LABEL COMMAND...
  timed "$@"
  ((peak_mb <= 150)) || over+=("$1: $peak_mb MB")
}

stocktake() {  # DB LABEL
  local db=$1
  echo "$2:"
  local tenant=(--db "$db" --tenant bench)
  "$bin" catalog import "${tenant[@]}" "$data"/{orgs,locations,users,variants}.csv >/dev/null
  step "import of $rows rows" "$bin" import "${tenant[@]}" --org bench --format synq "$data/synq-$rows.csv"
  step "count start --location LOC-01" "$bin" count start "${tenant[@]}" --org bench --type FULL --name all --location LOC-01 --user boss --json
  local count
  count=$(tr -dc 0-9 <"$work/out")
  step "count sheet (blind, csv)" "$bin" count sheet "$count" "${tenant[@]}" -o "$work/sheet.csv"
  # Every line counted, i % 7 units.
  awk -F, -v OFS=, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "counted_quantity") c = i; print; next } { $c = (NR - 2) % 7; print }' \
    "$work/sheet.csv" >"$work/counted.csv"
  echo "  ($(($(wc -l <"$work/counted.csv") - 1)) lines)"
  step "count add" "$bin" count add "$count" "${tenant[@]}" --user boss "$work/counted.csv"
  step "count complete --apply" "$bin" count complete "$count" "${tenant[@]}" --user boss --apply --json
  local completion
  completion=$(cat "$work/out")
  local format
  for format in csv md json html; do
    step "report variance ($format)" "$bin" report variance "$count" "${tenant[@]}" --format "$format" -o "$work/variance.$format"
  done
  step "balance --location LOC-01" "$bin" balance "${tenant[@]}" --location LOC-01 --format csv
  python3 - "$completion" "$work/counted.csv" "$work/out" <<'PY'
import csv, json, sys
completion = json.loads(sys.argv[1])
counted = {(r["variant_id"], r["location_id"]): int(r["counted_quantity"]) for r in csv.DictReader(open(sys.argv[2]))}
balances = {}
for r in csv.DictReader(open(sys.argv[3])):
    balances[(r["variant_id"], r["location_id"])] = int(r["on_hand"])
wrong = [k for k, v in counted.items() if balances.get(k, 0) != v]
extra = [k for k, v in balances.items() if k not in counted and v != 0]
ok = completion["movements"] == completion["items_with_discrepancy"] and not wrong and not extra
print(f"  {completion['items_counted']:,} items counted, {completion['movements']:,} movements posted; "
      f"balances as counted: {'yes' if not wrong and not extra else f'no ({len(wrong)} differ, {len(extra)} not counted)'}")
sys.exit(0 if ok else 1)
PY
}

on_both_backends stocktake
if ((${#over[@]} > 0)); then
  printf 'over 150 MB: %s\n' "${over[@]}" >&2
  exit 1
fi
