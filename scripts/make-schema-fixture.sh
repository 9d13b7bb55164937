#!/usr/bin/env bash
# Writes Tests/Fixtures/schema-vN.sqlite: a database made by a stockrecon build BIN (of an
# earlier schema) from the bundled pipelines and a morning's decisions, and beside it
# schema-vN.views, every public view's columns and rows as SQLite quotes them. LegacyDatabaseTests opens a
# copy with today's stockrecon and expects the same rows after its migrations.
# With a PostgreSQL URL, the same history goes into a schema there, dumped as
# schema-vN.postgres.sql (pg_dump, plain INSERTs) with schema-vN.postgres.views beside it.
# Usage: scripts/make-schema-fixture.sh BIN VERSION [URL]   (for example .../stockrecon 18)
set -euo pipefail
bin=$(realpath "$1")
version=$2
url=${3:-}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db="$work/legacy.sqlite"
cd "$root"
history() {  # the pipelines and a morning's decisions, into database $1
  "$bin" run pipelines/nightly.yaml --db "$1" >/dev/null || true
  "$bin" approvals approve 1 --tenant demo --user alice --note "checked" --db "$1" >/dev/null
  "$bin" approvals reject 2 --tenant demo --user alice --note "not confirmed" --db "$1" >/dev/null
  "$bin" reverse 1 --tenant demo --user alice --reason "entered twice" --db "$1" >/dev/null
  "$bin" run pipelines/stocktake.yaml --db "$1" >/dev/null || true
  "$bin" run pipelines/receiving.yaml --db "$1" >/dev/null || true
}
history "$db"
sqlite3 "$db" "PRAGMA wal_checkpoint(TRUNCATE); VACUUM;" >/dev/null
out="$root/Tests/Fixtures/schema-v$version"
cp "$db" "$out.sqlite"
: >"$out.views"
# The public views and the rejections table; each a line `#name|columns…`, then its rows.
for view in $(sqlite3 "$db" "SELECT name FROM sqlite_master WHERE type = 'view' OR name = 'rejections' ORDER BY name"); do
  sqlite3 "$db" "SELECT '#$view|' || group_concat(name, '|') FROM pragma_table_info('$view')" >>"$out.views"
  # quote() of each column, line breaks written \n: one line a row.
  columns=$(sqlite3 "$db" "SELECT group_concat('replace(replace(quote(\"' || name || '\"), char(13), ''\\r''), char(10), ''\\n'')', ' || ''|'' || ') FROM pragma_table_info('$view')")
  sqlite3 "$db" "SELECT '$view|' || $columns FROM \"$view\"" | LC_ALL=C sort >>"$out.views"
done
echo "$out.sqlite ($(stat -c %s "$out.sqlite") bytes), $(wc -l <"$out.views") rows of views"
[ -n "$url" ] || exit 0
schema=stockrecon_legacy
psql "$url" -qc "DROP SCHEMA IF EXISTS $schema CASCADE; CREATE SCHEMA $schema" >/dev/null
separator="?"; [[ $url == *\?* ]] && separator="&"
history "$url${separator}options=-csearch_path%3D$schema"
pg_dump "$url" --schema="$schema" --inserts --no-owner --no-privileges | grep -v '^\\' >"$out.postgres.sql"
: >"$out.postgres.views"
for view in $(psql "$url" -Atc "SELECT table_name FROM information_schema.tables WHERE table_schema = '$schema' AND (table_type = 'VIEW' OR table_name = 'rejections') ORDER BY 1"); do
  psql "$url" -Atc "SELECT '#$view|' || string_agg(column_name, '|' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_schema = '$schema' AND table_name = '$view'" >>"$out.postgres.views"
  columns=$(psql "$url" -Atc "SELECT string_agg(format('replace(replace(quote_nullable(CAST(%I AS TEXT)), chr(13), ''\\r''), chr(10), ''\\n'')', column_name), ' || ''|'' || ' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_schema = '$schema' AND table_name = '$view'")
  psql "$url" -qAtc "SET search_path = $schema; SELECT '$view|' || $columns FROM \"$view\"" | LC_ALL=C sort >>"$out.postgres.views"
done
psql "$url" -qc "DROP SCHEMA $schema CASCADE" >/dev/null
echo "$out.postgres.sql ($(stat -c %s "$out.postgres.sql") bytes), $(wc -l <"$out.postgres.views") rows of views"
