#!/usr/bin/env bash
# The main job on the bundled fixtures: load the catalog, import the nightly files of
# three formats into ./demo.sqlite, and show the balances and the rejections.
set -uo pipefail
cd "$(dirname "$0")/.."
swift build --product stockrecon 2>&1 | tail -1
bin=.build/debug/stockrecon
export STOCKRECON_DB=${STOCKRECON_DB:-demo.sqlite}
rm -f "$STOCKRECON_DB" "$STOCKRECON_DB-wal" "$STOCKRECON_DB-shm"
$bin catalog import --tenant demo fixtures/catalog/*.csv
$bin import --tenant demo --org acme --format synq --user bob fixtures/imports/nightly-synq.csv
$bin import --tenant demo --org acme --format dayzero --user bob fixtures/imports/nightly-dayzero.json
$bin import --tenant demo --org acme --format canonical --user alice fixtures/imports/canonical.csv
echo "--- balances"
$bin balance --tenant demo
echo "--- the same nightly file again: posted rows are duplicates, rejected rows are checked afresh"
$bin import --tenant demo --org acme --format synq --user bob fixtures/imports/nightly-synq.csv 2>&1 | tail -1
echo "--- stored rejections (sqlite3 $STOCKRECON_DB 'SELECT * FROM rejections')"
sqlite3 -header -column "$STOCKRECON_DB" "SELECT run_id, source_file, source_line, field, type FROM rejections WHERE run_id < 5"
exit 0
