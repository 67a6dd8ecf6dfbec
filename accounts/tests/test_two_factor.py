"""Two-factor login: set-up, the second step of the login, backup codes, what a municipality can require."""

import base64
import datetime
import time

import pytest
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from accounts import two_factor
from accounts.models import AuditEvent, User
from municipalities.models import Municipality
from municipalities.tests.factories import UserFactory
from pledges.tests.staff_data import member

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
Action = AuditEvent.Action


def code_for(key_hex, device=None):
    """The code an authenticator app shows for this secret: the next time step after the last one used
    (a code is accepted once), which the default tolerance of one step accepts."""
    totp = TOTP(bytes.fromhex(key_hex), digits=6)
    if device is not None and device.last_t >= totp.t():
        totp.time = time.time() + 30 * (device.last_t + 1 - totp.t())
    return f"{totp.token():06d}"


def wrong_code(key_hex):
    right = {code_for(key_hex)}
    return next(code for code in ("000000", "111111", "222222") if code not in right)


def turn_on(user):
    """Two-factor login on, as the set-up page does it; returns the app's device and the backup codes."""
    key = random_hex(20)
    return two_factor.two_factor_enable(user=user, key=key, code=code_for(key))


def unthrottle(user):
    """Tests do not wait out django-otp's 1, 2, 4… seconds after a wrong code."""
    TOTPDevice.objects.filter(user=user).update(throttling_failure_timestamp=None, throttling_failure_count=0)
    StaticDevice.objects.filter(user=user).update(throttling_failure_timestamp=None, throttling_failure_count=0)


def log_in(client, username, next_url=None):
    data = {"username": username, "password": PASSWORD}
    if next_url is not None:
        data["next"] = next_url
    return client.post(reverse("login"), data)


def verify_url(next_url):
    return f"{reverse('two_factor_verify')}?next={next_url.replace('/', '%2F')}"


def require(code="2417"):
    Municipality.objects.filter(code=code).update(require_two_factor=True)


def test_it_turns_on_with_the_right_code_and_refuses_a_wrong_one(client):
    alice = member("kommunpolis", username="alice")
    client.force_login(alice)
    page = client.get(reverse("two_factor_setup")).text
    key = client.session[two_factor.SETUP_SESSION_KEY]
    # The QR code is drawn in the page (no image request); the secret is there as text, in groups of four.
    assert '<svg role="img" aria-label="QR-kod' in page
    secret = base64.b32encode(bytes.fromhex(key)).decode().rstrip("=")
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in page
    assert 'autocomplete="one-time-code"' in page and 'inputmode="numeric"' in page
    assert client.get(reverse("two_factor_setup")).context["secret"] == two_factor.secret_for_display(key)

    response = client.post(reverse("two_factor_setup"), {"code": wrong_code(key)})
    assert response.status_code == 200
    assert "Koden stämmer inte" in response.text
    assert 'aria-describedby="id_code_helptext id_code_error"' in response.text
    assert not TOTPDevice.objects.filter(user=alice).exists()
    response = client.post(reverse("two_factor_setup"), {"code": "12ab"})
    assert "Skriv de sex siffror som appen visar" in response.text

    response = client.post(reverse("two_factor_setup"), {"code": code_for(key)})
    assert response.status_code == 200
    assert "Tvåstegsverifiering är på" in response.text
    codes = response.context["codes"]
    assert len(codes) == 10 and all(code in response.text for code in codes)
    assert TOTPDevice.objects.get(user=alice, confirmed=True).key == key
    assert StaticToken.objects.filter(device__user=alice).count() == 10
    assert AuditEvent.objects.filter(action=Action.TWO_FACTOR_ON, user=alice).count() == 1
    # The code just given verified this session; the page now shows the state, not a new secret.
    assert client.get(reverse("staff:dashboard")).status_code == 200
    page = client.get(reverse("two_factor_setup")).text
    assert "Tvåstegsverifiering är på" in page and "10 oanvända reservkoder" in page


def test_login_with_a_device_needs_the_second_step_and_keeps_next(client):
    alice = member("kommunpolis", username="alice")
    device, _codes = turn_on(alice)
    target = reverse("staff:pledge_list")
    response = log_in(client, "alice", next_url=target)
    assert response.status_code == 302 and response["Location"] == verify_url(target)
    # Logged in with the password only: none of the protected pages yet.
    for url in (reverse("staff:dashboard"), target, "/hantera/uppfoljning/medborgarloften/1/", "/admin/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("two_factor_verify"))
    assert client.get(reverse("home")).status_code == 200  # public pages as ever

    page = client.get(verify_url(target)).text
    assert 'autocomplete="one-time-code"' in page and 'inputmode="numeric"' in page
    assert f'name="next" value="{target}"' in page
    response = client.post(reverse("two_factor_verify"), {"code": "000000", "next": target})
    assert response.status_code == 200
    assert "Koden stämmer inte" in response.text
    assert AuditEvent.objects.filter(action=Action.TWO_FACTOR_FAILED, user=alice).count() == 1
    unthrottle(alice)

    response = client.post(reverse("two_factor_verify"), {"code": code_for(device.key, device), "next": target})
    assert response.status_code == 302 and response["Location"] == target
    assert client.get(target).status_code == 200
    assert client.get(reverse("staff:dashboard")).status_code == 200


def test_next_stays_on_this_site_through_both_steps(client):
    alice = member("kommunpolis", username="alice")
    device, _codes = turn_on(alice)
    response = log_in(client, "alice", next_url="https://evil.example/phish")
    assert response["Location"] == verify_url(reverse("staff:dashboard"))
    response = client.post(
        reverse("two_factor_verify"), {"code": code_for(device.key, device), "next": "//evil.example/"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("staff:dashboard")


def test_a_user_without_a_device_logs_in_as_before(client):
    member("kommunpolis", username="alice")
    response = log_in(client, "alice", next_url=reverse("staff:pledge_list"))
    assert response["Location"] == reverse("staff:pledge_list")
    # The second step has nothing to ask: it sends on.
    assert client.get(reverse("two_factor_verify"))["Location"] == reverse("staff:dashboard")


def test_a_backup_code_works_once(client):
    alice = member("kommunpolis", username="alice")
    _device, codes = turn_on(alice)
    log_in(client, "alice")
    page = client.get(reverse("two_factor_verify") + "?reservkod=1").text
    assert "Reservkod" in page and 'name="backup" value="1"' in page
    # Typed as shown or not: case, spaces and the dash do not matter.
    response = client.post(reverse("two_factor_verify"), {"code": f" {codes[0].upper()} ", "backup": "1"})
    assert response.status_code == 302 and response["Location"] == reverse("staff:dashboard")
    assert StaticToken.objects.filter(device__user=alice).count() == 9
    client.post(reverse("logout"))

    log_in(client, "alice")
    response = client.post(reverse("two_factor_verify"), {"code": codes[0], "backup": "1"})
    assert response.status_code == 200 and "Koden stämmer inte" in response.text
    unthrottle(alice)
    response = client.post(reverse("two_factor_verify"), {"code": codes[1].replace("-", ""), "backup": "1"})
    assert response.status_code == 302


def test_wrong_codes_are_throttled_and_audited(client):
    alice = member("kommunpolis", username="alice")
    device, _codes = turn_on(alice)
    log_in(client, "alice")
    client.post(reverse("two_factor_verify"), {"code": "000000"})
    # At once again: refused without being checked, even the right code, with the time to wait.
    response = client.post(reverse("two_factor_verify"), {"code": code_for(device.key, device)})
    assert response.status_code == 200
    assert "För många felaktiga koder" in response.text
    assert client.get(reverse("staff:dashboard")).status_code == 302
    events = AuditEvent.objects.filter(action=Action.TWO_FACTOR_FAILED, user=alice).order_by("id")
    assert [e.detail for e in events] == ["app", "app: throttled"]
    assert events[0].ip_address == "127.0.0.1"
    # After the wait, the right code is taken.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - datetime.timedelta(seconds=5)
    )
    response = client.post(reverse("two_factor_verify"), {"code": code_for(device.key, device)})
    assert response.status_code == 302


def test_a_municipality_that_requires_it_sends_its_staff_to_set_up_first(client):
    require("2417")  # Norsjö
    alice = member("kommunpolis", username="alice")
    client.force_login(alice)
    for url in (reverse("staff:dashboard"), reverse("staff:pledge_list"), "/hantera/uppfoljning/medborgarloften/1/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('two_factor_setup')}?next={url.replace('/', '%2F')}"
    response = client.get(reverse("staff:dashboard"), follow=True)
    assert "Norsjö kräver tvåstegsverifiering" in response.text
    assert "Slå på tvåstegsverifiering" in response.text

    key = client.session[two_factor.SETUP_SESSION_KEY]
    response = client.post(reverse("two_factor_setup"), {"code": code_for(key), "next": reverse("staff:dashboard")})
    assert f'href="{reverse("staff:dashboard")}"' in response.text  # "continue" goes where they were going
    assert client.get(reverse("staff:dashboard")).status_code == 200


def test_the_requirement_covers_the_admin_for_its_admin_users(client):
    require("2417")
    user = member("kommunchef", username="kai")
    User.objects.filter(pk=user.pk).update(is_staff=True)
    client.force_login(user)
    response = client.get("/admin/")
    assert response["Location"] == f"{reverse('two_factor_setup')}?next=%2Fadmin%2F"


def test_the_requirement_reaches_police_area_staff_and_no_one_else(client):
    require("2417")
    client.force_login(member("lokalpolisomradeschef", "2417"))  # the police area covering Norsjö
    assert client.get(reverse("staff:dashboard"))["Location"].startswith(reverse("two_factor_setup"))
    client.force_login(member("kommunpolis", "1435"))  # Tanum
    assert client.get(reverse("staff:dashboard")).status_code == 200


def test_an_unverified_superuser_reaches_neither_the_admin_nor_the_staff_area(client):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    turn_on(admin)
    client.force_login(admin)
    for url in ("/admin/", "/admin/municipalities/municipality/", "/hantera/", "/hantera/uppfoljning/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("two_factor_verify")), url
    # Nor the account settings, where the protection could be taken off.
    for url in (reverse("two_factor_setup"), reverse("two_factor_disable"), reverse("password_change")):
        assert client.get(url)["Location"].startswith(reverse("two_factor_verify")), url
    response = client.post(reverse("two_factor_disable"), {"password": PASSWORD})
    assert response.status_code == 302 and TOTPDevice.objects.filter(user=admin).exists()


def test_a_superuser_without_a_device_uses_the_admin_as_before_and_sets_the_requirement(client):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    norsjo = Municipality.objects.get(code="2417")
    url = reverse("admin:municipalities_municipality_change", args=[norsjo.pk])
    page = client.get(url).text
    assert 'name="require_two_factor"' in page
    data = {"code": norsjo.code, "name": norsjo.name, "slug": norsjo.slug, "county": norsjo.county}
    response = client.post(url, {**data, "require_two_factor": "on"})
    assert response.status_code == 302
    norsjo.refresh_from_db()
    assert norsjo.require_two_factor
    listing = client.get(reverse("admin:municipalities_municipality_changelist"), {"require_two_factor__exact": "1"})
    assert list(listing.context["cl"].result_list) == [norsjo]


def test_turning_off_needs_the_password_and_is_refused_while_required(client):
    alice = member("kommunpolis", username="alice")
    device, _codes = turn_on(alice)
    log_in(client, "alice")
    client.post(reverse("two_factor_verify"), {"code": code_for(device.key, device)})

    require("2417")
    page = client.get(reverse("two_factor_disable")).text
    assert "Norsjö kräver tvåstegsverifiering av sin personal, så den kan inte stängas av" in page
    assert 'name="password"' not in page
    response = client.post(reverse("two_factor_disable"), {"password": PASSWORD}, follow=True)
    assert "Norsjö kräver tvåstegsverifiering" in response.text
    assert TOTPDevice.objects.filter(user=alice).exists()
    assert not AuditEvent.objects.filter(action=Action.TWO_FACTOR_OFF).exists()

    Municipality.objects.filter(code="2417").update(require_two_factor=False)
    response = client.post(reverse("two_factor_disable"), {"password": "wrong"})
    assert response.status_code == 200 and "Lösenordet är fel" in response.text
    assert 'aria-describedby="id_password_error"' in response.text
    response = client.post(reverse("two_factor_disable"), {"password": PASSWORD}, follow=True)
    assert "Tvåstegsverifiering är av" in response.text
    assert not TOTPDevice.objects.filter(user=alice).exists() and not StaticDevice.objects.filter(user=alice).exists()
    assert AuditEvent.objects.filter(action=Action.TWO_FACTOR_OFF, user=alice).count() == 1
    assert client.get(reverse("staff:dashboard")).status_code == 200


def test_new_backup_codes_replace_the_old_ones(client):
    alice = member("kommunpolis", username="alice")
    device, old = turn_on(alice)
    log_in(client, "alice")
    client.post(reverse("two_factor_verify"), {"code": code_for(device.key, device)})
    assert client.get(reverse("two_factor_backup_codes")).status_code == 405  # a change: only by POST
    response = client.post(reverse("two_factor_backup_codes"))
    new = response.context["codes"]
    assert len(new) == 10 and not set(new) & set(old)
    tokens = set(StaticToken.objects.filter(device__user=alice).values_list("token", flat=True))
    assert tokens == {code.replace("-", "") for code in new}


def test_the_pages_need_a_login(client):
    for name in ("two_factor_verify", "two_factor_setup", "two_factor_disable"):
        assert client.get(reverse(name))["Location"].startswith(reverse("login"))
    assert client.post(reverse("two_factor_backup_codes"))["Location"].startswith(reverse("login"))


def test_the_middleware_asks_one_query_on_a_staff_page_and_none_on_a_public_one(rf, django_assert_num_queries):
    alice = member("kommunpolis", username="alice")
    alice.is_verified = lambda: False  # as django-otp's middleware marks a session that gave no code
    middleware = two_factor.TwoFactorMiddleware(lambda request: HttpResponse("ok"))
    for path, queries in (("/", 0), ("/kommuner/", 0), ("/hantera/", 1), ("/hantera/uppfoljning/", 1)):
        request = rf.get(path)
        request.user = alice
        with django_assert_num_queries(queries):
            assert middleware(request).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_in_a_browser_it_is_set_up_and_then_asked_for_at_login(page):
    """Chromium with the site's Content-Security-Policy: set-up from the secret shown as text, then a login
    whose second step is typed on the keyboard."""
    member("kommunpolis", username="kim")
    refused = []
    page.on(
        "console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None
    )

    page.goto("/konto/logga-in/")
    page.fill("#id_username", "kim")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url("**/hantera/")

    page.goto("/konto/tvastegsverifiering/")
    assert page.get_by_role(
        "img", name="QR-kod för att lägga till Medborgarlöften i din autentiseringsapp"
    ).is_visible()
    secret = page.locator("code").first.inner_text()  # what a screen-reader user types into the app
    key = base64.b32decode(secret.replace(" ", "")).hex()
    page.get_by_label("Kod från appen").focus()
    page.keyboard.type(code_for(key))
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Dina reservkoder").wait_for()
    assert page.locator(".two-factor-codes li").count() == 10
    page.get_by_role("link", name="Jag har sparat koderna, fortsätt").click()

    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_url("**/")
    page.goto("/konto/logga-in/?next=/hantera/medborgarloften/")
    page.fill("#id_username", "kim")
    page.fill("#id_password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/konto/verifiera/**")
    for _tab in range(30):  # from the top of the page to the code box, as a keyboard user gets there
        if page.evaluate("document.activeElement.id") == "id_code":
            break
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_code"
    device = TOTPDevice.objects.get(user__username="kim")
    page.keyboard.type(code_for(device.key, device))
    page.keyboard.press("Enter")
    page.wait_for_url("**/hantera/medborgarloften/")
    assert refused == []
