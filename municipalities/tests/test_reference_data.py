import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import translation

from municipalities.models import County, Membership, Municipality, Organisation, PoliceArea, PoliceRegion
from municipalities.tests.factories import UserFactory, municipality

pytestmark = pytest.mark.django_db


def test_it_has_all_290_municipalities_with_their_scb_codes():
    assert Municipality.objects.count() == 290
    expected = {
        "Norberg": "1962",
        "Sandviken": "2181",
        "Norsjö": "2417",
        "Herrljunga": "1466",
        "Tanum": "1435",
        "Stockholm": "0180",
        "Göteborg": "1480",
        "Malmö": "1280",
        "Kiruna": "2584",
    }
    assert dict(Municipality.objects.filter(name__in=expected).values_list("name", "code")) == expected


def test_every_municipality_lies_in_the_county_its_code_names():
    counts = {county: Municipality.objects.filter(county=county).count() for county in County.values}
    assert counts["01"] == 26  # Stockholms län
    assert counts["14"] == 49  # Västra Götalands län
    assert counts["12"] == 33  # Skåne län
    assert sum(counts.values()) == 290
    assert municipality("2417").get_county_display() == "Västerbottens län"


def test_the_county_name_is_as_django_gives_it_in_each_language():
    norsjo = municipality("2417")
    with translation.override("sv"):
        assert norsjo.get_county_display() == "Västerbottens län"
        assert type(norsjo.get_county_display()) is str
    # not a county: the stored value, as Django's own get_FOO_display gives it
    assert Municipality(code="9999", name="Ingenstans", county="99").get_county_display() == "99"


def test_it_has_the_seven_police_regions_and_the_areas_of_the_source_documents():
    assert set(PoliceRegion.objects.values_list("slug", flat=True)) == {
        "nord", "mitt", "stockholm", "ost", "vast", "syd", "bergslagen"
    }  # fmt: skip
    for code in ["1962", "2181", "2417", "1466", "1442", "1441", "1489", "1435"]:
        assert municipality(code).police_areas.exists(), code
    fyrbodal = PoliceArea.objects.get(name="Västra Fyrbodal")
    assert fyrbodal.region.slug == "vast"
    assert set(fyrbodal.municipalities.values_list("name", flat=True)) >= {"Tanum", "Strömstad", "Lysekil"}


def test_a_police_area_can_cover_several_municipalities_and_a_municipality_several_areas():
    area = PoliceArea.objects.get(name="Alingsås")
    assert area.municipalities.count() == 4
    stockholm = municipality("0180")
    region = PoliceRegion.objects.get(slug="stockholm")
    for name in ["Stockholm City", "Södermalm"]:
        PoliceArea.objects.create(name=name, slug=name.lower().replace(" ", "-"), region=region).municipalities.add(
            stockholm
        )
    assert stockholm.police_areas.count() == 2


def test_loading_the_reference_data_again_changes_nothing(capsys):
    before = {model: list(model.objects.order_by("pk").values()) for model in (Municipality, PoliceRegion, PoliceArea)}
    call_command("load_reference_data")
    out = capsys.readouterr().out
    assert "municipalities: 0 created, 0 updated, 290 unchanged" in out
    assert "police_regions: 0 created, 0 updated, 7 unchanged" in out
    after = {model: list(model.objects.order_by("pk").values()) for model in (Municipality, PoliceRegion, PoliceArea)}
    assert before == after


def test_loading_restores_a_municipality_changed_by_hand(capsys):
    Municipality.objects.filter(code="2417").update(name="Norsjö X")
    call_command("load_reference_data")
    assert "municipalities: 0 created, 1 updated, 289 unchanged" in capsys.readouterr().out
    assert municipality("2417").name == "Norsjö"


def test_habo_and_habo_get_different_slugs():
    assert municipality("0305").name == "Håbo"
    assert municipality("0643").name == "Habo"
    assert municipality("0305").slug != municipality("0643").slug


def test_the_kommunkod_is_unique():
    with pytest.raises(IntegrityError), transaction.atomic():
        Municipality.objects.create(code="2417", name="Ny kommun", slug="ny-kommun", county="24")


def test_the_kommunkod_must_start_with_the_county_code():
    with pytest.raises(IntegrityError), transaction.atomic():
        Municipality.objects.create(code="2499", name="Fel län", slug="fel-lan", county="01")


def test_the_kommunkod_has_four_characters():
    with pytest.raises(IntegrityError), transaction.atomic():
        Municipality.objects.create(code="249", name="Kort kod", slug="kort-kod", county="24")


def test_a_membership_is_for_a_municipality_or_a_police_area_not_both():
    user = UserFactory()
    area = PoliceArea.objects.get(name="Skellefteå")
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, municipality=municipality("2417"), police_area=area, role="samordnare")
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, role="samordnare")
    Membership.objects.create(user=user, police_area=area, role="lokalpolisomradeschef")


def test_a_user_holds_a_role_once_per_municipality():
    user = UserFactory()
    Membership.objects.create(user=user, municipality=municipality("2417"), role="samordnare")
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, municipality=municipality("2417"), role="samordnare")
    Membership.objects.create(user=user, municipality=municipality("2417"), role="kommunpolis")


def test_a_municipality_organisation_names_its_municipality():
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(name="Någon kommun", kind=Organisation.Kind.MUNICIPALITY)


def test_organisation_names_are_unique_nationally_and_within_a_municipality():
    Organisation.objects.create(name="Polisen", kind="police")
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(name="Polisen", kind="police")
    # "Fritidsgården" may exist in many municipalities, once in each.
    Organisation.objects.create(name="Fritidsgården", kind="municipal_unit", municipality=municipality("2417"))
    Organisation.objects.create(name="Fritidsgården", kind="municipal_unit", municipality=municipality("1962"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(name="Fritidsgården", kind="municipal_unit", municipality=municipality("2417"))
