"""The permission matrix of the follow-up pages: every URL pattern × every role × own and other municipality.

Adding a follow-up URL without an entry in MATRIX makes test_every_followup_url_has_an_entry fail.
"""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from followup import urls as followup_urls
from followup.models import ActivityLog, Evaluation
from municipalities.permissions import EDIT_ROLES, SIGN_ROLES
from municipalities.tests.factories import UserFactory
from pledges.models import Commitment, Pledge
from pledges.tests.staff_data import ROLES, make_pledge, member

pytestmark = pytest.mark.django_db

# url name → what the user needs on the pledge: "view", "log" (the editing roles), "change others' entries"
# (the signing roles: an entry made by someone else), or "post only" (any user reaching the pledge gets 405
# on GET; the POST needs the editing roles).
MATRIX = {
    "pledge": "view",
    "activity_create": "log",
    "activities_upload": "log",
    "activity_edit": "change others' entries",
    "activity_delete": "change others' entries",
    "missed_period": "log",
    "evaluation": "view, and log to save its text",
    "evaluation_build": "post only",
    "evaluation_status": "view",
    "evaluation_pdf": "view",
}
ROLES_FOR = {"view": set(ROLES), "log": set(EDIT_ROLES), "change others' entries": set(SIGN_ROLES)}


def test_every_followup_url_has_an_entry():
    assert {pattern.name for pattern in followup_urls.urlpatterns} == set(MATRIX)


def _url(name):
    pledge = make_pledge(status=Pledge.Status.PUBLISHED)  # 2025–2026, a commitment of 10 a month
    commitment = Commitment.objects.get(focus_area__pledge=pledge)
    if name in ("activity_edit", "activity_delete"):
        log = ActivityLog.objects.create(
            commitment=commitment, performed_on=datetime.date(2025, 2, 3), logged_by=UserFactory()
        )
        return reverse(f"followup:{name}", args=[log.pk])
    if name == "missed_period":
        return reverse("followup:missed_period", args=[commitment.pk, "2025-01-01"])  # nothing logged in January
    if name.startswith("evaluation"):
        evaluation = Evaluation.objects.create(pledge=pledge, year=2025)
        if name == "evaluation_pdf":
            evaluation.pdf.save("matrix.pdf", ContentFile(b"%PDF-1.7 test"), save=True)
        return reverse(f"followup:{name}", args=[pledge.pk, 2025])
    return reverse(f"followup:{name}", args=[pledge.pk])


def _expected(needs, role, own, method):
    if needs == "post only" and method == "get":
        return 405
    if not own:
        return 404
    if needs == "post only":
        needs = "log"
    if needs == "view, and log to save its text":
        needs = "view" if method == "get" else "log"
    return 200 if role in ROLES_FOR[needs] else 403


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("name", MATRIX)
def test_the_followup_permission_matrix(client, name, method):
    needs = MATRIX[name]
    failures = []
    for role in ROLES:
        for own in (True, False):
            client.force_login(member(role, "2417" if own else "1435"))
            got = getattr(client, method)(_url(name)).status_code
            expected = _expected(needs, role, own, method)
            # an allowed POST answers with the form again (200) or a redirect after the action (302)
            if not (got == expected or (expected == 200 and method == "post" and got == 302)):
                failures.append(f"{role} ({'own' if own else 'other'} municipality): expected {expected}, got {got}")
    client.logout()
    response = getattr(client, method)(_url(name))
    if response.status_code != 302 or not response["Location"].startswith(reverse("login")):
        failures.append(f"anonymous: expected a redirect to the login page, got {response.status_code}")
    client.force_login(UserFactory(is_superuser=True))
    got = getattr(client, method)(_url(name)).status_code
    if got not in ((405,) if needs == "post only" and method == "get" else (200, 302)):
        failures.append(f"superuser: got {got}")
    assert not failures, "\n".join(failures)
