"""Benchmark: build the evaluation PDF of one four-year pledge with 20 commitments (weekly entries).

Run from the project folder (PostgreSQL on 127.0.0.1, like the tests):

    DJANGO_SETTINGS_MODULE=config.settings.test .venv/bin/python bench/evaluation_pdf.py [--runs 7]

It creates its own database (bench_evaluation), fills it, builds the PDF --runs times in this process
(collect, render, sign: what the worker does) and prints the median and worst time, the median CPU
time of the process (less disturbed than the wall time when other processes share the cores), the
median of each step, and the peak memory of the process. `--profile FILE` also writes a cProfile of
one more build (read it with `python -m pstats FILE`). Not a test: the figures go into bench/README.md.
"""

import argparse
import cProfile
import datetime
import io
import os
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres:postgres@127.0.0.1:5432/bench_evaluation"
)

import django


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--profile", metavar="FILE", help="write a cProfile of one more build to FILE")
    args = parser.parse_args()

    import psycopg

    url = os.environ["DATABASE_URL"]
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_reference_data", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    call_command("create_signing_certificate", stdout=open(os.devnull, "w"))  # noqa: SIM115

    from pypdf import PdfReader

    from followup.evaluation import evaluation_context, evaluation_for
    from followup.models import ActivityLog
    from municipalities.models import Municipality, Organisation
    from pledges.models import Commitment, FocusArea, Pledge
    from pledges.pdf import render_pdf, sign_pdf

    pledge = Pledge.objects.create(
        external_id="bench",
        title="Benchmark: fyra år, 20 åtaganden",
        status="published",
        period_start=datetime.date(2019, 1, 1),
        period_end=datetime.date(2022, 12, 31),
    )
    pledge.municipalities.add(Municipality.objects.get(code="2417"))
    police = Organisation.objects.create(name="Polisen", kind="police")
    units = ["week", "month", "quarter", "year", "day"]
    logs = []
    for area_number in range(5):
        area = FocusArea.objects.create(
            pledge=pledge, key=f"area-{area_number}", order=area_number, title=f"Fokusområde {area_number + 1}"
        )
        for number in range(4):
            commitment = Commitment.objects.create(
                focus_area=area,
                key=f"c-{area_number}-{number}",
                order=number,
                title=f"Åtagande {number + 1}",
                wording="Minst 1 gång per period",
                target_kind="quantity",
                comparison="at_least",
                quantity=1,
                interval=1,
                unit=units[(area_number * 4 + number) % 5],
            )
            commitment.responsible.add(police)
            logs += [
                ActivityLog(commitment=commitment, performed_on=datetime.date(2019, 1, 7) + datetime.timedelta(weeks=w))
                for w in range(208)
            ]
    ActivityLog.objects.bulk_create(logs)
    evaluation = evaluation_for(pledge, 2021)

    def build():
        """What the worker does, step by step: {step: (wall, CPU)} and the PDF."""
        steps, clock = {}, (time.perf_counter(), time.process_time())

        def step(name):
            nonlocal clock
            now = (time.perf_counter(), time.process_time())
            steps[name] = (now[0] - clock[0], now[1] - clock[1])
            clock = now

        context = evaluation_context(evaluation)
        step("collect")
        pdf = render_pdf("pdf/evaluation.html", context)
        step("render")
        pdf = sign_pdf(pdf, reason="benchmark")
        step("sign")
        return steps, pdf

    load_at_start = os.getloadavg()
    runs = []
    for _run in range(args.runs):
        steps, pdf = build()
        runs.append(steps)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    print(
        f"evaluation PDF, 4-year pledge, 20 commitments, {len(logs)} entries: {pages} pages, {len(pdf) / 1024:.0f} KiB"
    )
    wall = [sum(w for w, _cpu in steps.values()) for steps in runs]
    cpu = [sum(c for _w, c in steps.values()) for steps in runs]
    print(
        f"runs={args.runs} median={statistics.median(wall):.2f}s worst={max(wall):.2f}s "
        f"cpu_median={statistics.median(cpu):.2f}s peak_rss={peak_mib:.0f} MiB"
    )
    medians = {
        name: (statistics.median(s[name][0] for s in runs), statistics.median(s[name][1] for s in runs))
        for name in runs[0]
    }
    print("steps (median wall / CPU): " + ", ".join(f"{n} {w:.2f}/{c:.2f}s" for n, (w, c) in medians.items()))
    print(f"load average at the start {load_at_start[0]:.2f}, at the end {os.getloadavg()[0]:.2f}")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(build)
        profiler.dump_stats(args.profile)
        print(f"profile of one build written to {args.profile}")


if __name__ == "__main__":
    main()
