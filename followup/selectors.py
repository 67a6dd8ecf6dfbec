"""Reads for follow-up pages: each in a fixed number of queries."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from municipalities.permissions import pledges_for_user
from pledges.models import Pledge

from .charts import commitment_chart, indicator_chart, pledge_compliance_chart
from .models import ActivityLog, Indicator
from .progress import Status, pledge_progress
from .snapshots import current_progress

DASHBOARD_LIMIT = 15
ACTIVE_STATUSES = (Pledge.Status.SIGNED, Pledge.Status.PUBLISHED)  # the pledges followed up on the dashboard


def pledge_for_followup(pk) -> Pledge:
    return get_object_or_404(Pledge.objects.prefetch_related("municipalities"), pk=pk)


def pledge_followup(pledge, *, today=None) -> dict:
    """Everything the follow-up page of a pledge shows (progress, charts, indicators, latest entries)."""
    progress = pledge_progress(pledge, today=today)
    indicators = list(
        Indicator.objects.filter(pledge=pledge)
        .select_related("municipality", "police_area")
        .prefetch_related(Prefetch("values", to_attr="yearly"))
    )
    return {
        "progress": progress,
        "pledge_chart": pledge_compliance_chart(progress),
        "commitment_charts": {c.commitment.pk: commitment_chart(c) for c in progress.commitments},
        "indicators": [(indicator, indicator_chart(indicator, indicator.yearly)) for indicator in indicators],
        "recent_activities": ActivityLog.objects.filter(commitment__focus_area__pledge=pledge)
        .select_related("commitment", "logged_by")
        .order_by("-performed_on", "-id")[:20],
    }


def dashboard_followup(user, *, today=None, pledges=None) -> dict:
    """The user's commitments that need attention: the latest period not reported first, then those
    behind target, worst first; each list in the order of the pledges (newest period first).

    ``pledges`` are the user's pledges when the caller has read them already (any status, with their
    title and period): they are filtered here instead of read again. Otherwise one query reads them.
    Progress is today's stored snapshot (followup.snapshots), whose periods are not decoded here."""
    if pledges is None:
        pledges = list(pledges_for_user(Pledge.objects.filter(status__in=ACTIVE_STATUSES), user))
    else:
        pledges = [pledge for pledge in pledges if pledge.status in ACTIVE_STATUSES]
    progresses = current_progress(pledges, today=today, periods=False)
    not_reported, behind = [], []
    for pledge in pledges:
        for commitment in progresses[pledge.pk].commitments:
            last_closed = commitment.last_closed
            if last_closed and last_closed.status == Status.NOT_REPORTED:
                not_reported.append((pledge, commitment, last_closed))
            elif commitment.compliance is not None and commitment.compliance < 1:
                behind.append((pledge, commitment))
    behind.sort(key=lambda item: (item[1].compliance, item[1].commitment.title))
    return {
        "active_pledges": pledges,
        "not_reported": not_reported[:DASHBOARD_LIMIT],
        "behind_target": behind[:DASHBOARD_LIMIT],
    }
