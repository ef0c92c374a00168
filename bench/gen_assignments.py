#!/usr/bin/env python3
"""Writes N assignments in the native CSV format of `ipart import`, made to
fit the demo registry (its partners, themes and levels), to standard output.

    python3 bench/gen_assignments.py 100000 > assignments-100k.csv
    python3 bench/gen_assignments.py 100000 --refuse-every 10 > with-refused-rows.csv

With --refuse-every K, every K-th row has a level no registry knows ("PhD"),
so `ipart import --skip-invalid` refuses it (bench/import_rejects.sh).

Deterministic (fixed seed), so every run times the same file."""

import csv
import datetime
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEMO = os.path.join(HERE, "..", "fixtures", "demo", "partners.csv")


def main():
    n = int(sys.argv[1])
    refuse_every = int(sys.argv[3]) if len(sys.argv) > 3 and sys.argv[2] == "--refuse-every" else 0
    rng = random.Random(20240115)
    government, education = [], []
    with open(DEMO, newline="", encoding="utf-8") as f:
        for p in csv.DictReader(f):
            (government if p["sector"] == "government" else education).append(p)
    themes = ["data-ai", "cybersecurity", "information-management", "blockchain", "software-development",
              "process-optimisation"]
    kinds = ["internship", "graduation", "group", "hackathon"]
    words = ["Datakwaliteit", "Archivering", "Dashboard", "Pentest", "Procesanalyse", "Chatbot", "Zaaksysteem",
             "Risicomodel", "Open data", "Toegankelijkheid"]
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["source", "external_id", "title", "kind", "level", "theme", "government_partner",
                  "education_partner", "lab", "students", "starts_on", "ends_on", "status_history"])
    start = datetime.date(2019, 1, 1)
    for i in range(1, n + 1):
        gov = rng.choice(government)
        edu = rng.choice(education)
        registered = start + datetime.timedelta(days=rng.randrange(0, 5 * 365))
        begins = registered + datetime.timedelta(days=rng.randrange(14, 70))
        ends = begins + datetime.timedelta(days=rng.randrange(60, 180))
        history = [f"{registered}=preparation"]
        fate = rng.random()
        if fate < 0.85:
            history.append(f"{begins}=in_progress")
            if fate < 0.7:
                history.append(f"{ends}=completed")
        else:
            history.append(f"{begins}=cancelled")
        out.writerow(["bench", f"B-{i:07d}", f"{rng.choice(words)} bij {gov['short_name'] or gov['name']} {i}",
                      rng.choice(kinds), "PhD" if refuse_every and i % refuse_every == 0 else edu["level"],
                      rng.choice(themes), gov["name"], edu["name"], "",
                      rng.randrange(1, 4), begins, ends, "|".join(history)])


if __name__ == "__main__":
    main()
