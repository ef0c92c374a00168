#!/usr/bin/env python3
"""Benchmark of `ipart db check|backup|restore|vacuum` against SQLite's own
tools doing the same on the same file, in the same run.

The registry is the demo registry grown with plain SQL to ASSIGNMENTS
assignments (each with a status history of two changes), then each command
is timed (best of ROUNDS wall-clock runs) next to its peer:

  db check    vs  sqlite3: PRAGMA integrity_check + PRAGMA foreign_key_check
                  (ipart runs these too, then its own rules)
  db backup   vs  sqlite3 .backup (the same online backup API)
  db restore  vs  sqlite3 .restore (a backup into the live file; ipart also
                  checks the file first and keeps a copy of the old registry)
  db vacuum   vs  sqlite3 VACUUM

Usage: bench/db.py [ASSIGNMENTS]   (default 200000; needs sqlite3 on PATH)
Writes the table to bench/out/db.md.
"""
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ASSIGNMENTS = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
ROUNDS = 3
IPART = os.path.join(ROOT, "target", "release", "ipart")
ENV = dict(os.environ, IPART_TODAY="2024-01-15", NO_COLOR="1")


def run(args):
    subprocess.run(args, check=True, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def best(setup, action):
    times = []
    for _ in range(ROUNDS):
        setup()
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def grow(path):
    conn = sqlite3.connect(path)
    have = conn.execute("SELECT count(*) FROM assignment").fetchone()[0]
    conn.executescript(f"""
        BEGIN;
        INSERT INTO assignment (title, kind, level, theme_id, government_partner_id, education_partner_id, students,
                                starts_on, ends_on)
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {ASSIGNMENTS - have})
        SELECT 'Opdracht ' || i, a.kind, a.level, a.theme_id, a.government_partner_id, a.education_partner_id,
               a.students, a.starts_on, a.ends_on
        FROM n JOIN assignment a ON a.id = 1 + (n.i % {have});
        -- assignment_status names its ids (schema step 5): the largest one plus one, in order.
        INSERT INTO assignment_status (id, assignment_id, status, since)
        SELECT (SELECT max(id) FROM assignment_status) + row_number() OVER (ORDER BY id), id, 'preparation',
               '2023-01-' || printf('%02d', 1 + id % 28) FROM assignment WHERE id > {have};
        INSERT INTO assignment_status (id, assignment_id, status, since)
        SELECT (SELECT max(id) FROM assignment_status) + row_number() OVER (ORDER BY id), id, 'completed',
               '2023-11-' || printf('%02d', 1 + id % 28) FROM assignment WHERE id > {have};
        COMMIT;
    """)
    conn.close()


def main():
    if not shutil.which("sqlite3"):
        sys.exit("sqlite3 is needed as the peer (apt-get install sqlite3)")
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    work = tempfile.mkdtemp(prefix="ipart-bench-")
    base = os.path.join(work, "base.sqlite")
    run([IPART, "--quiet", "--db", base, "init", "--demo"])
    grow(base)
    reg = os.path.join(work, "registry.sqlite")
    copy = os.path.join(work, "copy.sqlite")
    size = os.path.getsize(base)

    def fresh():
        for p in os.listdir(work):
            if p != "base.sqlite":
                os.remove(os.path.join(work, p))
        shutil.copy(base, reg)

    def fresh_with_copy():
        fresh()
        shutil.copy(base, copy)

    rows = [
        ("db check", best(fresh, lambda: run([IPART, "--quiet", "--db", reg, "db", "check"])),
         best(fresh, lambda: run(["sqlite3", reg, "PRAGMA integrity_check; PRAGMA foreign_key_check;"])),
         "sqlite3 integrity_check + foreign_key_check"),
        ("db backup", best(fresh, lambda: run([IPART, "--quiet", "--db", reg, "db", "backup", copy])),
         best(fresh, lambda: run(["sqlite3", reg, f".backup {copy}"])), "sqlite3 .backup"),
        ("db restore", best(fresh_with_copy, lambda: run([IPART, "--quiet", "--db", reg, "db", "restore", copy])),
         best(fresh_with_copy, lambda: run(["sqlite3", reg, f".restore {copy}"])), "sqlite3 .restore"),
        ("db vacuum", best(fresh, lambda: run([IPART, "--quiet", "--db", reg, "db", "vacuum"])),
         best(fresh, lambda: run(["sqlite3", reg, "VACUUM"])), "sqlite3 VACUUM"),
    ]
    lines = [
        f"`bench/db.py {ASSIGNMENTS}`: a registry of {ASSIGNMENTS} assignments ({size / 1e6:.0f} MB), "
        f"best of {ROUNDS} runs, release build, {os.cpu_count()} cores",
        "",
        "| command | ipart (s) | peer (s) | ratio | peer |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for name, ours, theirs, peer in rows:
        lines.append(f"| `{name}` | {ours:.2f} | {theirs:.2f} | {ours / theirs:.2f} | {peer} |")
    table = "\n".join(lines)
    print(table)
    out = os.path.join(ROOT, "bench", "out")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "db.md"), "w") as f:
        f.write(table + "\n")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
