import datetime
import time

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from followup.models import ActivityLog
from municipalities.tests.factories import municipality
from pledges.models import Pledge
from pledges.public_cache import VERSION_KEY, public_cache_clear
from pledges.selectors import HOME_LIMIT
from pledges.tests.factories import PledgeFactory
from pledges.tests.public_data import DRAFT_TITLE, SECRET, draft_pledge, published_pledge

pytestmark = pytest.mark.django_db


def text(response):
    return response.content.decode()


def test_it_shows_a_pledge_as_you_said_we_promise_we_did(client):
    pledge = published_pledge()
    response = client.get(f"/medborgarloften/{pledge.pk}/")
    assert response.status_code == 200
    page = text(response)
    for heading in ("Ni sa", "Vi lovar", "Vi gjorde"):
        assert f">{heading}</h2>" in page
    assert "Bilister kör för fort på Storgatan" in page  # the finding, under "Ni sa" and its focus area
    assert "minst 10 per månad" in page  # the target in plain Swedish
    assert "Minst 10 kontroller per månad" in page  # the published wording
    assert "Sara Signerare" in page
    assert "Andel som känner sig trygga" in page
    assert "januari 2024" in page  # what was done, per period


@pytest.mark.parametrize(
    "status", [Pledge.Status.DRAFT, Pledge.Status.REVIEW, Pledge.Status.SIGNED, Pledge.Status.WITHDRAWN]
)
def test_it_is_a_friendly_404_for_a_pledge_the_public_may_not_see(client, status):
    pledge = draft_pledge(status=status)
    response = client.get(f"/medborgarloften/{pledge.pk}/")
    assert response.status_code == 404
    assert "Sidan finns inte" in text(response)
    assert DRAFT_TITLE not in text(response)


@pytest.mark.parametrize(
    "address", ["/medborgarloften/abc/", "/medborgarloften/999999/", "/medborgarloften/99999999999999999999999/"]
)
def test_it_is_a_friendly_404_for_an_unknown_or_malformed_id(client, address):
    response = client.get(address)
    assert response.status_code == 404
    assert 'lang="sv"' in text(response)
    assert "Sidan finns inte" in text(response)


def test_it_never_shows_internal_details_or_drafts_on_the_start_page_and_pledge_page(client):
    pledge = published_pledge()
    draft_pledge()
    for address in ("/", f"/medborgarloften/{pledge.pk}/"):
        page = text(client.get(address))
        assert SECRET not in page
        assert DRAFT_TITLE not in page


def test_the_start_page_lists_published_and_ended_pledges_only(client):
    published_pledge(title="Publicerat löfte")
    published_pledge(title="Avslutat löfte", status=Pledge.Status.ENDED)
    draft_pledge()
    page = text(client.get("/"))
    assert "Publicerat löfte" in page
    assert "Avslutat löfte" in page
    assert DRAFT_TITLE not in page


def test_the_pledge_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries):
    small = published_pledge(commitments=1)
    big = published_pledge(code="1442", commitments=6)
    for pledge in (small, big):
        with django_assert_num_queries(18):
            # 1 pledge, 2 municipalities, 3 police areas, 4 parties+organisation, 5 signatories+organisation,
            # 6 focus areas, 7 their findings, 8 commitments, 9 responsible organisations,
            # 10 dialogue links+dialogue+place, 11 dialogue findings, 12 indicators, 13 indicator values,
            # 14 finished evaluations; progress: 15 focus areas, 16 commitments, 17 logged sums,
            # 18 missed-period reasons
            assert client.get(f"/medborgarloften/{pledge.pk}/").status_code == 200


def test_the_start_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries):
    published_pledge()
    with django_assert_num_queries(2):  # 1 public pledges with commitment counts, 2 their municipalities
        client.get("/")
    published_pledge(code="1442")
    published_pledge(code="0114")
    public_cache_clear()
    with django_assert_num_queries(2):
        client.get("/")


def test_a_cached_page_runs_no_query_and_shows_a_change_at_once(client, django_assert_num_queries):
    pledge = published_pledge()
    address = f"/medborgarloften/{pledge.pk}/"
    assert "Trafikkontroller 0" in text(client.get(address))
    with django_assert_num_queries(0):
        assert client.get(address).status_code == 200
    commitment = pledge.focus_areas.get().commitments.first()
    commitment.title = "Hastighetskontroller"
    commitment.save()
    assert "Hastighetskontroller" in text(client.get(address))
    ActivityLog.objects.filter(commitment=commitment).delete()
    pledge.status = Pledge.Status.WITHDRAWN
    pledge.save()
    assert client.get(address).status_code == 404
    assert pledge.title not in text(client.get("/"))


def test_the_accessibility_statement_is_linked_from_every_page(client):
    pledge = published_pledge()
    statement = reverse("accessibility")
    for address in ("/", "/kommuner/", "/kommuner/2417/", f"/medborgarloften/{pledge.pk}/", "/api/v1/docs/", "/nope/"):
        assert f'href="{statement}"' in text(client.get(address)), address
    page = text(client.get(statement))
    assert "Tillgänglighetsredogörelse" in page
    assert "Digg" in page
    assert "delvis förenlig" in page


def test_a_whole_cached_page_never_carries_one_visitors_frame_to_another(client, django_user_model):
    pledge = published_pledge()
    address = f"/medborgarloften/{pledge.pk}/"
    client.force_login(django_user_model.objects.create_user("frida.frame", password="lösenord-som-är-långt"))
    visitor = Client()

    def logged_in_sees_own_frame():
        page = text(client.get(address))
        assert "frida.frame" in page and "Logga in" not in page

    def visitor_sees_anonymous_frame():
        page = text(visitor.get(address))
        assert "frida.frame" not in page and "Logga in" in page and "csrfmiddlewaretoken" not in page

    for first, second in [
        (logged_in_sees_own_frame, visitor_sees_anonymous_frame),
        (visitor_sees_anonymous_frame, logged_in_sees_own_frame),
    ]:
        public_cache_clear()
        first()
        second()
        first()


def test_a_change_made_by_another_process_shows_within_the_version_interval(client, settings):
    settings.PUBLIC_CACHE_VERSION_SECONDS = 0.3
    pledge = published_pledge()
    address = f"/medborgarloften/{pledge.pk}/"
    assert pledge.title in text(client.get(address))
    # Another process (a worker, another web process) changes the data and bumps the version in the shared
    # cache; this process trusts the version it read for at most 0.3 s.
    Pledge.objects.filter(pk=pledge.pk).update(title="Ändrat i en annan process")
    cache.incr(VERSION_KEY)
    time.sleep(0.35)
    assert "Ändrat i en annan process" in text(client.get(address))


def test_the_start_page_shows_the_latest_pledges_and_leads_to_all_of_them(client, django_assert_num_queries):
    place = municipality("2417")
    for year in range(2000, 2000 + HOME_LIMIT + 3):
        pledge = PledgeFactory(
            title=f"Löfte {year}",
            status=Pledge.Status.ENDED,
            period_start=datetime.date(year, 1, 1),
            period_end=datetime.date(year, 12, 31),
        )
        pledge.municipalities.add(place)
    with django_assert_num_queries(2):
        page = text(client.get("/"))
    shown = [year for year in range(2000, 2000 + HOME_LIMIT + 3) if f"Löfte {year}" in page]
    assert shown == list(range(2003, 2000 + HOME_LIMIT + 3))  # the latest twenty
    assert 'href="/kommuner/"' in page and "Alla kommuner och deras medborgarlöften" in page


def test_each_commitment_has_a_strip_of_its_latest_periods(client):
    published_pledge("2417")
    page = text(client.get("/kommuner/2417/"))
    # twelve months of 2024, met in January–March (the fixture's logs), in each of the two commitments
    assert page.count('aria-label="Diagram över 12 perioder: 3 av 12 avslutade perioder uppfyllda."') == 2
    strip = page[page.index('<svg class="progress-strip"') :]
    strip = strip[: strip.index("</svg>")]
    assert '<path class="status-met" d="M0,0h6v16h-6zM8,0h6v16h-6zM16,0h6v16h-6z"/>' in strip
    assert strip.count("<path") == 2  # met, and not met: one path per status however many periods
