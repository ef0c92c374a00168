#!/usr/bin/env bash
# Benchmark of `ipart import` against what a user would reach for instead,
# timed in one run on the same files (10k, 100k and 1M assignments, native
# CSV made by gen_assignments.py):
#   * the sqlite3 shell's `.import` into a plain table: no validation at
#     all, the floor;
#   * the same rows into the registry's own schema by SQL alone in the
#     sqlite3 shell (bench/import_sql.sql): the floor for that schema, its
#     CHECKs, foreign keys, triggers, indexes and status-history rows;
#   * `sqlite-utils insert --csv`.
# ipart imports into a copy of the demo registry (so every reference
# resolves), validating every row, matching it on (source, external id) and
# writing it with its status history, in one transaction.
#
#   bash bench/import.sh            # all sizes
#   SIZES="10000 100000" bash bench/import.sh
#
# The machine may be shared: each size below 1M is timed REPEAT times (3)
# and the fastest run of each tool counts; 1M once (sqlite-utils takes
# minutes).
#
# Installs what it needs (sqlite3, GNU time, sqlite-utils). Results go to
# bench/out/import.md (a Markdown table, also printed).
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES:-"10000 100000 1000000"}
REPEAT=${REPEAT:-3}
OUT=bench/out
mkdir -p "$OUT"

need_apt=()
command -v sqlite3 >/dev/null || need_apt+=(sqlite3)
[ -x /usr/bin/time ] || need_apt+=(time)
if [ ${#need_apt[@]} -gt 0 ]; then
    apt-get update -qq && apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
if ! command -v sqlite-utils >/dev/null; then
    python3 -m pip install --quiet sqlite-utils 2>/dev/null \
        || python3 -m pip install --quiet --break-system-packages sqlite-utils
fi

cargo build --release --quiet
IPART=$PWD/target/release/ipart
export IPART_TODAY=2024-01-15 NO_COLOR=1

BASE=$OUT/demo.sqlite
rm -f "$BASE" "$BASE"-wal "$BASE"-shm
"$IPART" --db "$BASE" --quiet init --demo

# The fastest of `runs` measurements (and the largest peak memory seen).
best() {
    local runs=$1 setup=$2
    shift 2
    local best_t="" best_rss=0 t rss
    for _ in $(seq "$runs"); do
        eval "$setup"
        read -r t rss < <(measure "$@")
        if [ -z "$best_t" ] || python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < float(sys.argv[2]) else 1)" "$t" "$best_t"; then
            best_t=$t
        fi
        [ "$rss" -gt "$best_rss" ] && best_rss=$rss
    done
    echo "$best_t $best_rss"
}

# Runs a command under GNU time; prints "seconds max_rss_kb".
measure() {
    local log
    log=$(mktemp)
    /usr/bin/time -v -o "$log" "$@" >/dev/null 2>"$log.err" || { cat "$log.err" >&2; exit 1; }
    local wall rss
    wall=$(grep 'Elapsed (wall clock)' "$log" | awk '{print $NF}')
    rss=$(grep 'Maximum resident set size' "$log" | awk '{print $NF}')
    rm -f "$log" "$log.err"
    # h:mm:ss or m:ss.ss -> seconds
    python3 -c "import sys; p=[float(x) for x in sys.argv[1].split(':')]; s=sum(v*60**i for i,v in enumerate(reversed(p))); print(f'{s:.2f} {sys.argv[2]}')" "$wall" "$rss"
}

{
    echo "| rows | ipart import | sqlite3 .import | SQL into the registry schema | sqlite-utils insert | ipart / .import | SQL / ipart | sqlite-utils / ipart | ipart peak RSS | ipart µs per row |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
} > "$OUT/import.md"

for n in $SIZES; do
    csv=$OUT/assignments-$n.csv
    [ -s "$csv" ] || python3 bench/gen_assignments.py "$n" > "$csv"

    runs=$REPEAT
    [ "$n" -ge 1000000 ] && runs=1
    db=$OUT/ipart-$n.sqlite
    read -r t_ipart rss_ipart < <(best "$runs" 'rm -f "$db" "$db"-wal "$db"-shm; cp "$BASE" "$db"' \
        "$IPART" --db "$db" --quiet import assignments "$csv")
    count=$(sqlite3 "$db" "SELECT count(*) FROM assignment WHERE source = 'bench'")
    [ "$count" = "$n" ] || { echo "ipart imported $count of $n rows" >&2; exit 1; }

    plain=$OUT/sqlite3-$n.sqlite
    read -r t_sqlite rss_sqlite < <(best "$runs" 'rm -f "$plain"' sqlite3 "$plain" ".mode csv" ".import $csv assignment")

    schema=$OUT/sql-$n.sqlite
    read -r t_sql rss_sql < <(best "$runs" 'rm -f "$schema" "$schema"-wal "$schema"-shm; cp "$BASE" "$schema"' \
        sqlite3 "$schema" ".import --csv --schema temp $csv bench_rows" ".read bench/import_sql.sql")
    count=$(sqlite3 "$schema" "SELECT count(*) FROM assignment WHERE source = 'bench'")
    [ "$count" = "$n" ] || { echo "the SQL loaded $count of $n rows" >&2; exit 1; }

    utils=$OUT/sqlite-utils-$n.sqlite
    read -r t_utils rss_utils < <(best "$runs" 'rm -f "$utils"' sqlite-utils insert "$utils" assignment "$csv" --csv)

    python3 - "$n" "$t_ipart" "$t_sqlite" "$t_sql" "$t_utils" "$rss_ipart" >> "$OUT/import.md" <<'PY'
import sys
n, ti, ts, tq, tu, rss = int(sys.argv[1]), *map(float, sys.argv[2:6]), int(sys.argv[6])
print(f"| {n:,} | {ti:.2f} s | {ts:.2f} s | {tq:.2f} s | {tu:.2f} s | {ti/ts:.2f}x | {tq/ti:.2f}x | {tu/ti:.1f}x | {rss/1024:.0f} MB | {ti/n*1e6:.1f} |")
PY
    echo "$n rows done (ipart ${t_ipart}s, sqlite3 ${t_sqlite}s, SQL ${t_sql}s, sqlite-utils ${t_utils}s)" >&2
    rm -f "$db" "$db"-wal "$db"-shm "$plain" "$schema" "$schema"-wal "$schema"-shm "$utils"
done

echo >> "$OUT/import.md"
echo "Fastest of $REPEAT runs below 1M rows, one run at 1M. Machine: $(nproc) cores, $(uname -m), $(sqlite3 --version | cut -d' ' -f1) (sqlite3 shell), sqlite-utils $(sqlite-utils --version | awk '{print $NF}'); $(date -u +%Y-%m-%d)." >> "$OUT/import.md"
cat "$OUT/import.md"
