"""axe-core (tests_vendor/axe.min.js, from the npm package) finds no WCAG 2.1 A/AA violation on the public
pages, in Debian's chromium, with the demo data."""

import json
import os
from pathlib import Path

import pytest
from django.core.management import call_command

from pledges.models import Pledge

AXE = Path(__file__).resolve().parents[2] / "tests_vendor" / "axe.min.js"
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def axe_violations(page, address):
    page.goto(address)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["html"][:200] for n in v["nodes"][:5]]}
        for v in result["violations"]
    ]


@pytest.mark.django_db(transaction=True)
def test_the_public_pages_have_no_accessibility_violations(page_for_injected_tools):
    page = page_for_injected_tools
    with open(os.devnull, "w") as quiet:
        call_command("load_demo", stdout=quiet)
    norsjo = Pledge.objects.get(municipalities__code="2417")
    addresses = ["/", "/kommuner/", "/kommuner/2417/", f"/medborgarloften/{norsjo.pk}/", "/kommuner/2417/embed/"]
    found = {address: axe_violations(page, address) for address in addresses}
    assert found == {address: [] for address in addresses}, json.dumps(found, indent=1, ensure_ascii=False)
    # What a reader sees on the municipality page: Norsjö's four focus areas and the traffic controls' target.
    page.goto("/kommuner/2417/")
    assert page.get_by_role("heading", level=4).count() == 4
    assert page.get_by_text("minst 10 per månad (kontroller)").is_visible()
