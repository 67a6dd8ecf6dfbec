"""Benchmark: the backups of README.md ("Backups") on the scale seed, timed and sized.

Run from the project folder (PostgreSQL on 127.0.0.1), after bench/seed.py --fresh:

    .venv/bin/python bench/backup.py

On the database bench_scale (BENCH_DATABASE_URL to change it) it runs, as the README says:

1. ``pg_dump --format=custom`` of the database;
2. ``pg_restore --no-owner`` of that dump into a new, empty database (bench_scale_restored, dropped again at the
   end), then compares the row count of every table of the two databases: any difference is an error;
3. ``manage.py export_all`` (the portable copy in the pledge document format), and the size of that folder
   packed with ``tar czf``.

It prints the time and the size of each, and the row counts of the main tables. Files go to a temporary folder
that is removed at the end.
"""

import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres:postgres@127.0.0.1:5432/bench_scale")
SERVER, NAME = URL.rsplit("/", 1)
RESTORED = f"{NAME}_restored"
MAIN_TABLES = [
    "pledges_pledge",
    "pledges_commitment",
    "followup_activitylog",
    "followup_missedperiod",
    "dialogues_finding",
    "accounts_user",
    "municipalities_membership",
]


def timed(command, **options):
    start = time.perf_counter()
    subprocess.run(command, check=True, **options)
    return time.perf_counter() - start


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def mib(size: int) -> str:
    return f"{size / 2**20:,.1f} MiB"


def row_counts(url):
    """{table: rows} for every table of the public schema."""
    with psycopg.connect(url) as db:
        tables = [
            row[0]
            for row in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            ).fetchall()
        ]
        return {table: db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables}


def recreate(name, *, drop_only=False):
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if not drop_only:
            admin.execute(f'CREATE DATABASE "{name}"')


def main():
    try:
        with psycopg.connect(URL) as db:
            database_size = db.execute("SELECT pg_database_size(current_database())").fetchone()[0]
            server_version = db.execute("SHOW server_version").fetchone()[0]
    except psycopg.OperationalError as exc:
        sys.exit(f"{NAME} cannot be opened ({exc}); make it first with: .venv/bin/python bench/seed.py --fresh")

    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    print(f"{date.today()}, {os.cpu_count()} cores, {memory:.0f} GiB, {platform.system()} {platform.release()}")
    print(f"PostgreSQL {server_version}; {NAME}: {mib(database_size)} on disk")

    results = []
    work = Path(tempfile.mkdtemp(prefix="mbl-backup-bench-"))
    try:
        dump = work / "medborgarloften.dump"
        seconds = timed(["pg_dump", "--format=custom", f"--file={dump}", URL])
        results.append(("pg_dump --format=custom", seconds, mib(dump.stat().st_size), "one file"))

        recreate(RESTORED)
        restored_url = f"{SERVER}/{RESTORED}"
        seconds = timed(["pg_restore", "--no-owner", f"--dbname={restored_url}", str(dump)])
        original, restored = row_counts(URL), row_counts(restored_url)
        differences = {t: (original.get(t), restored.get(t)) for t in original.keys() | restored.keys()}
        differences = {t: counts for t, counts in differences.items() if counts[0] != counts[1]}
        verdict = f"row counts of all {len(original)} tables equal" if not differences else "DIFFERENT"
        with psycopg.connect(restored_url) as db:
            restored_size = db.execute("SELECT pg_database_size(current_database())").fetchone()[0]
        results.append(("pg_restore into an empty database", seconds, mib(restored_size), verdict))

        export = work / "export"
        env = {**os.environ, "DATABASE_URL": URL, "DJANGO_SETTINGS_MODULE": "config.settings.local"}
        seconds = timed(
            [sys.executable, "manage.py", "export_all", str(export)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL
        )
        files = sum(1 for _file in export.rglob("*") if _file.is_file())
        results.append(("manage.py export_all", seconds, mib(folder_size(export)), f"{files} files"))
        packed = work / "export.tar.gz"
        seconds = timed(["tar", "czf", str(packed), "-C", str(export), "."])
        results.append(("  tar czf of that folder", seconds, mib(packed.stat().st_size), "one file"))
    finally:
        recreate(RESTORED, drop_only=True)
        shutil.rmtree(work, ignore_errors=True)

    print(f"\nload average after the run (other processes on the cores): {os.getloadavg()[0]:.1f}")
    print(f"\n{'step':36} {'seconds':>8} {'size':>12}  note")
    for step, seconds, size, note in results:
        print(f"{step:36} {seconds:8.1f} {size:>12}  {note}")
    print("\n" + ", ".join(f"{table} {original[table]:,}" for table in MAIN_TABLES if table in original))
    if differences:
        for table, (before, after) in sorted(differences.items()):
            print(f"{table}: {before} rows in {NAME}, {after} after the restore")
        sys.exit("the restored database differs")


if __name__ == "__main__":
    main()
