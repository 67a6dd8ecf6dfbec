"""Faults survived: with the cache server (Redis) down, public and staff pages keep working."""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse

from followup.models import ActivityLog
from pledges.models import Commitment, Pledge
from pledges.tests.staff_data import member

pytestmark = pytest.mark.django_db

DOWN = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}}


def test_with_redis_down_pages_are_served_and_saves_go_through(client, settings, caplog):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    settings.CACHES = DOWN
    norsjo = Pledge.objects.get(external_id="norsjo-2019-2022")
    for address in ["/", "/kommuner/", "/kommuner/2417/", "/kommuner/2417/embed/", f"/medborgarloften/{norsjo.pk}/"]:
        assert client.get(address).status_code == 200, address
    client.force_login(member("kommunpolis"))
    assert client.get(reverse("staff:dashboard")).status_code == 200
    # A save bumps the public cache through a signal: it must not fail with the cache down.
    Pledge.objects.filter(pk=norsjo.pk).update(status=Pledge.Status.PUBLISHED, period_end=datetime.date(2030, 12, 31))
    controls = Commitment.objects.get(focus_area__pledge=norsjo, key="trafikkontroller")
    response = client.post(
        reverse("followup:activity_create", args=[norsjo.pk]),
        {"commitment": controls.pk, "performed_on": datetime.date.today().isoformat(), "quantity": 2},
    )
    assert response.status_code == 302
    assert ActivityLog.objects.filter(commitment=controls, performed_on=datetime.date.today()).exists()
    # the pages really went without the cache (this is no test of a cache that was up)
    assert "Public cache unavailable, pages are built without it" in caplog.text
    assert "Public cache unavailable, not bumped" in caplog.text
