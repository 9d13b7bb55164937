#!/usr/bin/env bash
# The main job on the bundled fixtures: the nightly pipeline (pipelines/nightly.yaml: the
# catalog, then a file of each shop system's format and a point-of-sale export through its
# mapping) into ./nightly.sqlite, then what a person does in the morning: read the runs and
# the rejections, decide the held adjustments, reverse a movement, check the balances; then a
# year-end stocktake (pipelines/stocktake.yaml) and goods received against purchase orders
# (pipelines/receiving.yaml), each into its own database, with their reports in ./reports.
set -uo pipefail
cd "$(dirname "$0")/.."
swift build --product stockrecon 2>&1 | tail -1
bin=.build/debug/stockrecon
export STOCKRECON_DB=nightly.sqlite   # the pipeline's own `database:`
rm -f "$STOCKRECON_DB" "$STOCKRECON_DB-wal" "$STOCKRECON_DB-shm"
echo "--- the nightly pipeline, as cron runs it"
$bin run pipelines/nightly.yaml
echo "--- in the morning: what ran"
$bin runs --tenant demo
echo "--- the rejected rows of last night's run (also --format csv or --json)"
$bin rejections --tenant demo --run last | cut -c1-160
echo "--- waiting for a manager"
$bin approvals list --tenant demo --status PENDING
$bin approvals approve 1 --tenant demo --user bob            # refused: bob is staff
$bin approvals approve 1 --tenant demo --user alice --note "checked the PO"
$bin approvals reject 2 --tenant demo --user alice --note "not confirmed"
$bin reverse 1 --tenant demo --user alice --reason "entered twice"
echo "--- balances, and as they stood by stock date on 20 November (valued at the catalog's cost)"
$bin balance --tenant demo
$bin balance --tenant demo --as-of 2026-11-20
echo "--- the same pipeline again: every file is a duplicate, nothing posts twice"
$bin run pipelines/nightly.yaml | tail -1
echo "--- a year-end stocktake (pipelines/stocktake.yaml, into ./stocktake.sqlite): sheets, a delivery while counting, the variance posted, reports in ./reports"
rm -f stocktake.sqlite stocktake.sqlite-wal stocktake.sqlite-shm
$bin run pipelines/stocktake.yaml
$bin report variance 1 --tenant acme --db stocktake.sqlite --format csv | cut -c1-150
echo "--- goods received against purchase orders (pipelines/receiving.yaml, into ./receiving.sqlite)"
rm -f receiving.sqlite receiving.sqlite-wal receiving.sqlite-shm
$bin run pipelines/receiving.yaml
$bin report receipts --tenant acme --db receiving.sqlite --format csv | head -8
exit 0
