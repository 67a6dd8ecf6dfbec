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


@pytest.fixture
def page(browser, live_server, reference_data):
    """A fresh browser page (its own cookies) whose relative addresses go to the live server."""
    context = browser.new_context(base_url=live_server.url, locale="sv-SE", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
