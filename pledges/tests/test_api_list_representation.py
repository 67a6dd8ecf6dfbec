"""The pledge list of the API is built without PledgeSerializer (pledges/api/representation.py), for speed;
these tests hold it to byte-for-byte the JSON that PledgeSerializer gives for the same pledges, through the
way the list was served before: public_pledge_details(), the filters, the pagination, attach_progress()."""

import csv
import datetime
import io
import json

import pytest
from django.conf import settings
from django.http import QueryDict
from django.utils import timezone, translation
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request

from dialogues.models import Dialogue, Finding
from followup import snapshots
from followup.models import ActivityLog, MissedPeriod
from municipalities.models import Organisation
from municipalities.tests.factories import OrganisationFactory, municipality
from pledges.api.filters import PledgeFilter
from pledges.api.pagination import PublicPagination
from pledges.api.renderers import CSVRenderer
from pledges.api.serializers import PledgeSerializer
from pledges.models import Commitment, Pledge, Signatory
from pledges.public_selectors import attach_progress, public_pledge_details
from pledges.tests.factories import CommitmentFactory, FocusAreaFactory
from pledges.tests.public_data import draft_pledge, published_pledge

pytestmark = pytest.mark.django_db

Kind = Commitment.TargetKind
Unit = Commitment.Unit


@pytest.fixture
def pledges():
    """Public pledges with every kind of value the list shows: several municipalities and police areas,
    signatories with and without a date, lines of effects, focus areas with several findings, none, or no
    commitments, targets of every shape, validity dates, several responsible organisations, missed periods
    with reasons; an ended pledge, one without focus areas, and a draft that must not appear."""
    rich = published_pledge("2417", commitments=3)
    rich.municipalities.add(municipality("2418"))
    rich.police_areas.set(municipality("2417").police_areas.all() | municipality("1442").police_areas.all())
    rich.summary = "Trygghet i centrum"
    rich.area_description = "Centrum och stationsområdet"
    rich.effects_sought = "Färre bilister kör för fort\n\n  \nÖkad trygghet på kvällstid\n"
    rich.background = 'Lägesbild: "fart" & buller – <b>ej</b> HTML'
    rich.signed_on = datetime.date(2023, 12, 1)
    rich.signed_place = "Malå"
    rich.published_on = datetime.date(2023, 12, 15)
    rich.contact_title = "samordnare"
    rich.contact_phone = "0950-123 45"
    rich.followup_cadence = Pledge.Cadence.QUARTER
    rich.save()
    police = Organisation.objects.get(name="Polisen", municipality=None)
    Signatory.objects.create(
        pledge=rich,
        name="Per Polis",
        title="lokalpolisområdeschef",
        organisation=police,
        signed_on=datetime.date(2023, 12, 2),
        signed_place="Skellefteå",
        order=1,
    )
    dialogue = Dialogue.objects.create(
        municipality=municipality("2417"), kind=Dialogue.Kind.SAFETY_WALK, title="Vandring", held_on="2023-09-01"
    )
    late = Finding.objects.create(dialogue=dialogue, key="ljus", text="Mörkt i parken", order=5)
    meeting = Dialogue.objects.create(
        municipality=municipality("2417"), kind=Dialogue.Kind.OPEN_MEETING, title="Möte", held_on="2023-10-01"
    )
    # the same order in two dialogues: the one made first comes first
    tied = Finding.objects.create(dialogue=meeting, key="fart", text="Fort på Storgatan", order=1)
    early = Finding.objects.create(dialogue=dialogue, key="klotter", text="Klotter", order=1)
    area = FocusAreaFactory(pledge=rich, title="Trygghet", description="Kvällar och helger", theme="lighting", order=10)
    area.findings.add(late, early, tied)
    FocusAreaFactory(pledge=rich, title="Utan åtaganden", order=11)
    kommun = Organisation.objects.get(municipality=municipality("2417"))
    skolan = OrganisationFactory(name="Skolan", kind=Organisation.Kind.OTHER)
    targets = [
        {"target_kind": Kind.AS_NEEDED, "comparison": "", "quantity": None, "interval": None, "unit": ""},
        {"target_kind": Kind.UNSPECIFIED, "comparison": "", "quantity": None, "interval": None, "unit": ""},
        {"unit": Unit.WEEK, "interval": 2, "quantity": 1, "comparison": Commitment.Comparison.AT_MOST},
        {"unit": Unit.YEAR, "interval": 1, "quantity": 2, "due_month": 10},
        {"unit": Unit.PERIOD, "interval": 1, "quantity": 20, "comparison": Commitment.Comparison.EXACTLY},
        {"unit": Unit.QUARTER, "interval": 1, "quantity": 3, "valid_from": datetime.date(2024, 4, 1)},
        {"unit": Unit.DAY, "interval": 7, "quantity": 1, "valid_to": datetime.date(2024, 3, 31), "measure": "pass"},
    ]
    for index, target in enumerate(targets):
        commitment = CommitmentFactory(
            focus_area=area,
            title=f"Åtagande {index}",
            description="Beskrivning",
            wording=f"Ordagrant {index}",
            responsible_wording="Kommunen och polisen m.fl." if index % 2 else "",
            responsible=[police, kommun, skolan][: index % 3 + 1],
            **target,
        )
        for month in (2, 5, 6):
            ActivityLog.objects.create(commitment=commitment, performed_on=datetime.date(2024, month, 3), quantity=1)
    commitment = rich.focus_areas.get(title="Trafik").commitments.first()
    MissedPeriod.objects.create(
        commitment=commitment,
        period_start=datetime.date(2024, 4, 1),
        period_end=datetime.date(2024, 4, 30),
        reason=MissedPeriod.Reason.OTHER,
        reason_text="Personalbrist under påsken",
        corrective_action="Dubbla kontroller i maj",
    )
    MissedPeriod.objects.create(
        commitment=commitment,
        period_start=datetime.date(2024, 5, 1),
        period_end=datetime.date(2024, 5, 31),
        reason=MissedPeriod.Reason.WEATHER,
    )
    ended = published_pledge("1442", n=1, status=Pledge.Status.ENDED, commitments=1, theme="narcotics")
    second = published_pledge("2417", n=2, commitments=2)
    # a period that has begun and not ended: a period in progress, and some not begun (left out)
    Pledge.objects.filter(pk=second.pk).update(
        period_start=datetime.date(2023, 7, 1), period_end=timezone.localdate() + datetime.timedelta(days=400)
    )
    empty = published_pledge("0114", n=3, commitments=0)
    empty.focus_areas.all().delete()
    draft_pledge("2417")
    snapshots.forget(Pledge.objects.values_list("pk", flat=True))
    return {"rich": rich, "ended": ended, "second": second, "empty": empty}


def serializer_output(request, query=""):
    """What the list gave when PledgeSerializer built it: the same queryset, filters and pagination."""
    request = Request(request)
    params = QueryDict(query)
    queryset = PledgeFilter(params, queryset=public_pledge_details().order_by("-period_start", "pk")).qs
    paginator = PublicPagination()
    csv_wanted = params.get("format") == "csv"
    pledges = list(queryset) if csv_wanted else paginator.paginate_queryset(queryset, request)
    context = {"request": request, "buckets": params.get("buckets") in ("true", "1")}
    data = PledgeSerializer(attach_progress(pledges), many=True, context=context).data
    if csv_wanted:
        return CSVRenderer().render(data)
    return JSONRenderer().render(paginator.get_paginated_response(data).data)


def assert_same_as_serializer(client, query, *, language="sv", stale=False):
    """The list's answer to the query is byte for byte the serializer's. ``stale``: both compute the
    progress (no snapshots, as after a write or a new day) rather than read today's snapshots."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    if stale:
        snapshots.forget(Pledge.objects.values_list("pk", flat=True))
    response = client.get(f"/api/v1/pledges/?{query}", HTTP_ACCEPT="*/*")
    assert response.status_code == 200, response.content
    if stale:
        snapshots.forget(Pledge.objects.values_list("pk", flat=True))
    with translation.override(language):
        expected = serializer_output(response.wsgi_request, query)
    assert response.content == expected, query
    return response


QUERIES = [
    "",
    "buckets=true",
    "buckets=1",
    "buckets=false",
    "page_size=2",
    "page_size=2&page=2&buckets=true",
    "kommunkod=2417",
    "kommunkod=2417&buckets=true",
    "lan=24",
    "status=ended&buckets=true",
    "year=2024",
    "theme=narcotics",
    "theme=lighting&buckets=true",
]


@pytest.mark.parametrize("query", QUERIES)
def test_the_list_is_what_the_serializer_gives(client, pledges, query):
    computed = assert_same_as_serializer(client, query, stale=True)
    stored = assert_same_as_serializer(client, query)
    assert computed.content == stored.content
    assert json.loads(stored.content)["count"] > 0


def test_findings_of_the_same_order_come_in_the_order_they_were_made(client, pledges):
    rich = pledges["rich"]
    expected = [
        Finding.objects.get(key=key, dialogue__title__in=["Vandring", "Möte"]).pk for key in ("fart", "klotter", "ljus")
    ]
    for address in ("/api/v1/pledges/", f"/api/v1/pledges/{rich.pk}/"):
        data = client.get(address).json()
        items = data.get("results", [data])
        pledge = next(item for item in items if item["id"] == rich.pk)
        assert next(a for a in pledge["focus_areas"] if a["title"] == "Trygghet")["findings"] == expected
    page = client.get(f"/medborgarloften/{rich.pk}/").text
    assert page.index("Fort på Storgatan") < page.index("Klotter") < page.index("Mörkt i parken")


def test_the_data_covers_what_the_list_shows(client, pledges):
    """The comparisons above would prove little on empty values: the data has the cases that matter."""
    data = assert_same_as_serializer(client, "buckets=true").json()["results"]
    assert [item["id"] for item in data] == [pledges[name].pk for name in ("rich", "ended", "empty", "second")]
    rich = next(item for item in data if item["id"] == pledges["rich"].pk)
    assert len(rich["municipalities"]) == 2 and rich["police_areas"] and len(rich["signatories"]) == 2
    assert rich["effects_sought"] == ["Färre bilister kör för fort", "Ökad trygghet på kvällstid"]
    areas = {area["title"]: area for area in rich["focus_areas"]}
    trafik, trygghet, no_commitments = areas["Trafik"], areas["Trygghet"], areas["Utan åtaganden"]
    assert len(trygghet["findings"]) == 3  # two of the same order (the test below)
    assert no_commitments["commitments"] == [] and no_commitments["compliance"] is None
    texts = {c["target"]["text"] for c in trygghet["commitments"]}
    assert len(texts) == 7
    assert ["Norsjö kommun", "Polisen", "Skolan"] in [c["responsible"] for c in trygghet["commitments"]]
    assert any(c["valid_from"] for c in trygghet["commitments"]) and any(c["valid_to"] for c in trygghet["commitments"])
    assert any(c["progress"]["compliance"] is None for c in trygghet["commitments"])
    statuses = {
        b["status"]
        for item in data
        for a in item["focus_areas"]
        for c in a["commitments"]
        for b in c["progress"].get("buckets", [])
    }
    assert statuses == {"met", "not_met", "not_reported", "in_progress"}
    reasons = [b for b in trafik["commitments"][0]["progress"]["buckets"] if b["missed_reason"]]
    assert [b["corrective_action"] for b in reasons] == ["Dubbla kontroller i maj", ""]
    empty = next(item for item in data if item["id"] == pledges["empty"].pk)
    assert empty["focus_areas"] == [] and empty["compliance"] is None


def test_the_list_in_english_is_what_the_serializer_gives(client, pledges):
    assert_same_as_serializer(client, "buckets=true", language="en", stale=True)
    response = assert_same_as_serializer(client, "", language="en")
    assert "at least 10 per month" in response.content.decode()


def test_the_csv_download_is_what_the_serializer_gives(client, pledges):
    assert_same_as_serializer(client, "format=csv", stale=True)
    response = assert_same_as_serializer(client, "format=csv&kommunkod=2417")
    assert len(list(csv.DictReader(io.StringIO(response.content.decode())))) == 2


def test_a_single_pledge_is_a_list_item_with_its_periods(client, pledges):
    listed = client.get("/api/v1/pledges/?buckets=true").json()["results"]
    for item in listed:
        assert client.get(f"/api/v1/pledges/{item['id']}/").json() == item


def test_the_list_does_not_decode_stored_periods_unless_asked(client, pledges, monkeypatch):
    assert client.get("/api/v1/pledges/").status_code == 200  # stores the snapshots

    def decoded(row):
        raise AssertionError("a stored period was decoded")

    monkeypatch.setattr(snapshots, "_bucket", decoded)
    response = client.get("/api/v1/pledges/")
    assert response.status_code == 200
    assert "buckets" not in json.dumps(response.json())
    with pytest.raises(AssertionError, match="decoded"):
        client.get("/api/v1/pledges/?buckets=true")
