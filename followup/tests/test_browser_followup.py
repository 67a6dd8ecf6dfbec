"""A kommunpolis logs activities in the browser and sees the chart and the compliance change."""

import datetime
import re

import pytest

from municipalities.models import Membership, Organisation
from municipalities.tests.factories import UserFactory, municipality
from pledges.tests.factories import CommitmentFactory, FocusAreaFactory, PledgeFactory


def months_ago(today, months):
    index = today.year * 12 + today.month - 1 - months
    return datetime.date(index // 12, index % 12 + 1, 1)


@pytest.mark.django_db(transaction=True)
def test_logging_entries_changes_the_compliance_and_the_chart(page):
    today = datetime.date.today()
    pledge = PledgeFactory(
        title="Trygg i Norsjö",
        status="published",
        period_start=months_ago(today, 2),
        period_end=today.replace(year=today.year + 1),
    )
    pledge.municipalities.add(municipality("2417"))
    police = Organisation.objects.get_or_create(name="Polisen", kind="police")[0]
    CommitmentFactory(
        focus_area=FocusAreaFactory(pledge=pledge, title="Trafik"),
        key="trafikkontroller",
        title="Trafikkontroller",
        quantity=10,
        unit="month",
        responsible=[police],
    )
    officer = UserFactory(username="kim", password="ett-langt-losenord-1")
    Membership.objects.create(user=officer, municipality=municipality("2417"), role="kommunpolis")

    page.goto(f"/hantera/uppfoljning/medborgarloften/{pledge.pk}/")
    page.fill("input[name=username]", "kim")
    page.fill("input[name=password]", "ett-langt-losenord-1")
    page.locator("main form [type=submit]").click()
    compliance = page.get_by_test_id("commitment-compliance-trafikkontroller")
    assert "0 av 2 avslutade perioder uppfyllda (0 %)" in compliance.inner_text()
    assert page.locator("figure svg[role=img]").count() >= 1

    # Log the first month's controls: 6 + 4 = 10, the target.
    first_month = months_ago(today, 2)
    for day, quantity in [(first_month.replace(day=5), "6"), (first_month.replace(day=20), "4")]:
        page.get_by_role("link", name=re.compile(r"^Registrera\s*: Trafikkontroller$")).click()
        page.get_by_label("Datum").fill(day.isoformat())
        page.get_by_label("Antal gånger").fill(quantity)
        page.get_by_role("button", name="Spara", exact=True).click()
        assert "Registrerat: Trafikkontroller" in page.locator("body").inner_text()

    assert "1 av 2 avslutade perioder uppfyllda (50 %)" in compliance.inner_text()
    chart = page.locator("article", has_text="Trafikkontroller").locator("figure")
    assert chart.locator("svg[role=img]").count() == 1
    chart.locator("details summary").click()
    chart_table = chart.locator("table")
    assert "Uppfyllt" in chart_table.inner_text()
    assert "Ej rapporterat" in chart_table.inner_text()
