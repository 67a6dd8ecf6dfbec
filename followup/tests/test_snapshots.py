"""Today's progress is read from stored snapshots; every kind of write makes the next read compute it anew."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from followup.models import ActivityLog, MissedPeriod, ProgressSnapshot
from followup.progress import focus_areas_of, pledges_progress
from followup.services import activities_import_csv
from followup.snapshots import CommitmentTotals, current_compliance, current_progress, current_totals, refresh_all
from municipalities.models import Membership
from municipalities.tests.factories import MembershipFactory, municipality
from pledges.models import Commitment, Pledge
from pledges.public_selectors import public_pledge_details
from pledges.tests.factories import CommitmentFactory, FocusAreaFactory, PledgeFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
MONTH_START = TODAY.replace(day=1)


def months_ago(n):
    year, month = divmod(MONTH_START.year * 12 + MONTH_START.month - 1 - n, 12)
    return datetime.date(year, month + 1, 1)


@pytest.fixture
def pledge():
    """A pledge running from a year ago with a monthly target of 2, met in one closed month of three."""
    pledge = PledgeFactory(status=Pledge.Status.PUBLISHED, period_start=months_ago(12), period_end=months_ago(-12))
    area = FocusAreaFactory(pledge=pledge)
    monthly = CommitmentFactory(focus_area=area, quantity=2, unit=Commitment.Unit.MONTH, interval=1)
    CommitmentFactory(
        focus_area=area,
        target_kind=Commitment.TargetKind.AS_NEEDED,
        comparison="",
        quantity=None,
        unit="",
        interval=None,
    )  # no number: counts only
    ActivityLog.objects.create(commitment=monthly, performed_on=months_ago(3), quantity=2)
    ActivityLog.objects.create(commitment=monthly, performed_on=months_ago(2), quantity=1)
    return pledge


def summary(progress):
    return [
        (c.commitment.pk, c.met, c.elapsed, c.total_quantity, [(b.start, b.quantity, b.status) for b in c.buckets])
        for c in progress.commitments
    ]


def test_a_stored_snapshot_gives_what_computing_gives_in_one_query(pledge, django_assert_num_queries):
    computed = pledges_progress([pledge])[pledge.pk]
    first = current_progress([pledge])[pledge.pk]
    assert ProgressSnapshot.objects.filter(pledge=pledge, computed_on=TODAY).exists()
    fetched = list(public_pledge_details().filter(pk=pledge.pk))
    # the snapshot; focus areas and commitments come prefetched with the page's pledge
    with django_assert_num_queries(1):
        stored = current_progress(fetched)[pledge.pk]
        assert summary(stored) == summary(computed) == summary(first)
    assert stored.compliance == computed.compliance == 1 / 12
    assert stored.commitments[0].commitment is fetched[0].focus_areas.all()[0].commitments.all()[0]


def test_the_latest_periods_come_from_the_snapshot_without_the_rest():
    pledge = PledgeFactory(status=Pledge.Status.PUBLISHED, period_start=months_ago(12), period_end=months_ago(-12))
    weekly = CommitmentFactory(focus_area=FocusAreaFactory(pledge=pledge), quantity=1, unit=Commitment.Unit.WEEK)
    ActivityLog.objects.create(commitment=weekly, performed_on=months_ago(1), quantity=1)
    computed = pledges_progress([pledge])[pledge.pk].commitments[0]
    current_progress([pledge])
    stored = current_progress([pledge])[pledge.pk].commitments[0]
    assert len(computed.buckets) > 30  # a year of weeks so far: more than a strip shows

    def periods(buckets):
        return [(b.start, b.end, b.quantity, b.status) for b in buckets]

    for count in (1, 3, 24, 1000):
        assert periods(stored.recent(count)) == periods(computed.recent(count)) == periods(computed.buckets[-count:])
    assert stored._periods is not None  # the latest periods were made without all the others
    assert stored.recent(0) == computed.recent(0) == []
    assert periods(stored.buckets) == periods(computed.buckets)


def test_totals_without_the_periods_read_one_small_row(pledge, django_assert_num_queries):
    computed = pledges_progress([pledge])[pledge.pk]
    current_progress([pledge])
    fetched = list(public_pledge_details().filter(pk=pledge.pk))
    with CaptureQueriesContext(connection) as queries:
        stored = current_progress(fetched, periods=False)[pledge.pk]
    assert len(queries) == 1 and '"periods"' not in queries[0]["sql"]
    assert [(c.met, c.elapsed, c.total_quantity, c.last_activity) for c in stored.commitments] == [
        (c.met, c.elapsed, c.total_quantity, c.last_activity) for c in computed.commitments
    ]
    assert stored.commitments[0].last_closed == computed.commitments[0].last_closed
    with django_assert_num_queries(1):  # the periods anyway, when asked for: read then
        assert stored.commitments[0].buckets == computed.commitments[0].buckets


@pytest.mark.parametrize(
    "write",
    [
        pytest.param(
            lambda c: ActivityLog.objects.create(commitment=c, performed_on=months_ago(1), quantity=5), id="log"
        ),
        pytest.param(lambda c: ActivityLog.objects.filter(commitment=c).first().delete(), id="log deleted"),
        pytest.param(lambda c: Commitment.objects.filter(pk=c.pk).first().save(), id="commitment saved"),
        pytest.param(
            lambda c: MissedPeriod.objects.create(
                commitment=c,
                period_start=months_ago(1),
                period_end=MONTH_START - datetime.timedelta(days=1),
                reason="other",
                reason_text="Sjukdom",
            ),
            id="missed-period reason",
        ),
        pytest.param(lambda c: c.focus_area.pledge.save(), id="pledge saved"),
    ],
)
def test_a_write_drops_the_snapshot(pledge, write):
    current_progress([pledge])
    monthly = Commitment.objects.filter(focus_area__pledge=pledge, quantity=2).get()
    write(monthly)
    assert not ProgressSnapshot.objects.filter(pledge=pledge).exists()


def test_a_new_log_shows_at_once_in_compliance_and_on_the_public_page(pledge, client):
    assert current_compliance([pledge])[pledge.pk] == pytest.approx(1 / 12)
    monthly = Commitment.objects.get(focus_area__pledge=pledge, quantity=2)
    ActivityLog.objects.create(commitment=monthly, performed_on=months_ago(1), quantity=2)
    assert current_compliance([pledge])[pledge.pk] == pytest.approx(2 / 12)
    assert current_progress([pledge])[pledge.pk].commitments[0].met == 2


def test_a_csv_import_which_sends_no_signals_drops_it_too(pledge):
    pledge.municipalities.add(municipality("2417"))
    user = MembershipFactory(role=Membership.Role.COORDINATOR).user
    monthly = Commitment.objects.get(focus_area__pledge=pledge, quantity=2)
    assert current_progress([pledge])[pledge.pk].commitments[0].met == 1
    raw = f"commitment,date,quantity\n{monthly.key},{months_ago(1).isoformat()},3\n".encode()
    activities_import_csv(user=user, pledge=pledge, raw=raw)
    assert current_progress([pledge])[pledge.pk].commitments[0].met == 2


def test_a_snapshot_of_an_earlier_day_is_not_used(pledge):
    current_progress([pledge])
    # A wrong figure stored yesterday: periods close at midnight, so it must not be shown today.
    ProgressSnapshot.objects.filter(pledge=pledge).update(
        computed_on=TODAY - datetime.timedelta(days=1), compliance=0.9
    )
    assert current_compliance([pledge])[pledge.pk] == pytest.approx(1 / 12)
    assert ProgressSnapshot.objects.get(pledge=pledge).computed_on == TODAY


def test_a_commitment_added_without_signals_is_noticed(pledge):
    current_progress([pledge])
    area = pledge.focus_areas.get()
    Commitment.objects.bulk_create(
        [
            Commitment(
                focus_area=area,
                key="ny",
                order=max(area.commitments.values_list("order", flat=True)) + 1,  # last, whatever the factory gave
                title="Ny",
                comparison=Commitment.Comparison.AT_LEAST,
                quantity=1,
                unit=Commitment.Unit.YEAR,
                interval=1,
            )
        ]
    )
    progress = current_progress([Pledge.objects.get(pk=pledge.pk)])[pledge.pk]
    assert [c.commitment.key for c in progress.commitments][-1] == "ny"


def test_the_nightly_refresh_stores_todays_progress_of_every_public_pledge(pledge):
    draft = PledgeFactory(status=Pledge.Status.DRAFT)
    ProgressSnapshot.objects.all().delete()
    assert refresh_all(batch_size=1) == 1
    assert list(ProgressSnapshot.objects.values_list("pledge_id", "computed_on")) == [(pledge.pk, TODAY)]
    assert not ProgressSnapshot.objects.filter(pledge=draft).exists()


def test_the_dashboard_reads_the_last_closed_period_without_decoding_the_others(pledge):
    computed = pledges_progress([pledge])[pledge.pk].commitments[0]
    current_progress([pledge])
    stored = current_progress([pledge])[pledge.pk].commitments[0]
    assert stored.last_closed == computed.last_closed
    assert computed.last_closed.start == months_ago(1) and computed.last_closed.status == "not_reported"
    assert stored._periods is not None  # the other periods were not made


# current_totals(): the same progress as plain values, for lists of many pledges


def commitments_of(*pledges):
    return {
        p.pk: list(Commitment.objects.filter(focus_area__pledge=p).order_by("pk").values_list("pk", flat=True))
        for p in pledges
    }


def expected(progress, periods=False):
    return {
        c.commitment.pk: CommitmentTotals(
            c.met, c.elapsed, c.total_quantity, c.entries, c.last_activity, c.buckets if periods else None
        )
        for c in progress.commitments
    }


def test_a_fresh_snapshot_gives_the_totals_in_one_query_of_one_small_row(pledge):
    computed = pledges_progress([pledge])[pledge.pk]
    current_progress([pledge])  # stores the snapshot
    commitments = commitments_of(pledge)
    with CaptureQueriesContext(connection) as queries:
        totals = current_totals([pledge], commitments)[pledge.pk]
    assert len(queries) == 1 and '"periods"' not in queries[0]["sql"]
    assert totals == expected(computed)
    monthly = next(t for t in totals.values() if t.elapsed)
    assert (monthly.met, monthly.elapsed, monthly.last_activity) == (1, 12, months_ago(2))
    assert monthly.compliance(True) == computed.compliance == 1 / 12
    assert monthly.compliance(False) is None


def test_the_periods_come_from_the_snapshot_when_asked_for(pledge, django_assert_num_queries):
    computed = pledges_progress([pledge])[pledge.pk]
    current_progress([pledge])
    commitments = commitments_of(pledge)
    with django_assert_num_queries(1):
        totals = current_totals([pledge], commitments, periods=True)[pledge.pk]
    assert totals == expected(computed, periods=True)
    assert any(t.buckets for t in totals.values())


def test_a_missing_snapshot_is_computed_on_the_focus_areas_given_and_stored(pledge, django_assert_num_queries):
    ProgressSnapshot.objects.all().delete()
    computed = pledges_progress([pledge])[pledge.pk]
    areas = focus_areas_of([Pledge.objects.get(pk=pledge.pk)])
    commitments = commitments_of(pledge)
    given = []

    def focus_areas(stale):
        given.extend(stale)
        return areas

    # the snapshots, logged sums, missed periods, storing: the focus areas are the caller's
    with django_assert_num_queries(4):
        totals = current_totals([pledge], commitments, focus_areas=focus_areas)[pledge.pk]
    assert given == [pledge]
    assert totals == expected(computed)
    assert ProgressSnapshot.objects.filter(pledge=pledge, computed_on=TODAY).exists()
    assert current_totals([pledge], commitments_of(pledge))[pledge.pk] == totals  # now from the snapshot


def test_a_snapshot_that_does_not_cover_the_commitments_is_computed_anew(pledge):
    current_progress([pledge])
    area = pledge.focus_areas.get()
    order = max(area.commitments.values_list("order", flat=True)) + 1
    [added] = Commitment.objects.bulk_create(  # no signal: the snapshot stays
        [
            Commitment(
                focus_area=area,
                key="ny",
                order=order,
                title="Ny",
                comparison=Commitment.Comparison.AT_LEAST,
                quantity=1,
                unit=Commitment.Unit.YEAR,
                interval=1,
            )
        ]
    )
    totals = current_totals([pledge], commitments_of(pledge))[pledge.pk]
    assert added.pk in totals
    assert totals == expected(pledges_progress([pledge])[pledge.pk])


def test_several_pledges_each_get_their_own(pledge):
    other = PledgeFactory(status=Pledge.Status.PUBLISHED, period_start=months_ago(12), period_end=months_ago(-12))
    weekly = CommitmentFactory(focus_area=FocusAreaFactory(pledge=other), quantity=1, unit=Commitment.Unit.WEEK)
    ActivityLog.objects.create(commitment=weekly, performed_on=months_ago(1), quantity=1)
    current_progress([pledge])  # one fresh, one missing
    totals = current_totals([pledge, other], commitments_of(pledge, other))
    assert totals[other.pk] == expected(pledges_progress([other])[other.pk])
    assert totals[pledge.pk] == expected(pledges_progress([pledge])[pledge.pk])
    assert current_totals([], {}) == {}
