"""manage.py seed_scale on small data: what it makes, that a rerun replaces it, and that it leaves
everything else alone."""

import datetime

import pytest
from django.core.management import call_command
from django_otp.plugins.otp_static.models import StaticDevice

from accounts.models import AuditEvent, User
from dialogues.models import Dialogue, Finding
from followup.models import ActivityLog, Indicator, IndicatorValue
from followup.progress import pledge_progress
from municipalities.models import Membership, Municipality
from pledges.models import Commitment, FocusArea, Pledge, PledgeParty, Signatory

from .factories import CommitmentFactory

pytestmark = pytest.mark.django_db


def seeded_counts():
    scale = {"external_id__startswith": "scale-"}
    return {
        "pledges": Pledge.objects.filter(**scale).count(),
        "areas": FocusArea.objects.filter(pledge__external_id__startswith="scale-").count(),
        "commitments": Commitment.objects.filter(focus_area__pledge__external_id__startswith="scale-").count(),
        "logs": ActivityLog.objects.filter(commitment__focus_area__pledge__external_id__startswith="scale-").count(),
        "parties": PledgeParty.objects.filter(pledge__external_id__startswith="scale-").count(),
        "signatories": Signatory.objects.filter(pledge__external_id__startswith="scale-").count(),
        "dialogues": Dialogue.objects.filter(**scale).count(),
        "findings": Finding.objects.filter(dialogue__external_id__startswith="scale-").count(),
        "indicators": Indicator.objects.filter(pledge__external_id__startswith="scale-").count(),
        "values": IndicatorValue.objects.filter(indicator__pledge__external_id__startswith="scale-").count(),
        "users": User.objects.filter(username__startswith="scale-").count(),
        "memberships": Membership.objects.filter(user__username__startswith="scale-").count(),
    }


def test_it_seeds_replaces_and_leaves_other_pledges_alone(capsys):
    other = CommitmentFactory(focus_area__pledge__external_id="norsjo-2019")
    ActivityLog.objects.create(commitment=other, performed_on=other.focus_area.pledge.period_start)
    municipalities_before = Municipality.objects.count()

    call_command("seed_scale", "--municipalities", "3", "--years", "1")
    assert "Seeded 3 municipalities, 6 pledges, 120 commitments" in capsys.readouterr().out
    first = seeded_counts()
    assert first["pledges"] == 6
    assert first["areas"] == 30
    assert first["commitments"] == 120
    assert first["parties"] == 12
    assert first["signatories"] == 18
    assert first["dialogues"] == 12
    assert first["findings"] == 60
    assert first["indicators"] == 12
    assert first["users"] == 7  # a kommunpolis and a samordnare each, and the user with ten municipalities
    assert first["memberships"] == 9
    # Two one-year pledges of 20 commitments per municipality: about 1,800 entries per full year
    assert 3 * 1_000 < first["logs"] < 3 * 4_000
    running = Pledge.objects.get(
        external_id__startswith="scale-", status=Pledge.Status.PUBLISHED, municipalities__code="0114"
    )
    assert running.period_end >= datetime.date.today()
    assert Pledge.objects.filter(external_id__startswith="scale-", status=Pledge.Status.ENDED).count() == 3

    # What a benchmark's login leaves behind does not stop the rerun: the audit event stays without the user.
    tio = User.objects.get(username="scale-tio")
    AuditEvent.objects.create(action=AuditEvent.Action.LOGIN, user=tio, username=tio.username)
    StaticDevice.objects.create(user=tio, name="backup").token_set.create(token="12345678")
    call_command("seed_scale", "--municipalities", "3", "--years", "1")
    assert seeded_counts() == first
    assert AuditEvent.objects.get(username="scale-tio").user is None
    assert not StaticDevice.objects.exists()

    other.refresh_from_db()
    assert other.activity_logs.count() == 1
    assert Pledge.objects.filter(external_id="norsjo-2019").exists()
    assert Municipality.objects.count() == municipalities_before


def test_it_mostly_meets_the_targets():
    call_command("seed_scale", "--municipalities", "1", "--years", "2", stdout=open("/dev/null", "w"))  # noqa: SIM115
    ended = Pledge.objects.get(external_id__startswith="scale-", status=Pledge.Status.ENDED)
    progress = pledge_progress(ended)
    assert len(progress.commitments) == 20
    assert 0.7 < progress.compliance < 1
