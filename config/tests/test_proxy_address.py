"""The client's address behind reverse proxies (TRUSTED_PROXY_COUNT), as the audit trail and the login lockout
see it: X-Forwarded-For is believed only as far as trusted proxies wrote it."""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from accounts.models import AuditEvent
from pledges.tests.staff_data import member

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
PROXY = "10.0.0.2"


def log_in(client, password, **headers):
    return client.post(reverse("login"), {"username": "alice", "password": password}, **headers)


def last_event():
    return AuditEvent.objects.order_by("-id").values_list("action", "ip_address").first()


def test_it_ignores_a_forwarded_for_header_without_trusted_proxies(client, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    member("kommunpolis", username="alice")
    # A client talking to gunicorn directly claims to be someone else.
    log_in(client, "wrong", REMOTE_ADDR="192.0.2.7", HTTP_X_FORWARDED_FOR="203.0.113.66")
    assert last_event() == (AuditEvent.Action.LOGIN_FAILED, "192.0.2.7")
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["192.0.2.7"]
    log_in(client, PASSWORD, REMOTE_ADDR="192.0.2.7", HTTP_X_FORWARDED_FOR="203.0.113.66")
    assert last_event() == (AuditEvent.Action.LOGIN, "192.0.2.7")


def test_it_takes_the_address_the_trusted_proxy_appended(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    member("kommunpolis", username="alice")
    # The client sent "X-Forwarded-For: 198.51.100.1"; the proxy appended the address it saw.
    log_in(client, "wrong", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.5")
    assert last_event() == (AuditEvent.Action.LOGIN_FAILED, "203.0.113.5")
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["203.0.113.5"]


def test_with_two_proxies_it_takes_the_second_entry_from_the_right(client, settings):
    settings.TRUSTED_PROXY_COUNT = 2
    member("kommunpolis", username="alice")
    log_in(client, "wrong", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.1, 2001:db8::7, 10.0.0.1")
    assert last_event() == (AuditEvent.Action.LOGIN_FAILED, "2001:db8::7")


def test_a_request_that_bypassed_the_proxy_or_a_malformed_header_is_no_error(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    member("kommunpolis", username="alice")
    log_in(client, "wrong", REMOTE_ADDR="192.0.2.9")  # no header: the connection's address
    assert last_event() == (AuditEvent.Action.LOGIN_FAILED, "192.0.2.9")
    response = log_in(client, PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="not-an-address")
    assert response.status_code == 302  # logged in; the address is recorded as unknown
    assert last_event() == (AuditEvent.Action.LOGIN, None)


def test_behind_a_proxy_five_failures_lock_out_that_client_only(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    member("kommunpolis", username="alice")
    attacker = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.5"}
    for _attempt in range(5):
        response = log_in(client, "wrong", **attacker)
    assert response.status_code == 429
    assert log_in(client, PASSWORD, **attacker).status_code == 429
    # Alice, through the same proxy from her own address, is not locked out with the attacker.
    response = log_in(client, PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.20")
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:dashboard")
