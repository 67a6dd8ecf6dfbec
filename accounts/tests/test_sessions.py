"""The session store (accounts/sessions.py): the idle timeout moves with every request, but the session row is
written only when its data changed or its stored expiry is a minute behind."""

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.sessions import SessionStore
from pledges.tests.staff_data import member

pytestmark = pytest.mark.django_db

IDLE = datetime.timedelta(minutes=30)


@pytest.fixture
def alice(client):
    user = member("kommunpolis", username="alice")
    client.force_login(user)
    return user


def stored(client):
    return Session.objects.get(session_key=client.session.session_key)


def move_expiry(client, *, written_ago):
    """Make the stored session look as if its last write was ``written_ago``."""
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() + IDLE - written_ago
    )


def session_writes(queries):
    return [q["sql"] for q in queries if q["sql"].startswith(("UPDATE", "INSERT")) and "django_session" in q["sql"]]


def test_it_does_not_write_a_session_within_a_minute_of_its_last_write(client, alice):
    move_expiry(client, written_ago=datetime.timedelta(seconds=50))
    before = stored(client).expire_date
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("staff:dashboard")).status_code == 200
    assert session_writes(queries) == []
    assert stored(client).expire_date == before


def test_it_moves_the_expiry_once_the_last_write_is_a_minute_old(client, alice):
    move_expiry(client, written_ago=datetime.timedelta(seconds=70))
    client.get(reverse("staff:dashboard"))
    assert stored(client).expire_date >= timezone.now() + IDLE - datetime.timedelta(seconds=5)


def test_an_idle_session_ends_29_to_30_minutes_after_the_last_request(client, alice):
    # Written 59 seconds ago, so this request does not move it: it ends 29 min 1 s after this request.
    move_expiry(client, written_ago=datetime.timedelta(seconds=59))
    client.get(reverse("staff:dashboard"))
    left = stored(client).expire_date - timezone.now()
    assert IDLE - datetime.timedelta(minutes=1) < left <= IDLE
    # A session whose stored expiry has passed is over, cookie or not.
    Session.objects.filter(session_key=client.session.session_key).update(expire_date=timezone.now())
    assert client.get(reverse("staff:dashboard"))["Location"].startswith(reverse("login"))


def test_a_changed_session_is_written_at_once(client, alice):
    move_expiry(client, written_ago=datetime.timedelta(seconds=1))
    client.get(reverse("two_factor_setup"))  # keeps the secret of the set-up in the session
    assert "two_factor_setup_key" in stored(client).get_decoded()


def test_the_store_writes_new_and_changed_sessions_and_skips_fresh_ones(django_assert_num_queries):
    session = SessionStore()
    session["colour"] = "blue"
    session.create()
    key = session.session_key

    again = SessionStore(key)
    assert again["colour"] == "blue"
    with django_assert_num_queries(0):
        again.save()  # nothing changed, written just now
    again["colour"] = "green"
    again.save()
    assert SessionStore(key)["colour"] == "green"
