import pytest

from pledges.models import Pledge
from pledges.public_cache import public_cache_clear
from pledges.tests.public_data import DRAFT_TITLE, SECRET, draft_pledge, published_pledge

pytestmark = pytest.mark.django_db


def text(response):
    return response.content.decode()


def test_it_lists_municipalities_with_public_pledges_and_their_compliance(client):
    published_pledge("2417")
    draft_pledge("1442")  # Vårgårda has only a draft
    page = text(client.get("/kommuner/"))
    assert "Norsjö" in page
    assert "Vårgårda" not in page
    assert "1 kommun<" in page
    assert "25\u00a0%" in page  # January–March 2024 met of the twelve months, in every commitment


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("q=nors", True),
        ("q=2417", True),
        ("q=Tanum", False),
        ("lan=24", True),
        ("lan=14", False),
        ("region=nord", True),
        ("region=vast", False),
        ("tema=traffic", True),
        ("tema=narcotics", False),  # only the draft has narcotics
    ],
)
def test_it_searches_and_filters_municipalities(client, query, found):
    published_pledge("2417")
    draft_pledge("2417")
    response = client.get(f"/kommuner/?{query}")
    assert response.status_code == 200
    assert (">Norsjö</a>" in text(response)) is found


@pytest.mark.parametrize("query", ["lan=99", "region=atlantis", "tema=aliens", "q=" + "x" * 101])
def test_an_unknown_filter_value_is_a_friendly_404(client, query):
    response = client.get(f"/kommuner/?{query}")
    assert response.status_code == 404
    assert "Sidan finns inte" in text(response)


def test_the_list_runs_a_fixed_number_of_queries(client, django_assert_num_queries):
    published_pledge("2417")
    for _round in range(2):
        with django_assert_num_queries(12):
            # 1 police region (validating the filter), 2 municipalities with public pledge counts,
            # 3 their public pledges, 4 police areas with region; compliance: 5 today's progress snapshots,
            # and for the pledges without one 6 focus areas, 7 commitments, 8 logged sums, 9 missed-period
            # reasons, 10 storing their snapshots; the form's region choices: 11 their count, 12 the regions
            assert client.get("/kommuner/?region=nord").status_code == 200
        public_cache_clear()
        with django_assert_num_queries(7):
            # the same with every snapshot fresh: 5 reads them all, no progress is computed
            assert client.get("/kommuner/?region=nord").status_code == 200
        published_pledge("2417", n=1)  # more pledges in the region: the same queries
        published_pledge("2584", n=2, commitments=4)
        public_cache_clear()


def test_the_municipality_page_shows_the_pledge_and_its_progress(client):
    pledge = published_pledge("2417")
    page = text(client.get("/kommuner/2417/"))
    assert "Norsjö kommun" in page
    assert pledge.title in page
    assert "minst 10 per månad" in page
    assert "Trafikkontroller 0" in page
    assert "Sara Signerare" in page
    assert "Bilister kör för fort på Storgatan" in page
    assert "Andel som känner sig trygga" in page
    assert "Kim Kontakt" in page
    assert "Senast uppdaterad" in page
    assert 'role="img"' in page  # the small chart, with its text alternative
    assert "3 av 3 perioder" in page or "perioder" in page


def test_the_municipality_page_never_shows_drafts_or_internal_details(client):
    published_pledge("2417")
    draft_pledge("2417")
    for address in ("/kommuner/", "/kommuner/2417/", "/kommuner/2417/embed/", "/kommuner/2417/feed/", "/feed/"):
        page = text(client.get(address))
        assert SECRET not in page, address
        assert DRAFT_TITLE not in page, address


def test_the_municipality_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries):
    published_pledge("2417")
    # 1 municipality; 2 its public pledges (title and period); the current one in detail: 3 pledge,
    # 4 municipalities, 5 police areas, 6 parties+organisation, 7 signatories+organisation, 8 focus areas,
    # 9 commitments, 10 responsible, 11 dialogue links+dialogue+place, 12 dialogue findings, 13 indicators,
    # 14 values, 15 evaluations; progress (computed today, then stored): 16 snapshots, 17 logged sums,
    # 18 missed-period reasons, 19 stored; from the second round on, earlier pledges: 20 their compliance
    for n, expected in enumerate((19, 20, 20), start=1):
        with django_assert_num_queries(expected):
            assert client.get("/kommuner/2417/").status_code == 200
        published_pledge("2417", n=n, commitments=5)
        public_cache_clear()


@pytest.mark.parametrize(
    "address",
    ["/kommuner/0000/", "/kommuner/abc/", "/kommuner/24170/", "/kommuner/0000/embed/", "/kommuner/0000/feed/"],
)
def test_an_unknown_kommunkod_is_a_friendly_404(client, address):
    response = client.get(address)
    assert response.status_code == 404
    assert "Sidan finns inte" in text(response)


def test_a_municipality_without_pledges_says_so(client):
    draft_pledge("2417")
    page = text(client.get("/kommuner/2417/"))
    assert "har inget publicerat medborgarlöfte ännu" in page
    assert DRAFT_TITLE not in page


def test_the_embed_may_be_framed_by_any_site_and_sets_no_cookie(client):
    pledge = published_pledge("2417")
    response = client.get("/kommuner/2417/embed/")
    assert response.status_code == 200
    assert "X-Frame-Options" not in response.headers
    policy = dict(part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";"))
    assert policy["frame-ancestors"] == "*"
    assert policy["script-src"] == "'self'"  # the rest of the policy still holds
    assert not response.cookies  # no Set-Cookie: neither session, CSRF nor language cookie
    page = text(response)
    assert pledge.title in page
    assert "css/embed.css" in page
    assert 'target="_top"' in page


def test_every_other_page_refuses_to_be_framed(client, admin_client):
    published_pledge("2417")
    for address in ("/", "/kommuner/", "/kommuner/2417/"):
        assert client.get(address).headers["X-Frame-Options"] == "DENY", address
    staff = admin_client.get("/hantera/")
    assert staff.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in staff.headers["Content-Security-Policy"]


def test_the_embed_and_feed_run_a_fixed_number_of_queries(client, django_assert_num_queries):
    published_pledge("2417")
    with django_assert_num_queries(19):  # the same queries as the municipality page
        client.get("/kommuner/2417/embed/")
    with django_assert_num_queries(4):  # 1 municipality, 2 its public pledges, 3 finished evaluations, 4 monthly sums
        client.get("/kommuner/2417/feed/")
    with django_assert_num_queries(3):  # 1 public pledges, 2 finished evaluations, 3 monthly sums
        client.get("/feed/")


def test_the_feeds_tell_of_new_pledges_and_monthly_follow_up(client):
    pledge = published_pledge("2417")
    published_pledge("1442", title="Vårgårdas löfte")
    feed = text(client.get("/kommuner/2417/feed/"))
    assert feed.startswith('<?xml version="1.0" encoding="utf-8"?>\n<feed')
    assert f"Nytt medborgarlöfte: {pledge.title}" in feed
    assert "Uppföljning mars 2024" in feed
    assert "20 aktiviteter loggade för 2 åtaganden" in feed
    assert "Vårgårdas löfte" not in feed
    assert "Vårgårdas löfte" in text(client.get("/feed/"))


def test_a_withdrawn_pledge_disappears_from_every_municipal_output(client):
    pledge = published_pledge("2417")
    assert pledge.title in text(client.get("/kommuner/2417/embed/"))
    pledge.status = Pledge.Status.WITHDRAWN
    pledge.save()
    for address in ("/kommuner/", "/kommuner/2417/", "/kommuner/2417/embed/", "/kommuner/2417/feed/", "/feed/"):
        assert pledge.title not in text(client.get(address)), address


def test_earlier_pledges_are_listed_with_their_years_and_compliance(client):
    earlier = published_pledge("2417", title="Medborgarlöfte Norsjö 2024", n=1)
    published_pledge("2417", title="Medborgarlöfte Norsjö nu", n=2)
    page = text(client.get("/kommuner/2417/"))
    listed = page[page.index("Tidigare medborgarlöften") :]
    link = f'<a href="/medborgarloften/{earlier.pk}/">Medborgarlöfte Norsjö 2024</a>'
    assert f"{link} (2024–2024) · 25\u00a0% uppfyllt" in listed
    assert "Medborgarlöfte Norsjö nu" not in listed  # the latest is shown in full above


@pytest.mark.parametrize("address", ["/kommuner/2417/feed/", "/feed/"])
def test_the_feeds_announce_only_published_evaluations(client, address):
    from django.utils import timezone

    from followup.models import Evaluation

    pledge = published_pledge("2417")
    built = {"status": Evaluation.Status.DONE, "checksum": "0" * 64, "built_at": timezone.now()}
    Evaluation.objects.update_or_create(pledge=pledge, year=2024, defaults={"published": False, **built})
    Evaluation.objects.update_or_create(pledge=pledge, year=2025, defaults={"published": True, **built})

    feed = client.get(address).content.decode()

    assert "Utvärdering 2025" in feed
    assert "Utvärdering 2024" not in feed  # built for staff to read, not published
