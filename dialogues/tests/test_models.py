import datetime

import pytest
from django.db import IntegrityError, transaction

from dialogues.models import Dialogue, Finding, Place
from municipalities.tests.factories import municipality

pytestmark = pytest.mark.django_db


def dialogue(**fields):
    return Dialogue.objects.create(
        municipality=municipality("2181"), kind="open_meeting", title="Medborgardialog", **fields
    )


def test_participants_are_counted_by_gender_within_the_total():
    meeting = dialogue(participants_total=40, participants_women=22, participants_men=17, participants_other=1)
    assert meeting.participants_by_gender_known
    with pytest.raises(IntegrityError), transaction.atomic():
        dialogue(participants_total=10, participants_women=8, participants_men=5, participants_other=0)


def test_a_dialogue_known_only_to_the_month_says_so():
    meeting = dialogue(held_on=datetime.date(2017, 10, 1), date_precision="month")
    assert meeting.get_date_precision_display() == "Månad"


def test_findings_are_ranked_and_keyed_within_their_dialogue():
    meeting = dialogue()
    Finding.objects.create(dialogue=meeting, key="trafik", text="Trafikmiljön", theme="traffic", rank=1, order=0)
    Finding.objects.create(dialogue=meeting, key="belysning", text="Belysning", theme="lighting", rank=2, order=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Finding.objects.create(dialogue=meeting, key="trafik", text="Igen", order=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        Finding.objects.create(dialogue=meeting, key="noll", text="Rank 0", rank=0, order=3)
    assert [f.key for f in meeting.findings.all()] == ["trafik", "belysning"]


def test_a_place_has_both_coordinates_or_neither():
    Place.objects.create(municipality=municipality("1962"), name="Engelbrektsgatan")
    Place.objects.create(municipality=municipality("1962"), name="Sjön Noren", latitude=60.07, longitude=15.92)
    with pytest.raises(IntegrityError), transaction.atomic():
        Place.objects.create(municipality=municipality("1962"), name="Halv", latitude=60.07)
    with pytest.raises(IntegrityError), transaction.atomic():
        Place.objects.create(municipality=municipality("1962"), name="Utanför", latitude=95, longitude=15)
