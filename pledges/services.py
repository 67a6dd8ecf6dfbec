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
from django.utils.translation import gettext as _

from dialogues.models import Dialogue, Finding, Place
from followup.models import ActivityLog, Indicator, IndicatorValue, MissedPeriod
from municipalities.models import Municipality, Organisation, PoliceArea
from municipalities.services import save_if_changed

from .documents import DocumentError, DocumentInvalid, normalise_document, read_document_file, validate_document
from .models import Commitment, FocusArea, Pledge, PledgeDialogue, PledgeParty, Signatory

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
