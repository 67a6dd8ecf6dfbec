"""Progress of commitments against their targets: the one computation every page, API and PDF uses.

For a measurable commitment the part of the pledge period it is valid for is cut into buckets of
its interval × unit (days, ISO weeks, months, tertials, quarters, years, or the whole period; a
due month restricts a yearly target to that month). The logged quantities are summed per bucket
and each bucket is marked:

- ``met`` / ``not_met``: the period has closed and the sum meets (or misses) the target; a report
  of 0 ("nothing done") is ``not_met``;
- ``not_reported``: the period has closed without a single entry;
- ``in_progress``: the current period.

Periods that have not begun are not listed. Compliance is met / closed periods. A focus area's and
a pledge's compliance is the mean of their measurable commitments' compliance, so that a daily
target does not outweigh a yearly one. Commitments without a number get counts, never a score.

The summing is done by the database: one query groups the logged quantities per commitment and
calendar unit (day, ISO week or month, by the commitment's unit), the same on PostgreSQL and SQLite;
Python only assembles those few rows into buckets. Dates are Europe/Stockholm dates.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Case, Count, F, IntegerField, Max, Sum, When
from django.db.models.functions import Coalesce, ExtractDay, ExtractIsoYear, ExtractMonth, ExtractWeek, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pledges.models import Commitment, FocusArea

from .models import ActivityLog, MissedPeriod

Unit = Commitment.Unit

MONTHS_PER_UNIT = {Unit.MONTH: 1, Unit.TERTIAL: 4, Unit.QUARTER: 3, Unit.YEAR: 12}


class Status(models.TextChoices):
    MET = "met", _("Met")
    NOT_MET = "not_met", _("Not met")
    NOT_REPORTED = "not_reported", _("Not reported")
    IN_PROGRESS = "in_progress", _("In progress")


CLOSED = (Status.MET, Status.NOT_MET, Status.NOT_REPORTED)
MISSED = (Status.NOT_MET, Status.NOT_REPORTED)


@dataclass
class Bucket:
    start: datetime.date
    end: datetime.date  # inclusive
    target: int | None
    quantity: int = 0
    entries: int = 0
    status: str = ""
    missed_reason: str = ""
    corrective_action: str = ""

    @property
    def is_closed(self):
        return self.status in CLOSED

    @property
    def is_missed(self):
        return self.status in MISSED

    def get_status_display(self):
        return Status(self.status).label if self.status else ""


@dataclass
class CommitmentProgress:
    commitment: Commitment
    measurable: bool
    buckets: list[Bucket] = field(default_factory=list)
    met: int = 0
    elapsed: int = 0
    total_quantity: int = 0
    entries: int = 0
    last_activity: datetime.date | None = None

    @property
    def compliance(self) -> float | None:
        return commitment_compliance(self.met, self.elapsed, self.measurable)

    @property
    def missed(self):
        return [bucket for bucket in self.buckets if bucket.is_missed]

    @property
    def not_reported(self):
        return [bucket for bucket in self.buckets if bucket.status == Status.NOT_REPORTED]

    @property
    def current(self) -> Bucket | None:
        return next((b for b in reversed(self.buckets) if b.status == Status.IN_PROGRESS), None)

    @property
    def last_closed(self) -> Bucket | None:
        return next((b for b in reversed(self.buckets) if b.is_closed), None)

    def recent(self, count: int) -> list[Bucket]:
        """The latest periods, at most count of them."""
        return self.buckets[-count:] if count > 0 else []


def commitment_compliance(met: int, elapsed: int, measurable: bool) -> float | None:
    """The share of a commitment's closed periods that were met; None when it has no numeric target or no
    period has closed yet."""
    return met / elapsed if measurable and elapsed else None


def mean_of_scores(values):
    """The mean of the scores that exist (None, "no score", is left out); None when none exists."""
    values = [value for value in values if value is not None]
    return sum(values) / len(values) if values else None


@dataclass
class FocusAreaProgress:
    focus_area: FocusArea
    commitments: list[CommitmentProgress]

    @property
    def compliance(self) -> float | None:
        return mean_of_scores(c.compliance for c in self.commitments)


@dataclass
class PledgeProgress:
    pledge: object
    focus_areas: list[FocusAreaProgress]

    @property
    def commitments(self) -> list[CommitmentProgress]:
        return [c for area in self.focus_areas for c in area.commitments]

    @property
    def compliance(self) -> float | None:
        return mean_of_scores(c.compliance for c in self.commitments)

    @property
    def met(self):
        return sum(c.met for c in self.commitments)

    @property
    def elapsed(self):
        return sum(c.elapsed for c in self.commitments)

    @property
    def last_activity(self):
        return max((c.last_activity for c in self.commitments if c.last_activity), default=None)


# Calendar keys: the database groups logged quantities by one of these integers, chosen by unit.


def _day_key(day: datetime.date) -> int:
    return day.year * 10_000 + day.month * 100 + day.day


def _week_key(day: datetime.date) -> int:
    iso_year, week, _weekday = day.isocalendar()
    return iso_year * 100 + week


def _month_key(day: datetime.date) -> int:
    return day.year * 12 + day.month - 1


def _key_family(commitment) -> str:
    if not commitment.is_measurable:
        return "month"
    if commitment.unit == Unit.DAY:
        return "day"
    if commitment.unit == Unit.WEEK:
        return "week"
    return "month"


def _calendar_key_expression():
    date = "performed_on"
    return Case(
        When(
            commitment__target_kind=Commitment.TargetKind.QUANTITY,
            commitment__unit=Unit.DAY,
            then=ExtractYear(date) * 10_000 + ExtractMonth(date) * 100 + ExtractDay(date),
        ),
        When(
            commitment__target_kind=Commitment.TargetKind.QUANTITY,
            commitment__unit=Unit.WEEK,
            then=ExtractIsoYear(date) * 100 + ExtractWeek(date),
        ),
        default=ExtractYear(date) * 12 + ExtractMonth(date) - 1,
        output_field=IntegerField(),
    )


def _logged_sums(commitment_ids):
    """{commitment id: {calendar key: (quantity, entries, last date)}} — one query.

    Only entries inside the part of the period the commitment is valid for are counted.
    """
    rows = (
        ActivityLog.objects.filter(commitment_id__in=commitment_ids)
        .filter(
            performed_on__gte=Coalesce(F("commitment__valid_from"), F("commitment__focus_area__pledge__period_start")),
            performed_on__lte=Coalesce(F("commitment__valid_to"), F("commitment__focus_area__pledge__period_end")),
        )
        .annotate(calendar_key=_calendar_key_expression())
        .values("commitment_id", "calendar_key")
        .annotate(quantity=Sum("quantity"), entries=Count("id"), last=Max("performed_on"))
        .order_by()
    )
    sums = defaultdict(dict)
    for row in rows:
        sums[row["commitment_id"]][row["calendar_key"]] = (row["quantity"] or 0, row["entries"], row["last"])
    return sums


# Buckets of a commitment, from the part of the period it is valid for.


def validity(commitment, pledge) -> tuple[datetime.date, datetime.date]:
    return commitment.valid_from or pledge.period_start, commitment.valid_to or pledge.period_end


def _add_months(month_key: int) -> datetime.date:
    return datetime.date(month_key // 12, month_key % 12 + 1, 1)


def bucket_ranges(commitment, start: datetime.date, end: datetime.date) -> list[tuple[datetime.date, datetime.date]]:
    """The (first day, last day) of every bucket of a measurable commitment between start and end."""
    unit, interval = commitment.unit, commitment.interval or 1
    ranges = []
    if unit == Unit.PERIOD:
        return [(start, end)]
    if unit in (Unit.DAY, Unit.WEEK):
        # Days count from the start; weeks are ISO weeks (Monday–Sunday) from the week of the start.
        step = datetime.timedelta(days=interval * (7 if unit == Unit.WEEK else 1))
        first = start - datetime.timedelta(days=start.weekday()) if unit == Unit.WEEK else start
        while first <= end:
            last = first + step - datetime.timedelta(days=1)
            ranges.append((max(first, start), min(last, end)))
            first += step
        return ranges
    months = MONTHS_PER_UNIT[unit] * interval
    if unit == Unit.MONTH:
        base = _month_key(start)  # "per 2 months" counts from the start month
    else:
        base = start.year * 12  # tertials, quarters and years are calendar ones
        base += ((_month_key(start) - base) // months) * months
    while _add_months(base) <= end:
        first, after = _add_months(base), _add_months(base + months)
        if commitment.due_month:
            first = datetime.date(first.year, commitment.due_month, 1)
            after = _add_months(_month_key(first) + 1)
        last = after - datetime.timedelta(days=1)
        if first <= end and last >= start:
            ranges.append((max(first, start), min(last, end)))
        base += months
    return ranges


def _meets(commitment, quantity) -> bool:
    if commitment.comparison == Commitment.Comparison.AT_MOST:
        return quantity <= commitment.quantity
    if commitment.comparison == Commitment.Comparison.EXACTLY:
        return quantity == commitment.quantity
    return quantity >= commitment.quantity


def commitment_progress(commitment, pledge, sums: dict, missed: dict, today: datetime.date) -> CommitmentProgress:
    """Assemble one commitment's progress from the database's sums (no queries)."""
    family = _key_family(commitment)
    progress = CommitmentProgress(commitment=commitment, measurable=commitment.is_measurable)
    for quantity, entries, last in sums.values():
        progress.total_quantity += quantity
        progress.entries += entries
        progress.last_activity = max(filter(None, [progress.last_activity, last]), default=None)
    if not commitment.is_measurable:
        return progress

    start, end = validity(commitment, pledge)
    for first, last in bucket_ranges(commitment, start, end):
        if first > today:
            break
        bucket = Bucket(start=first, end=last, target=commitment.quantity)
        for key in _keys_between(family, first, last):
            quantity, entries, _last = sums.get(key, (0, 0, None))
            bucket.quantity += quantity
            bucket.entries += entries
        if last >= today:
            bucket.status = Status.IN_PROGRESS
        elif not bucket.entries:
            bucket.status = Status.NOT_REPORTED
        else:
            bucket.status = Status.MET if _meets(commitment, bucket.quantity) else Status.NOT_MET
        if bucket.is_closed:
            progress.elapsed += 1
            progress.met += bucket.status == Status.MET
        reason = missed.get(first)
        if reason is not None and bucket.is_missed:
            bucket.missed_reason = reason.reason_display
            bucket.corrective_action = reason.corrective_action
        progress.buckets.append(bucket)
    return progress


def _keys_between(family, first: datetime.date, last: datetime.date):
    """The calendar keys that make up a bucket (buckets are whole days, ISO weeks or months)."""
    if family == "month":
        return range(_month_key(first), _month_key(last) + 1)
    if family == "week":
        keys, day = [], first - datetime.timedelta(days=first.weekday())
        while day <= last:
            keys.append(_week_key(day))
            day += datetime.timedelta(days=7)
        return keys
    return [_day_key(first + datetime.timedelta(days=n)) for n in range((last - first).days + 1)]


def focus_areas_of(pledges) -> dict[int, list[FocusArea]]:
    """Each pledge's focus areas with their commitments, in order: the caller's objects where it prefetched
    ``focus_areas`` → ``commitments`` (no query), two queries for the rest."""
    result, missing = {}, []
    for pledge in pledges:
        cache = getattr(pledge, "_prefetched_objects_cache", {})
        if "focus_areas" in cache and all(
            "commitments" in getattr(area, "_prefetched_objects_cache", {}) for area in cache["focus_areas"]
        ):
            result[pledge.pk] = sorted(cache["focus_areas"], key=lambda area: area.order)
        else:
            result[pledge.pk] = []
            missing.append(pledge.pk)
    if missing:
        # Two plain queries, the commitments put in place by hand: prefetch_related would build a queryset
        # and a related manager for every focus area, which costs more than reading the rows.
        commitments = {}
        for area in FocusArea.objects.filter(pledge_id__in=missing).order_by("pledge_id", "order"):
            result[area.pledge_id].append(area)
            commitments[area.pk] = []
            area._prefetched_objects_cache = {"commitments": commitments[area.pk]}
        for commitment in Commitment.objects.filter(focus_area_id__in=commitments).order_by("order"):
            commitments[commitment.focus_area_id].append(commitment)
    return result


def pledges_progress(pledges, *, today=None, areas=None) -> dict[int, PledgeProgress]:
    """Progress of several pledges, in four queries whatever their number and size (two when their focus
    areas and commitments were prefetched, or are given as ``areas``, from focus_areas_of)."""
    today = today or timezone.localdate()
    pledges = {pledge.pk: pledge for pledge in pledges}
    if not pledges:
        return {}
    if areas is None:
        areas = focus_areas_of(pledges.values())
    commitment_ids = [c.pk for pk in pledges for area in areas[pk] for c in area.commitments.all()]
    sums = _logged_sums(commitment_ids)
    missed = defaultdict(dict)
    for reason in MissedPeriod.objects.filter(commitment_id__in=commitment_ids):
        missed[reason.commitment_id][reason.period_start] = reason

    result = {}
    for pk, pledge in pledges.items():
        focus_areas = []
        for area in areas[pk]:
            area.pledge = pledge
            commitments = []
            for commitment in area.commitments.all():
                commitment.focus_area = area
                commitments.append(
                    commitment_progress(commitment, pledge, sums.get(commitment.pk, {}), missed[commitment.pk], today)
                )
            focus_areas.append(FocusAreaProgress(focus_area=area, commitments=commitments))
        result[pk] = PledgeProgress(pledge=pledge, focus_areas=focus_areas)
    return result


def pledge_progress(pledge, *, today=None) -> PledgeProgress:
    """Progress of one pledge: four queries (focus areas, commitments, sums, missed-period reasons)."""
    return pledges_progress([pledge], today=today)[pledge.pk]


__all__ = [
    "Bucket",
    "CommitmentProgress",
    "FocusAreaProgress",
    "PledgeProgress",
    "Status",
    "bucket_ranges",
    "focus_areas_of",
    "pledge_progress",
    "pledges_progress",
    "validity",
]
