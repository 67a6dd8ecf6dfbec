"""The evaluation is built by a real Celery worker over the real Redis, and survives a worker killed mid-build."""

import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.core.management import call_command
from pypdf import PdfReader

from conftest import celery_broker, redis_flush, worker_redis_url
from followup.evaluation import evaluation_for, evaluation_request_build
from followup.models import Evaluation
from pledges.models import Commitment, Pledge

BROKER = worker_redis_url("TEST_CELERY_WORKER_BROKER_URL", 14)


def start_worker():
    database = settings.DATABASES["default"]
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "CELERY_BROKER_URL": BROKER,
        # so that the killed worker's job comes back within seconds rather than an hour
        "CELERY_VISIBILITY_TIMEOUT": "2",
        "CELERY_UNACKED_RESTORE_INTERVAL": "1",
        "CELERY_UNACKED_RESTORE_THROTTLE": "1",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool",
            "solo",
            "--concurrency",
            "1",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "WARNING",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def wait_for(condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def redis_broker(reference_data):
    redis_flush(BROKER)
    with celery_broker(BROKER, broker_transport_options={"visibility_timeout": 2}):
        yield
    redis_flush(BROKER)


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_build_leaves_the_job_to_the_next_worker_which_builds_it_once(redis_broker):
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    evaluation = evaluation_for(Pledge.objects.get(external_id="norsjo-2019-2022"), 2020)
    assert evaluation_request_build(evaluation=evaluation)  # autocommit: sent at once

    def status():
        return Evaluation.objects.values_list("status", "attempts").get(pk=evaluation.pk)

    first = start_worker()
    try:
        assert wait_for(lambda: status()[0] == "building", 60), (
            first.stderr.read1().decode() if first.poll() else status()
        )
    finally:
        os.killpg(first.pid, signal.SIGKILL)  # the worker dies mid-build, its job unacknowledged
        first.wait()
    assert status() == ("building", 1)

    second = start_worker()
    try:
        assert wait_for(lambda: status()[0] == "done", 90), status()
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(timeout=30)
    evaluation.refresh_from_db()
    assert evaluation.attempts == 2
    assert evaluation.pdf.storage.exists(evaluation.pdf.name)
    # What the worker built: every commitment's wording, and the year's figures with the reasons for misses.
    with evaluation.pdf.open("rb") as handle:
        text = " ".join(" ".join(page.extract_text() for page in PdfReader(handle).pages).split())
    assert "Utvärdering 2020" in text
    for wording in Commitment.objects.filter(focus_area__pledge=evaluation.pledge).values_list("wording", flat=True):
        assert " ".join(wording.split()) in text, wording
    assert "44 av 48" not in text  # the year's figures, not the whole pledge's
    assert "Under 2020:" in text and "Polisens resurser i lokalpolisområdet omfördelades" in text
    files = evaluation.pdf.storage.listdir(f"evaluations/{evaluation.year}")[1]
    assert [name for name in files if name.startswith(evaluation.checksum[:12])] == [
        evaluation.pdf.name.rsplit("/", 1)[1]
    ]
