# Sourced by the bench scripts, after they set `here` to the bench folder.

# Builds stockrecon in release mode and sets `bin` to it (or to $STOCKRECON_BIN, unbuilt).
build_stockrecon() {
  if [ -n "${STOCKRECON_BIN:-}" ]; then bin=$STOCKRECON_BIN; return; fi
  (cd "$here/.." && swift build -c release --product stockrecon 2>&1 | tail -1 >&2)
  bin="$here/../.build/release/stockrecon"
}

# Generates (once) a synq CSV of ROWS rows and its catalog in bench/data (generate.py), and
# sets `data` to that folder and `file` to the CSV.
synq_data() {
  data="$here/data"
  file="$data/synq-$1.csv"
  local needed
  for needed in "$file" "$data/orgs.csv" "$data/locations.csv" "$data/variants.csv"; do
    [ -f "$needed" ] || { python3 "$here/generate.py" "$1" "$data" >/dev/null; break; }
  done
}
