"""Tests that share a service are kept apart per pytest-xdist worker (a race seen in CI: one worker's
Celery test worker took the other's task and ran it against the other's test database)."""

from django.conf import settings

from conftest import worker_redis_url


def test_each_xdist_worker_has_its_own_broker_databases(monkeypatch):
    seen = {}
    for worker in ("gw0", "gw1"):
        monkeypatch.setenv("PYTEST_XDIST_WORKER", worker)
        seen[worker] = {
            worker_redis_url("TEST_CELERY_BROKER_URL_UNSET", 15),
            worker_redis_url("TEST_CELERY_WORKER_BROKER_URL_UNSET", 14),
        }
    assert seen["gw0"] == {"redis://127.0.0.1:6379/15", "redis://127.0.0.1:6379/14"}
    assert seen["gw1"] == {"redis://127.0.0.1:6379/13", "redis://127.0.0.1:6379/12"}


def test_a_given_broker_address_moves_per_worker_too(monkeypatch):
    monkeypatch.setenv("TEST_CELERY_BROKER_URL", "redis://127.0.0.1:6379/9")
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw1")
    assert worker_redis_url("TEST_CELERY_BROKER_URL", 15) == "redis://127.0.0.1:6379/7"


def test_uploaded_files_and_signing_keys_live_in_this_workers_own_folder():
    import os

    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    assert settings.MEDIA_ROOT.name == worker
    assert settings.SIGNING_P12_PATH.name == f"{worker}.p12"
