"""A create form sent twice (a double click, a page sent again) creates one object."""

import datetime

import pytest
from django.urls import reverse

from dialogues.models import Dialogue
from followup.models import ActivityLog
from pledges.models import Commitment, Pledge
from pledges.tests.staff_data import form_data, make_pledge, member

pytestmark = pytest.mark.django_db


def twice(client, url, data):
    return [client.post(url, data) for _ in range(2)]


def test_an_activity_sent_twice_is_logged_once(client):
    pledge = make_pledge(status=Pledge.Status.PUBLISHED)
    commitment = Commitment.objects.get(focus_area__pledge=pledge)
    client.force_login(member("kommunpolis"))
    url = reverse("followup:activity_create", args=[pledge.pk])
    form = client.get(url).context["form"]
    data = form_data(form) | {"commitment": commitment.pk, "performed_on": "2025-03-03", "quantity": "2"}
    first, second = twice(client, url, data)
    assert (first.status_code, second.status_code) == (302, 302)
    assert ActivityLog.objects.count() == 1
    page = client.get(second["Location"]).content.decode()
    assert "Formuläret var redan skickat: aktiviteten registrerades en gång." in page
    # A new form (a new key) logs again: the same day may really have two entries.
    data = form_data(client.get(url).context["form"]) | {
        "commitment": commitment.pk,
        "performed_on": "2025-03-03",
        "quantity": "2",
    }
    client.post(url, data)
    assert ActivityLog.objects.count() == 2


def test_a_form_with_errors_can_be_corrected_and_sent_with_the_same_key(client):
    pledge = make_pledge(status=Pledge.Status.PUBLISHED)
    commitment = Commitment.objects.get(focus_area__pledge=pledge)
    client.force_login(member("kommunpolis"))
    url = reverse("followup:activity_create", args=[pledge.pk])
    data = form_data(client.get(url).context["form"]) | {"commitment": commitment.pk, "quantity": "2"}
    future = (datetime.date.today() + datetime.timedelta(days=5)).isoformat()
    assert client.post(url, data | {"performed_on": future}).status_code == 200  # refused, nothing saved
    assert client.post(url, data | {"performed_on": "2025-03-03"}).status_code == 302
    assert ActivityLog.objects.count() == 1


def test_a_pledge_sent_twice_is_created_once(client):
    client.force_login(member("kommunpolis"))
    url = reverse("staff:pledge_create")
    response = client.get(url)
    data = form_data(response.context["form"], response.context["formset"]) | {
        "title": "Tryggare Norsjö",
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
    }
    from municipalities.tests.factories import municipality

    data["municipalities"] = [str(municipality("2417").pk)]
    first, second = twice(client, url, data)
    assert first.status_code == 302 and second.status_code == 302
    assert Pledge.objects.filter(title="Tryggare Norsjö").count() == 1


def test_a_dialogue_sent_twice_is_registered_once(client):
    client.force_login(member("samordnare"))
    url = reverse("staff:dialogue_create")
    response = client.get(url)
    data = form_data(response.context["form"], response.context["formset"])
    from municipalities.tests.factories import municipality

    data |= {
        "title": "Öppet möte i Norsjö",
        "kind": "open_meeting",
        "municipality": str(municipality("2417").pk),
        "held_on": "2025-10-01",
        "date_precision": "day",
    }
    first, second = twice(client, url, data)
    assert first.status_code == 302, first.content.decode()[:2000]
    assert second.status_code == 302
    assert Dialogue.objects.filter(title="Öppet möte i Norsjö").count() == 1
