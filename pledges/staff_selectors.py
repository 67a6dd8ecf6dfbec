"""Reads for the staff area. Each returns what its page needs in a fixed number of queries."""

from django.db.models import F, Prefetch

from dialogues.models import Finding
from followup.models import ActivityLog
from municipalities.models import Membership, Municipality, PoliceArea
from municipalities.permissions import EDIT_ROLES, SIGN_ROLES, VIEW_ROLES, municipalities_for_user, pledges_for_user

from .models import Commitment, FocusArea, Pledge, PledgeDialogue
from .services import FOCUS_AREA_EDITOR_FIELDS, PLEDGE_EDITOR_FIELDS


def staff_pledges(user):
    """The pledges the user's memberships reach, with their municipalities (2 queries when evaluated)."""
    return (
        pledges_for_user(Pledge.objects.all(), user)
        .prefetch_related("municipalities", "police_areas")
        .order_by("-period_start", "title")
    )


def roles_by_pledge(user, memberships, pledges) -> dict:
    """{pledge id: the user's roles that reach it}, for the user's ``memberships`` as (municipality id, police
    area id, role) and pledges from ``dashboard_pledges``. No query for memberships of municipalities alone;
    two when there are police areas (the municipalities they cover, the pledges' police areas)."""
    if user.is_superuser:
        return {p.pk: VIEW_ROLES for p in pledges}
    area_ids = {area_id for _municipality_id, area_id, _role in memberships if area_id}
    area_municipalities, pledge_areas = {}, {}
    if area_ids:
        for area_id, municipality_id in PoliceArea.municipalities.through.objects.filter(
            policearea_id__in=area_ids
        ).values_list("policearea_id", "municipality_id"):
            area_municipalities.setdefault(area_id, set()).add(municipality_id)
        for pledge_id, area_id in Pledge.police_areas.through.objects.filter(
            pledge_id__in=[p.pk for p in pledges]
        ).values_list("pledge_id", "policearea_id"):
            pledge_areas.setdefault(pledge_id, set()).add(area_id)
    result = {}
    for pledge in pledges:
        municipality_ids = pledge.municipality_ids
        areas = pledge_areas.get(pledge.pk, ())
        result[pledge.pk] = frozenset(
            role
            for municipality_id, area_id, role in memberships
            if municipality_id in municipality_ids
            or area_id in areas
            or area_municipalities.get(area_id, set()) & municipality_ids
        )
    return result


# What the dashboard shows of each pledge; the long texts are not read.
DASHBOARD_PLEDGE_FIELDS = ("title", "status", "period_start", "period_end")
LATEST_ACTIVITIES = 10
# What the dashboard shows of a latest activity; the user's name as str(user) makes it.
LATEST_ACTIVITY_FIELDS = (
    "performed_on",
    "quantity",
    "commitment_id",
    "logged_by__first_name",
    "logged_by__last_name",
    "logged_by__username",
)


def dashboard_pledges(user) -> list[Pledge]:
    """The pledges the user's memberships reach, newest period first, with the dashboard's fields and
    ``municipality_ids`` (a set) and ``municipality_names`` (by name) set on each: one query, a row per pledge
    and municipality (instead of two more for prefetched municipalities and police areas)."""
    reached = pledges_for_user(Pledge.objects.all(), user).values("pk")
    rows = (
        Pledge.objects.filter(pk__in=reached)
        .only(*DASHBOARD_PLEDGE_FIELDS)
        .annotate(municipality_id=F("municipalities__pk"), municipality_name=F("municipalities__name"))
        .order_by("-period_start", "title", "pk", "municipality_name")
    )
    pledges = {}
    for row in rows:
        pledge = pledges.get(row.pk)
        if pledge is None:
            pledge = pledges[row.pk] = row
            pledge.municipality_ids, pledge.municipality_names = set(), []
        if row.municipality_id is not None:
            pledge.municipality_ids.add(row.municipality_id)
            pledge.municipality_names.append(row.municipality_name)
    return list(pledges.values())


def _memberships_and_municipalities(user) -> tuple[list, list[str]]:
    """The user's memberships as (municipality id, police area id, role) and the names of the municipalities
    they work in, by name: one query for memberships of municipalities alone, two with police areas (whose
    municipalities are read as ``municipalities_for_user`` reads them) or for a superuser (all)."""
    if user.is_superuser:
        return [], list(Municipality.objects.order_by("name").values_list("name", flat=True))
    rows = list(
        Membership.objects.filter(user=user)
        .order_by("municipality__name")
        .values_list("municipality_id", "police_area_id", "role", "municipality__name")
    )
    memberships = [(municipality_id, area_id, role) for municipality_id, area_id, role, _name in rows]
    if any(area_id for _municipality_id, area_id, _role in memberships):
        names = municipalities_for_user(user).order_by("name").values_list("name", flat=True)
    else:
        names = (name for *_membership, name in rows)
    return memberships, list(dict.fromkeys(names))


def dashboard(user) -> dict:
    """The dashboard: municipalities, pledges by status, what awaits the user, the latest activities
    (4 queries; 7 for a member through a police area). ``pledges`` are also handed to the follow-up section."""
    memberships, municipality_names = _memberships_and_municipalities(user)
    pledges = dashboard_pledges(user)
    roles = roles_by_pledge(user, memberships, pledges)
    by_status = {status: [] for status in Pledge.Status.values}
    to_sign, to_publish, drafts = [], [], []
    for pledge in pledges:
        by_status[pledge.status].append(pledge)
        pledge_roles = roles[pledge.pk]
        if pledge.status == Pledge.Status.REVIEW and pledge_roles & SIGN_ROLES:
            to_sign.append(pledge)
        elif pledge.status == Pledge.Status.SIGNED and pledge_roles & SIGN_ROLES:
            to_publish.append(pledge)
        elif pledge.status == Pledge.Status.DRAFT and pledge_roles & EDIT_ROLES:
            drafts.append(pledge)
    return {
        "municipality_names": municipality_names,
        "pledges": pledges,
        "pledges_by_status": [(Pledge.Status(s).label, s, ps) for s, ps in by_status.items() if ps],
        "to_sign": to_sign,
        "to_publish": to_publish,
        "drafts": drafts,
        "activities": latest_activities(pledges),
    }


def latest_activities(pledges, count=LATEST_ACTIVITIES) -> list[ActivityLog]:
    """The latest activities logged for these pledges, newest first, each with ``commitment_title`` and
    ``pledge`` (one of ``pledges``) set beside who logged it (2 queries, fewer when there is nothing to read).
    Only the fields the dashboard shows are read (``LATEST_ACTIVITY_FIELDS``).

    The commitments are read first so that the log query filters on the log's own column and joins nothing
    but the user: joined through commitment and focus area to the pledge, PostgreSQL spent far longer
    planning it than running it, and ran three lookups for every log it read on its way back in time.
    The dates are bounded by the pledges' periods, within which logs are entered: PostgreSQL reads the date
    index backwards until it has ten matches, and for pledges that have all ended it otherwise passed every
    newer log in the country first (0.35 s on the full seed; 7 ms bounded)."""
    if not pledges:
        return []
    by_pk = {pledge.pk: pledge for pledge in pledges}
    commitments = {
        pk: (title, pledge_id)
        for pk, title, pledge_id in Commitment.objects.filter(focus_area__pledge_id__in=list(by_pk))
        .order_by()
        .values_list("pk", "title", "focus_area__pledge_id")
    }
    activities = list(
        ActivityLog.objects.filter(
            # The same SQL as commitment_id__in, without the related lookup's check of each of the hundreds
            # of ids (0.4 ms for the 400 of a user with ten municipalities).
            commitment__id__in=list(commitments),
            performed_on__gte=min(pledge.period_start for pledge in pledges),
            performed_on__lte=max(pledge.period_end for pledge in pledges),
        )
        .select_related("logged_by")
        .only(*LATEST_ACTIVITY_FIELDS)
        .order_by("-performed_on", "-id")[:count]
    )
    for log in activities:
        log.commitment_title, pledge_id = commitments[log.commitment_id]
        log.pledge = by_pk[pledge_id]
    return activities


def pledge_for_detail(pk):
    """A pledge with everything its staff page shows (one query per relation)."""
    return (
        Pledge.objects.select_related("previous_pledge")
        .prefetch_related(
            "municipalities",
            "police_areas",
            "pledge_parties__organisation",
            "signatories__organisation",
            "status_changes__changed_by",
            "amendments__created_by",
            Prefetch("pledge_dialogues", queryset=PledgeDialogue.objects.select_related("dialogue")),
            Prefetch(
                "focus_areas",
                queryset=FocusArea.objects.prefetch_related(
                    Prefetch("commitments", queryset=Commitment.objects.prefetch_related("responsible"))
                ),
            ),
            "next_pledges",
        )
        .filter(pk=pk)
        .first()
    )


def pledge_for_trace(pk):
    """A pledge with each commitment and the findings (and their dialogues) behind its focus area."""
    return (
        Pledge.objects.prefetch_related(
            Prefetch(
                "focus_areas",
                queryset=FocusArea.objects.prefetch_related(
                    "commitments",
                    Prefetch("findings", queryset=Finding.objects.select_related("dialogue", "place")),
                ),
            ),
            Prefetch("pledge_dialogues", queryset=PledgeDialogue.objects.select_related("dialogue")),
        )
        .filter(pk=pk)
        .first()
    )


def findings_for_pledge(pledge):
    """The findings a focus area of this pledge may answer: those of dialogues in the pledge's municipalities."""
    return Finding.objects.filter(dialogue__municipality__in=pledge.municipalities.all()).select_related("dialogue")


# --- History ------------------------------------------------------------------------------------------------------

_SKIPPED = {"id", "created_at", "updated_at", "version", "pledge", "focus_area", "key", "order"}


def _display(field, value):
    if value in (None, ""):
        return "–"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def _diff(model, older, newer):
    changes = []
    for field in model._meta.concrete_fields:
        if field.name in _SKIPPED:
            continue
        old_value = getattr(older, field.attname) if older else None
        new_value = getattr(newer, field.attname)
        if old_value != new_value and not (older is None and new_value in (None, "")):
            changes.append(
                {"field": field.verbose_name, "old": _display(field, old_value), "new": _display(field, new_value)}
            )
    return changes


def _entries(model, records, label):
    entries, previous = [], {}
    for record in records:
        older = previous.get(record.id)
        changes = _diff(model, older, record)
        previous[record.id] = record
        if record.history_type == "-":
            changes = []
        elif not changes and record.history_type == "~":
            continue
        entries.append(
            {
                "when": record.history_date,
                "who": record.history_user,
                "kind": record.get_history_type_display(),
                "type": record.history_type,
                "object": label(record),
                "changes": changes,
            }
        )
    return entries


def pledge_history(pledge) -> list[dict]:
    """Every change to the pledge, its focus areas and commitments, field by field, newest first (5 queries)."""
    pledge_records = pledge.history.select_related("history_user").order_by("history_date", "history_id")
    area_records = list(
        FocusArea.history.filter(pledge_id=pledge.pk).select_related("history_user").order_by("history_date")
    )
    area_ids = {r.id for r in area_records}
    commitment_records = (
        Commitment.history.filter(focus_area_id__in=area_ids)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    entries = _entries(Pledge, pledge_records, lambda r: str(Pledge._meta.verbose_name).capitalize())
    entries += _entries(FocusArea, area_records, lambda r: f"{FocusArea._meta.verbose_name.capitalize()}: {r.title}")
    entries += _entries(
        Commitment, commitment_records, lambda r: f"{Commitment._meta.verbose_name.capitalize()}: {r.title}"
    )
    entries.sort(key=lambda e: e["when"], reverse=True)
    return entries


# --- Comparing a pledge with the previous period's -------------------------------------------------------------


def _comparable(pledge):
    return Pledge.objects.prefetch_related(
        Prefetch("focus_areas", queryset=FocusArea.objects.prefetch_related("commitments"))
    ).get(pk=pledge.pk)


def pledge_comparison(previous, current) -> dict:
    """What differs between two pledges: fields, focus areas and commitments (matched by key)."""
    previous, current = _comparable(previous), _comparable(current)
    fields = []
    for name in PLEDGE_EDITOR_FIELDS:
        field = Pledge._meta.get_field(name)
        old, new = getattr(previous, name), getattr(current, name)
        if old != new:
            fields.append({"field": field.verbose_name, "old": _display(field, old), "new": _display(field, new)})
    old_areas = {a.key: a for a in previous.focus_areas.all()}
    new_areas = {a.key: a for a in current.focus_areas.all()}
    areas = []
    for key in [*old_areas, *[k for k in new_areas if k not in old_areas]]:
        old, new = old_areas.get(key), new_areas.get(key)
        entry = {"title": (new or old).title, "state": "same", "changes": [], "commitments": []}
        if old is None:
            entry["state"] = "added"
        elif new is None:
            entry["state"] = "removed"
        else:
            for name in FOCUS_AREA_EDITOR_FIELDS:
                field = FocusArea._meta.get_field(name)
                if getattr(old, name) != getattr(new, name):
                    entry["changes"].append(
                        {
                            "field": field.verbose_name,
                            "old": _display(field, getattr(old, name)),
                            "new": _display(field, getattr(new, name)),
                        }
                    )
        old_commitments = {c.key: c for c in old.commitments.all()} if old else {}
        new_commitments = {c.key: c for c in new.commitments.all()} if new else {}
        for ckey in [*old_commitments, *[k for k in new_commitments if k not in old_commitments]]:
            oc, nc = old_commitments.get(ckey), new_commitments.get(ckey)
            if oc is None:
                state = "added"
            elif nc is None:
                state = "removed"
            elif (oc.title, oc.wording, oc.target_display()) != (nc.title, nc.wording, nc.target_display()):
                state = "changed"
            else:
                state = "same"
            entry["commitments"].append(
                {
                    "state": state,
                    "title": (nc or oc).title,
                    "old_target": oc.target_display() if oc else "",
                    "new_target": nc.target_display() if nc else "",
                }
            )
        if entry["state"] == "same" and (entry["changes"] or any(c["state"] != "same" for c in entry["commitments"])):
            entry["state"] = "changed"
        areas.append(entry)
    return {"fields": fields, "areas": areas}
