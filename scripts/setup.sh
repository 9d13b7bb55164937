#!/usr/bin/env bash
# Installs the C libraries stockrecon builds against (Debian/Ubuntu), when missing.
# With --browser, also Debian's chromium, for the check that opens the HTML reports; with
# --postgres, also the PostgreSQL server, for scripts/postgres-cluster.sh and its tests.
set -euo pipefail
packages=(libcsv-dev libyajl-dev libsqlite3-dev libssl-dev zlib1g-dev libxml2-dev libpq-dev sqlite3)
for option in "$@"; do
  case "$option" in
    --browser) packages+=(chromium) ;;
    --postgres) packages+=(postgresql) ;;
    *) echo "setup.sh: unknown option $option (--browser, --postgres)" >&2; exit 2 ;;
  esac
done
missing=()
for package in "${packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
$sudo apt-get install -y -qq "${missing[@]}"
