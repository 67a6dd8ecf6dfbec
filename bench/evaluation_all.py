"""Benchmark: every yearly evaluation of the scale seed, built by two Celery workers over Redis.

Run from the project folder (PostgreSQL and Redis on 127.0.0.1), after `bench/seed.py --fresh`:

    .venv/bin/python bench/evaluation_all.py [--municipalities 290] [--year 2025] [--broker redis://127.0.0.1:6379/14]

It migrates the database bench_scale (BENCH_DATABASE_URL to change it), makes a signing certificate and a
MEDIA_ROOT in a temporary folder, and starts two Celery workers, each `celery -A config worker --pool prefork
--concurrency 1` (two worker processes, one child each: the production setup of the issue, "two workers"), with
the production settings against that database and broker. With every municipality it then sends the January
job itself (`followup.tasks.build_last_years_evaluations`, which queues the evaluation of last year for every
pledge active that year; --year other than last year, or fewer municipalities, queue the same per-pledge builds
from here instead). It waits for every evaluation to be done or failed and prints the number of PDFs, the total
time from queueing to the last PDF stored, the median and worst time per PDF (the task's run time as the worker
logs it), the peak resident memory of each worker (the highest of its processes; a child is replaced after
CELERY_WORKER_MAX_TASKS_PER_CHILD tasks) and the failures. The evaluations of that year are deleted before and
after the run, so bench_scale is left as it was. Not a test: the figures go into bench/README.md.
"""

import argparse
import datetime
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres:postgres@127.0.0.1:5432/bench_scale")
SUCCEEDED = re.compile(r"Task followup\.tasks\.build_evaluation\[[^\]]+\] succeeded in ([0-9.]+)s")


def environment(broker, folder: Path) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "bench-only-secret-key",
        "ALLOWED_HOSTS": "localhost",
        "DATABASE_URL": URL,
        "CELERY_BROKER_URL": broker,
        "REDIS_URL": "",  # the cache stays in each process: only the broker is shared
        "MEDIA_ROOT": str(folder / "media"),
        "SIGNING_P12_PATH": str(folder / "bench.p12"),
        "SIGNING_P12_PASSPHRASE": "bench-only-passphrase",
        "LOG_LEVEL": "WARNING",
    }


def manage(env, *args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def start_worker(env, name, log: Path):
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "prefork", "--concurrency", "1"]
    command += ["--hostname", f"{name}@%h", "--without-gossip", "--without-mingle", "--loglevel", "INFO"]
    with log.open("w") as handle:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)


def process_tree(pid) -> list[int]:
    """The process and its descendants (the prefork children), from /proc."""
    children = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo += children.get(current, [])
    return tree


def peak_rss_mib(pid) -> float:
    """The highest peak resident set (VmHWM) among the process and its children now alive."""
    peaks = []
    for member in process_tree(pid):
        try:
            status = Path(f"/proc/{member}/status").read_text()
        except OSError:
            continue
        match = re.search(r"VmHWM:\s+(\d+) kB", status)
        if match:
            peaks.append(int(match.group(1)) / 1024)
    return max(peaks, default=0.0)


def cpu_seconds(pid) -> float:
    """CPU time of the process and its children: the live ones, and those already replaced (a parent
    counts the time of the children it has reaped)."""
    total = 0.0
    for member in process_tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # utime, stime, cutime, cstime: fields 14-17 of proc(5), 11-14 after the name
        total += sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")
    return total


def wait_until_ready(logs, workers, seconds=120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if all(" ready." in log.read_text() for log in logs):
            return
        for worker in workers:
            if worker.poll() is not None:
                raise SystemExit(f"a worker stopped at start-up:\n{logs[workers.index(worker)].read_text()[-3000:]}")
        time.sleep(0.5)
    raise SystemExit("the workers did not start in time")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--municipalities", type=int, default=290, help="the first N municipalities (by kommunkod)")
    parser.add_argument("--year", type=int, help="the year to evaluate (default: last year, as the January job)")
    parser.add_argument("--broker", default=os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/14"))
    parser.add_argument("--timeout", type=int, default=30 * 60, help="give up after this many seconds")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="medborgarloften-bench-"))
    env = environment(args.broker, folder)
    os.environ.update(env)  # this process queues the jobs with the same settings as the workers
    sys.path.insert(0, str(ROOT))
    manage(env, "migrate")
    manage(env, "create_signing_certificate")

    import django

    django.setup()
    import redis
    from django.db import transaction
    from django.db.models import Count
    from django.utils import timezone

    from followup.evaluation import evaluation_for, evaluation_request_build, pledges_active_in
    from followup.models import Evaluation
    from followup.tasks import build_last_years_evaluations
    from municipalities.models import Municipality

    last_year = timezone.localdate().year - 1
    year = args.year or last_year
    municipalities = Municipality.objects.filter(pledges__isnull=False).distinct().order_by("code")
    everyone = args.municipalities >= municipalities.count()
    codes = list(municipalities.values_list("code", flat=True)[: args.municipalities])
    pledges = pledges_active_in(year)
    if not everyone:
        pledges = pledges.filter(municipalities__code__in=codes).distinct()
    pledges = list(pledges)
    pledge_ids = [pledge.pk for pledge in pledges]
    Evaluation.objects.filter(year=year, pledge__in=pledge_ids).delete()
    redis.Redis.from_url(args.broker).delete("celery")  # nothing left over from an earlier run in this db

    logs = [folder / "worker-1.log", folder / "worker-2.log"]
    workers = [start_worker(env, f"bench{n}", log) for n, log in enumerate(logs, 1)]
    peaks = [0.0, 0.0]
    try:
        wait_until_ready(logs, workers)
        cpu_at_start = sum(cpu_seconds(worker.pid) for worker in workers)
        load = os.getloadavg()
        print(f"{len(pledge_ids)} pledges active in {year} in {len(codes)} municipalities; load average {load[0]:.2f}")
        started = timezone.now()
        clock = time.perf_counter()
        if everyone and year == last_year:
            how = "the January job (build_last_years_evaluations) through the broker"
            build_last_years_evaluations.delay()
        else:
            how = "one build per pledge, queued from here"
            for pledge in pledges:
                with transaction.atomic():
                    evaluation_request_build(evaluation=evaluation_for(pledge, year))
        while True:
            peaks = [max(peak, peak_rss_mib(worker.pid)) for peak, worker in zip(peaks, workers, strict=True)]
            counts = dict(
                Evaluation.objects.filter(year=year, pledge__in=pledge_ids, queued_at__gte=started)
                .values_list("status")
                .annotate(Count("pk"))
            )
            finished = counts.get(Evaluation.Status.DONE, 0) + counts.get(Evaluation.Status.FAILED, 0)
            if finished == len(pledge_ids):
                break
            if time.perf_counter() - clock > args.timeout:
                raise SystemExit(f"gave up after {args.timeout} s: {counts}")
            for worker in workers:
                if worker.poll() is not None:
                    raise SystemExit(f"a worker stopped: {counts}")
            time.sleep(0.5)
        cpu = sum(cpu_seconds(worker.pid) for worker in workers) - cpu_at_start
        last = Evaluation.objects.filter(year=year, pledge__in=pledge_ids).order_by("-built_at").first().built_at
        total = (last - started).total_seconds() if last else time.perf_counter() - clock
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)  # warm shutdown of this worker (and its child)
        for worker in workers:
            try:
                worker.wait(timeout=60)
            except subprocess.TimeoutExpired:
                worker.kill()

    times = [float(match) for log in logs for match in SUCCEEDED.findall(log.read_text())]
    failed = Evaluation.objects.filter(year=year, pledge__in=pledge_ids, status=Evaluation.Status.FAILED)
    done = Evaluation.objects.filter(year=year, pledge__in=pledge_ids, status=Evaluation.Status.DONE)
    sizes = [evaluation.pdf.size for evaluation in done[:20]]
    print(f"queued: {how}; two workers, each --pool prefork --concurrency 1, broker {args.broker}")
    print(f"PDFs: {done.count()} (about {statistics.mean(sizes) / 1024:.0f} KiB each)" if sizes else "PDFs: 0")
    print(f"total: {total:.1f} s from queueing to the last PDF stored ({datetime.timedelta(seconds=round(total))})")
    if times:
        print(f"per PDF (task run time): median {statistics.median(times):.2f} s, worst {max(times):.2f} s")
    print(
        f"CPU time of the workers: {cpu:.1f} s, {cpu / max(len(times), 1):.2f} s per PDF (less disturbed by other load)"
    )
    print(f"peak RSS per worker: {', '.join(f'{peak:.0f} MiB' for peak in peaks)}")
    print(f"failures: {failed.count()}")
    for evaluation in failed[:5]:
        print(f"  {evaluation.pledge_id}: {evaluation.error}")
    print(f"load average at the end: {os.getloadavg()[0]:.2f}; worker logs in {folder}")
    Evaluation.objects.filter(year=year, pledge__in=pledge_ids).delete()
    shutil.rmtree(folder / "media", ignore_errors=True)


if __name__ == "__main__":
    main()
