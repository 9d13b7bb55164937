#!/usr/bin/env bash
# Installs the C libraries stockrecon builds against (Debian/Ubuntu), when missing.
# With --browser, also Debian's chromium, for the check that opens the HTML reports.
set -euo pipefail
packages=(libcsv-dev libyajl-dev libsqlite3-dev libssl-dev zlib1g-dev libxml2-dev sqlite3)
[ "${1:-}" = "--browser" ] && packages+=(chromium)
missing=()
for package in "${packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
$sudo apt-get install -y -qq "${missing[@]}"
