"""The demo data: the five source documents, loaded through the importer."""

import datetime
import json

import pytest
from django.core.management import call_command

from accounts.models import User
from followup.models import ActivityLog, Indicator, IndicatorValue
from municipalities.models import Membership, Organisation
from pledges.documents import normalise_document
from pledges.management.commands.load_demo import DEMO_DIR
from pledges.models import Commitment, FocusArea, Pledge, Signatory
from pledges.selectors import pledge_document, pledge_for_export

pytestmark = pytest.mark.django_db

DEMO_FILES = sorted(DEMO_DIR.glob("*.json"))
MODELS = (
    Pledge,
    FocusArea,
    Commitment,
    Signatory,
    Organisation,
    ActivityLog,
    Indicator,
    IndicatorValue,
    User,
    Membership,
)


@pytest.fixture
def demo(capsys):
    call_command("load_demo")
    return capsys.readouterr().out


def counts():
    return {model.__name__: model.objects.count() for model in MODELS} | {
        "pledge history": Pledge.history.count(),
        "commitment history": Commitment.history.count(),
        "activity history": ActivityLog.history.count(),
    }


def test_there_are_five_demo_documents():
    assert [path.name for path in DEMO_FILES] == [
        "herrljunga-2021-2022.json",
        "norberg-2015-2016.json",
        "norsjo-2019-2022.json",
        "sandviken-2018-2019.json",
        "tanum-2017.json",
    ]


def test_it_loads_five_pledges(demo):
    assert Pledge.objects.count() == 5
    assert Pledge.objects.public().count() == 5
    assert "Demo users" in demo


def test_norsjo_has_four_focus_areas_and_ten_traffic_controls_a_month(demo):
    norsjo = Pledge.objects.get(municipalities__code="2417")
    assert norsjo.focus_areas.count() == 4
    assert (norsjo.period_start, norsjo.period_end) == (datetime.date(2019, 1, 1), datetime.date(2022, 12, 31))
    controls = Commitment.objects.get(focus_area__pledge=norsjo, key="trafikkontroller")
    target = (controls.comparison, controls.quantity, controls.interval, controls.unit)
    assert target == ("at_least", 10, 1, "month")
    assert controls.wording == "Minst 10 kontroller per månad"
    assert controls.target_display() == "minst 10 per månad"
    assert controls.activity_logs.exists()
    wordings = set(Commitment.objects.filter(focus_area__pledge=norsjo).values_list("target_kind", flat=True))
    assert {"quantity", "as_needed", "every_shift", "continuous"} <= wordings


def test_herrljunga_has_four_municipalities_and_seven_parties(demo):
    herrljunga = Pledge.objects.get(external_id="herrljunga-2021-2022")
    assert set(herrljunga.municipalities.values_list("name", flat=True)) == {
        "Herrljunga", "Vårgårda", "Lerum", "Alingsås"
    }  # fmt: skip
    parties = [party.organisation.name for party in herrljunga.pledge_parties.all()]
    assert "Västtrafik" in parties
    assert "Trafikverket" in parties
    assert "Polisen" in parties
    assert len(parties) == 7


def test_norberg_has_its_two_signatories_and_signing_date(demo):
    norberg = Pledge.objects.get(municipalities__code="1962")
    assert norberg.signed_on == datetime.date(2015, 11, 27)
    assert {(s.name, s.title) for s in norberg.signatories.all()} == {
        ("Agneta Kumlin", "lokalpolisområdeschef"),
        ("Hannu Högberg", "kommunchef"),
    }
    yearly_in_october = Commitment.objects.get(focus_area__pledge=norberg, due_month=10)
    assert yearly_in_october.target_display() == "minst 1 per år, i oktober"
    # Ideas from the 2016 dialogue are kept, although no commitment answers them yet.
    follow_up = norberg.pledge_dialogues.get(role="follow_up").dialogue
    assert follow_up.findings.filter(kind="idea", place__name="Engelbrektsgatan").exists()


def test_sandviken_ranks_traffic_first_and_lighting_second(demo):
    sandviken = Pledge.objects.get(municipalities__code="2181")
    assert sandviken.dialogues.filter(kind="open_meeting").count() == 5
    ranked = (
        sandviken.focus_areas.filter(findings__rank__isnull=False)
        .order_by("findings__rank")
        .values_list("theme", flat=True)
    )
    assert list(ranked) == ["traffic", "lighting"]


def test_tanum_has_its_police_area_contact_and_weekly_mobile_office(demo):
    tanum = Pledge.objects.get(municipalities__code="1435")
    assert tanum.police_areas.get().name == "Västra Fyrbodal"
    assert (tanum.contact_name, tanum.contact_title) == ("Sara Olsson", "kommunpolis")
    weekly = Commitment.objects.filter(focus_area__pledge=tanum, unit="week", quantity=1)
    assert weekly.exists()
    assert Commitment.objects.filter(focus_area__pledge=tanum, unit="period").exists()


def test_loading_the_demo_twice_gives_the_same_counts(demo):
    before = counts()
    call_command("load_demo")
    assert counts() == before


def test_there_is_one_demo_user_per_role(demo):
    roles = set(
        Membership.objects.filter(
            user__username__in=["kommunpolis", "lpochef", "kommunchef", "samordnare", "lasare"]
        ).values_list("role", flat=True)
    )
    assert roles == set(Membership.Role.values)
    assert User.objects.get(username="admin").is_superuser
    assert User.objects.get(username="samordnare").check_password("demo-medborgarlofte-2026")


@pytest.mark.parametrize("path", DEMO_FILES, ids=lambda path: path.stem)
def test_each_demo_document_round_trips(demo, path):
    document = json.loads(path.read_text(encoding="utf-8"))
    pledge = Pledge.objects.get(external_id=document["id"])
    assert pledge_document(pledge_for_export(pledge.pk)) == normalise_document(document)


def test_the_start_page_lists_the_demo_pledges_in_a_fixed_number_of_queries(
    demo, client, django_assert_max_num_queries
):
    # session-less anonymous request: pledges (with commitment counts), their municipalities
    with django_assert_max_num_queries(2):
        response = client.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Norsjö (2417)" in page
    assert "Herrljunga (1466)" in page
    assert page.count('class="card mb-3"') == 5
