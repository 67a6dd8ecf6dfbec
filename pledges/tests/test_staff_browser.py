"""The staff area as people use it, in headless chromium."""

import pytest

from municipalities.tests.factories import OrganisationFactory
from pledges.models import Commitment, Pledge
from pledges.tests.staff_data import make_pledge, member

PASSWORD = "correct-horse-battery"


def log_in(page, username):
    page.goto("/konto/logga-in/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url("**/hantera/")


def log_out(page):
    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_url("**/")


@pytest.mark.django_db(transaction=True)
def test_a_pledge_is_drafted_signed_published_and_then_frozen(page):
    member("kommunpolis", username="kim")
    member("kommunchef", username="kai")
    OrganisationFactory(name="Polisen")

    log_in(page, "kim")
    page.get_by_role("link", name="Nytt löfte").first.click()
    page.fill("#id_title", "Tryggare Norsjö 2026")
    page.select_option("#id_municipalities", label="Norsjö")
    page.fill("#id_period_start", "2026-01-01")
    page.fill("#id_period_end", "2027-12-31")
    page.fill("#id_areas-0-title", "Trafik")
    page.fill("#id_areas-1-title", "Narkotika")
    page.get_by_role("button", name="Spara", exact=True).click()
    page.get_by_text("Löftet skapades som utkast").wait_for()

    page.get_by_role("link", name="Redigera åtagandena i ”Trafik”").click()
    page.fill("#id_commitments-0-title", "Trygghetsvandring")
    page.fill("#id_commitments-0-quantity", "2")
    page.select_option("#id_commitments-0-unit", "year")
    page.fill("#id_commitments-1-title", "Besöka fritidsgården")
    page.fill("#id_commitments-1-quantity", "1")
    page.fill("#id_commitments-1-interval", "3")
    page.select_option("#id_commitments-1-unit", "week")
    page.get_by_role("button", name="Spara", exact=True).click()
    page.get_by_text("minst 2 per år").wait_for()
    assert page.get_by_text("minst 1 per 3 veckor").is_visible()

    page.get_by_role("link", name="Redigera åtagandena i ”Narkotika”").click()
    page.fill("#id_commitments-0-title", "Narkotikaspaning")
    page.select_option("#id_commitments-0-target_kind", "continuous")
    page.get_by_role("button", name="Spara", exact=True).click()
    page.get_by_text("Åtagandena sparades").wait_for()

    page.get_by_role("link", name="Skicka på granskning").click()
    page.get_by_role("button", name="Bekräfta").click()
    page.get_by_text("Löftet har nu status").wait_for()
    log_out(page)

    log_in(page, "kai")
    page.get_by_role("link", name="Tryggare Norsjö 2026").first.click()
    page.get_by_role("link", name="Underteckna").click()
    page.fill("#id_signed_on", "2026-01-20")
    page.fill("#id_signed_place", "Norsjö")
    page.fill("#id_signatories-0-name", "Kai Kommunchef")
    page.fill("#id_signatories-0-title", "kommunchef")
    page.select_option("#id_signatories-0-organisation", label="Polisen")
    page.get_by_role("button", name="Underteckna löftet").click()
    page.get_by_text("Löftet är undertecknat.").wait_for()
    page.get_by_role("link", name="Publicera").click()
    page.get_by_role("button", name="Bekräfta").click()
    page.get_by_text("Löftet har nu status").wait_for()
    log_out(page)

    pledge = Pledge.objects.get()
    assert pledge.status == Pledge.Status.PUBLISHED
    assert sorted(Commitment.objects.values_list("target_kind", flat=True)) == ["continuous", "quantity", "quantity"]

    log_in(page, "kim")
    page.goto(f"/hantera/medborgarloften/{pledge.pk}/")
    assert page.get_by_role("link", name="Redigera löftet").count() == 0
    page.get_by_role("link", name="Ändra löftet (tillägg)").click()
    page.fill("#id_title", "Ett nytt namn")
    page.get_by_role("button", name="Spara", exact=True).click()
    page.locator("#id_amendment_reason.is-invalid").wait_for()  # the reason is required, shown at its field
    pledge.refresh_from_db()
    assert pledge.title == "Tryggare Norsjö 2026"

    page.goto(f"/hantera/medborgarloften/{pledge.pk}/historik/")
    steps = page.locator(".workflow-steps li").all_inner_texts()
    assert len(steps) == 4  # created, to review, signed, published
    assert "kai" in steps[2] and "kai" in steps[3] and "kim" in steps[1]
    page.set_viewport_size({"width": 375, "height": 800})  # phone-sized: no sideways scrolling
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.django_db(transaction=True)
def test_two_sessions_editing_the_same_pledge_lose_nothing(page, browser, live_server):
    member("kommunpolis", username="kim")
    member("samordnare", username="sam")
    pledge = make_pledge(title="Tryggare Norsjö")
    other = browser.new_context(base_url=live_server.url, locale="sv-SE").new_page()
    log_in(page, "kim")
    log_in(other, "sam")
    url = f"/hantera/medborgarloften/{pledge.pk}/redigera/"
    page.goto(url)
    other.goto(url)
    other.fill("#id_background", "Sams lägesbild")
    other.get_by_role("button", name="Spara", exact=True).click()
    other.get_by_text("Löftet sparades").wait_for()

    page.fill("#id_title", "Kims titel")
    page.get_by_role("button", name="Spara", exact=True).click()
    page.locator("#conflict").wait_for()
    assert "sam" in page.locator("#conflict").inner_text()
    assert "bakgrund (lägesbild)" in page.locator("#conflict").inner_text()
    assert page.input_value("#id_title") == "Kims titel"
    pledge.refresh_from_db()
    assert (pledge.title, pledge.background) == ("Tryggare Norsjö", "Sams lägesbild")
    other.context.close()
