"""The Permissions-Policy header: every kind of answer denies the browser features we never use."""

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "address",
    ["/", "/kommuner/", "/api/v1/pledges/", "/static/favicon.svg", "/finns-inte/", "/hantera/"],
)
def test_every_answer_denies_camera_microphone_position_and_payment(client, address):
    response = client.get(address)

    policy = response.headers.get("Permissions-Policy", "")
    features = dict(part.strip().split("=", 1) for part in policy.split(","))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert features.get(feature) == "()", (address, response.status_code, policy)


def test_the_policy_names_only_what_settings_list(client):
    policy = client.get("/").headers["Permissions-Policy"]

    assert [part.split("=")[0] for part in policy.split(", ")] == list(settings.PERMISSIONS_POLICY)
