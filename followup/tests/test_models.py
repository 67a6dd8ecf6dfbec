import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from followup.models import ActivityLog, Evaluation, Indicator, IndicatorValue
from municipalities.models import PoliceArea
from municipalities.tests.factories import municipality
from pledges.tests.factories import CommitmentFactory, PledgeFactory

pytestmark = pytest.mark.django_db


def test_an_activity_records_quantity_and_hours_and_zero_means_nothing_done():
    commitment = CommitmentFactory()
    ActivityLog.objects.create(
        commitment=commitment, performed_on=datetime.date(2025, 3, 3), quantity=3, hours_spent=Decimal("4.5")
    )
    ActivityLog.objects.create(commitment=commitment, performed_on=datetime.date(2025, 4, 1), quantity=0)
    assert commitment.activity_logs.count() == 2
    with pytest.raises(IntegrityError), transaction.atomic():
        ActivityLog.objects.create(commitment=commitment, performed_on=datetime.date(2025, 4, 1), quantity=-1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ActivityLog.objects.create(
            commitment=commitment, performed_on=datetime.date(2025, 4, 1), hours_spent=Decimal("-1")
        )


def test_a_commitment_with_logged_work_cannot_be_deleted():
    from django.db.models import ProtectedError

    commitment = CommitmentFactory()
    ActivityLog.objects.create(commitment=commitment, performed_on=datetime.date(2025, 3, 3))
    with pytest.raises(ProtectedError):
        commitment.delete()


def test_activities_keep_their_history():
    log = ActivityLog.objects.create(commitment=CommitmentFactory(), performed_on=datetime.date(2025, 3, 3))
    log_id = log.id
    log.quantity = 2
    log.save()
    log.delete()
    assert [h.history_type for h in ActivityLog.history.filter(id=log_id).order_by("history_id")] == ["+", "~", "-"]


def test_an_indicator_covers_a_municipality_or_a_police_area_and_has_one_value_a_year():
    pledge = PledgeFactory()
    by_area = Indicator.objects.create(
        pledge=pledge, key="ntu", name="Förtroende", police_area=PoliceArea.objects.get(name="Västra Fyrbodal")
    )
    IndicatorValue.objects.create(indicator=by_area, year=2019, value=Decimal("55.0"))
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorValue.objects.create(indicator=by_area, year=2019, value=Decimal("56.0"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Indicator.objects.create(
            pledge=pledge,
            key="bada",
            name="Båda",
            municipality=municipality("1435"),
            police_area=PoliceArea.objects.get(name="Västra Fyrbodal"),
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Indicator.objects.create(pledge=pledge, key="halv", name="Halv baslinje", baseline_year=2018)


def test_an_evaluation_is_one_per_pledge_and_year_and_done_only_with_a_checksum():
    pledge = PledgeFactory()
    Evaluation.objects.create(pledge=pledge, year=2025)
    with pytest.raises(IntegrityError), transaction.atomic():
        Evaluation.objects.create(pledge=pledge, year=2025)
    with pytest.raises(IntegrityError), transaction.atomic():
        Evaluation.objects.create(pledge=pledge, year=2026, status=Evaluation.Status.DONE)
