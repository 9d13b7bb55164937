#!/usr/bin/env bash
# Coverage-guided fuzzing of what reads outside input (issue 26): each target of
# Sources/StockReconFuzzing for SECONDS (default 60), seeded from the fixtures, the kept
# corpus (fuzz/corpus/TARGET, minimised after each run) and ../shared/corpora where present.
# An input that breaks a target's promise is kept in fuzz/regressions/TARGET, which the
# ordinary tests replay. Exit 1 when one was found. FUZZ_TIMEOUT: seconds an input may take
# (default 10). Usage: fuzz/run.sh [SECONDS] [TARGET...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(csv json haravan xlsx mapping pipeline catalog countsheet sniff sheet variantindex)
cd "$root"
# Unoptimised, so that libFuzzer's coverage counters are there (an optimised build had none).
swift build --build-path .build/fuzz --product stockrecon-fuzz -Xswiftc -sanitize=fuzzer -Xswiftc -DFUZZING -Xswiftc -use-ld=lld 2>&1 | tail -1 >&2
bin=.build/fuzz/debug/stockrecon-fuzz
shared=../shared/corpora
found=0
seeds() {  # the folders that seed a target
  case "$1" in
    csv|sniff) echo fixtures/imports fixtures/presets fixtures/exports; [ -d "$shared/csv-spectrum" ] && echo "$shared/csv-spectrum" ;;
    json|haravan) echo fixtures/imports; [ -d "$shared/JSONTestSuite/test_parsing" ] && echo "$shared/JSONTestSuite/test_parsing" ;;
    xlsx) echo fixtures/exports ;;
    mapping|pipeline) echo pipelines pipelines/mappings ;;
    catalog) echo fixtures/catalog ;;
    countsheet) echo fixtures/counts fixtures/presets ;;
    sheet) echo fixtures/catalog ;;
  esac
}
printf '%-10s %10s %8s %8s  %s\n' target runs cov corpus new >&2
for target in "${targets[@]}"; do
  corpus=fuzz/corpus/$target
  regressions=fuzz/regressions/$target
  mkdir -p "$corpus" "$regressions"
  work=$(mktemp -d)
  log=$(mktemp)
  stamp=$(mktemp)
  before=$(find "$regressions" -type f | wc -l)
  # shellcheck disable=SC2046
  # Swift's backtracer would take a trap's signal before libFuzzer, which then keeps no input.
  SWIFT_BACKTRACE=enable=no STOCKRECON_FUZZ_TARGET=$target "$bin" -max_total_time="$seconds" -timeout="${FUZZ_TIMEOUT:-10}" -rss_limit_mb=2048 -max_len=65536 \
    -artifact_prefix="$regressions/" -print_final_stats=1 "$work" "$corpus" $(seeds "$target") >"$log" 2>&1 || found=1
  # Keep the corpus small: only inputs that add coverage.
  STOCKRECON_FUZZ_TARGET=$target "$bin" -merge=1 "$corpus" "$work" >/dev/null 2>&1 || true
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo 0)
  crashes=$(( $(find "$regressions" -type f | wc -l) - before ))
  printf '%-10s %10s %8s %8s  %s\n' "$target" "${runs:-0}" "${cov:-0}" "$(find "$corpus" -type f | wc -l)" "$crashes" >&2
  if grep -q 'ERROR: libFuzzer\|==ERROR\|Fatal error' "$log"; then grep -m3 'Fatal error\|ERROR' "$log" >&2; found=1; fi
  # What was kept, in full, so that a CI log is enough to replay it (base64 -d > FILE).
  find "$regressions" -type f -newer "$stamp" -size -70k -exec sh -c 'echo "kept $1:"; base64 -w0 "$1"; echo' _ {} \; >&2
  rm -rf "$work" "$log" "$stamp"
done
exit $found
