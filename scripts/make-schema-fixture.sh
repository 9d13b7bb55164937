#!/usr/bin/env bash
# Writes Tests/Fixtures/schema-vN.sqlite: a database made by a stockrecon build BIN (of an
# earlier schema) from the bundled pipelines and a morning's decisions, and beside it
# schema-vN.views, every public view's columns and rows as SQLite quotes them. LegacyDatabaseTests opens a
# copy with today's stockrecon and expects the same rows after its migrations.
# Usage: scripts/make-schema-fixture.sh BIN VERSION   (for example .../stockrecon 18)
set -euo pipefail
bin=$(realpath "$1")
version=$2
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db="$work/legacy.sqlite"
cd "$root"
"$bin" run pipelines/nightly.yaml --db "$db" >/dev/null || true
"$bin" approvals approve 1 --tenant demo --user alice --note "checked" --db "$db" >/dev/null
"$bin" approvals reject 2 --tenant demo --user alice --note "not confirmed" --db "$db" >/dev/null
"$bin" reverse 1 --tenant demo --user alice --reason "entered twice" --db "$db" >/dev/null
"$bin" run pipelines/stocktake.yaml --db "$db" >/dev/null || true
"$bin" run pipelines/receiving.yaml --db "$db" >/dev/null || true
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
