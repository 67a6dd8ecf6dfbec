"""The audit trail: logins, role changes, workflow steps, amendments and non-public downloads, with who,
when and from where; readable by superusers only and not editable through the application."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from accounts.models import AuditEvent
from municipalities.models import Membership
from municipalities.tests.factories import UserFactory, municipality
from pledges.models import AgreementDocument, Pledge
from pledges.tests.staff_data import make_pledge, member

pytestmark = pytest.mark.django_db
Action = AuditEvent.Action


def test_logins_and_failed_logins_are_recorded_with_the_address(client):
    UserFactory(username="kim", password="ett-langt-losenord-1")
    client.post(reverse("login"), {"username": "kim", "password": "fel"}, REMOTE_ADDR="192.0.2.7")
    client.post(reverse("login"), {"username": "kim", "password": "ett-langt-losenord-1"}, REMOTE_ADDR="192.0.2.8")
    client.post(reverse("logout"))
    events = list(AuditEvent.objects.order_by("id").values_list("action", "username", "ip_address"))
    assert events[-3:] == [
        (Action.LOGIN_FAILED, "kim", "192.0.2.7"),
        (Action.LOGIN, "kim", "192.0.2.8"),
        (Action.LOGOUT, "kim", "127.0.0.1"),
    ]


def test_roles_granted_and_revoked_are_recorded():
    user = UserFactory(username="sam")
    membership = Membership.objects.create(user=user, role="samordnare", municipality=municipality("2417"))
    membership.delete()
    details = list(
        AuditEvent.objects.filter(action__in=[Action.ROLE_GRANTED, Action.ROLE_REVOKED])
        .order_by("id")
        .values_list("action", "detail")
    )
    assert details == [
        (Action.ROLE_GRANTED, "sam: Samordnare – Norsjö"),
        (Action.ROLE_REVOKED, "sam: Samordnare – Norsjö"),
    ]


def test_workflow_steps_and_downloads_of_non_public_documents_are_recorded(client):
    pledge = make_pledge(status=Pledge.Status.DRAFT)
    officer = member("kommunpolis")
    client.force_login(officer)
    client.post(reverse("staff:pledge_transition", args=[pledge.pk, "review"]), REMOTE_ADDR="198.51.100.4")
    step = AuditEvent.objects.get(action=Action.STATUS_CHANGED)
    assert (step.user, step.ip_address, step.object_id, step.detail) == (
        officer,
        "198.51.100.4",
        str(pledge.pk),
        "draft → review",
    )
    document = AgreementDocument(pledge=pledge, version=1, checksum="a" * 64)
    document.pdf.save("audit.pdf", ContentFile(b"%PDF-1.7 audit"), save=True)
    client.get(reverse("staff:pledge_agreement_pdf", args=[pledge.pk, document.pk]))
    download = AuditEvent.objects.get(action=Action.DOWNLOADED)
    assert (download.user, download.object_type, download.detail) == (officer, "pledges.AgreementDocument", "a" * 64)


def test_the_trail_is_read_only_and_for_superusers(client):
    AuditEvent.objects.create(action=Action.LOGIN, username="x")
    event = AuditEvent.objects.get()
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert client.get(reverse("admin:accounts_auditevent_changelist")).status_code == 200
    assert client.get(reverse("admin:accounts_auditevent_add")).status_code == 403
    assert client.post(reverse("admin:accounts_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse("admin:accounts_auditevent_changelist")).status_code == 403
