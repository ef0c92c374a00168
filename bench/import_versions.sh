#!/usr/bin/env bash
# Two builds of ipart importing the same native CSV, in one run, turn about:
# what a change costs the bulk import. Each build starts from a demo
# registry it made itself (so each runs its own schema), and the timings
# interleave (old, new, old, new, ...) so that a busy machine weighs on both
# alike.
#
#   bash bench/import_versions.sh OLD_IPART NEW_IPART            # 1M rows, 3 runs each
#   ROWS=100000 RUNS=5 bash bench/import_versions.sh OLD NEW
#
# Build the older one from its commit in a worktree, for example:
#   git worktree add /tmp/ipart-old COMMIT && (cd /tmp/ipart-old && cargo build --release)
#   bash bench/import_versions.sh /tmp/ipart-old/target/release/ipart target/release/ipart
#
# Prints, per build, the median and fastest wall time, the median CPU time
# (user + system) and the largest peak memory, and new / old as ratios.
# Needs GNU time (/usr/bin/time) and python3.
set -euo pipefail
cd "$(dirname "$0")/.."

OLD=${1:?usage: bench/import_versions.sh OLD_IPART NEW_IPART}
NEW=${2:?usage: bench/import_versions.sh OLD_IPART NEW_IPART}
ROWS=${ROWS:-1000000}
RUNS=${RUNS:-3}
OUT=${OUT:-bench/out}
mkdir -p "$OUT"
[ -x /usr/bin/time ] || { echo "bench/import_versions.sh needs GNU time (apt-get install time)" >&2; exit 1; }
export IPART_TODAY=2024-01-15 NO_COLOR=1 IPART_KEY_FILE="$OUT/versions.key"

csv=$OUT/assignments-$ROWS.csv
[ -s "$csv" ] || python3 bench/gen_assignments.py "$ROWS" > "$csv"

base() { echo "$OUT/versions-$1-base.sqlite"; }
for which in old new; do
    bin=$OLD; [ "$which" = new ] && bin=$NEW
    rm -f "$(base $which)"*
    "$bin" --db "$(base $which)" --quiet init --demo
done

# One import; appends "seconds cpu_seconds max_rss_kb" to $OUT/versions-WHICH.times.
run() {
    local which=$1 bin=$2 db=$OUT/versions-$1.sqlite log
    rm -f "$db" "$db"-wal "$db"-shm
    cp "$(base "$which")" "$db"
    log=$(mktemp)
    /usr/bin/time -f '%e %U %S %M' -o "$log" "$bin" --db "$db" --quiet import assignments "$csv" >/dev/null
    awk '{printf "%s %.2f %s\n", $1, $2 + $3, $4}' "$log" >> "$OUT/versions-$which.times"
    rm -f "$log" "$db" "$db"-wal "$db"-shm
}

rm -f "$OUT"/versions-old.times "$OUT"/versions-new.times
for i in $(seq "$RUNS"); do
    run old "$OLD"
    run new "$NEW"
    echo "run $i of $RUNS done" >&2
done

python3 - "$OUT/versions-old.times" "$OUT/versions-new.times" "$ROWS" <<'PY'
import statistics, sys
def load(path):
    rows = [list(map(float, line.split())) for line in open(path)]
    wall = [r[0] for r in rows]; cpu = [r[1] for r in rows]; rss = [r[2] for r in rows]
    return statistics.median(wall), min(wall), statistics.median(cpu), max(rss) / 1024
old, new = load(sys.argv[1]), load(sys.argv[2])
rows = int(sys.argv[3])
print(f"| {rows:,} rows | median wall | fastest wall | median CPU | peak RSS |")
print("|---|---:|---:|---:|---:|")
print(f"| old | {old[0]:.2f} s | {old[1]:.2f} s | {old[2]:.2f} s | {old[3]:.0f} MB |")
print(f"| new | {new[0]:.2f} s | {new[1]:.2f} s | {new[2]:.2f} s | {new[3]:.0f} MB |")
print(f"| new / old | {new[0]/old[0]:.3f} | {new[1]/old[1]:.3f} | {new[2]/old[2]:.3f} | {new[3]/old[3]:.2f} |")
PY
rm -f "$OUT"/versions-*-base.sqlite* "$OUT"/versions-*.times "$OUT/versions.key"
