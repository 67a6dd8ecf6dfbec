"""Benchmark: the public pages, the API and the staff dashboard under load, beside a trivial view.

    .venv/bin/python bench/http_load.py [--duration 10] [--connections 8] [--workers 3] [--rounds 1]
                                        [--pages all|public] [--gzip]

On the scale seed (bench/seed.py first). For each mode — a warm Redis cache, then caching off
(CACHE_DISABLED=true) — it starts gunicorn (production settings with bench/urls.py, which adds the
trivial view /bench/ceiling/) on 127.0.0.1 only, warms each URL, loads it with wrk from another process
for --duration seconds and prints requests/s, p50/p95/p99 latency, errors, the ratio to the ceiling and
the workers' memory before and after. The staff dashboard is that of the user with ten municipalities,
logged in by a session made here with Django's SessionStore.
"""

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PORT = 8765
ENV = {
    "DJANGO_SETTINGS_MODULE": "bench.settings",
    "SECRET_KEY": "bench-only-not-secret",
    "ALLOWED_HOSTS": "127.0.0.1",
    "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", "postgres://postgres:postgres@127.0.0.1:5432/bench_scale"),
    "SECURE_SSL_REDIRECT": "false",
    "LOG_LEVEL": "WARNING",
    # The production storage needs collected static files (with their manifest); kept out of the project.
    "STATIC_ROOT": "/tmp/medborgarloften-bench-static",
}
# What Chromium and Firefox send; wrk sends no Accept-Encoding of its own.
BROWSER_ACCEPT_ENCODING = "gzip, deflate, br, zstd"
MODES = {
    "warm cache": {"REDIS_URL": "redis://127.0.0.1:6379/3"},
    "cache off": {"CACHE_DISABLED": "true"},
}


def prepare(kommunkod):
    """The addresses to load and the session cookie of the user with ten municipalities."""
    os.environ.update(ENV)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.models import User
    from pledges.models import Pledge

    pledge = Pledge.objects.get(external_id__startswith="scale-", municipalities__code=kommunkod, status="published")
    user = User.objects.get(username="scale-tio")
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return [
        ("ceiling (trivial view)", "/bench/ceiling/", None),
        ("start page", "/", None),
        ("municipality list", "/kommuner/", None),
        ("municipality page", f"/kommuner/{kommunkod}/", None),
        ("pledge page", f"/medborgarloften/{pledge.pk}/", None),
        ("API pledges, page of 50", "/api/v1/pledges/?page_size=50", None),
        ("staff dashboard, 10 municipalities", "/hantera/", f"sessionid={session.session_key}"),
    ]


def worker_rss(master_pid):
    """{pid: RSS in MiB} of gunicorn's workers."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    rss = {}
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss[int(pid)] = int(line.split()[1]) / 1024
    return rss


def fetch(path, cookie, accept_gzip=False):
    headers = {"Cookie": cookie} if cookie else {}
    if accept_gzip:
        headers["Accept-Encoding"] = BROWSER_ACCEPT_ENCODING
    request = urllib.request.Request(f"http://127.0.0.1:{PORT}{path}", headers=headers)
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.status


def load(path, cookie, args) -> dict:
    """One wrk run against path: requests/s, p50/p95/p99 in ms, errors, KB per response."""
    threads = min(2, args.connections)  # wrk needs at least one connection per thread
    wrk = ["wrk", f"-t{threads}", f"-c{args.connections}", f"-d{args.duration}s", "--timeout", "10s"]
    wrk += ["-s", str(ROOT / "bench/report.lua")]
    if cookie:
        wrk += ["-H", f"Cookie: {cookie}"]
    if args.gzip:
        wrk += ["-H", f"Accept-Encoding: {BROWSER_ACCEPT_ENCODING}"]
    output = subprocess.run([*wrk, f"http://127.0.0.1:{PORT}{path}"], capture_output=True, text=True, check=True)
    result = json.loads(output.stdout.strip().splitlines()[-1])
    result["rps"] = result["requests"] / result["seconds"]
    result["kb"] = result["bytes"] / max(result["requests"], 1) / 1024
    return result


def run_mode(mode, urls, args):
    env = {**os.environ, **ENV, **MODES[mode]}
    command = [
        str(ROOT / ".venv/bin/gunicorn"),
        "config.wsgi",
        "--bind",
        f"127.0.0.1:{PORT}",
        "--workers",
        str(args.workers),
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        for _attempt in range(100):
            try:
                fetch("/bench/ceiling/", None)
                break
            except OSError:
                time.sleep(0.2)
        if mode == "warm cache":
            subprocess.run(["redis-cli", "-n", "3", "FLUSHDB"], check=True, stdout=subprocess.DEVNULL)
        for _label, path, cookie in urls:
            for _warm in range(args.workers * 3):  # every worker: connection, imports, its cache
                assert fetch(path, cookie, args.gzip) == 200, path
        runs = {label: [] for label, _path, _cookie in urls}
        rss = {}
        # Round after round over every address, so that a slow spell of the machine (a shared VM) touches
        # every address alike; each figure printed is the median of the rounds.
        for _round in range(args.rounds):
            for label, path, cookie in urls:
                before = worker_rss(server.pid)
                runs[label].append(load(path, cookie, args))
                after = worker_rss(server.pid)
                rss.setdefault(label, [max(before.values()), 0])[1] = max(after.values())
        results = {}
        for label, measured in runs.items():
            results[label] = {key: statistics.median(run[key] for run in measured) for key in measured[0]}
            results[label]["errors"] = sum(run["errors"] for run in measured)
            results[label]["non2xx"] = sum(run["non2xx"] for run in measured)
            results[label]["rss"] = rss[label]
        ceiling = results["ceiling (trivial view)"]["rps"]
        print(
            f"\n{mode} — gunicorn {args.workers} workers, "
            f"wrk {min(2, args.connections)} threads {args.connections} connections {args.duration} s"
            + (f", median of {args.rounds} rounds" if args.rounds > 1 else "")
            + (f", Accept-Encoding: {BROWSER_ACCEPT_ENCODING}" if args.gzip else "")
        )
        print(
            f"{'':38} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7} {'ratio':>6} "
            f"{'RSS MiB':>12} {'KB/resp':>8}"
        )
        for label, r in results.items():
            print(
                f"{label:38} {r['rps']:8.0f} {r['p50']:8.1f} {r['p95']:8.1f} {r['p99']:8.1f} "
                f"{r['errors'] + r['non2xx']:7d} {r['rps'] / ceiling:6.0%} {r['rss'][0]:5.0f}→{r['rss'][1]:<5.0f} "
                f"{r['kb']:8.1f}"
            )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=1, help="load every address this many times, print medians")
    parser.add_argument("--kommunkod", default="2417")
    parser.add_argument("--mode", choices=[*MODES, "both"], default="both")
    parser.add_argument(
        "--gzip",
        action="store_true",
        help="send the Accept-Encoding header every browser sends (to every address, the ceiling included)",
    )
    parser.add_argument(
        "--pages", choices=["all", "public"], default="all", help="public: the ceiling and the public pages only"
    )
    args = parser.parse_args()
    urls = prepare(args.kommunkod)
    if args.pages == "public":
        urls = [url for url in urls if url[2] is None and not url[1].startswith("/api/")]
    for mode in MODES if args.mode == "both" else [args.mode]:
        run_mode(mode, urls, args)


if __name__ == "__main__":
    main()
