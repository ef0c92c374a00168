#!/usr/bin/env bash
# Benchmark of `ipart import` of a foreign file through a mapping, with and
# without the history columns: the Stageplein export
# (fixtures/import/stageplein/generate.py --rows N: Windows-1252, ';',
# title lines, dd-mm-yyyy, seven dated or translated columns a row) at
# 100k and 1M rows, into a copy of the demo registry. Three mappings:
#   * status   : the current status and its date only;
#   * history  : stageplein.toml: also registered_on, the note, and the
#                creation and start dates under [history];
#   * native   : for scale, the same number of native rows
#                (bench/gen_assignments.py).
# Each time is the fastest of REPEAT runs (3 below 1M rows, 1 at 1M), with
# GNU time's peak memory. The time per row says whether it stays linear.
#
#   bash bench/import_mapped.sh
#   SIZES="100000" REPEAT=5 bash bench/import_mapped.sh
#
# Results go to bench/out/import_mapped.md (also printed).
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES:-"100000 1000000"}
REPEAT=${REPEAT:-3}
OUT=bench/out
mkdir -p "$OUT"
[ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }

cargo build --release --quiet
IPART=$PWD/target/release/ipart
export IPART_TODAY=2024-07-15 NO_COLOR=1

BASE=$OUT/demo.sqlite
rm -f "$BASE" "$BASE"-wal "$BASE"-shm
"$IPART" --db "$BASE" --quiet init --demo

# The mapping without the history columns: stageplein.toml less [history],
# registered_on and note.
STATUS_ONLY=$OUT/stageplein-status-only.toml
sed -e '/^\[history\]/,$d' -e '/^registered_on/d' -e '/^note/d' fixtures/import/stageplein/stageplein.toml > "$STATUS_ONLY"

# Imports FILE (with MAP, if given) into a fresh copy of the demo registry;
# prints "seconds max_rss_kb", the fastest of RUNS.
best() {
    local runs=$1 file=$2 map=${3:-} best_t="" best_rss=0 db=$OUT/mapped.sqlite log
    log=$(mktemp)
    for _ in $(seq "$runs"); do
        rm -f "$db" "$db"-wal "$db"-shm
        cp "$BASE" "$db"
        local args=(--db "$db" --quiet import assignments "$file")
        [ -n "$map" ] && args+=(--map "$map")
        /usr/bin/time -f "%e %M" -o "$log" "$IPART" "${args[@]}" >/dev/null
        read -r t rss < "$log"
        if [ -z "$best_t" ] || python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < float(sys.argv[2]) else 1)" "$t" "$best_t"; then
            best_t=$t
        fi
        [ "$rss" -gt "$best_rss" ] && best_rss=$rss
    done
    rm -f "$log" "$db" "$db"-wal "$db"-shm
    echo "$best_t $best_rss"
}

{
    echo "| rows | mapping | import | µs per row | peak RSS |"
    echo "|---:|---|---:|---:|---:|"
} > "$OUT/import_mapped.md"

for n in $SIZES; do
    foreign=$OUT/stageplein-$n.csv
    native=$OUT/assignments-$n.csv
    [ -s "$foreign" ] || python3 fixtures/import/stageplein/generate.py --rows "$n" > "$foreign"
    [ -s "$native" ] || python3 bench/gen_assignments.py "$n" > "$native"
    runs=$REPEAT
    [ "$n" -ge 1000000 ] && runs=1
    for variant in status history native; do
        case $variant in
            status) read -r t rss < <(best "$runs" "$foreign" "$STATUS_ONLY") ;;
            history) read -r t rss < <(best "$runs" "$foreign" fixtures/import/stageplein/stageplein.toml) ;;
            native) read -r t rss < <(best "$runs" "$native") ;;
        esac
        python3 - "$n" "$variant" "$t" "$rss" >> "$OUT/import_mapped.md" <<'PY'
import sys
n, variant, t, rss = int(sys.argv[1]), sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
print(f"| {n:,} | {variant} | {t:.2f} s | {t/n*1e6:.1f} | {rss/1024:.0f} MB |")
PY
        echo "$n rows, $variant: ${t}s" >&2
    done
done

echo >> "$OUT/import_mapped.md"
echo "Fastest of $REPEAT runs below 1M rows, one run at 1M. Machine: $(nproc) cores, $(uname -m); $(date -u +%Y-%m-%d)." >> "$OUT/import_mapped.md"
cat "$OUT/import_mapped.md"
