#!/usr/bin/env bash
# Opens each HTML report in a real browser (Debian's chromium, headless) and checks that it
# renders the figures and the chart, and that no script from the data runs: the fixtures'
# notes carry <script> and onerror= payloads that would set the title to "pwned". Saves a
# screenshot of each. Usage: scripts/check-html-reports.sh [OUTPUT_FOLDER]
set -euo pipefail
cd "$(dirname "$0")/.."
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
    echo "check-html-reports: no chromium on this machine (apt-get install chromium); skipped" >&2
    exit 3
fi
out=${1:-reports/browser-check}
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bin=${STOCKRECON_BIN:-}
if [ -z "$bin" ]; then
    swift build --product stockrecon 2>&1 | tail -1
    bin=.build/debug/stockrecon
fi
export STOCKRECON_DB="$work/check.sqlite"
# The stocktake pipeline's fixtures, by hand: the count is count 1.
"$bin" catalog import --tenant acme fixtures/catalog/*.csv >/dev/null
"$bin" import --tenant acme --org acme --format synq fixtures/counts/opening-stock.csv >/dev/null
"$bin" count start --tenant acme --org acme --type FULL --name "Year end <b>2026</b>" --user alice >/dev/null
"$bin" count add 1 --tenant acme --user bob fixtures/counts/year-end-aisle.csv >/dev/null
"$bin" import --tenant acme --org acme --format synq fixtures/counts/delivery-during-count.csv >/dev/null
"$bin" count add 1 --tenant acme --user bob fixtures/counts/year-end-back-room.xlsx >/dev/null
"$bin" count complete 1 --tenant acme --apply --user alice >/dev/null
"$bin" report variance 1 --tenant acme --format html -o "$out/variance.html" 2>/dev/null
"$bin" report summary --tenant acme --format html -o "$out/summary.html" 2>/dev/null

flags=(--headless --no-sandbox --disable-gpu --disable-dev-shm-usage --hide-scrollbars --user-data-dir="$work/profile")
# Can this browser render a page at all here? If not, that is the machine, not the reports.
printf '<!DOCTYPE html><title>probe</title><p>ok' >"$work/probe.html"
if ! timeout 120 "$browser" "${flags[@]}" --dump-dom "file://$work/probe.html" 2>"$work/probe.log" | grep -q "<title>probe</title>"; then
    echo "check-html-reports: $browser cannot render a page on this machine; skipped:" >&2
    tail -3 "$work/probe.log" >&2
    exit 3
fi

failures=0
check() {  # check REPORT TITLE FIGURE...
    local name=$1 title=$2
    shift 2
    local dom="$work/$name.dom.html"
    timeout 120 "$browser" "${flags[@]}" --dump-dom "file://$out/$name.html" >"$dom" 2>"$work/$name.browser.log" || true
    timeout 120 "$browser" "${flags[@]}" --window-size=1280,1100 --screenshot="$out/$name.png" "file://$out/$name.html" \
        >/dev/null 2>>"$work/$name.browser.log" || true
    # And at a phone's width: the table scrolls in its box, the chart scales down.
    timeout 120 "$browser" "${flags[@]}" --window-size=390,844 --screenshot="$out/$name-phone.png" "file://$out/$name.html" \
        >/dev/null 2>>"$work/$name.browser.log" || true
    [ -s "$dom" ] || { echo "FAIL: $name.html: the browser printed no page:"; tail -5 "$work/$name.browser.log"; }
    local problems=()
    grep -q "<title>$title</title>" "$dom" || problems+=("the title is not \"$title\" (a script changed it?)")
    grep -q "pwned</title>" "$dom" && problems+=("a script from the data ran")
    grep -qi "<script" "$dom" && problems+=("a <script> element is in the page")
    grep -qi "<img" "$dom" && problems+=("an <img> element from the data is in the page")
    grep -q "<svg" "$dom" || problems+=("no chart")
    [ "$(grep -o "<rect" "$dom" | wc -l)" -ge 2 ] || problems+=("the chart has fewer than 2 bars")
    for figure in "$@"; do grep -q -- "$figure" "$dom" || problems+=("figure $figure not rendered"); done
    [ -s "$out/$name.png" ] || problems+=("no screenshot")
    if [ ${#problems[@]} -eq 0 ]; then
        echo "ok: $name.html renders its figures and chart, runs no script from the data ($out/$name.png)"
    else
        for problem in "${problems[@]}"; do echo "FAIL: $name.html: $problem"; done
        failures=$((failures + 1))
    fi
}
check variance "Variance report: count 1, Year end &lt;b&gt;2026&lt;/b&gt;" "-126.90" "-89.90" "-49.00" "Moved during count" \
    "&lt;script&gt;document.title='pwned'&lt;/script&gt;" "&lt;img src=x onerror="
check summary "Summary for acme, the beginning to today" "-126.90" "Largest count variances by value" "By location"
exit $failures
