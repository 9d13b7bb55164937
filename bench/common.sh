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

# SPEC section 12's floor for an import into PostgreSQL: seconds for the server's own COPY of
# the finished ledger rows of database DB's last posting (written out to a file under WORK
# first) into an empty table of the same definition.
ledger_floor() {
  local db=$1 work=$2
  psql -X -q -v ON_ERROR_STOP=1 -d "$db" \
    -c "\\copy (SELECT * FROM ledger WHERE posting = (SELECT max(posting) FROM ledger)) to '$work/ledger.copy'" \
    -c "DROP TABLE IF EXISTS floor_ledger" -c "CREATE TABLE floor_ledger (LIKE ledger INCLUDING ALL)" >/dev/null
  sync
  /usr/bin/time -f "%e" -o "$work/floor-time" psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c "\\copy floor_ledger from '$work/ledger.copy'" >/dev/null
  psql -X -q -d "$db" -c "DROP TABLE floor_ledger" >/dev/null
  rm -f "$work/ledger.copy"
  cat "$work/floor-time"
}

# LABEL COMMAND...: runs the command on a quiet disk, prints its seconds and peak memory beside
# LABEL, keeps its output in $work/out (`work`: the script's scratch folder) and its peak
# memory in megabytes in `peak_mb`.
timed() {
  local label=$1
  shift
  sync
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/out" 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
  read -r seconds kilobytes <"$work/time"
  peak_mb=$((kilobytes / 1024))
  printf "%-34s %6.2f s  %5d MB\n" "$label" "$seconds" $((kilobytes / 1024))
}
