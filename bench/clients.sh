#!/usr/bin/env bash
# How issue 10's client was chosen: the ledger's hot path (COPY of a million movements, the
# very text stockrecon streams) through libpq (psql's \copy, which stockrecon's CLibPQ
# matches) and through PostgresNIO (bench/postgres-nio-copy, its own package so that the main
# build never pays for it), alternating, RUNS times; and PostgresNIO's clean release build.
# Usage: bench/clients.sh URL [RUNS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/common.sh"
url=${1:?usage: bench/clients.sh URL [RUNS]}
runs=${2:-3}
schema=bench_clients
db="$url$( [[ $url == *\?* ]] && echo '&' || echo '?' )options=-csearch_path%3D$schema"
work=$(mktemp -d)
trap 'psql -X -q -d "$url" -c "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1; rm -rf "$work"' EXIT
rows=1000000
synq_data "$rows"
build_stockrecon
start=$(date +%s)
(cd "$here/postgres-nio-copy" && swift build -c release 2>&1 | tail -1 >&2)
echo "PostgresNIO release build: $(( $(date +%s) - start )) s (a clean one took 287 s here)"
psql -X -q -d "$url" -c "DROP SCHEMA IF EXISTS $schema CASCADE" -c "CREATE SCHEMA $schema" >/dev/null 2>&1
"$here/../.build/release/stockrecon" catalog import --db "$db" --tenant bench "$here/data"/{orgs,locations,variants}.csv >/dev/null
"$bin" import --db "$db" --tenant bench --org bench --format synq "$file" >/dev/null
columns="posting, variant, location, kind, quantity_delta, quantity_before, unit_cost_minor, source_line, record, reference_id, notes, reason_code, reason_description, adjustment_type, occurred_at, idempotency_key"
psql -X -q -d "$db" -c "\\copy (SELECT $columns FROM ledger ORDER BY id) to '$work/ledger.copy'"
for run in $(seq "$runs"); do
  psql -X -q -d "$db" -c "DROP TABLE IF EXISTS via_libpq, via_nio" -c "CREATE TABLE via_libpq (LIKE ledger INCLUDING ALL)" \
    -c "CREATE TABLE via_nio (LIKE ledger INCLUDING ALL)" >/dev/null 2>&1
  /usr/bin/time -f "%e" -o "$work/time" psql -X -q -d "$db" -c "\\copy via_libpq ($columns) from '$work/ledger.copy'"
  nio=$("$here/postgres-nio-copy/.build/release/niocopy" "$url" "$schema" via_nio "$work/ledger.copy")
  echo "run $run: libpq $(cat "$work/time") s, PostgresNIO $nio s"
done
