import pytest
from django.core import mail
from django.urls import reverse

from pledges.tests.staff_data import member

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def test_it_logs_in_and_lands_in_the_staff_area(client):
    member("kommunpolis", username="alice")
    page = client.get(reverse("login")).text
    assert "Logga in" in page and 'for="id_username"' in page
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("staff:dashboard")
    assert "Logga ut alice" in response.text


def test_a_wrong_password_is_told_and_five_lock_the_account(client):
    member("kommunpolis", username="alice")
    response = client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    assert "Fel användarnamn eller lösenord" in response.text
    for _attempt in range(4):
        response = client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    assert response.status_code == 429
    assert "För många misslyckade inloggningar" in response.text
    # Even the right password is refused while locked.
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_logout_is_a_post_and_ends_the_session(client):
    client.force_login(member("kommunpolis"))
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("staff:dashboard"))["Location"].startswith(reverse("login"))


def test_password_reset_sends_an_email_with_a_working_link(client):
    user = member("kommunpolis", username="alice")
    client.post(reverse("password_reset"), {"email": user.email})
    assert len(mail.outbox) == 1
    assert "Återställ ditt lösenord" in mail.outbox[0].subject
    link = next(line for line in mail.outbox[0].body.splitlines() if "/konto/aterstall/" in line)
    response = client.get(link.split("testserver")[1], follow=True)
    assert "Välj ett nytt lösenord" in response.text
    new = "ett-nytt-langt-losenord-2026"
    response = client.post(response.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new)


def test_password_change_checks_the_old_password(client):
    user = member("kommunpolis")
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": "x-new-password-22", "new_password2": "x-new-password-22"},
    )
    assert response.status_code == 200 and response.context["form"].errors["old_password"]


def test_sessions_expire_after_inactivity(settings):
    assert settings.SESSION_SAVE_EVERY_REQUEST and settings.SESSION_COOKIE_AGE <= 8 * 60 * 60


def test_a_session_ends_after_thirty_idle_minutes_and_its_cookies_are_guarded(client, settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST  # each request starts the 30 minutes again
    from municipalities.tests.factories import UserFactory

    UserFactory(username="kim", password="ett-langt-losenord-1")
    response = client.post(reverse("login"), {"username": "kim", "password": "ett-langt-losenord-1"})
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["httponly"] and session["samesite"] == "Lax"
    assert session["max-age"] == 30 * 60
