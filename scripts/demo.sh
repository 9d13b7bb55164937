#!/usr/bin/env bash
# The main job on the bundled fixtures: load the catalog, import a file of each format
# into ./demo.sqlite, decide the held adjustments, reverse a movement, and show the
# balances and the rejections.
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
$bin import --tenant demo --org acme --format stock-adjustments --user bob fixtures/imports/stock-adjustments.csv
echo "--- waiting for a manager"
$bin approvals list --tenant demo --status PENDING
$bin approvals approve 1 --user bob            # refused: bob is staff
$bin approvals approve 1 --user alice --note "checked the PO"
$bin approvals reject 2 --user alice --note "not confirmed"
$bin reverse 1 --tenant demo --user alice --reason "entered twice"
echo "--- balances"
$bin balance --tenant demo
echo "--- the same nightly file again: posted rows are duplicates, rejected rows are checked afresh"
$bin import --tenant demo --org acme --format synq --user bob fixtures/imports/nightly-synq.csv 2>&1 | tail -1
echo "--- stored rejections (sqlite3 $STOCKRECON_DB 'SELECT * FROM rejections')"
sqlite3 -header -column "$STOCKRECON_DB" "SELECT run_id, source_file, source_line, field, type FROM rejections WHERE run_id < 6"
exit 0
