"""Dialogue participants' names never reach the public: a dialogue stores numbers of participants, never who
they were, and the text fields that are not published (identifiers, descriptions of places) appear on no public
page, embed, feed, API response, CSV or public PDF."""

import io

import pytest
from django.db import models
from django.utils.text import slugify
from pypdf import PdfReader

from dialogues.models import Dialogue, Finding, Place
from followup.evaluation import evaluation_for, evaluation_request_build
from pledges.agreement import agreement_ensure
from pledges.tests.public_data import published_pledge

pytestmark = pytest.mark.django_db

NAME = "Zacharias Qvarnström"
TRACE = "qvarnstr"  # in any case, also inside a slug ("zacharias-qvarnstrom")

# Every text field of the dialogue models, by whether the public sees it. A new field must be added to one of
# these sets (the first test fails until it is): a non-public one then goes through the absence test below.
PUBLIC_TEXT_FIELDS = {
    "dialogues.Dialogue.title",
    "dialogues.Dialogue.summary",
    "dialogues.Finding.key",
    "dialogues.Finding.text",
    "dialogues.Place.name",
}
NON_PUBLIC_TEXT_FIELDS = {
    "dialogues.Dialogue.external_id",
    "dialogues.Place.description",
}
MODELS = [Dialogue, Finding, Place]


def text_fields(model):
    """Free-text fields: CharField and TextField (and their kinds, as SlugField), choices excluded."""
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, (models.CharField, models.TextField)) and not field.choices
    ]


def label(field):
    return f"{field.model._meta.label}.{field.name}"


def holding_the_name(field):
    value = slugify(NAME) if isinstance(field, models.SlugField) else f"Anteckning: {NAME} var med."
    return value[: field.max_length] if field.max_length else value


def test_every_text_field_of_a_dialogue_is_either_public_or_not():
    found = {label(field) for model in MODELS for field in text_fields(model)}
    assert found == PUBLIC_TEXT_FIELDS | NON_PUBLIC_TEXT_FIELDS


def test_there_is_no_field_for_the_participants_names():
    names = {field.name for model in MODELS for field in model._meta.concrete_fields}
    assert not {name for name in names if "participant" in name and not name.startswith("participants_")}
    participant_fields = [f for f in Dialogue._meta.concrete_fields if f.name.startswith("participants_")]
    assert participant_fields and all(isinstance(f, models.PositiveIntegerField) for f in participant_fields)


def _fill_non_public_fields(dialogue):
    place = Place.objects.create(municipality=dialogue.municipality, name="Folkets hus")
    dialogue.place = place
    for obj in (dialogue, place, *dialogue.findings.all()):
        for field in text_fields(type(obj)):
            if label(field) in NON_PUBLIC_TEXT_FIELDS:
                setattr(obj, field.attname, holding_the_name(field))
        obj.full_clean()
        obj.save()
    stored = [
        getattr(obj, field.attname)
        for obj in (dialogue, place)
        for field in text_fields(type(obj))
        if label(field) in NON_PUBLIC_TEXT_FIELDS
    ]
    assert stored and all(TRACE in value.lower() for value in stored)


def _pdf_text(data):
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_a_name_in_a_non_public_field_appears_in_no_public_response(client, django_capture_on_commit_callbacks):
    pledge = published_pledge("2417")
    dialogue = pledge.dialogues.get()
    dialogue.held_on = dialogue.held_on.replace(year=2024)  # in the evaluation's year, so the PDF lists it
    _fill_non_public_fields(dialogue)

    agreement_ensure(pledge=pledge)
    evaluation = evaluation_for(pledge, 2024)
    with django_capture_on_commit_callbacks(execute=True):
        assert evaluation_request_build(evaluation=evaluation)
    evaluation.refresh_from_db()
    assert evaluation.status == "done", evaluation.error
    evaluation.published = True
    evaluation.save()

    pages = [
        "/",
        "/kommuner/",
        "/kommuner/2417/",
        "/kommuner/2417/embed/",
        "/kommuner/2417/feed/",
        "/feed/",
        f"/medborgarloften/{pledge.pk}/",
        "/api/v1/pledges/",
        f"/api/v1/pledges/{pledge.pk}/",
        "/api/v1/pledges/?format=csv",
        "/api/v1/dialogues/",
        f"/api/v1/dialogues/{dialogue.pk}/",
        "/api/v1/dialogues/?format=csv",
        f"/api/v1/dialogues/?pledge={pledge.pk}",
        "/api/v1/municipalities/?has_pledges=true",
        "/api/v1/municipalities/2417/",
        "/api/v1/indicators/",
        "/api/v1/indicators/?format=csv",
    ]
    for address in pages:
        response = client.get(address, HTTP_ACCEPT="*/*")
        assert response.status_code == 200, address
        body = response.content.decode()
        assert TRACE not in body.lower(), address
    # The dialogue is on the pages (so the check above looked at it), by its public fields only.
    assert dialogue.title in client.get(f"/medborgarloften/{pledge.pk}/").content.decode()
    assert client.get(f"/api/v1/dialogues/{dialogue.pk}/").json()["place"] == "Folkets hus"

    for address in (
        f"/medborgarloften/{pledge.pk}/overenskommelse.pdf",
        f"/medborgarloften/{pledge.pk}/utvardering/2024.pdf",
    ):
        response = client.get(address)
        assert response.status_code == 200, address
        data = b"".join(response.streaming_content)
        text = _pdf_text(data)
        assert "Medborgarlöfte" in text, address  # the text was extracted
        assert TRACE not in " ".join(text.split()).lower(), address
        assert TRACE.encode() not in data.lower(), address
    assert dialogue.title in " ".join(_pdf_text(evaluation.pdf.open("rb").read()).split())
