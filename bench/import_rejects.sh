#!/usr/bin/env bash
# Peak memory of imports that refuse rows (`--skip-invalid`): the refused
# rows go to the reject file as they come, and only what the messages need
# is kept. Two files:
#   * N native assignments (default 1M, bench/gen_assignments.py), every
#     10th refused (a level no registry knows): target peak RSS under 100 MB;
#   * 200 rows of 900 KB each, all refused (a title far over its limit).
# Each is imported into a copy of the demo registry, once, under GNU time;
# the counts and the reject file are checked. Results go to
# bench/out/import-rejects.md (also printed).
#
#   bash bench/import_rejects.sh            # 1M rows
#   bash bench/import_rejects.sh 100000
set -euo pipefail
cd "$(dirname "$0")/.."

n=${1:-1000000}
OUT=bench/out
mkdir -p "$OUT"
[ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
command -v sqlite3 >/dev/null || { apt-get update -qq && apt-get install -y -qq sqlite3 >/dev/null; }

cargo build --release --quiet
IPART=$PWD/target/release/ipart
export IPART_TODAY=2024-01-15 NO_COLOR=1

base=$OUT/demo.sqlite
rm -f "$base" "$base"-wal "$base"-shm
"$IPART" --db "$base" --quiet init --demo

# Imports FILE with --skip-invalid into a fresh copy of the demo registry;
# prints "seconds peak_rss_kb added rejected reject_file_lines".
run() {
    local csv=$1 db=$OUT/rejects.sqlite log
    local rejects="${csv%.csv}.rejected.csv"
    rm -f "$db" "$db"-wal "$db"-shm "$rejects"
    cp "$base" "$db"
    log=$(mktemp)
    /usr/bin/time -f "%e %M" -o "$log" "$IPART" --db "$db" --quiet import assignments "$csv" --skip-invalid \
        >/dev/null 2>"$log.err" || { cat "$log.err" >&2; exit 1; }
    local batch
    batch=$(sqlite3 "$db" "SELECT added || ' ' || rejected FROM import_batch ORDER BY id DESC LIMIT 1")
    echo "$(cat "$log") $batch $(wc -l < "$rejects")"
    rm -f "$log" "$log.err" "$db" "$db"-wal "$db"-shm "$rejects"
}

refused=$OUT/assignments-$n-refused.csv
[ -s "$refused" ] || python3 bench/gen_assignments.py "$n" --refuse-every 10 > "$refused"
long=$OUT/long-refused-rows.csv
if [ ! -s "$long" ]; then
    python3 - "$long" <<'PY'
import sys
header = "source,external_id,title,kind,level,theme,government_partner,education_partner,lab,students,starts_on,ends_on,status_history"
with open(sys.argv[1], "w") as f:
    f.write(header + "\n")
    for i in range(200):
        f.write(f"sis,L{i},{'x' * 900_000},internship,HBO,data-ai,Belastingdienst,De Haagse Hogeschool,,2,"
                "2023-02-01,2023-06-30,2023-01-10=preparation\n")
PY
fi

{
    echo "| file | rows | added | refused | reject file lines | time | peak RSS |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
} > "$OUT/import-rejects.md"
for csv in "$refused" "$long"; do
    read -r t rss added rejected lines < <(run "$csv")
    rows=$((added + rejected))
    [ "$lines" -gt "$rejected" ] || { echo "$csv: the reject file has $lines lines for $rejected refused rows" >&2; exit 1; }
    printf '| %s | %s | %s | %s | %s | %.2f s | %d MB |\n' "$(basename "$csv")" "$rows" "$added" "$rejected" "$lines" \
        "$t" "$((rss / 1024))" >> "$OUT/import-rejects.md"
done
echo >> "$OUT/import-rejects.md"
echo "One run each, release build. Machine: $(nproc) cores, $(uname -m); $(date -u +%Y-%m-%d)." >> "$OUT/import-rejects.md"
cat "$OUT/import-rejects.md"
