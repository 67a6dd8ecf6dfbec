"""Today's progress of pledges, read from stored snapshots instead of summed anew on every request.

The public pages, the API and the staff dashboard show progress as of today. Summing a four-year
pledge's activity logs costs tens of milliseconds of database and Python time, and nothing changes it
between two writes, so the result is stored per pledge (``ProgressSnapshot``) and read back in one
query. A snapshot is used only when it was made today (periods close at midnight) and covers exactly
the pledge's commitments; a write to the logs, the missed-period reasons, the commitments, the focus
areas or the pledge deletes it (``connect_signals``, and ``forget`` after bulk writes, which send no
signals). Progress for another day (an evaluation's year end, a test's fixed date) is always computed.
"""

import datetime
import json
from typing import NamedTuple

from celery import shared_task
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from pledges.models import Commitment, FocusArea, Pledge

from .models import ActivityLog, MissedPeriod, ProgressSnapshot
from .progress import (
    Bucket,
    CommitmentProgress,
    FocusAreaProgress,
    PledgeProgress,
    commitment_compliance,
    focus_areas_of,
    pledges_progress,
)

FORMAT = 4  # bump when the stored layout changes: older snapshots are then recomputed


def current_progress(pledges, *, today=None, periods=True) -> dict[int, PledgeProgress]:
    """Today's progress of the pledges: one query when every snapshot is fresh, the progress service's
    four plus one write for those that are not. Pledges with their focus areas and commitments
    prefetched (``focus_areas`` → ``commitments``) keep those objects; others cost two queries more.
    ``periods=False`` is for callers that show totals and the last closed period only: the periods are
    then not read (reading them anyway costs one query per pledge). Another day's progress (``today``
    given) is computed and not stored."""
    if today is not None and today != timezone.localdate():
        return pledges_progress(pledges, today=today)
    today = timezone.localdate()
    pledges = {pledge.pk: pledge for pledge in pledges}
    if not pledges:
        return {}
    snapshots = ProgressSnapshot.objects.filter(pledge_id__in=pledges, computed_on=today)
    if not periods:
        snapshots = snapshots.defer("periods")
    stored = {snapshot.pledge_id: snapshot for snapshot in snapshots}
    areas = focus_areas_of(pledges.values())
    result = {}
    for pk, snapshot in stored.items():
        restored = _restore(pledges[pk], areas[pk], snapshot)
        if restored is not None:
            result[pk] = restored
    stale = [pledge for pk, pledge in pledges.items() if pk not in result]
    if stale:
        computed = pledges_progress(stale, today=today, areas=areas)
        _store(computed.values(), today)
        result.update(computed)
    return result


def current_compliance(pledges, *, today=None) -> dict[int, float | None]:
    """Today's overall compliance of each pledge (one query when the snapshots are fresh), for lists
    that show a single figure per pledge and need no buckets. Another day's is computed."""
    if today is not None and today != timezone.localdate():
        return {pk: progress.compliance for pk, progress in pledges_progress(pledges, today=today).items()}
    today = timezone.localdate()
    pledges = {pledge.pk: pledge for pledge in pledges}
    result = dict(
        ProgressSnapshot.objects.filter(pledge_id__in=pledges, computed_on=today).values_list("pledge_id", "compliance")
    )
    stale = [pledge for pk, pledge in pledges.items() if pk not in result]
    if stale:
        computed = pledges_progress(stale, today=today)
        _store(computed.values(), today)
        result.update({pk: progress.compliance for pk, progress in computed.items()})
    return result


class CommitmentTotals(NamedTuple):
    """A commitment's progress as plain values (current_totals), for lists that show the totals of many."""

    met: int
    elapsed: int
    total_quantity: int
    entries: int
    last_activity: datetime.date | None
    buckets: list[Bucket] | None  # every period when asked for, else None

    def compliance(self, measurable: bool) -> float | None:
        """CommitmentProgress.compliance (measurable: the commitment's is_measurable)."""
        return commitment_compliance(self.met, self.elapsed, measurable)


def current_totals(pledges, commitments, *, periods=False, focus_areas=focus_areas_of) -> dict[int, dict]:
    """Today's progress of each commitment of the pledges as {pledge pk: {commitment pk: CommitmentTotals}}:
    what current_progress gives, without the model objects it restores a snapshot onto (a page of the API
    holds a thousand commitments). One query when every snapshot is fresh. ``commitments``: each pledge's
    commitment pks as they are now, which a snapshot must cover exactly. Pledges without a fitting snapshot
    are computed and stored as current_progress does, on the focus areas ``focus_areas(those pledges)``
    gives in focus_areas_of's shape (focus_areas_of itself, two queries, unless the caller has them)."""
    today = timezone.localdate()
    pledges = {pledge.pk: pledge for pledge in pledges}
    if not pledges:
        return {}
    columns = ("pledge_id", "data", "periods") if periods else ("pledge_id", "data")
    result = {}
    for pk, data, *stored_periods in ProgressSnapshot.objects.filter(
        pledge_id__in=pledges, computed_on=today
    ).values_list(*columns):
        stored = json.loads(data)
        if not _fits(stored, commitments.get(pk, ())):
            continue
        totals = stored["commitments"]
        rows = json.loads(stored_periods[0]) if periods else {}
        result[pk] = {
            int(c): CommitmentTotals(
                met,
                elapsed,
                total,
                entries,
                datetime.date.fromordinal(last) if last else None,
                [_bucket(row) for row in rows[c]] if periods else None,
            )
            for c, (met, elapsed, total, entries, last, _last_closed) in totals.items()
        }
    stale = [pledge for pk, pledge in pledges.items() if pk not in result]
    if stale:
        computed = pledges_progress(stale, today=today, areas=focus_areas(stale))
        _store(computed.values(), today)
        for pk, progress in computed.items():
            result[pk] = {
                c.commitment.pk: CommitmentTotals(
                    c.met, c.elapsed, c.total_quantity, c.entries, c.last_activity, c.buckets if periods else None
                )
                for c in progress.commitments
            }
    return result


@shared_task
def refresh_all(batch_size=50) -> int:
    """Make today's snapshot of every signed, published and ended pledge (Celery beat, after midnight)."""
    pledges = Pledge.objects.filter(status__in=[Pledge.Status.SIGNED, *Pledge.PUBLIC_STATUSES]).order_by("pk")
    ids = list(pledges.values_list("pk", flat=True))
    for first in range(0, len(ids), batch_size):
        current_compliance(Pledge.objects.filter(pk__in=ids[first : first + batch_size]))
    return len(ids)


def forget(pledge_ids) -> None:
    """Drop the snapshots of these pledges (after writes that send no signals)."""
    ProgressSnapshot.objects.filter(pledge_id__in=list(pledge_ids)).delete()


# Storing and restoring


def _store(progresses, today: datetime.date) -> None:
    rows = [
        ProgressSnapshot(
            pledge_id=progress.pledge.pk,
            computed_on=today,
            compliance=progress.compliance,
            data=_dumps(_dump(progress)),
            periods=_dumps({str(c.commitment.pk): [_row(b) for b in c.buckets] for c in progress.commitments}),
        )
        for progress in progresses
    ]
    # Two requests may compute the same pledge at once: the later write wins, both are right.
    ProgressSnapshot.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["pledge"],
        update_fields=["computed_on", "compliance", "data", "periods"],
    )


def _fits(stored: dict, commitment_pks) -> bool:
    """Whether a decoded snapshot is of this layout and covers exactly these commitments (one may have been
    added or removed by a write that sent no signal)."""
    return stored.get("format") == FORMAT and set(stored["commitments"]) == {str(pk) for pk in commitment_pks}


def _dumps(value) -> str:
    return json.dumps(value, separators=(",", ":"))


def _dump(progress: PledgeProgress) -> dict:
    commitments = {}
    for c in progress.commitments:
        commitments[str(c.commitment.pk)] = [
            c.met,
            c.elapsed,
            c.total_quantity,
            c.entries,
            c.last_activity.toordinal() if c.last_activity else None,
            _row(c.last_closed) if c.last_closed else None,  # for the dashboard, which needs no other period
        ]
    return {"format": FORMAT, "commitments": commitments}


def _row(b: Bucket) -> list:
    reasons = [b.missed_reason, b.corrective_action] if b.missed_reason or b.corrective_action else []
    return [b.start.toordinal(), b.end.toordinal(), b.target, b.quantity, b.entries, b.status, *reasons]


def _bucket(row) -> Bucket:
    return Bucket(datetime.date.fromordinal(row[0]), datetime.date.fromordinal(row[1]), *row[2:])


class _StoredPeriods:
    """A snapshot's periods of every commitment, decoded on first use (one query more when they were
    deferred)."""

    def __init__(self, snapshot: ProgressSnapshot):
        self._snapshot = snapshot
        self._rows = None

    def rows(self, commitment_pk: int) -> list[list]:
        if self._rows is None:
            self._rows = json.loads(self._snapshot.periods)
        return self._rows[str(commitment_pk)]


class StoredCommitmentProgress(CommitmentProgress):
    """A commitment's progress read from a snapshot. Its periods are made on first use, and the latest
    ones alone when only they are asked for, so that a list of totals or a strip of the latest periods
    does not pay for all of them."""

    def __init__(self, periods: _StoredPeriods, last_closed: list | None, **kwargs):
        self._periods = periods
        self._last_closed_row = last_closed
        super().__init__(**kwargs)

    def recent(self, count: int) -> list[Bucket]:
        if self._periods is None or count <= 0:  # all made already
            return super().recent(count)
        return [_bucket(row) for row in self._periods.rows(self.commitment.pk)[-count:]]

    @property
    def last_closed(self) -> Bucket | None:
        return _bucket(self._last_closed_row) if self._last_closed_row else None

    @property
    def buckets(self) -> list[Bucket]:
        if self._periods is not None:
            self._buckets = [_bucket(row) for row in self._periods.rows(self.commitment.pk)]
            self._periods = None
        return self._buckets

    @buckets.setter
    def buckets(self, value):
        self._buckets = value


def _restore(pledge, areas, snapshot: ProgressSnapshot) -> PledgeProgress | None:
    """The stored progress on today's objects, or None when the snapshot does not fit the pledge's
    commitments as they are now (one was added or removed by a write that sent no signal)."""
    stored = json.loads(snapshot.data)
    if not _fits(stored, (c.pk for area in areas for c in area.commitments.all())):
        return None
    commitments = stored["commitments"]
    periods = _StoredPeriods(snapshot)
    focus_areas = []
    for area in areas:
        area.pledge = pledge
        restored = []
        for commitment in area.commitments.all():
            commitment.focus_area = area
            met, elapsed, total, entries, last, last_closed = commitments[str(commitment.pk)]
            restored.append(
                StoredCommitmentProgress(
                    periods,
                    last_closed,
                    commitment=commitment,
                    measurable=commitment.is_measurable,
                    met=met,
                    elapsed=elapsed,
                    total_quantity=total,
                    entries=entries,
                    last_activity=datetime.date.fromordinal(last) if last else None,
                )
            )
        focus_areas.append(FocusAreaProgress(focus_area=area, commitments=restored))
    return PledgeProgress(pledge=pledge, focus_areas=focus_areas)


# Invalidation


def connect_signals() -> None:
    # model → (the lookup from a snapshot to the saved row's pledge side, the saved row's attribute)
    receivers = {
        ActivityLog: ("pledge__focus_areas__commitments", "commitment_id"),
        MissedPeriod: ("pledge__focus_areas__commitments", "commitment_id"),
        Commitment: ("pledge__focus_areas", "focus_area_id"),
        FocusArea: ("pledge", "pledge_id"),
        Pledge: ("pledge", "pk"),
    }
    for model, (lookup, attribute) in receivers.items():

        def forget_snapshot(sender, instance, lookup=lookup, attribute=attribute, **kwargs):
            ProgressSnapshot.objects.filter(**{lookup: getattr(instance, attribute)}).delete()

        for name, signal in (("save", post_save), ("delete", post_delete)):
            signal.connect(
                forget_snapshot, sender=model, weak=False, dispatch_uid=f"progress-snapshot-{name}-{model._meta.label}"
            )
