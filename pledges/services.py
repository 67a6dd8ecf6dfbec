"""Writes for pledges: importing pledge documents.

A document is validated whole (``pledges.documents``) before anything is written, and each
document is imported in one transaction, so an import is never half-applied. Rows are matched
by stable keys (the pledge's and dialogues' ids, focus-area, commitment, finding and indicator
keys), so importing the same document again updates in place and writes nothing that has not
changed (no new history rows either).
"""

import datetime
from collections import Counter
from contextlib import contextmanager
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, ProtectedError
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.models import AuditEvent
from dialogues.models import Dialogue, Finding, Place
from followup import snapshots as progress_snapshots
from followup.models import ActivityLog, Indicator, IndicatorValue, MissedPeriod
from municipalities.models import Municipality, Organisation, PoliceArea
from municipalities.services import save_if_changed

from .agreement import agreement_ensure, agreement_make
from .documents import (
    DocumentError,
    DocumentInvalid,
    normalise_document,
    period_year_message,
    read_document_file,
    validate_document,
    year_in_range,
)
from .models import Amendment, Commitment, FocusArea, Pledge, PledgeDialogue, PledgeParty, Signatory, StatusChange
from .public_cache import public_cache_bump

# Orders are moved out of the way by this much before children are re-ordered, so that the
# (parent, order) unique constraints never see two rows with the same order mid-way.
ORDER_SHIFT = 10_000


def _date(value):
    return datetime.date.fromisoformat(value) if value else None


def _decimal(value, places):
    return None if value is None else Decimal(str(value)).quantize(Decimal(1).scaleb(-places))


@contextmanager
def _reported_as(path):
    """Turn a model validation error into a document error at ``path``."""
    try:
        yield
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            errors = [
                DocumentError(f"{path}.{field}" if field != "__all__" else path, " ".join(messages))
                for field, messages in exc.message_dict.items()
            ]
        else:
            errors = [DocumentError(path, " ".join(exc.messages))]
        raise DocumentInvalid(errors) from None


def _upsert(model, path, lookup, values):
    instance = model.objects.filter(**lookup).first() or model(**lookup)
    with _reported_as(path):
        save_if_changed(instance, **values)
    return instance


def _set_m2m(manager, wanted_ids):
    if set(wanted_ids) != {obj.pk for obj in manager.all()}:
        manager.set(wanted_ids)


def _make_room_for_orders(queryset, wanted: dict):
    """Shift existing orders away when the wanted ``{pk: order}`` differs from what is stored."""
    current = dict(queryset.values_list("pk", "order"))
    if any(current.get(pk) != order for pk, order in wanted.items() if pk in current) or (
        set(wanted.values()) & {order for pk, order in current.items() if pk not in wanted}
    ):
        queryset.update(order=F("order") + ORDER_SHIFT)


def reference_names():
    """The kommunkoder and police-area names a document may use."""
    return set(Municipality.objects.values_list("code", flat=True)), set(
        PoliceArea.objects.values_list("name", flat=True)
    )


def pledge_document_validate(document, *, source="") -> dict:
    """The normalised document, or DocumentInvalid naming every problem."""
    codes, police_areas = reference_names()
    errors = validate_document(document, known_municipality_codes=codes, known_police_areas=police_areas)
    if errors:
        raise DocumentInvalid(errors, source=source)
    return normalise_document(document)


@transaction.atomic
def pledge_import_document(*, document, source="") -> tuple[Pledge, bool]:
    """Create or update the pledge a document describes. Returns (pledge, created).

    Raises DocumentInvalid (and writes nothing) if the document has any problem.
    """
    doc = pledge_document_validate(document, source=source)
    # Parts are written with bulk_create and update(), which send no signals.
    transaction.on_commit(public_cache_bump)
    try:
        return _import(doc)
    except DocumentInvalid as exc:
        exc.source = source
        raise DocumentInvalid(exc.errors, source=source) from None


def pledges_import_files(paths) -> list[tuple[str, Pledge, bool]]:
    """Read and validate every file first; import only if all are valid, each in its own transaction.

    Raises DocumentInvalid with the problems of every bad file, having written nothing.
    """
    documents, errors = [], []
    for path in paths:
        try:
            document = read_document_file(path)
            pledge_document_validate(document, source=str(path))
            documents.append((str(path), document))
        except DocumentInvalid as exc:
            errors.extend(
                DocumentError(f"{exc.source}: {e.path}" if e.path else exc.source, e.message) for e in exc.errors
            )
    if errors:
        raise DocumentInvalid(errors)
    results = []
    with transaction.atomic():
        for source, document in documents:
            pledge, created = pledge_import_document(document=document, source=source)
            results.append((source, pledge, created))
    return results


def _import(doc) -> tuple[Pledge, bool]:
    municipalities = {m.code: m for m in Municipality.objects.filter(code__in=_all_codes(doc))}
    police_areas = {a.name: a for a in PoliceArea.objects.filter(name__in=_all_police_areas(doc))}

    organisations = {}
    for index, item in enumerate(doc["organisations"]):
        municipality = municipalities.get(item["municipality"])
        organisations[item["name"]] = _upsert(
            Organisation,
            f"organisations[{index}]",
            {"name": item["name"], "municipality": municipality},
            {"kind": item["kind"]},
        )

    places = {}
    for index, item in enumerate(doc["places"]):
        places[item["name"]] = _upsert(
            Place,
            f"places[{index}]",
            {"municipality": municipalities[item["municipality"]], "name": item["name"]},
            {
                "description": item["description"],
                "latitude": _decimal(item["latitude"], 6),
                "longitude": _decimal(item["longitude"], 6),
            },
        )

    pledge = Pledge.objects.filter(external_id=doc["id"]).first()
    created = pledge is None
    if created:
        pledge = Pledge(external_id=doc["id"])
    with _reported_as(""):
        save_if_changed(
            pledge,
            title=doc["title"],
            status=doc["status"],
            summary=doc["summary"],
            area_description=doc["area_description"],
            period_start=_date(doc["period"]["start"]),
            period_end=_date(doc["period"]["end"]),
            background=doc["background"],
            effects_sought="\n".join(doc["effects_sought"]),
            communication_plan=doc["communication_plan"],
            followup_cadence=doc["follow_up"]["cadence"],
            followup_description=doc["follow_up"]["description"],
            contact_name=doc["contact"]["name"],
            contact_title=doc["contact"]["title"],
            contact_phone=doc["contact"]["phone"],
            contact_email=doc["contact"]["email"],
            signed_on=_date(doc["signing"]["date"]),
            signed_place=doc["signing"]["place"],
            published_on=_date(doc["published_on"]),
            source_url=doc["source_url"],
        )
    _set_m2m(pledge.municipalities, [municipalities[code].pk for code in doc["municipalities"]])
    _set_m2m(pledge.police_areas, [police_areas[name].pk for name in doc["police_areas"]])

    parties = [organisations[name].pk for name in doc["parties"]]
    if list(pledge.pledge_parties.values_list("organisation_id", flat=True)) != parties:
        pledge.pledge_parties.all().delete()
        PledgeParty.objects.bulk_create(
            PledgeParty(pledge=pledge, organisation_id=pk, order=order) for order, pk in enumerate(parties)
        )

    _import_signatories(pledge, doc, organisations)
    findings = _import_dialogues(pledge, doc, municipalities, places)
    _import_focus_areas(pledge, doc, organisations, places, findings)
    _import_indicators(pledge, doc, municipalities, police_areas)
    agreement_ensure(pledge=pledge)  # a pledge imported as signed gets its agreement PDF now
    return pledge, created


def _all_codes(doc):
    codes = set(doc["municipalities"])
    codes.update(item["municipality"] for item in doc["organisations"] if item["municipality"])
    codes.update(item["municipality"] for item in doc["places"])
    codes.update(item["municipality"] for item in doc["dialogues"])
    codes.update(item["area"]["municipality"] for item in doc["indicators"] if item["area"]["municipality"])
    return codes


def _all_police_areas(doc):
    names = set(doc["police_areas"])
    names.update(item["area"]["police_area"] for item in doc["indicators"] if item["area"]["police_area"])
    return names


def _import_signatories(pledge, doc, organisations):
    wanted = [
        (item["name"], item["title"], organisations[item["organisation"]].pk, _date(item["date"]), item["place"])
        for item in doc["signatories"]
    ]
    current = list(pledge.signatories.values_list("name", "title", "organisation_id", "signed_on", "signed_place"))
    if current != wanted:
        pledge.signatories.all().delete()
        for order, (name, title, organisation_id, signed_on, place) in enumerate(wanted):
            signatory = Signatory(
                pledge=pledge,
                name=name,
                title=title,
                organisation_id=organisation_id,
                signed_on=signed_on,
                signed_place=place,
                order=order,
            )
            with _reported_as(f"signatories[{order}]"):
                signatory.full_clean()
            signatory.save()


def _import_dialogues(pledge, doc, municipalities, places) -> dict:
    """Dialogues and their findings; returns findings by their reference 'dialogue-id/key'."""
    findings = {}
    dialogue_ids = []
    for index, item in enumerate(doc["dialogues"]):
        path = f"dialogues[{index}]"
        participants = item["participants"]
        dialogue = _upsert(
            Dialogue,
            path,
            {"external_id": item["id"]},
            {
                "municipality_id": municipalities[item["municipality"]].pk,
                "kind": item["kind"],
                "title": item["title"],
                "held_on": _date(item["held_on"]),
                "date_precision": item["date_precision"],
                "place_id": places[item["place"]].pk if item["place"] else None,
                "participants_total": participants["total"],
                "participants_women": participants["women"],
                "participants_men": participants["men"],
                "participants_other": participants["other"],
                "summary": item["summary"],
            },
        )
        dialogue_ids.append(dialogue.pk)
        link, _created = PledgeDialogue.objects.get_or_create(pledge=pledge, dialogue=dialogue)
        if link.role != item["role"]:
            link.role = item["role"]
            link.save(update_fields=["role"])

        existing = {finding.key: finding for finding in dialogue.findings.all()}
        _make_room_for_orders(
            dialogue.findings.all(),
            {existing[f["key"]].pk: order for order, f in enumerate(item["findings"]) if f["key"] in existing},
        )
        wanted_keys = {f["key"] for f in item["findings"]}
        dialogue.findings.exclude(key__in=wanted_keys).delete()
        for order, finding_item in enumerate(item["findings"]):
            finding = _upsert(
                Finding,
                f"{path}.findings[{order}]",
                {"dialogue": dialogue, "key": finding_item["key"]},
                {
                    "kind": finding_item["kind"],
                    "text": finding_item["text"],
                    "theme": finding_item["theme"],
                    "place_id": places[finding_item["place"]].pk if finding_item["place"] else None,
                    "raised_by_count": finding_item["raised_by"],
                    "rank": finding_item["rank"],
                    "order": order,
                },
            )
            findings[f"{item['id']}/{finding.key}"] = finding
    # A dialogue the document no longer names is unlinked from the pledge, not deleted:
    # it may be the basis of another pledge.
    PledgeDialogue.objects.filter(pledge=pledge).exclude(dialogue_id__in=dialogue_ids).delete()
    return findings


def _import_focus_areas(pledge, doc, organisations, places, findings):
    existing_areas = {area.key: area for area in pledge.focus_areas.all()}
    _make_room_for_orders(
        pledge.focus_areas.all(),
        {
            existing_areas[a["key"]].pk: order
            for order, a in enumerate(doc["focus_areas"])
            if a["key"] in existing_areas
        },
    )
    existing_commitments = {c.key: c for c in Commitment.objects.filter(focus_area__pledge=pledge)}
    wanted_commitments = {
        c["key"]: (area["key"], order) for area in doc["focus_areas"] for order, c in enumerate(area["commitments"])
    }
    moving = {
        existing_commitments[key].pk: order
        for key, (area_key, order) in wanted_commitments.items()
        if key in existing_commitments
    }
    _make_room_for_orders(Commitment.objects.filter(focus_area__pledge=pledge), moving)

    removed = Commitment.objects.filter(focus_area__pledge=pledge).exclude(key__in=wanted_commitments)
    _delete_or_report(removed, "focus_areas", _("a commitment the document no longer lists has logged activities"))

    areas = {}
    for order, item in enumerate(doc["focus_areas"]):
        path = f"focus_areas[{order}]"
        area = _upsert(
            FocusArea,
            path,
            {"pledge": pledge, "key": item["key"]},
            {
                "order": order,
                "title": item["title"],
                "description": item["description"],
                "theme": item["theme"],
                "kind": item["kind"],
                "working_group": item["working_group"],
            },
        )
        _set_m2m(area.findings, [findings[ref].pk for ref in item["findings"]])
        areas[item["key"]] = area
        for commitment_order, commitment_item in enumerate(item["commitments"]):
            _import_commitment(
                area,
                commitment_order,
                commitment_item,
                f"{path}.commitments[{commitment_order}]",
                existing_commitments.get(commitment_item["key"]),
                organisations,
                places,
            )
    removed_areas = pledge.focus_areas.exclude(key__in=areas)
    _delete_or_report(
        removed_areas, "focus_areas", _("a focus area the document no longer lists has logged activities")
    )


def _delete_or_report(queryset, path, message):
    try:
        queryset.delete()
    except ProtectedError:
        keys = ", ".join(sorted(obj.key for obj in queryset))
        raise DocumentInvalid([DocumentError(path, f"{message}: {keys}")]) from None


def _import_commitment(area, order, item, path, commitment, organisations, places):
    target = item["target"]
    if commitment is None:
        commitment = Commitment(focus_area=area, key=item["key"])
    with _reported_as(path):
        save_if_changed(
            commitment,
            focus_area_id=area.pk,
            order=order,
            title=item["title"],
            description=item["description"],
            wording=item["wording"],
            responsible_wording=item["responsible_wording"],
            target_kind=target["kind"],
            comparison=target["comparison"] or "",
            quantity=target["quantity"],
            interval=target["interval"],
            unit=target["unit"] or "",
            due_month=target["due_month"],
            measure=target["measure"],
            valid_from=_date(item["valid_from"]),
            valid_to=_date(item["valid_to"]),
        )
    _set_m2m(commitment.responsible, [organisations[name].pk for name in item["responsible"]])
    _set_m2m(commitment.places, [places[name].pk for name in item["places"]])

    # Imported activity logs are matched as a multiset: unchanged ones stay (no history churn),
    # gone ones go, new ones come. Logs entered by staff are never touched by an import.
    def signature(performed_on, quantity, hours, note):
        return (performed_on, quantity, hours, note)

    wanted = Counter(
        signature(_date(a["date"]), a["quantity"], _decimal(a["hours"], 2), a["note"]) for a in item["activities"]
    )
    for log in commitment.activity_logs.filter(imported=True):
        key = signature(log.performed_on, log.quantity, log.hours_spent, log.note)
        if wanted[key] > 0:
            wanted[key] -= 1
        else:
            log.delete()
    new_logs = [
        ActivityLog(commitment=commitment, performed_on=d, quantity=q, hours_spent=h, note=n, imported=True)
        for (d, q, h, n), count in wanted.items()
        for _i in range(count)
    ]
    if new_logs:
        # bulk_create skips save(), so the history rows are written explicitly.
        created_logs = ActivityLog.objects.bulk_create(new_logs)
        ActivityLog.history.bulk_history_create(created_logs)
        progress_snapshots.forget([commitment.focus_area.pledge_id])

    wanted_starts = []
    for index, missed in enumerate(item["missed_periods"]):
        wanted_starts.append(_date(missed["start"]))
        _upsert(
            MissedPeriod,
            f"{path}.missed_periods[{index}]",
            {"commitment": commitment, "period_start": _date(missed["start"])},
            {
                "period_end": _date(missed["end"]),
                "reason": missed["reason"],
                "reason_text": missed["reason_text"],
                "corrective_action": missed["corrective_action"],
            },
        )
    commitment.missed_periods.exclude(period_start__in=wanted_starts).delete()


def _import_indicators(pledge, doc, municipalities, police_areas):
    keys = []
    for order, item in enumerate(doc["indicators"]):
        path = f"indicators[{order}]"
        area = item["area"]
        baseline, target = item["baseline"] or {}, item["target"] or {}
        indicator = _upsert(
            Indicator,
            path,
            {"pledge": pledge, "key": item["key"]},
            {
                "name": item["name"],
                "description": item["description"],
                "unit": item["unit"],
                "direction": item["direction"],
                "municipality_id": municipalities[area["municipality"]].pk if area["municipality"] else None,
                "police_area_id": police_areas[area["police_area"]].pk if area["police_area"] else None,
                "baseline_year": baseline.get("year"),
                "baseline_value": _decimal(baseline.get("value"), 2),
                "target_year": target.get("year"),
                "target_value": _decimal(target.get("value"), 2),
                "source": item["source"],
                "source_note": item["source_note"],
                "order": order,
            },
        )
        keys.append(item["key"])
        years = [value["year"] for value in item["values"]]
        indicator.values.exclude(year__in=years).delete()
        for index, value in enumerate(item["values"]):
            _upsert(
                IndicatorValue,
                f"{path}.values[{index}]",
                {"indicator": indicator, "year": value["year"]},
                {"value": _decimal(value["value"], 2), "note": value["note"]},
            )
    pledge.indicators.exclude(key__in=keys).delete()


# --- The staff area: editor, workflow, signing, amendments, next period -----------------------------------------

# Fields of a pledge the editor writes (the many-to-many relations are passed separately).
PLEDGE_EDITOR_FIELDS = [
    "title",
    "summary",
    "area_description",
    "period_start",
    "period_end",
    "background",
    "effects_sought",
    "communication_plan",
    "followup_cadence",
    "followup_description",
    "contact_name",
    "contact_title",
    "contact_phone",
    "contact_email",
]
FOCUS_AREA_EDITOR_FIELDS = ["title", "description", "theme", "kind", "working_group"]
COMMITMENT_EDITOR_FIELDS = [
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
    "internal_details",
]


def pledge_period_errors(start, end) -> dict:
    """The problems with a pledge's period, by field (as the importer says them; pledges.documents)."""
    errors = {}
    for field, value in (("period_start", start), ("period_end", end)):
        if value is not None and not year_in_range(value):
            errors[field] = period_year_message()
    return errors


def commitment_validity_errors(pledge, valid_from, valid_to) -> dict:
    """A commitment is valid for the pledge's period or a part of it (a yearly implementation plan)."""
    errors = {}
    for field, value in (("valid_from", valid_from), ("valid_to", valid_to)):
        if value is not None and not pledge.period_start <= value <= pledge.period_end:
            errors[field] = _("The date must lie within the pledge's period, %(start)s – %(end)s.") % {
                "start": pledge.period_start,
                "end": pledge.period_end,
            }
    return errors


# Once signed, the agreement is frozen: a change is an amendment with a reason.
AMENDMENT_STATUSES = (Pledge.Status.SIGNED, Pledge.Status.PUBLISHED)
EDITABLE_STATUSES = (Pledge.Status.DRAFT, Pledge.Status.REVIEW, *AMENDMENT_STATUSES)


class EditConflict(Exception):
    """Someone else saved the pledge after the user opened the form."""

    def __init__(self, message, current_version):
        super().__init__(message)
        self.message = message
        self.current_version = current_version


class WorkflowError(Exception):
    """A step of the workflow that the pledge's status does not allow."""


def _unique_slug(model, field, base, **scope):
    base = slugify(base)[:40] or "x"
    slug, n = base, 1
    while model.objects.filter(**{field: slug}, **scope).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _history_user(instance, user):
    # django-simple-history records this user on the history row of the next save.
    instance._history_user = user
    return instance


def pledge_conflict_message(pledge, seen_version) -> str:
    """Who changed the pledge since ``seen_version``, and which fields (two queries)."""
    records = list(
        pledge.history.filter(version__gte=seen_version).select_related("history_user").order_by("history_date")
    )
    base = next((r for r in records if r.version == seen_version), None)
    newer = [r for r in records if r.version > seen_version]
    if not newer:
        return _("Someone else saved this pledge after you opened it.")
    latest = newer[-1]
    changed = []
    if base is not None:
        delta = latest.diff_against(base)
        skip = {"version", "updated_at"}
        changed = [str(Pledge._meta.get_field(c.field).verbose_name) for c in delta.changes if c.field not in skip]
    who = str(latest.history_user) if latest.history_user else _("someone else")
    what = ", ".join(changed) if changed else _("the focus areas or commitments")
    return _(
        "%(who)s saved this pledge after you opened it and changed: %(what)s. Nothing of yours was saved: "
        "your input is shown again below. Compare it with the current pledge and save again to keep it."
    ) % {"who": who, "what": what}


def _claim_version(pledge, expected_version):
    """Raise EditConflict unless the stored version is the one the user's form was based on.

    The conditional update locks the row, so of two simultaneous saves exactly one wins."""
    claimed = Pledge.objects.filter(pk=pledge.pk, version=expected_version).update(version=F("version") + 1)
    if not claimed:
        current = Pledge.objects.values_list("version", flat=True).get(pk=pledge.pk)
        raise EditConflict(pledge_conflict_message(pledge, expected_version), current)
    pledge.version = expected_version + 1


def _describe_changes(before: dict, after: dict, model) -> list[str]:
    return [str(model._meta.get_field(name).verbose_name) for name in after if before.get(name) != after[name]]


def _set_parties(pledge, organisations):
    wanted = [o.pk for o in organisations]
    current = list(pledge.pledge_parties.values_list("organisation_id", flat=True))
    if wanted == current:
        return
    pledge.pledge_parties.all().delete()
    PledgeParty.objects.bulk_create(
        PledgeParty(pledge=pledge, organisation_id=pk, order=order) for order, pk in enumerate(wanted, start=1)
    )


def _set_dialogues(pledge, dialogues):
    wanted = {d.pk for d in dialogues}
    current = set(pledge.pledge_dialogues.values_list("dialogue_id", flat=True))
    pledge.pledge_dialogues.filter(dialogue_id__in=current - wanted).delete()
    PledgeDialogue.objects.bulk_create(PledgeDialogue(pledge=pledge, dialogue_id=pk) for pk in wanted - current)


def _save_focus_areas(pledge, focus_areas, user) -> bool:
    """``focus_areas``: dicts with ``instance`` (None for a new one), ``delete``, ``findings`` and the editor fields,
    in the wanted order. Returns whether anything changed."""
    changed = False
    kept = [item for item in focus_areas if not item["delete"]]
    for item in focus_areas:
        if item["delete"] and item["instance"] is not None:
            try:
                item["instance"].delete()
            except ProtectedError:
                raise ValidationError(
                    _("The focus area “%(title)s” has logged activities and cannot be removed.")
                    % {"title": item["instance"].title}
                ) from None
            changed = True
    existing = [item["instance"] for item in kept if item["instance"] is not None]
    if [a.order for a in existing] != list(range(1, len(existing) + 1)) or len(existing) != len(kept):
        pledge.focus_areas.update(order=F("order") + ORDER_SHIFT)
        for area in existing:
            area.order += ORDER_SHIFT
    for order, item in enumerate(kept, start=1):
        area = item["instance"] or FocusArea(
            pledge=pledge, key=_unique_slug(FocusArea, "key", item["title"], pledge=pledge)
        )
        values = {name: item[name] for name in FOCUS_AREA_EDITOR_FIELDS}
        before = {name: getattr(area, name) for name in values} if area.pk else {}
        if area.pk and before == values and area.order == order:
            if {f.pk for f in item["findings"]} != {f.pk for f in area.findings.all()}:
                area.findings.set(item["findings"])
                changed = True
            continue
        for name, value in values.items():
            setattr(area, name, value)
        area.order = order
        area.full_clean()
        _history_user(area, user).save()
        area.findings.set(item["findings"])
        changed = True
    return changed


@transaction.atomic
def pledge_create(*, user, fields, municipalities, police_areas=(), parties=(), dialogues=(), focus_areas=()):
    """A new draft pledge with its focus areas."""
    if errors := pledge_period_errors(fields["period_start"], fields["period_end"]):
        raise ValidationError(errors)
    pledge = Pledge(status=Pledge.Status.DRAFT, **fields)
    pledge.external_id = _unique_slug(Pledge, "external_id", f"{fields['title']}-{fields['period_start']:%Y}")
    pledge.full_clean()
    _history_user(pledge, user).save()
    pledge.municipalities.set(municipalities)
    pledge.police_areas.set(police_areas)
    _set_parties(pledge, parties)
    _set_dialogues(pledge, dialogues)
    _save_focus_areas(pledge, list(focus_areas), user)
    StatusChange.objects.create(
        pledge=pledge, from_status="", to_status=Pledge.Status.DRAFT, changed_by=user, comment=_("Created")
    )
    return pledge


def _require_editable(pledge, amendment_reason):
    if pledge.status not in EDITABLE_STATUSES:
        raise WorkflowError(
            _("A pledge that is %(status)s cannot be changed.") % {"status": pledge.get_status_display()}
        )
    if pledge.status in AMENDMENT_STATUSES and not (amendment_reason or "").strip():
        raise ValidationError({"amendment_reason": _("The pledge is signed: say why it is changed.")})


def _record_amendment(pledge, user, reason, changes):
    if pledge.status in AMENDMENT_STATUSES and changes:
        amendment = Amendment.objects.create(
            pledge=pledge, reason=reason.strip(), changes="; ".join(changes), created_by=user
        )
        audit_record(AuditEvent.Action.AMENDED, user=user, obj=pledge, detail=amendment.reason)
        # A new version of the agreement beside the signed one, never over it.
        agreement_make(pledge=pledge, user=user, amendment=amendment)


@transaction.atomic
def pledge_update(
    *,
    pledge,
    user,
    expected_version,
    fields,
    municipalities,
    police_areas,
    parties,
    dialogues,
    focus_areas,
    amendment_reason="",
):
    """Save the editor's pledge page. Raises EditConflict if someone saved in between, ValidationError
    (nothing saved) for a rule the form could not check."""
    pledge = Pledge.objects.select_for_update().get(pk=pledge.pk)
    _require_editable(pledge, amendment_reason)
    if errors := pledge_period_errors(fields.get("period_start"), fields.get("period_end")):
        raise ValidationError(errors)
    _claim_version(pledge, expected_version)
    before = {name: getattr(pledge, name) for name in fields}
    for name, value in fields.items():
        setattr(pledge, name, value)
    pledge.full_clean()
    changes = _describe_changes(before, fields, Pledge)
    m2m_before = (
        {m.pk for m in pledge.municipalities.all()},
        {a.pk for a in pledge.police_areas.all()},
        list(pledge.pledge_parties.values_list("organisation_id", flat=True)),
        set(pledge.pledge_dialogues.values_list("dialogue_id", flat=True)),
    )
    pledge.municipalities.set(municipalities)
    pledge.police_areas.set(police_areas)
    _set_parties(pledge, parties)
    _set_dialogues(pledge, dialogues)
    m2m_after = (
        {m.pk for m in municipalities},
        {a.pk for a in police_areas},
        [o.pk for o in parties],
        {d.pk for d in dialogues},
    )
    labels = [_("municipalities"), _("local police areas"), _("parties"), _("dialogues")]
    changes += [str(label) for label, b, a in zip(labels, m2m_before, m2m_after, strict=True) if b != a]
    if _save_focus_areas(pledge, list(focus_areas), user):
        changes.append(str(_("focus areas")))
    _history_user(pledge, user).save()
    _record_amendment(pledge, user, amendment_reason, changes)
    return pledge


@transaction.atomic
def focus_area_commitments_update(*, focus_area, user, expected_version, commitments, amendment_reason=""):
    """Save the commitments of one focus area. ``commitments``: dicts with ``instance`` (None for new), ``delete``,
    ``responsible`` (organisations), ``new_responsible`` (a name to create in place) and the editor fields, in the
    wanted order."""
    pledge = Pledge.objects.select_for_update().get(pk=focus_area.pledge_id)
    _require_editable(pledge, amendment_reason)
    _claim_version(pledge, expected_version)
    changes = []
    for item in commitments:
        if item["delete"] and item["instance"] is not None:
            try:
                item["instance"].delete()
            except ProtectedError:
                raise ValidationError(
                    _("The commitment “%(title)s” has logged activities and cannot be removed.")
                    % {"title": item["instance"].title}
                ) from None
            changes.append(_("removed “%(title)s”") % {"title": item["instance"].title})
    kept = [item for item in commitments if not item["delete"]]
    focus_area.commitments.update(order=F("order") + ORDER_SHIFT)
    home = pledge.municipalities.first()
    for item in kept:
        if errors := commitment_validity_errors(pledge, item["valid_from"], item["valid_to"]):
            raise ValidationError(
                [_("“%(title)s”: %(message)s") % {"title": item["title"], "message": m} for m in errors.values()]
            )
    for order, item in enumerate(kept, start=1):
        commitment = item["instance"] or Commitment(
            focus_area=focus_area, key=_unique_slug(Commitment, "key", item["title"], focus_area=focus_area)
        )
        values = {name: item[name] for name in COMMITMENT_EDITOR_FIELDS}
        before = {name: getattr(commitment, name) for name in values} if commitment.pk else {}
        if commitment.pk is None:
            changes.append(_("added “%(title)s”") % {"title": values["title"]})
        elif before != values:
            changes.append(_("changed “%(title)s”") % {"title": values["title"]})
        for name, value in values.items():
            setattr(commitment, name, value)
        commitment.order = order
        commitment.full_clean()
        _history_user(commitment, user).save()
        responsible = list(item["responsible"])
        if item.get("new_responsible"):
            organisation = Organisation.objects.filter(name=item["new_responsible"], municipality=home).first()
            if organisation is None:
                organisation = Organisation(name=item["new_responsible"], municipality=home)
                organisation.full_clean()
                organisation.save()
            responsible.append(organisation)
        if {o.pk for o in responsible} != {o.pk for o in commitment.responsible.all()}:
            commitment.responsible.set(responsible)
    _history_user(pledge, user).save()
    _record_amendment(pledge, user, amendment_reason, [str(c) for c in changes])
    return pledge


# The workflow: name → (allowed from, to, permission action). Signing has its own service (it records signatories);
# "ended" is set by pledges_end_expired after the end date.
TRANSITIONS = {
    "review": ((Pledge.Status.DRAFT,), Pledge.Status.REVIEW, "edit"),
    "return": ((Pledge.Status.REVIEW,), Pledge.Status.DRAFT, "edit"),
    "publish": ((Pledge.Status.SIGNED,), Pledge.Status.PUBLISHED, "sign"),
    "withdraw": (
        (Pledge.Status.DRAFT, Pledge.Status.REVIEW, Pledge.Status.SIGNED, Pledge.Status.PUBLISHED),
        Pledge.Status.WITHDRAWN,
        "sign",
    ),
}


def _change_status(pledge, user, to_status, comment=""):
    StatusChange.objects.create(
        pledge=pledge, from_status=pledge.status, to_status=to_status, changed_by=user, comment=comment
    )
    audit_record(AuditEvent.Action.STATUS_CHANGED, user=user, obj=pledge, detail=f"{pledge.status} → {to_status}")
    pledge.status = to_status
    pledge.version += 1
    _history_user(pledge, user).save()


@transaction.atomic
def pledge_transition(*, pledge, user, transition, comment=""):
    """Move the pledge one step in the workflow. Raises WorkflowError if its status does not allow the step."""
    allowed_from, to_status, _action = TRANSITIONS[transition]
    pledge = Pledge.objects.select_for_update().get(pk=pledge.pk)
    if pledge.status not in allowed_from:
        raise WorkflowError(
            _("This step is not possible for a pledge that is %(status)s.") % {"status": pledge.get_status_display()}
        )
    if transition == "review" and not Commitment.objects.filter(focus_area__pledge=pledge).exists():
        raise WorkflowError(_("Add at least one focus area with a commitment before sending the pledge to review."))
    if transition == "publish" and pledge.published_on is None:
        pledge.published_on = datetime.date.today()
    _change_status(pledge, user, to_status, comment)
    return pledge


@transaction.atomic
def pledge_sign(*, pledge, user, signed_on, signed_place, signatories):
    """Record the signing: each signatory (name, title, organisation, date, place), and freeze the agreement.
    ``signatories``: dicts with name, title, organisation, signed_on, signed_place."""
    pledge = Pledge.objects.select_for_update().get(pk=pledge.pk)
    if pledge.status != Pledge.Status.REVIEW:
        raise WorkflowError(_("Only a pledge in review can be signed."))
    if not signatories:
        raise ValidationError(_("Add at least one signatory."))
    pledge.signatories.all().delete()
    for order, item in enumerate(signatories, start=1):
        signatory = Signatory(pledge=pledge, order=order, **item)
        signatory.full_clean()
        signatory.save()
    pledge.signed_on = signed_on
    pledge.signed_place = signed_place
    pledge.full_clean()
    _change_status(pledge, user, Pledge.Status.SIGNED)
    agreement_make(pledge=pledge, user=user)  # the agreement is frozen as a signed PDF now
    return pledge


@transaction.atomic
def pledges_end_expired(*, today=None) -> int:
    """Mark published pledges whose period is over as ended. Returns how many."""
    today = today or datetime.date.today()
    count = 0
    for pledge in Pledge.objects.select_for_update().filter(status=Pledge.Status.PUBLISHED, period_end__lt=today):
        _change_status(pledge, None, Pledge.Status.ENDED, _("The period ended."))
        count += 1
    return count


@transaction.atomic
def pledge_copy_for_next_period(*, pledge, user) -> Pledge:
    """A new draft for the next period with the same municipalities, parties, focus areas and commitments."""
    source = Pledge.objects.prefetch_related(
        "municipalities",
        "police_areas",
        "pledge_parties",
        "pledge_dialogues",
        "focus_areas__findings",
        "focus_areas__commitments__responsible",
        "focus_areas__commitments__places",
    ).get(pk=pledge.pk)
    length = source.period_end - source.period_start
    try:
        start = source.period_end + datetime.timedelta(days=1)
        end = start + length
    except OverflowError:  # a period stored before its years were checked
        start = end = datetime.date.max
    if errors := pledge_period_errors(start, end):
        raise ValidationError(
            _("The next period would begin %(start)s: %(message)s.")
            % {"start": start, "message": next(iter(errors.values()))}
        )
    new = Pledge(
        status=Pledge.Status.DRAFT,
        previous_pledge=source,
        period_start=start,
        period_end=end,
        **{name: getattr(source, name) for name in PLEDGE_EDITOR_FIELDS if not name.startswith("period_")},
    )
    new.external_id = _unique_slug(Pledge, "external_id", f"{source.title}-{start:%Y}")
    new.full_clean()
    _history_user(new, user).save()
    new.municipalities.set(source.municipalities.all())
    new.police_areas.set(source.police_areas.all())
    PledgeParty.objects.bulk_create(
        PledgeParty(pledge=new, organisation_id=p.organisation_id, order=p.order) for p in source.pledge_parties.all()
    )
    for area in source.focus_areas.all():
        new_area = FocusArea(
            pledge=new, key=area.key, order=area.order, **{n: getattr(area, n) for n in FOCUS_AREA_EDITOR_FIELDS}
        )
        _history_user(new_area, user).save()
        new_area.findings.set(area.findings.all())
        for commitment in area.commitments.all():
            values = {n: getattr(commitment, n) for n in COMMITMENT_EDITOR_FIELDS}
            # Validity dates belonged to the old period's implementation plan.
            values.update(valid_from=None, valid_to=None)
            new_commitment = Commitment(focus_area=new_area, key=commitment.key, order=commitment.order, **values)
            _history_user(new_commitment, user).save()
            new_commitment.responsible.set(commitment.responsible.all())
            new_commitment.places.set(commitment.places.all())
    StatusChange.objects.create(
        pledge=new,
        from_status="",
        to_status=Pledge.Status.DRAFT,
        changed_by=user,
        comment=_("Created from “%(title)s” for the next period") % {"title": source.title},
    )
    return new
