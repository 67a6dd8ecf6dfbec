import pytest
from django.urls import reverse

from dialogues.models import Dialogue, Finding
from municipalities.tests.factories import municipality
from pledges.tests.staff_data import form_data, make_dialogue, member

pytestmark = pytest.mark.django_db


def _data(client, url, **fields):
    response = client.get(url)
    data = form_data(response.context["form"], response.context["formset"])
    data.update(fields)
    return data


def test_it_registers_a_dialogue_with_findings(client):
    client.force_login(member("samordnare"))
    url = reverse("staff:dialogue_create")
    data = _data(
        client,
        url,
        municipality=str(municipality("2417").pk),
        kind="safety_walk",
        title="Trygghetsvandring i centrum",
        held_on="2025-10-07",
        place_name="Storgatan",
        participants_total="20",
        participants_women="12",
        participants_men="8",
        **{
            "findings-0-text": "Dålig belysning vid stationen",
            "findings-0-kind": "problem",
            "findings-0-theme": "lighting",
            "findings-0-place_name": "Stationen",
            "findings-0-raised_by_count": "7",
        },
    )
    response = client.post(url, data, follow=True)
    dialogue = Dialogue.objects.get(title="Trygghetsvandring i centrum")
    assert dialogue.place.name == "Storgatan"
    finding = Finding.objects.get(dialogue=dialogue)
    assert (finding.place.name, finding.raised_by_count) == ("Stationen", 7)
    assert "Dålig belysning vid stationen" in response.text


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": ""}, "title"),
        ({"participants_total": "5", "participants_women": "4", "participants_men": "4"}, "participants_total"),
        ({"participants_total": "-1"}, "participants_total"),
        ({"municipality": "tanum"}, "municipality"),
        ({"title": "x" * 201}, "title"),
    ],
)
def test_bad_input_is_shown_at_the_field_and_nothing_saved(client, fields, field):
    client.force_login(member("samordnare"))
    if fields.get("municipality") == "tanum":
        fields = {"municipality": str(municipality("1435").pk)}
    url = reverse("staff:dialogue_create")
    base = {
        "municipality": str(municipality("2417").pk),
        "kind": "open_meeting",
        "title": "Möte",
        "held_on": "2025-01-01",
    }
    response = client.post(url, _data(client, url, **{**base, **fields}))
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not Dialogue.objects.exists()


def test_a_reader_sees_but_cannot_edit_and_other_municipalities_see_nothing(client):
    dialogue = make_dialogue("2417")
    client.force_login(member("lasare"))
    assert client.get(reverse("staff:dialogue_detail", args=[dialogue.pk])).status_code == 200
    assert client.get(reverse("staff:dialogue_edit", args=[dialogue.pk])).status_code == 403
    client.force_login(member("samordnare", "1435"))
    assert client.get(reverse("staff:dialogue_detail", args=[dialogue.pk])).status_code == 404
    assert client.post(reverse("staff:dialogue_edit", args=[dialogue.pk]), {"title": "x"}).status_code == 404
