import pytest
from django.core.management import call_command


@pytest.mark.django_db(transaction=True)
def test_the_start_page_shows_the_published_pledges_in_a_browser(page):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "sv"
    assert page.get_by_role("heading", level=1).inner_text() == "Medborgarlöften"
    assert page.locator("main .card").count() == 5
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Hoppa till innehållet"
