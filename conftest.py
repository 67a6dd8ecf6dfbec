import contextlib
import os

import pytest
from django.core.management import call_command

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _load_reference_data():
    with open(os.devnull, "w") as quiet:
        call_command("load_reference_data", stdout=quiet)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database holds the reference data (290 municipalities, regions, police areas),
    as every real installation does. Tests roll back their own writes on top of it."""
    with django_db_blocker.unblock():
        _load_reference_data()


@pytest.fixture(scope="session", autouse=True)
def signing_certificate():
    """A self-signed signing certificate for this test process (config.settings.test names the file)."""
    with open(os.devnull, "w") as quiet:
        call_command("create_signing_certificate", stdout=quiet)


@pytest.fixture
def reference_data(transactional_db):
    """For transactional tests (the browser tests): a previous one's flush removed the reference
    data, so load it again (pytest-django runs these after all other tests)."""
    _load_reference_data()


@pytest.fixture(scope="session")
def browser():
    """Headless Debian chromium driven by playwright (playwright cannot download its own here)."""
    from playwright.sync_api import sync_playwright

    # The live server runs in this process; playwright's sync API would otherwise make Django
    # refuse database access from "an async context".
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _new_page(browser, live_server, **options):
    context = browser.new_context(
        base_url=live_server.url, locale="sv-SE", viewport={"width": 1280, "height": 900}, **options
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


@pytest.fixture
def page(browser, live_server, reference_data):
    """A fresh browser page (its own cookies) whose relative addresses go to the live server."""
    context, page = _new_page(browser, live_server)
    yield page
    context.close()


@pytest.fixture
def page_for_injected_tools(browser, live_server, reference_data):
    """A page whose Content-Security-Policy lets a test inject its own script (axe-core): the site's
    policy rightly refuses inline scripts."""
    context, page = _new_page(browser, live_server, bypass_csp=True)
    yield page
    context.close()


def worker_redis_url(env_var, default_db):
    """A Redis database of this pytest-xdist worker's own, so that two workers' Celery test workers never
    take each other's tasks (and run them against the other's test database).

    The database number comes from `env_var` (or `default_db`) and moves down by two per worker
    (gw0: 15 and 14, gw1: 13 and 12 for the two defaults), so that parallel runs with their own variables
    stay apart too."""
    url = os.environ.get(env_var, f"redis://127.0.0.1:6379/{default_db}")
    base, _, db = url.rpartition("/")
    index = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    return f"{base}/{(int(db or 0) - 2 * index) % 16}"


def redis_flush(url):
    """Empty a test broker database: a killed earlier run may have left tasks in it."""
    import redis

    client = redis.Redis.from_url(url, socket_timeout=5)
    try:
        client.flushdb()
    finally:
        client.close()


@contextlib.contextmanager
def celery_broker(url, **conf):
    """Point the Celery app of this process at a real broker for the duration (tests run eager by default).

    The app caches its producer pool and result backend from the first use, so those are dropped
    on the way in and out."""
    import kombu.pools

    from config.celery import app

    def reset():
        vars(app._local).pop("backend", None)
        if app._pool is not None:
            app._pool.force_close_all()
            app._pool = None
        app.amqp._producer_pool = None
        # A stopped worker closes kombu's shared producer pool, which the next test would get back.
        kombu.pools.reset()

    saved = {key: app.conf[key] for key in ("broker_url", "result_backend", "task_always_eager", *conf)}
    app.conf.update(broker_url=url, result_backend=url, task_always_eager=False, **conf)
    reset()
    try:
        yield app
    finally:
        app.conf.update(saved)
        reset()


@pytest.fixture
def celery_worker(reference_data):
    """A real Celery worker (a thread of this process) consuming from the real Redis on 127.0.0.1.

    Tasks sent with .delay() go through Redis to it; it uses its own database connection, so the test
    must commit its data (transactional tests)."""
    from celery.contrib.testing.worker import start_worker

    broker = worker_redis_url("TEST_CELERY_BROKER_URL", 15)
    redis_flush(broker)
    with (
        celery_broker(broker) as app,
        start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker,
    ):
        yield worker
