"""The permission matrix: every staff URL pattern × every role × own and other municipality.

Adding a staff URL without an entry in MATRIX makes test_every_staff_url_has_an_entry fail.
"""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from municipalities.permissions import EDIT_ROLES, SIGN_ROLES
from municipalities.tests.factories import UserFactory
from pledges import staff_urls
from pledges.models import AgreementDocument, Pledge
from pledges.tests.staff_data import ROLES, make_dialogue, make_pledge, member

pytestmark = pytest.mark.django_db

ANY = "any logged-in user"
EDITORS = "any user with an editing role somewhere"

# url name → (what the user needs, status of the pledge, extra URL arguments)
# Needs: "view" / "edit" / "sign" on the pledge or dialogue (404 outside one's municipalities, 403 without the role),
# or ANY / EDITORS for pages that list only the user's own objects.
MATRIX = {
    "dashboard": (ANY, None, {}),
    "pledge_list": (ANY, None, {}),
    "pledge_create": (EDITORS, None, {}),
    "pledge_detail": ("view", Pledge.Status.DRAFT, {}),
    "pledge_edit": ("edit", Pledge.Status.DRAFT, {}),
    "focus_area_edit": ("edit", Pledge.Status.DRAFT, {"area_pk": "area"}),
    "pledge_transition": ("sign", Pledge.Status.SIGNED, {"transition": "publish"}),
    "pledge_sign": ("sign", Pledge.Status.REVIEW, {}),
    "pledge_history": ("view", Pledge.Status.PUBLISHED, {}),
    # viewing the agreement needs "view"; uploading a scanned copy to it needs "edit"
    "pledge_agreement": (("view", "edit"), Pledge.Status.PUBLISHED, {}),
    "pledge_agreement_pdf": ("view", Pledge.Status.PUBLISHED, {"agreement": True}),
    "pledge_trace": ("view", Pledge.Status.PUBLISHED, {}),
    "pledge_next_period": ("edit", Pledge.Status.PUBLISHED, {}),
    "pledge_compare": ("view", Pledge.Status.DRAFT, {"previous": True}),
    "dialogue_list": (ANY, None, {}),
    "dialogue_create": (EDITORS, None, {}),
    "dialogue_detail": ("view", "dialogue", {}),
    "dialogue_edit": ("edit", "dialogue", {}),
}
# The transition URL also with the step an editor (not only a signer) may take.
EXTRA_CASES = [("pledge_transition", ("edit", Pledge.Status.DRAFT, {"transition": "review"}))]
ROLES_FOR = {"view": set(ROLES), "edit": set(EDIT_ROLES), "sign": set(SIGN_ROLES)}


def test_every_staff_url_has_an_entry():
    names = {pattern.name for pattern in staff_urls.urlpatterns}
    assert names == set(MATRIX), "add the new staff URL to MATRIX with the permission it needs"


def _url(name, status, extra):
    if status is None:
        return reverse(f"staff:{name}")
    if status == "dialogue":
        return reverse(f"staff:{name}", kwargs={"pk": make_dialogue().pk})
    pledge = make_pledge(status=status)
    kwargs = {"pk": pledge.pk}
    if extra.get("area_pk"):
        kwargs["area_pk"] = pledge.focus_areas.first().pk
    if extra.get("transition"):
        kwargs["transition"] = extra["transition"]
    if extra.get("agreement"):
        document = AgreementDocument(pledge=pledge, version=1, checksum="0" * 64)
        document.pdf.save("matrix.pdf", ContentFile(b"%PDF-1.7 matrix"), save=True)
        kwargs["document_pk"] = document.pk
    if extra.get("previous"):
        pledge.previous_pledge = make_pledge(status=Pledge.Status.PUBLISHED)
        pledge.save()
    return reverse(f"staff:{name}", kwargs=kwargs)


def _expected(needs, role, own):
    if needs == ANY:
        return 200
    if needs == EDITORS:
        return 200 if role in EDIT_ROLES else 403
    if not own:
        return 404
    return 200 if role in ROLES_FOR[needs] else 403


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(("name", "entry"), [*MATRIX.items(), *EXTRA_CASES])
def test_the_permission_matrix(client, name, entry, method):
    needs, status, extra = entry
    if isinstance(needs, tuple):  # (what GET needs, what POST needs)
        needs = needs[0] if method == "get" else needs[1]
    users = [(role, own, member(role, "2417" if own else "1435")) for role in ROLES for own in (True, False)]
    failures = []
    for role, own, user in users:
        url = _url(name, status, extra)  # a fresh object per user: an allowed POST may change it
        client.force_login(user)
        response = getattr(client, method)(url)
        expected = _expected(needs, role, own)
        got = response.status_code
        # An allowed POST answers with the form again (200) or a redirect after the action (302).
        ok = got == expected or (expected == 200 and method == "post" and got == 302)
        if not ok:
            failures.append(f"{role} ({'own' if own else 'other'} municipality): expected {expected}, got {got}")
    client.logout()
    response = getattr(client, method)(_url(name, status, extra))
    if response.status_code != 302 or not response["Location"].startswith(reverse("login")):
        failures.append(f"anonymous: expected a redirect to the login page, got {response.status_code}")
    admin = UserFactory(is_superuser=True)
    client.force_login(admin)
    response = getattr(client, method)(_url(name, status, extra))
    if response.status_code not in (200, 302):
        failures.append(f"superuser: got {response.status_code}")
    assert not failures, "\n".join(failures)


def test_a_pledge_of_another_municipality_is_not_listed(client):
    norsjo = make_pledge(title="Norsjös löfte")
    client.force_login(member("kommunchef", "1435"))
    for name in ("dashboard", "pledge_list"):
        assert norsjo.title not in client.get(reverse(f"staff:{name}")).text
    make_dialogue("2417")
    assert "Dialogmöte 2417" not in client.get(reverse("staff:dialogue_list")).text
