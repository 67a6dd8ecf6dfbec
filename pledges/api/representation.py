"""The API's list of pledges as plain dicts, built in one pass from a few flat queries.

A page of 50 pledges holds some 1,000 commitments and 30,000 fields. Through prefetch_related and
PledgeSerializer that costs a QuerySet per object and relation, a model object per row and a DRF
field call per value, about a quarter of a second; here rows are read once and dicts built once.
The JSON is byte for byte PledgeSerializer's, which stays the schema the API documents and the
representation of a single pledge; test_api_list_representation.py compares the two, so a field
added to the serializer fails that test until it is added here too.
"""

from collections import defaultdict

from django.urls import reverse
from rest_framework.fields import DateTimeField

from followup.snapshots import current_progress
from pledges.models import Commitment, FocusArea, Pledge, PledgeParty, Signatory

# The columns the list shows (and the progress computation reads); the rest stay in the database.
PLEDGE_FIELDS = (
    "id",
    "title",
    "summary",
    "status",
    "area_description",
    "period_start",
    "period_end",
    "signed_on",
    "signed_place",
    "published_on",
    "background",
    "effects_sought",
    "followup_cadence",
    "contact_name",
    "contact_title",
    "contact_email",
    "contact_phone",
    "updated_at",
)
FOCUS_AREA_FIELDS = ("id", "pledge_id", "key", "order", "title", "description", "theme", "kind")
COMMITMENT_FIELDS = (
    "id",
    "focus_area_id",
    "key",
    "order",
    "title",
    "description",
    "wording",
    "responsible_wording",
    "target_kind",
    "comparison",
    "quantity",
    "interval",
    "unit",
    "due_month",
    "measure",
    "valid_from",
    "valid_to",
)


def public_pledge_rows():
    """Public pledges with the columns of the list only: pledge_list() reads the rest."""
    return Pledge.objects.public().only(*PLEDGE_FIELDS)


def pledge_list(pledges, *, request=None, buckets=False) -> list[dict]:
    """The representation of these pledges (from public_pledge_rows()) in PledgeSerializer's shape, in
    eight queries for any number of pledges plus the progress snapshots' one (four when one is stale).
    ``buckets``: include every period of every commitment, as a single pledge does; without it the
    snapshots' stored periods are not even decoded."""
    pledges = list(pledges)
    ids = [pledge.pk for pledge in pledges]
    if not ids:
        return []
    municipalities = _grouped(
        Pledge.municipalities.through.objects.filter(pledge_id__in=ids)
        .order_by("municipality__name")
        .values_list("pledge_id", "municipality__code", "municipality__name"),
        lambda code, name: {"kommunkod": code, "name": name},
    )
    police_areas = _grouped(
        Pledge.police_areas.through.objects.filter(pledge_id__in=ids)
        .order_by("policearea__name")
        .values_list("pledge_id", "policearea__name")
    )
    parties = _grouped(
        PledgeParty.objects.filter(pledge_id__in=ids).order_by("order").values_list("pledge_id", "organisation__name")
    )
    signatories = _grouped(
        Signatory.objects.filter(pledge_id__in=ids)
        .order_by("order")
        .values_list("pledge_id", "name", "title", "organisation__name", "signed_on", "signed_place"),
        lambda name, title, organisation, signed_on, signed_place: {
            "name": name,
            "title": title,
            "organisation": organisation,
            "signed_on": _date(signed_on),
            "signed_place": signed_place,
        },
    )
    # By the focus areas' ids rather than a join to the pledges: the tables are then read by their indexes.
    areas = defaultdict(list)
    for area in FocusArea.objects.filter(pledge_id__in=ids).only(*FOCUS_AREA_FIELDS).order_by("order"):
        areas[area.pledge_id].append(area)
    area_ids = [area.pk for pledge_areas in areas.values() for area in pledge_areas]
    findings = _grouped(
        FocusArea.findings.through.objects.filter(focusarea_id__in=area_ids)
        .order_by("finding__order")
        .values_list("focusarea_id", "finding_id")
    )
    commitments = defaultdict(list)
    for commitment in Commitment.objects.filter(focus_area_id__in=area_ids).only(*COMMITMENT_FIELDS).order_by("order"):
        commitments[commitment.focus_area_id].append(commitment)
    responsible = _grouped(
        Commitment.responsible.through.objects.filter(commitment__focus_area_id__in=area_ids)
        .order_by("organisation__name")
        .values_list("commitment_id", "organisation__name")
    )
    # The progress snapshots read each pledge's focus areas and commitments where prefetch_related
    # leaves them; plain lists there spare the QuerySet that prefetch_related makes per object.
    for pledge in pledges:
        pledge._prefetched_objects_cache = {"focus_areas": areas[pledge.pk]}
        for area in areas[pledge.pk]:
            area._prefetched_objects_cache = {"commitments": commitments[area.pk]}
    progress = current_progress(pledges, periods=buckets)

    updated_at = DateTimeField().to_representation  # the timezone and format of PledgeSerializer
    url = _pledge_url(request)
    targets = {}
    result = []
    for pledge in pledges:
        pledge_progress = progress[pledge.pk]
        area_progress = {item.focus_area.pk: item for item in pledge_progress.focus_areas}
        focus_areas = []
        for area in areas[pledge.pk]:
            area_item = area_progress.get(area.pk)
            commitment_progress = {item.commitment.pk: item for item in area_item.commitments} if area_item else {}
            focus_areas.append(
                {
                    "key": area.key,
                    "order": area.order,
                    "title": area.title,
                    "description": area.description,
                    "theme": area.theme,
                    "kind": area.kind,
                    "compliance": _float(area_item.compliance) if area_item else None,
                    "findings": findings.get(area.pk, []),
                    "commitments": [
                        _commitment(
                            commitment,
                            responsible.get(commitment.pk, []),
                            commitment_progress.get(commitment.pk),
                            targets,
                            buckets,
                        )
                        for commitment in commitments[area.pk]
                    ],
                }
            )
        result.append(
            {
                "id": pledge.pk,
                "title": pledge.title,
                "summary": pledge.summary,
                "status": pledge.status,
                "municipalities": municipalities.get(pledge.pk, []),
                "area_description": pledge.area_description,
                "police_areas": police_areas.get(pledge.pk, []),
                "parties": parties.get(pledge.pk, []),
                "period_start": _date(pledge.period_start),
                "period_end": _date(pledge.period_end),
                "signed_on": _date(pledge.signed_on),
                "signed_place": pledge.signed_place,
                "published_on": _date(pledge.published_on),
                "signatories": signatories.get(pledge.pk, []),
                "background": pledge.background,
                "effects_sought": pledge.effects_sought_list,
                "followup_cadence": pledge.followup_cadence,
                "contact_name": pledge.contact_name,
                "contact_title": pledge.contact_title,
                "contact_email": pledge.contact_email,
                "contact_phone": pledge.contact_phone,
                "compliance": _float(pledge_progress.compliance),
                "focus_areas": focus_areas,
                "updated_at": updated_at(pledge.updated_at),
                "url": url(pledge.pk),
            }
        )
    return result


def _commitment(commitment, responsible, progress, targets, buckets) -> dict:
    # The target's wording depends on these fields only (and the language, the same for a whole request);
    # most commitments share one of a few.
    target_key = (
        commitment.target_kind,
        commitment.comparison,
        commitment.quantity,
        commitment.interval,
        commitment.unit,
        commitment.due_month,
    )
    if target_key not in targets:
        targets[target_key] = str(commitment.target_display())
    return {
        "key": commitment.key,
        "title": commitment.title,
        "description": commitment.description,
        "wording": commitment.wording,
        "responsible": responsible,
        "responsible_wording": commitment.responsible_wording,
        "target": {
            "kind": commitment.target_kind,
            "comparison": commitment.comparison,
            "quantity": commitment.quantity,
            "interval": commitment.interval,
            "unit": commitment.unit,
            "due_month": commitment.due_month,
            "measure": commitment.measure,
            "text": targets[target_key],
        },
        "valid_from": _date(commitment.valid_from),
        "valid_to": _date(commitment.valid_to),
        "progress": None if progress is None else _progress(progress, buckets),
    }


def _progress(progress, buckets) -> dict:
    item = {
        "measurable": bool(progress.measurable),
        "compliance": _float(progress.compliance),
        "met": int(progress.met),
        "elapsed": int(progress.elapsed),
        "total_quantity": int(progress.total_quantity),
        "entries": int(progress.entries),
        "last_activity": _date(progress.last_activity),
    }
    if buckets:  # only then: a snapshot's periods are decoded on first use
        item["buckets"] = [
            {
                "start": bucket.start.isoformat(),
                "end": bucket.end.isoformat(),
                "target": bucket.target,
                "quantity": bucket.quantity,
                "entries": bucket.entries,
                "status": bucket.status,
                "missed_reason": bucket.missed_reason,
                "corrective_action": bucket.corrective_action,
            }
            for bucket in progress.buckets
        ]
    return item


def _grouped(rows, make=None) -> dict[int, list]:
    """{first column: [the rest of each row, or make(*rest)]}, in the rows' order."""
    groups = defaultdict(list)
    for owner, *rest in rows:
        groups[owner].append(make(*rest) if make else rest[0])
    return groups


def _date(value):
    return value.isoformat() if value else None


def _float(value):
    return None if value is None else float(value)


def _pledge_url(request):
    """pk → the pledge page's absolute address, as PledgeSerializer.get_url gives it: reversed and made
    absolute once, not per pledge."""
    marker = 9876543210123
    path = reverse("public-pledge", args=[marker])
    head, _marker, tail = (request.build_absolute_uri(path) if request else path).rpartition(str(marker))
    return lambda pk: f"{head}{pk}{tail}"
