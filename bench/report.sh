#!/usr/bin/env bash
# Benchmark of `ipart report`. In one run, on the same files:
#   * a registry of 1M synthetic assignments (bench/make_registry.sql on top of
#     the demo data): `ipart report --year 2023 --format json` against the same
#     figures written by hand for the sqlite3 shell (bench/report_figures.sql);
#     target: ipart within 1.5x of the shell;
#   * the demo registry as a whole process, from a file and with --demo;
#     target: under 100 ms.
# Before timing, the key figures of ipart and of the hand-written SQL are
# compared: the peer must compute the same thing.
# Usage: bench/report.sh [ASSIGNMENTS]   (default 1000000; the file is kept in bench/out)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
runs=${RUNS:-5}

need() { command -v "$1" >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq "$2" >/dev/null; }; }
need sqlite3 sqlite3
need hyperfine hyperfine

cargo build --release --quiet
ipart=$PWD/target/release/ipart
mkdir -p bench/out
big=bench/out/report-$n.sqlite
demo=bench/out/demo.sqlite
export IPART_TODAY=2025-03-01

if [ ! -f "$big" ]; then
    echo "building $big ($n assignments) ..."
    "$ipart" --db "$big.tmp" init --demo -q
    sqlite3 "$big.tmp" "CREATE TEMP TABLE bench_size AS SELECT $n AS n;" ".read bench/make_registry.sql" >/dev/null
    mv "$big.tmp" "$big"
fi
rm -f "$demo" && "$ipart" --db "$demo" init --demo -q

check() {
    local db=$1 mine theirs
    mine=$("$ipart" --db "$db" report --year 2023 --format json | python3 -c \
        'import json,sys; print(json.dumps(json.load(sys.stdin)["key_figures"], separators=(",", ":")))')
    theirs=$(sqlite3 "$db" < bench/report_figures.sql | tail -1)
    if [ "$mine" != "$theirs" ]; then
        echo "figures differ on $db:"; echo " ipart:  $mine"; echo " sqlite: $theirs"; exit 1
    fi
    echo "same key figures on $db: $mine"
}
check "$demo"
check "$big"

hyperfine --warmup 1 --runs "$runs" --export-markdown bench/out/report-big.md \
    -n "ipart report ($n assignments)" "$ipart --db $big report --year 2023 --format json > /dev/null" \
    -n "sqlite3 hand-written SQL ($n assignments)" "sqlite3 $big < bench/report_figures.sql > /dev/null"
hyperfine --warmup 3 --runs 30 -N --export-markdown bench/out/report-demo.md \
    -n "ipart --db demo.sqlite report" "$ipart --db $demo report --year 2023 --format json" \
    -n "ipart --demo report" "$ipart --demo report --year 2023 --format json" \
    -n "sqlite3 hand-written SQL (demo)" "sqlite3 $demo -init /dev/null -cmd '.read bench/report_figures.sql' '.quit'"
cat bench/out/report-big.md bench/out/report-demo.md
