import datetime

import pytest
from django.core import mail

from followup.models import Reminder
from followup.tasks import send_reminders
from municipalities.models import Membership, Organisation
from municipalities.tests.factories import UserFactory, municipality
from pledges.tests.factories import CommitmentFactory, FocusAreaFactory, PledgeFactory


@pytest.mark.django_db(transaction=True)
def test_the_daily_reminder_task_runs_on_a_real_worker_and_sends_once(celery_worker):
    today = datetime.date.today()
    pledge = PledgeFactory(
        status="published",
        period_start=today - datetime.timedelta(days=60),
        period_end=today.replace(year=today.year + 1),
    )
    pledge.municipalities.add(municipality("2417"))
    police = Organisation.objects.get_or_create(name="Polisen", kind="police")[0]
    CommitmentFactory(
        focus_area=FocusAreaFactory(pledge=pledge),
        title="Hastighetskontroller",
        quantity=1,
        unit="week",
        responsible=[police],
    )
    officer = UserFactory(email="kommunpolis@example.org")
    Membership.objects.create(user=officer, municipality=municipality("2417"), role="kommunpolis")

    assert send_reminders.delay().get(timeout=30) == 1
    assert send_reminders.delay().get(timeout=30) == 0
    assert Reminder.objects.filter(user=officer).count() == 1
    assert [message.to for message in mail.outbox] == [["kommunpolis@example.org"]]
    assert "Hastighetskontroller" in mail.outbox[0].subject
