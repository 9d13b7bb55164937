#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on loopback, for the tests (CI) and by hand:
#   scripts/postgres-cluster.sh start DIR [PORT]   prints the URL to put in STOCKRECON_TEST_POSTGRES
#   scripts/postgres-cluster.sh stop DIR
# It needs Debian's postgresql package. The server refuses to run as root, so as root the
# cluster is the postgres user's; its data folder, socket and log stay in DIR.
set -euo pipefail
action=${1:?start or stop}
dir=${2:?a folder for the cluster}
port=${3:-55432}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$bin" ] || { echo "no PostgreSQL server here: apt-get install postgresql" >&2; exit 3; }
as_owner() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case "$action" in
  start)
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --no-locale >"$dir/initdb.log"
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50" start >/dev/null
    echo "postgresql://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null || true
    rm -rf "$dir"
    ;;
  *) echo "start or stop, not $action" >&2; exit 2 ;;
esac
