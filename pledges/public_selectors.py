"""Reads for the public pages, the embed, the feeds and the API: published and ended pledges only.

Every function here runs a fixed number of queries whatever the amount of data; the tests pin them.
``Commitment.internal_details`` is deferred everywhere in this module: it is for staff only, and a
template that touched it would show up as one extra query per commitment in the query-count tests.
"""

import datetime

from django.db.models import Exists, Max, OuterRef, Prefetch, Q
from django.http import Http404
from django.utils import timezone

from dialogues.models import Finding
from followup.charts import commitment_chart, indicator_chart
from followup.models import Evaluation, Indicator, IndicatorValue
from followup.snapshots import current_progress

from .models import AgreementDocument, Commitment, FocusArea, Pledge, PledgeDialogue, PledgeParty, Signatory

# The largest id PostgreSQL's bigint holds: a longer number in an address is a 404, not a database error.
MAX_ID = 2**63 - 1


def public_commitments():
    return Commitment.objects.defer("internal_details")


def public_pledge_details(*, area_findings=True):
    """Public pledges with everything a pledge page shows, in 14 queries for any number of pledges:
    pledges, municipalities, police areas, parties (with organisation), signatories (with organisation),
    focus areas, their findings, commitments, their responsible organisations, dialogue links (with
    dialogue and place), the dialogues' findings, indicators, indicator values, finished evaluations.
    ``area_findings=False`` leaves out the focus areas' findings (13 queries), which only the pledge page
    shows."""
    agreements = AgreementDocument.objects.filter(pledge=OuterRef("pk"), kind=AgreementDocument.Kind.GENERATED)
    area_relations = [
        Prefetch("commitments", queryset=public_commitments().prefetch_related("responsible").order_by("order"))
    ]
    if area_findings:
        # Findings from several dialogues may share an order; the one made first comes first.
        area_relations.append(
            Prefetch("findings", queryset=Finding.objects.select_related("place").order_by("order", "pk"))
        )
    return (
        Pledge.objects.public()
        .annotate(has_agreement=Exists(agreements))
        .prefetch_related(
            "municipalities",
            "police_areas",
            Prefetch("pledge_parties", queryset=PledgeParty.objects.select_related("organisation")),
            Prefetch("signatories", queryset=Signatory.objects.select_related("organisation")),
            Prefetch("focus_areas", queryset=FocusArea.objects.prefetch_related(*area_relations).order_by("order")),
            Prefetch(
                "pledge_dialogues",
                queryset=PledgeDialogue.objects.select_related("dialogue__place")
                .prefetch_related(
                    Prefetch("dialogue__findings", queryset=Finding.objects.select_related("place").order_by("order"))
                )
                .order_by("dialogue__held_on", "dialogue__title"),
            ),
            Prefetch(
                "indicators",
                queryset=Indicator.objects.select_related("municipality", "police_area").prefetch_related(
                    Prefetch("values", queryset=IndicatorValue.objects.order_by("year"))
                ),
            ),
            Prefetch(
                "evaluations",
                queryset=Evaluation.objects.filter(status=Evaluation.Status.DONE, published=True).order_by("year"),
            ),
        )
    )


def attach_progress(pledges, *, today=None):
    """Hang progress on the pledges, focus areas and commitments fetched by public_pledge_details():
    ``pledge.progress``, ``area.progress``, ``commitment.progress``. Today's comes from the progress
    snapshots (1 query when fresh, 6 when not); another day's is computed (4 queries)."""
    pledges = list(pledges)
    progress = current_progress(pledges, today=today)
    for pledge in pledges:
        pledge_progress = progress[pledge.pk]
        pledge.progress = pledge_progress
        for indicator in pledge.indicators.all():
            # the trend with baseline and target, drawn from the prefetched values (no queries)
            indicator.chart = indicator_chart(indicator, list(indicator.values.all()))
        areas = {area_progress.focus_area.pk: area_progress for area_progress in pledge_progress.focus_areas}
        for area in pledge.focus_areas.all():
            area.progress = areas.get(area.pk)
            by_commitment = {c.commitment.pk: c for c in area.progress.commitments} if area.progress else {}
            for commitment in area.commitments.all():
                commitment.progress = by_commitment.get(commitment.pk)
    return pledges


def public_pledge_get(pk, *, today=None) -> Pledge:
    """One public pledge with everything its page shows and its progress (18 queries); Http404 for an
    unknown id or a pledge the public may not see."""
    if not isinstance(pk, int) or not 0 < pk <= MAX_ID:
        raise Http404
    pledges = list(public_pledge_details().filter(pk=pk))
    if not pledges:
        raise Http404
    pledge = attach_progress(pledges, today=today)[0]
    for area in pledge.focus_areas.all():
        for commitment in area.commitments.all():
            # the same chart as the staff pages and the evaluation PDF (no queries)
            commitment.chart = commitment_chart(commitment.progress) if commitment.progress else None
    return pledge


def split_current(pledges, *, today=None):
    """(current, earlier): pledges whose period has not ended, or the latest one if none is current."""
    today = today or timezone.localdate()
    pledges = sorted(pledges, key=lambda p: (p.period_start, p.pk), reverse=True)
    current = [p for p in pledges if p.period_end >= today and p.status == Pledge.Status.PUBLISHED]
    if not current and pledges:
        current = pledges[:1]
    return current, [p for p in pledges if p not in current]


def last_updated(pledges) -> datetime.datetime | None:
    return max((p.updated_at for p in pledges), default=None)


def public_pledges_filtered(*, year=None, theme=None, county=None, code=None):
    """Public pledges narrowed by the API's and the lists' filters (no query until evaluated)."""
    pledges = Pledge.objects.public()
    conditions = Q()
    if year is not None:
        conditions &= Q(period_start__year__lte=year, period_end__year__gte=year)
    if code:
        conditions &= Q(municipalities__code=code)
    if county:
        conditions &= Q(municipalities__county=county)
    if theme:
        conditions &= Q(focus_areas__theme=theme)
    return pledges.filter(pk__in=Pledge.objects.filter(conditions).values("pk")) if conditions else pledges


def public_last_modified():
    """The newest change to a public pledge (1 query), for feeds' <updated>."""
    return Pledge.objects.public().aggregate(last=Max("updated_at"))["last"]
