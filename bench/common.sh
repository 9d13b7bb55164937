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

# NAME [VARIANTS] [ROWS] [URL], for the scripts over a large catalog: sets `variants`, `rows`,
# `url` and `data` (generated once by generate_catalog.py), builds, and makes the scratch
# folder `work` and the PostgreSQL schema `schema` (bench_NAME_PID), both gone on exit.
large_catalog_bench() {
  local name=$1
  variants=${2:-1000000}
  rows=${3:-1000000}
  url=${4:-}
  data="$here/data/catalog-$variants"
  # The held rows are the generator's last file: with them, every file is whole.
  [ -f "$data/held-$rows.csv" ] || python3 "$here/generate_catalog.py" "$variants" "$rows" "$data" >/dev/null
  build_stockrecon
  bench_scratch "$name"
  export STOCKRECON_CACHE_DIR="$work/cache"
}

# NAME: makes the scratch folder `work` and names the PostgreSQL schema `schema`
# (bench_NAME_PID); both are gone on exit (the schema only where `url` is set).
bench_scratch() {
  work=$(mktemp -d)
  schema=bench_${1}_$$
  trap '[ -z "${url:-}" ] || psql -X -q -d "$url" -c "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1; rm -rf "$work"' EXIT
}

# FUNCTION: runs FUNCTION DB LABEL on SQLite (a database in `work`) and, given `url`, on
# PostgreSQL in a fresh `schema`.
on_both_backends() {
  "$1" "$work/$1.db" "SQLite"
  [ -n "$url" ] || return 0
  psql -X -q -d "$url" -c "DROP SCHEMA IF EXISTS $schema CASCADE" -c "CREATE SCHEMA $schema" >/dev/null 2>&1
  "$1" "$url$( [[ $url == *\?* ]] && echo '&' || echo '?' )options=-csearch_path%3D$schema" "PostgreSQL"
}
