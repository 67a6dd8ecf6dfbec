"""Reads about municipalities for the public pages and the API: only published and ended pledges count."""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import Http404

from followup.progress import mean_of_scores
from followup.snapshots import current_compliance
from pledges.models import FocusArea, Pledge
from pledges.public_selectors import attach_progress, last_updated, public_pledge_details, split_current

from .models import Municipality, PoliceArea

PUBLIC = Q(pledges__status__in=Pledge.PUBLIC_STATUSES)


def municipalities_with_public_pledges(*, q="", county="", region=None, theme=""):
    """Municipalities with at least one public pledge, annotated with ``public_pledge_count`` and carrying
    ``public_pledges`` and their police areas (with region). 4 queries when evaluated: municipalities,
    public pledges, police areas, police regions."""
    municipalities = Municipality.objects.annotate(public_pledge_count=Count("pledges", filter=PUBLIC, distinct=True))
    municipalities = municipalities.filter(public_pledge_count__gt=0)
    if q:
        municipalities = municipalities.filter(Q(name__icontains=q) | Q(code__startswith=q))
    if county:
        municipalities = municipalities.filter(county=county)
    if region is not None:
        municipalities = municipalities.filter(
            Exists(PoliceArea.objects.filter(region=region, municipalities=OuterRef("pk")))
        )
    if theme:
        municipalities = municipalities.filter(
            Exists(
                FocusArea.objects.filter(
                    theme=theme,
                    pledge__status__in=Pledge.PUBLIC_STATUSES,
                    pledge__municipalities=OuterRef("pk"),
                )
            )
        )
    return municipalities.prefetch_related(
        Prefetch(
            "pledges",
            queryset=Pledge.objects.public().order_by("-period_start").only("pk", "period_start", "period_end"),
            to_attr="public_pledges",
        ),
        Prefetch("police_areas", queryset=PoliceArea.objects.select_related("region")),
    ).order_by("name")


def attach_compliance(municipalities, *, today=None):
    """Hang ``compliance`` (the mean of its public pledges' compliance, or None) on each municipality.
    Today's figures come from the progress snapshots (1 query when they are fresh); another day's are
    computed (the progress service's 4 queries)."""
    municipalities = list(municipalities)
    pledges = {p.pk: p for m in municipalities for p in m.public_pledges}
    compliance = current_compliance(pledges.values(), today=today)
    for municipality in municipalities:
        municipality.compliance = mean_of_scores(compliance[p.pk] for p in municipality.public_pledges)
    return municipalities


def public_municipality_get(code) -> Municipality:
    """The municipality by kommunkod (1 query); Http404 for an unknown one."""
    try:
        return Municipality.objects.get(code=code)
    except Municipality.DoesNotExist:
        raise Http404 from None


def public_pledges_of(municipality, *, today=None):
    """The municipality's public pledges for its page: (current, earlier, when the newest changed). The
    current ones carry everything the page shows and their progress (15 queries); the earlier ones, listed
    by title, only their compliance (1 query, none when there are none)."""
    pledges = list(
        Pledge.objects.public()
        .filter(municipalities=municipality)
        .only("pk", "title", "status", "period_start", "period_end", "updated_at")
    )
    current, earlier = split_current(pledges, today=today)
    detailed = attach_progress(
        public_pledge_details(area_findings=False).filter(pk__in=[p.pk for p in current]), today=today
    )
    detailed = {pledge.pk: pledge for pledge in detailed}
    compliance = current_compliance(earlier, today=today)
    for pledge in earlier:
        pledge.compliance = compliance[pledge.pk]
    return [detailed[pledge.pk] for pledge in current], earlier, last_updated(pledges)
