"""The API's list of pledges as plain dicts, built in one pass from a few flat queries.

A page of 50 pledges holds some 1,000 commitments and 30,000 fields. Through prefetch_related and
PledgeSerializer that costs a QuerySet per object and relation, a model object per row and a DRF
field call per value, about a quarter of a second; here rows are read once and dicts built once.
The JSON is byte for byte PledgeSerializer's, which stays the schema the API documents and the
representation of a single pledge; test_api_list_representation.py compares the two, so a field
added to the serializer fails that test until it is added here too.
"""

from collections import defaultdict, namedtuple

from django.db import DEFAULT_DB_ALIAS
from django.db.models import DEFERRED
from django.urls import reverse
from rest_framework.fields import DateTimeField

from followup.progress import mean_of_scores
from followup.snapshots import current_totals
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
FocusAreaRow = namedtuple("FocusAreaRow", FOCUS_AREA_FIELDS)
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
    seven queries for any number of pledges plus the progress snapshots' one (four when one is stale).
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
    # Rows, not model objects (a page holds some 1,300). The focus areas come with their findings (a row
    # per finding); the commitments by the focus areas' ids rather than a join to the pledges, so that
    # their tables are read by their indexes.
    areas = defaultdict(list)
    findings = {}
    for pk, *columns, finding in (
        FocusArea.objects.filter(pledge_id__in=ids)
        .order_by("order", "findings__order", "findings__pk")
        .values_list(*FOCUS_AREA_FIELDS, "findings")
    ):
        if pk not in findings:
            area = FocusAreaRow(pk, *columns)
            areas[area.pledge_id].append(area)
            findings[pk] = []
        if finding is not None:
            findings[pk].append(finding)
    area_ids = list(findings)
    commitments = _rows_by(
        Commitment.objects.filter(focus_area_id__in=area_ids)
        .order_by("order")
        .values_list(*COMMITMENT_FIELDS, named=True),
        "focus_area_id",
    )
    responsible = _grouped(
        Commitment.responsible.through.objects.filter(commitment__focus_area_id__in=area_ids)
        .order_by("organisation__name")
        .values_list("commitment_id", "organisation__name")
    )
    progress = current_totals(
        pledges,
        {pk: [c.id for area in areas[pk] for c in commitments[area.id]] for pk in ids},
        periods=buckets,
        focus_areas=lambda stale: _focus_area_objects(stale, areas, commitments),
    )

    updated_at = DateTimeField().to_representation  # the timezone and format of PledgeSerializer
    url = _pledge_url(request)
    targets = {}
    result = []
    for pledge in pledges:
        pledge_progress = progress[pledge.pk]
        pledge_scores = []  # every commitment's compliance, in order, as PledgeProgress.compliance takes them
        focus_areas = []
        for area in areas[pledge.pk]:
            area_commitments = []
            scores = []
            for commitment in commitments[area.id]:
                totals = pledge_progress.get(commitment.id)
                measurable = commitment.target_kind == Commitment.TargetKind.QUANTITY  # Commitment.is_measurable
                score = totals.compliance(measurable) if totals else None
                scores.append(score)
                area_commitments.append(
                    _commitment(commitment, responsible.get(commitment.id, []), totals, measurable, score, targets)
                )
            pledge_scores += scores
            focus_areas.append(
                {
                    "key": area.key,
                    "order": area.order,
                    "title": area.title,
                    "description": area.description,
                    "theme": area.theme,
                    "kind": area.kind,
                    "compliance": _float(mean_of_scores(scores)),
                    "findings": findings[area.id],
                    "commitments": area_commitments,
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
                "compliance": _float(mean_of_scores(pledge_scores)),
                "focus_areas": focus_areas,
                "updated_at": updated_at(pledge.updated_at),
                "url": url(pledge.pk),
            }
        )
    return result


def _commitment(commitment, responsible, totals, measurable, score, targets) -> dict:
    return {
        "key": commitment.key,
        "title": commitment.title,
        "description": commitment.description,
        "wording": commitment.wording,
        "responsible": responsible,
        "responsible_wording": commitment.responsible_wording,
        "target": _target(commitment, targets),
        "valid_from": _date(commitment.valid_from),
        "valid_to": _date(commitment.valid_to),
        "progress": None if totals is None else _progress(totals, measurable, score),
    }


def _target(commitment, targets) -> dict:
    """The target's object, one per distinct target of the request (most commitments share one of a few,
    and its wording depends on these fields only and the language, the same for a whole request)."""
    key = (
        commitment.target_kind,
        commitment.comparison,
        commitment.quantity,
        commitment.interval,
        commitment.unit,
        commitment.due_month,
        commitment.measure,
    )
    if key not in targets:
        kind, comparison, quantity, interval, unit, due_month, measure = key
        text = Commitment(
            target_kind=kind,
            comparison=comparison,
            quantity=quantity,
            interval=interval,
            unit=unit,
            due_month=due_month,
        ).target_display()
        targets[key] = {
            "kind": kind,
            "comparison": comparison,
            "quantity": quantity,
            "interval": interval,
            "unit": unit,
            "due_month": due_month,
            "measure": measure,
            "text": str(text),
        }
    return targets[key]


def _progress(totals, measurable, score) -> dict:
    item = {
        "measurable": measurable,
        "compliance": _float(score),
        "met": totals.met,
        "elapsed": totals.elapsed,
        "total_quantity": totals.total_quantity,
        "entries": totals.entries,
        "last_activity": _date(totals.last_activity),
    }
    if totals.buckets is not None:  # asked for (current_totals' periods)
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
            for bucket in totals.buckets
        ]
    return item


def _focus_area_objects(pledges, areas, commitments) -> dict[int, list[FocusArea]]:
    """The pledges' focus areas and commitments as model objects, made from the rows already read, for
    the progress service when a snapshot is stale (focus_areas_of's shape, without its two queries).
    Columns not read are deferred, as with only()."""
    result = {}
    for pledge in pledges:
        result[pledge.pk] = []
        for row in areas[pledge.pk]:
            area = _model(FocusArea, row)
            area._prefetched_objects_cache = {"commitments": [_model(Commitment, c) for c in commitments[row.id]]}
            result[pledge.pk].append(area)
    return result


def _model(model, row):
    values = row._asdict()
    return model.from_db(
        DEFAULT_DB_ALIAS, list(values), [values.get(field.attname, DEFERRED) for field in model._meta.concrete_fields]
    )


def _grouped(rows, make=None) -> dict[int, list]:
    """{first column: [the rest of each row, or make(*rest)]}, in the rows' order."""
    groups = defaultdict(list)
    for owner, *rest in rows:
        groups[owner].append(make(*rest) if make else rest[0])
    return groups


def _rows_by(rows, column) -> dict[int, list]:
    """{row.column: [the rows]}, in the rows' order."""
    groups = defaultdict(list)
    for row in rows:
        groups[getattr(row, column)].append(row)
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
