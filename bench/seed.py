"""Benchmark: seed the whole country (manage.py seed_scale) into its own database and print the time and size.

Run from the project folder (PostgreSQL on 127.0.0.1):

    .venv/bin/python bench/seed.py [--municipalities 290] [--years 4] [--fresh]

It uses the database bench_scale (BENCH_DATABASE_URL to change it): with --fresh it drops and creates it,
migrates and loads the reference data first. Then it runs seed_scale twice (a fresh seed and a rerun,
which first removes the earlier seed), then makes today's progress snapshots as the nightly job does, and
prints each time, the row counts and pg_database_size.
bench/progress.py and bench/http_load.py then use the same database.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres:postgres@127.0.0.1:5432/bench_scale")


def manage(*args):
    env = {**os.environ, "DATABASE_URL": URL, "DJANGO_SETTINGS_MODULE": "config.settings.local"}
    start = time.perf_counter()
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--municipalities", type=int, default=290)
    parser.add_argument("--years", type=int, default=4)
    parser.add_argument("--fresh", action="store_true", help="Drop and create the database first.")
    args = parser.parse_args()

    import psycopg

    name = URL.rsplit("/", 1)[1]
    if args.fresh:
        with psycopg.connect(URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
        manage("migrate")
        manage("load_reference_data")
    seed = ["seed_scale", "--municipalities", str(args.municipalities), "--years", str(args.years)]
    for label in ("seed", "rerun"):
        print(f"{label}: {manage(*seed):.1f} s (the whole command, start-up included)")
    # The progress snapshots as the nightly job leaves them, so that the benchmarks start where a production
    # day starts (otherwise the first request to /kommuner/ computes all of them).
    refresh = ["shell", "-c", "from followup.snapshots import refresh_all; refresh_all()"]
    print(f"snapshots of every pledge (the nightly refresh_all): {manage(*refresh):.1f} s (start-up included)")
    with psycopg.connect(URL) as db:
        counts = {
            table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("pledges_pledge", "pledges_commitment", "followup_activitylog", "followup_missedperiod")
        }
        size = db.execute("SELECT pg_size_pretty(pg_database_size(current_database()))").fetchone()[0]
        log_size = db.execute("SELECT pg_size_pretty(pg_total_relation_size('followup_activitylog'))").fetchone()[0]
    print(", ".join(f"{table}={count}" for table, count in counts.items()))
    print(f"database size {size} (followup_activitylog with its indexes {log_size})")


if __name__ == "__main__":
    main()
