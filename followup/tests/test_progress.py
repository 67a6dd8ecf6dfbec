"""Progress against the source documents' targets, computed from what was logged."""

import datetime
import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command

from followup.models import ActivityLog, MissedPeriod
from followup.progress import Status, pledge_progress, pledges_progress
from pledges.models import Commitment, Pledge
from pledges.tests.factories import CommitmentFactory, FocusAreaFactory, PledgeFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def pledge_of(start, end):
    return PledgeFactory(period_start=start, period_end=end)


def commitment(pledge, **target):
    fields = {"target_kind": "quantity", "comparison": "at_least", "interval": 1} | target
    if fields["target_kind"] != "quantity":
        fields.update(comparison="", quantity=None, interval=None, unit="")
    return CommitmentFactory(focus_area=FocusAreaFactory(pledge=pledge), **fields)


def log(commitment, day, quantity=1):
    return ActivityLog.objects.create(commitment=commitment, performed_on=day, quantity=quantity)


def progress_of(commitment, today):
    return pledge_progress(commitment.focus_area.pledge, today=today).commitments[0]


def statuses(progress):
    return [(b.start, b.end, b.quantity, b.status) for b in progress.buckets]


def test_at_least_ten_a_month_met_not_met_and_not_reported():
    controls = commitment(pledge_of(D(2019, 1, 1), D(2022, 12, 31)), quantity=10, unit="month")
    for day, quantity in [(D(2019, 1, 5), 7), (D(2019, 1, 20), 5), (D(2019, 2, 10), 8)]:
        log(controls, day, quantity)
    progress = progress_of(controls, today=D(2019, 4, 15))
    assert statuses(progress) == [
        (D(2019, 1, 1), D(2019, 1, 31), 12, "met"),
        (D(2019, 2, 1), D(2019, 2, 28), 8, "not_met"),
        (D(2019, 3, 1), D(2019, 3, 31), 0, "not_reported"),
        (D(2019, 4, 1), D(2019, 4, 30), 0, "in_progress"),
    ]
    assert (progress.met, progress.elapsed) == (1, 3)
    assert progress.compliance == pytest.approx(1 / 3)
    assert progress.current.start == D(2019, 4, 1)


def test_a_report_of_nothing_done_is_not_met_rather_than_not_reported():
    controls = commitment(pledge_of(D(2019, 1, 1), D(2019, 12, 31)), quantity=10, unit="month")
    log(controls, D(2019, 1, 31), 0)
    assert statuses(progress_of(controls, today=D(2019, 2, 2)))[0][2:] == (0, "not_met")


def test_one_every_three_weeks_across_a_year_boundary():
    # Norsjö's "Var tredje helg": ISO weeks from the week of the start, three at a time.
    visits = commitment(pledge_of(D(2019, 12, 2), D(2020, 3, 1)), quantity=1, interval=3, unit="week")
    log(visits, D(2019, 12, 21))  # a Saturday in the first three weeks
    log(visits, D(2020, 1, 4))  # the second block runs 2019-12-23 – 2020-01-12
    progress = progress_of(visits, today=D(2020, 2, 5))
    assert statuses(progress) == [
        (D(2019, 12, 2), D(2019, 12, 22), 1, "met"),
        (D(2019, 12, 23), D(2020, 1, 12), 1, "met"),
        (D(2020, 1, 13), D(2020, 2, 2), 0, "not_reported"),
        (D(2020, 2, 3), D(2020, 2, 23), 0, "in_progress"),
    ]


def test_once_during_the_whole_period():
    # Tanum's "vid minst ett tillfälle … informationsträff".
    meeting = commitment(pledge_of(D(2017, 1, 1), D(2017, 12, 31)), quantity=1, unit="period")
    assert statuses(progress_of(meeting, today=D(2017, 6, 1))) == [(D(2017, 1, 1), D(2017, 12, 31), 0, "in_progress")]
    log(meeting, D(2017, 10, 3))
    progress = progress_of(meeting, today=D(2018, 1, 10))
    assert statuses(progress) == [(D(2017, 1, 1), D(2017, 12, 31), 1, "met")]
    assert progress.compliance == 1


def test_a_yearly_target_due_in_october_counts_only_october():
    # Norberg's "samordnar varje oktober en trygghetsvandring".
    walk = commitment(pledge_of(D(2015, 1, 1), D(2016, 12, 31)), quantity=1, unit="year", due_month=10)
    log(walk, D(2015, 10, 14))
    log(walk, D(2016, 9, 30))  # September does not count for October
    assert statuses(progress_of(walk, today=D(2015, 9, 1))) == []  # October has not begun
    progress = progress_of(walk, today=D(2017, 1, 1))
    assert statuses(progress) == [
        (D(2015, 10, 1), D(2015, 10, 31), 1, "met"),
        (D(2016, 10, 1), D(2016, 10, 31), 0, "not_reported"),
    ]


def test_an_ongoing_commitment_gets_counts_and_never_a_score():
    ongoing = commitment(pledge_of(D(2019, 1, 1), D(2022, 12, 31)), target_kind="continuous")
    log(ongoing, D(2019, 3, 1), 3)
    log(ongoing, D(2020, 5, 1), 2)
    progress = progress_of(ongoing, today=D(2021, 1, 1))
    assert (progress.measurable, progress.total_quantity, progress.entries) == (False, 5, 2)
    assert progress.last_activity == D(2020, 5, 1)
    assert progress.buckets == []
    assert progress.compliance is None


def test_iso_week_53():
    # 2020 has an ISO week 53: Monday 2020-12-28 to Sunday 2021-01-03.
    weekly = commitment(pledge_of(D(2020, 12, 14), D(2021, 1, 17)), quantity=1, unit="week")
    log(weekly, D(2020, 12, 15))
    log(weekly, D(2021, 1, 2))  # a Saturday of week 53, in the new year
    log(weekly, D(2021, 1, 6))
    progress = progress_of(weekly, today=D(2021, 1, 20))
    assert statuses(progress) == [
        (D(2020, 12, 14), D(2020, 12, 20), 1, "met"),
        (D(2020, 12, 21), D(2020, 12, 27), 0, "not_reported"),
        (D(2020, 12, 28), D(2021, 1, 3), 1, "met"),
        (D(2021, 1, 4), D(2021, 1, 10), 1, "met"),
        (D(2021, 1, 11), D(2021, 1, 17), 0, "not_reported"),
    ]


def test_a_leap_day_is_its_own_day():
    daily = commitment(pledge_of(D(2024, 2, 27), D(2024, 3, 2)), quantity=1, unit="day")
    for day in [D(2024, 2, 27), D(2024, 2, 28), D(2024, 2, 29), D(2024, 3, 1)]:
        log(daily, day)
    progress = progress_of(daily, today=D(2024, 3, 2))
    assert [b.start for b in progress.buckets] == [
        D(2024, 2, 27),
        D(2024, 2, 28),
        D(2024, 2, 29),
        D(2024, 3, 1),
        D(2024, 3, 2),
    ]
    assert [b.status for b in progress.buckets] == ["met", "met", "met", "met", "in_progress"]


def test_quarters_and_tertials_are_calendar_ones_clipped_to_the_period():
    pledge = pledge_of(D(2021, 2, 15), D(2021, 12, 31))
    tertial = commitment(pledge, quantity=1, unit="tertial")
    quarter = commitment(pledge, quantity=1, unit="quarter")
    progress = pledge_progress(pledge, today=D(2022, 1, 1))
    by_key = {c.commitment.pk: c for c in progress.commitments}
    assert [(b.start, b.end) for b in by_key[tertial.pk].buckets] == [
        (D(2021, 2, 15), D(2021, 4, 30)), (D(2021, 5, 1), D(2021, 8, 31)), (D(2021, 9, 1), D(2021, 12, 31))
    ]  # fmt: skip
    assert [b.start for b in by_key[quarter.pk].buckets] == [
        D(2021, 2, 15),
        D(2021, 4, 1),
        D(2021, 7, 1),
        D(2021, 10, 1),
    ]


def test_a_commitment_valid_for_one_year_of_the_plan_counts_only_that_year():
    plan_2020 = commitment(
        pledge_of(D(2019, 1, 1), D(2022, 12, 31)),
        quantity=2,
        unit="year",
        valid_from=D(2020, 1, 1),
        valid_to=D(2020, 12, 31),
    )
    log(plan_2020, D(2019, 6, 1), 5)  # before the plan: not counted
    log(plan_2020, D(2020, 6, 1), 2)
    progress = progress_of(plan_2020, today=D(2023, 1, 1))
    assert statuses(progress) == [(D(2020, 1, 1), D(2020, 12, 31), 2, "met")]
    assert progress.total_quantity == 2


def test_at_most_and_exactly():
    pledge = pledge_of(D(2019, 1, 1), D(2019, 3, 31))
    at_most = commitment(pledge, comparison="at_most", quantity=2, unit="month")
    exactly = commitment(pledge, comparison="exactly", quantity=2, unit="month")
    for c in (at_most, exactly):
        log(c, D(2019, 1, 10), 1)
        log(c, D(2019, 2, 10), 3)
    progress = {c.commitment.pk: c for c in pledge_progress(pledge, today=D(2019, 3, 5)).commitments}
    assert [b.status for b in progress[at_most.pk].buckets] == ["met", "not_met", "in_progress"]
    assert [b.status for b in progress[exactly.pk].buckets] == ["not_met", "not_met", "in_progress"]


def test_a_missed_period_carries_its_reason_and_corrective_action():
    controls = commitment(pledge_of(D(2019, 1, 1), D(2019, 12, 31)), quantity=10, unit="month")
    log(controls, D(2019, 1, 10), 4)
    MissedPeriod.objects.create(
        commitment=controls,
        period_start=D(2019, 1, 1),
        period_end=D(2019, 1, 31),
        reason="lack_of_staff",
        corrective_action="Extra pass i februari",
    )
    bucket = progress_of(controls, today=D(2019, 2, 2)).buckets[0]
    assert bucket.status == Status.NOT_MET
    assert bucket.missed_reason == "Personalbrist"
    assert bucket.corrective_action == "Extra pass i februari"


def test_focus_areas_and_the_pledge_roll_up_as_the_mean_of_their_commitments():
    pledge = pledge_of(D(2019, 1, 1), D(2019, 12, 31))
    area = FocusAreaFactory(pledge=pledge)
    daily = CommitmentFactory(focus_area=area, quantity=1, unit="day")
    yearly = CommitmentFactory(focus_area=area, quantity=1, unit="year")
    CommitmentFactory(focus_area=area, target_kind="as_needed", comparison="", quantity=None, interval=None, unit="")
    for n in range(365):
        log(daily, D(2019, 1, 1) + datetime.timedelta(days=n))
    progress = pledge_progress(pledge, today=D(2020, 1, 1))
    area_progress = progress.focus_areas[0]
    assert [c.compliance for c in area_progress.commitments] == [1.0, 0.0, None]
    assert area_progress.compliance == 0.5  # not 365/366: a daily target does not outweigh a yearly one
    assert progress.compliance == 0.5
    assert progress.met == 365
    assert daily.pk != yearly.pk


def test_twenty_commitments_with_four_years_of_weekly_entries_take_at_most_five_queries(
    django_assert_max_num_queries,
):
    pledge = pledge_of(D(2019, 1, 1), D(2022, 12, 31))
    logs = []
    units = ["week", "month", "quarter", "year", "day"]
    for n in range(20):
        c = CommitmentFactory(focus_area=FocusAreaFactory(pledge=pledge), quantity=1, unit=units[n % 5])
        logs += [
            ActivityLog(commitment=c, performed_on=D(2019, 1, 7) + datetime.timedelta(weeks=w), quantity=1)
            for w in range(208)
        ]
    ActivityLog.objects.bulk_create(logs)
    # focus areas, their commitments, the sums per calendar unit, the missed-period reasons
    with django_assert_max_num_queries(5):
        progress = pledge_progress(pledge, today=D(2023, 1, 1))
    assert len(progress.commitments) == 20
    weekly = progress.commitments[0]
    assert weekly.entries == 208
    assert weekly.met == 208


def test_many_pledges_take_the_same_queries_as_one(django_assert_max_num_queries):
    pledges = [pledge_of(D(2019, 1, 1), D(2019, 12, 31)) for _ in range(6)]
    for pledge in pledges:
        log(commitment(pledge, quantity=1, unit="month"), D(2019, 1, 3))
    every_pledge = list(Pledge.objects.all())
    # focus areas, commitments, sums, missed-period reasons: the same four for six pledges as for one
    with django_assert_max_num_queries(4):
        result = pledges_progress(every_pledge, today=D(2019, 3, 1))
    assert {p.pk: result[p.pk].compliance for p in pledges} == {p.pk: 0.5 for p in pledges}


def _summary(today):
    return {
        pledge.external_id: [
            (c.commitment.key, [(str(b.start), b.quantity, b.status) for b in c.buckets], c.total_quantity)
            for c in progress.commitments
        ]
        for pledge, progress in ((p, pledge_progress(p, today=today)) for p in Pledge.objects.order_by("external_id"))
    }


SQLITE_SCRIPT = """
import datetime, json, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
call_command("load_demo", verbosity=0, stdout=open("/dev/null", "w"))
from followup.tests.test_progress import _summary
print(json.dumps(_summary(datetime.date(2026, 11, 21))))
"""


def test_sqlite_and_postgresql_compute_the_same_progress_for_the_demo_data(tmp_path):
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    on_postgresql = json.loads(json.dumps(_summary(D(2026, 11, 21))))
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")} | {
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'progress.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "-c", SQLITE_SCRIPT],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    on_sqlite = json.loads(result.stdout.strip().splitlines()[-1])
    assert on_sqlite == on_postgresql
    assert any(
        status == "not_reported" for rows in on_sqlite.values() for _k, buckets, _t in rows for *_x, status in buckets
    )


def test_the_targets_unit_choices_are_all_covered():
    assert set(Commitment.Unit.values) == {"day", "week", "month", "tertial", "quarter", "year", "period"}
