#!/usr/bin/env bash
# Memory of `ipart assignment list` on a large registry: the records are
# streamed, so the peak resident set size (GNU time's %M) stays flat however
# many assignments there are. The registry is built as bench/report.sh builds
# it (bench/make_registry.sql on top of the demo data) and shared with it.
# Prints, per format, the wall and CPU time and the peak RSS; fails when
# `list --format csv` needs 50 MB or more.
# Usage: bench/list.sh [ASSIGNMENTS]   (default 1000000; the file is kept in bench/out)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
limit_mb=50

need() { command -v "$1" >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq "$2" >/dev/null; }; }
need sqlite3 sqlite3
[ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }

cargo build --release --quiet
ipart=$PWD/target/release/ipart
mkdir -p bench/out
big=bench/out/report-$n.sqlite
export IPART_TODAY=2025-03-01

if [ ! -f "$big" ]; then
    echo "building $big ($n assignments) ..."
    "$ipart" --db "$big.tmp" init --demo -q
    sqlite3 "$big.tmp" "CREATE TEMP TABLE bench_size AS SELECT $n AS n;" ".read bench/make_registry.sql" >/dev/null
    mv "$big.tmp" "$big"
fi
total=$(sqlite3 "$big" "SELECT count(*) FROM assignment")

# measure NAME ARGS...: runs ipart on the big registry, output to /dev/null.
measure() {
    local name=$1 line seconds user system kb
    shift
    line=$( { /usr/bin/time -f '%e %U %S %M' "$ipart" --db "$big" "$@" > /dev/null; } 2>&1 | tail -1)
    read -r seconds user system kb <<< "$line"
    awk -v n="$name" -v s="$seconds" -v u="$user" -v y="$system" -v k="$kb" \
        'BEGIN { printf "| %-44s | %8s s | %8.2f s | %7.1f MB |\n", n, s, u + y, k / 1024 }'
    last_kb=$kb
}

echo "ipart $("$ipart" --version | cut -d' ' -f2), $total assignments in $big"
# The machine may be shared: CPU time (user + system) says more than wall time.
echo "| command | wall time | CPU time | peak RSS |"
echo "|---|---:|---:|---:|"
measure "assignment list --format csv" assignment list --format csv
csv_kb=$last_kb
measure "assignment list --format jsonl" assignment list --format jsonl
measure "assignment list --format json" assignment list --format json
measure "assignment list (table, piped: two passes)" assignment list
measure "assignment list --excel" assignment list --excel
measure "assignment list --format xlsx" assignment list --format xlsx
measure "export assignments (for comparison)" export assignments

if [ "$csv_kb" -ge $((limit_mb * 1024)) ]; then
    echo "FAIL: list --format csv took $((csv_kb / 1024)) MB at $total assignments (limit: $limit_mb MB)"
    exit 1
fi
echo "ok: list --format csv stays under $limit_mb MB at $total assignments"
