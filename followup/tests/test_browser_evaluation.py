"""The "Build" button of the evaluation page, in the browser, with a real Celery worker over Redis:
the progress shows the job's stage and then the download link (or the error), without a reload."""

import contextlib
import datetime

import psycopg
import pytest
from django.db import connection

from followup.models import ActivityLog
from municipalities.models import Membership, Organisation
from municipalities.tests.factories import UserFactory, municipality
from pledges.tests.factories import CommitmentFactory, FocusAreaFactory, PledgeFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def pledge():
    pledge = PledgeFactory(
        title="Trygg i Norsjö",
        status="published",
        period_start=datetime.date(2024, 1, 1),
        period_end=datetime.date(2025, 12, 31),
    )
    pledge.municipalities.add(municipality("2417"))
    police = Organisation.objects.get_or_create(name="Polisen", kind="police")[0]
    commitment = CommitmentFactory(
        focus_area=FocusAreaFactory(pledge=pledge, title="Trafik"),
        title="Trafikkontroller på Storgatan",
        quantity=2,
        unit="month",
        responsible=[police],
    )
    for month in range(1, 13):
        ActivityLog.objects.create(commitment=commitment, performed_on=datetime.date(2024, month, 10), quantity=2)
    officer = UserFactory(username="kim", password="ett-langt-losenord-1")
    Membership.objects.create(user=officer, municipality=municipality("2417"), role="kommunpolis")
    return pledge


@contextlib.contextmanager
def worker_waits_for(table):
    """Holds the worker where it first reads the table: an exclusive lock on it, from a connection of
    our own, until the block ends. The evaluation reads the indicators while collecting its data and
    the dialogues while rendering (the template runs that query); the pages never read either table,
    so they answer meanwhile."""
    settings = connection.settings_dict
    with psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"],
        host=settings["HOST"],
        port=settings["PORT"],
    ) as holder:
        holder.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
        try:
            yield
        finally:
            holder.rollback()


def open_evaluation_page(page, pledge):
    page.goto(f"/hantera/uppfoljning/medborgarloften/{pledge.pk}/utvardering/2024/")
    page.fill("input[name=username]", "kim")
    page.fill("input[name=password]", "ett-langt-losenord-1")
    page.locator("main form [type=submit]").click()
    page.get_by_role("heading", name="Utvärdering 2024").wait_for()


def click_build(page):
    page.get_by_role("button", name="Skapa PDF:en").click()
    page.locator("#evaluation-progress").wait_for()
    page.evaluate("window.stillTheSamePage = true")  # a reload would lose it


def wait_for_stage(page, label, step):
    """Until the page's script has shown the stage (the page may have been rendered at it already)."""
    page.wait_for_function(
        "([label, step]) => document.querySelector('#evaluation-progress [data-role=label]').textContent === label"
        " && document.querySelector('#evaluation-progress progress').value === step",
        arg=[label, step],
    )


def test_build_shows_the_stage_and_then_the_download_link_without_a_reload(page, pledge, celery_worker):
    open_evaluation_page(page, pledge)
    progress = page.locator("#evaluation-progress")

    with worker_waits_for("dialogues_dialogue"):
        with worker_waits_for("followup_indicator"):
            click_build(page)
            wait_for_stage(page, "Samlar in underlaget", 1)
            assert page.get_by_role("link", name="Ladda ner PDF:en").is_hidden()
            assert page.get_by_role("button", name="Skapa igen").is_hidden()
        wait_for_stage(page, "Skapar PDF:en", 2)

    download_link = page.get_by_role("link", name="Ladda ner PDF:en")
    download_link.wait_for(timeout=60_000)
    assert page.evaluate("window.stillTheSamePage") is True
    assert progress.locator("progress").is_hidden()
    assert page.get_by_role("button", name="Skapa igen").is_visible()
    with page.expect_download() as download:
        download_link.click()
    assert download.value.suggested_filename == f"utvardering-2024-{pledge.external_id}.pdf"
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


def test_a_failed_build_shows_its_error_and_try_again_without_a_reload(page, pledge, celery_worker, settings, tmp_path):
    open_evaluation_page(page, pledge)

    with worker_waits_for("followup_indicator"):
        click_build(page)
        wait_for_stage(page, "Samlar in underlaget", 1)
        # The key was there when the job began; it is gone when the PDF is to be signed.
        settings.SIGNING_P12_PATH = tmp_path / "moved-away.p12"

    alert = page.locator("#evaluation-progress").get_by_role("alert")
    alert.wait_for(timeout=60_000)
    assert "Bygget misslyckades." in alert.inner_text()
    assert "SIGNING_P12_PATH" in alert.inner_text()
    assert page.get_by_role("button", name="Försök igen").is_visible()
    assert page.get_by_role("link", name="Ladda ner PDF:en").is_hidden()
    assert page.evaluate("window.stillTheSamePage") is True
