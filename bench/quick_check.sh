#!/usr/bin/env bash
# What SQLite's quick check costs, and what ipart's writes cost with it.
# ipart refuses to write to a registry that fails the quick check; on a
# registry of up to 8 MB it runs the check before every write, on a larger
# one before bulk writes only (imports, their undoing, vacuum). For the demo
# registry and registries of 10k, 100k and 1M assignments (made as
# bench/report.sh makes them, with bench/make_registry.sql), best of RUNS:
#   * `PRAGMA quick_check` in the sqlite3 shell;
#   * `ipart partner add` (a typed write);
#   * `ipart import partners` of a one-row file (a bulk write: the whole
#     file is checked first, whatever its size).
# Results go to bench/out/quick-check.md (also printed).
#
#   bash bench/quick_check.sh
#   SIZES="10000 100000" RUNS=5 bash bench/quick_check.sh
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES:-"10000 100000 1000000"}
RUNS=${RUNS:-3}
OUT=bench/out
mkdir -p "$OUT"
command -v sqlite3 >/dev/null || { apt-get update -qq && apt-get install -y -qq sqlite3 >/dev/null; }

cargo build --release --quiet
IPART=$PWD/target/release/ipart
export IPART_TODAY=2025-03-01 NO_COLOR=1

demo=$OUT/quick-check-demo.sqlite
rm -f "$demo" && "$IPART" --db "$demo" init --demo -q
files=("$demo")
for n in $SIZES; do
    big=$OUT/report-$n.sqlite
    if [ ! -f "$big" ]; then
        echo "building $big ($n assignments) ..." >&2
        "$IPART" --db "$big.tmp" init --demo -q
        sqlite3 "$big.tmp" "CREATE TEMP TABLE bench_size AS SELECT $n AS n;" ".read bench/make_registry.sql" >/dev/null
        mv "$big.tmp" "$big"
    fi
    files+=("$big")
done

python3 - "$IPART" "$RUNS" "$OUT/quick-check.md" "${files[@]}" <<'PY'
import os, shutil, subprocess, sys, tempfile, time

ipart, runs, out, files = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:]

def best(command):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return min(times)

lines = ["| registry | assignments | size | sqlite3 quick_check | ipart partner add | ipart import (1 row) |",
         "|---|---:|---:|---:|---:|---:|"]
work = tempfile.mkdtemp()
row = os.path.join(work, "row.csv")
counter = iter(range(10**9))
for path in files:
    # A private copy: the adds and imports below write to it.
    db = os.path.join(work, "registry.sqlite")
    shutil.copy(path, db)
    subprocess.run([ipart, "--db", db, "-q", "partner", "list"], check=True, stdout=subprocess.DEVNULL)
    n = subprocess.run(["sqlite3", db, "SELECT count(*) FROM assignment"], check=True, capture_output=True,
                       text=True).stdout.strip()
    size = os.path.getsize(db) / 2**20
    check = best(["sqlite3", db, "PRAGMA quick_check;"])
    times = []
    for _ in range(runs):
        name = f"Bench partner {next(counter)}"
        start = time.perf_counter()
        subprocess.run([ipart, "--db", db, "-q", "partner", "add", name, "--sector", "other"], check=True,
                       stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    add = min(times)
    times = []
    for _ in range(runs):
        with open(row, "w") as f:
            f.write(f"name,sector\nBench import {next(counter)},other\n")
        start = time.perf_counter()
        subprocess.run([ipart, "--db", db, "-q", "import", "partners", row], check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    imp = min(times)
    lines.append(f"| {os.path.basename(path)} | {int(n):,} | {size:.0f} MB | {check:.3f} s | {add:.3f} s | {imp:.3f} s |")
shutil.rmtree(work)
lines += ["", f"Best of {runs} runs, release build. Machine: {os.cpu_count()} cores; "
          f"{time.strftime('%Y-%m-%d', time.gmtime())}."]
with open(out, "w") as f:
    f.write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
