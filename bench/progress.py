"""Benchmark: the progress service on the scale seed (bench/seed.py first).

    .venv/bin/python bench/progress.py [--runs 20] [--kommunkod 2417]

Prints the queries and the median and worst time of pledge_progress for the running four-year pledge of one
municipality (20 commitments), and of pledges_progress for all public pledges of that municipality, and the
same for every public pledge of the country at once (what /kommuner/ computes).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres:postgres@127.0.0.1:5432/bench_scale"
)
os.environ["DEBUG"] = "false"
os.environ.setdefault("SECRET_KEY", "bench")

import django


def measure(label, function, runs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    function()  # warm: connection, imports
    times = []
    for _run in range(runs):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            function()
            times.append((time.perf_counter() - start) * 1000)
    print(f"{label}: queries={len(queries)} median={statistics.median(times):.1f} ms worst={max(times):.1f} ms")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--kommunkod", default="2417")
    args = parser.parse_args()
    django.setup()
    from followup.models import ActivityLog
    from followup.progress import pledge_progress, pledges_progress
    from pledges.models import Commitment, Pledge

    pledge = Pledge.objects.get(
        external_id__startswith="scale-", municipalities__code=args.kommunkod, status="published"
    )
    commitments = Commitment.objects.filter(focus_area__pledge=pledge).count()
    logs = ActivityLog.objects.filter(commitment__focus_area__pledge=pledge).count()
    print(
        f"pledge {pledge.pk} «{pledge.title}» {pledge.period_start}–{pledge.period_end}: "
        f"{commitments} commitments, {logs} entries"
    )
    measure("pledge_progress, one four-year pledge", lambda: pledge_progress(pledge), args.runs)
    mine = list(Pledge.objects.public().filter(municipalities__code=args.kommunkod))
    measure(f"pledges_progress, the {len(mine)} pledges of {args.kommunkod}", lambda: pledges_progress(mine), args.runs)
    everything = list(Pledge.objects.public())
    measure(
        f"pledges_progress, all {len(everything)} public pledges",
        lambda: pledges_progress(everything),
        max(args.runs // 5, 3),
    )


if __name__ == "__main__":
    main()
