"""Reads for pledges: the pledge document export."""

from django.db.models import Count, Prefetch

from dialogues.models import Finding
from followup.models import ActivityLog, Indicator

from .documents import FORMAT
from .models import Commitment, FocusArea, Pledge, PledgeDialogue


def _iso(value):
    return value.isoformat() if value else None


def _number(value):
    return None if value is None else float(value)


HOME_LIMIT = 20  # the start page shows the latest; /kommuner/ leads to every municipality's pledges


def public_pledges_for_home(limit=HOME_LIMIT):
    """The latest published and ended pledges with their municipalities and commitment counts (2 queries)."""
    return (
        Pledge.objects.public()
        .annotate(commitment_count=Count("focus_areas__commitments"))
        .prefetch_related("municipalities")
        .order_by("-period_start", "title")[:limit]
    )


def pledge_for_export(pk) -> Pledge:
    """The pledge with everything the document needs, in a fixed number of queries."""
    return Pledge.objects.prefetch_related(
        "municipalities",
        "police_areas",
        "pledge_parties__organisation__municipality",
        "signatories__organisation__municipality",
        Prefetch(
            "pledge_dialogues",
            queryset=PledgeDialogue.objects.select_related(
                "dialogue__municipality", "dialogue__place"
            ).prefetch_related(
                Prefetch("dialogue__findings", queryset=Finding.objects.select_related("place", "dialogue"))
            ),
        ),
        Prefetch(
            "focus_areas",
            queryset=FocusArea.objects.prefetch_related(
                "findings__dialogue",
                Prefetch(
                    "commitments",
                    queryset=Commitment.objects.prefetch_related(
                        "responsible__municipality",
                        "places__municipality",
                        Prefetch("activity_logs", queryset=ActivityLog.objects.order_by()),
                        "missed_periods",
                    ),
                ),
            ),
        ),
        Prefetch(
            "indicators",
            queryset=Indicator.objects.select_related("municipality", "police_area").prefetch_related("values"),
        ),
    ).get(pk=pk)


def pledge_document(pledge: Pledge) -> dict:
    """The pledge as a document of the pledge format, in its normalised form.

    Reads the relations ``pledge_for_export`` prefetches; on a bare pledge it queries per relation.
    """
    organisations, places = {}, {}

    def organisation_name(organisation):
        organisations[organisation.pk] = organisation
        return organisation.name

    def place_name(place):
        if place is None:
            return None
        places[place.pk] = place
        return place.name

    pledge_dialogues = sorted(pledge.pledge_dialogues.all(), key=lambda link: link.dialogue.external_id or "")
    dialogues = [
        {
            "id": link.dialogue.external_id,
            "role": link.role,
            "kind": link.dialogue.kind,
            "title": link.dialogue.title,
            "municipality": link.dialogue.municipality.code,
            "held_on": _iso(link.dialogue.held_on),
            "date_precision": link.dialogue.date_precision,
            "place": place_name(link.dialogue.place),
            "participants": {
                "total": link.dialogue.participants_total,
                "women": link.dialogue.participants_women,
                "men": link.dialogue.participants_men,
                "other": link.dialogue.participants_other,
            },
            "summary": link.dialogue.summary,
            "findings": [
                {
                    "key": finding.key,
                    "kind": finding.kind,
                    "text": finding.text,
                    "theme": finding.theme,
                    "place": place_name(finding.place),
                    "raised_by": finding.raised_by_count,
                    "rank": finding.rank,
                }
                for finding in link.dialogue.findings.all()
            ],
        }
        for link in pledge_dialogues
    ]
    focus_areas = [
        {
            "key": area.key,
            "title": area.title,
            "description": area.description,
            "theme": area.theme,
            "kind": area.kind,
            "working_group": area.working_group,
            "findings": sorted(f"{finding.dialogue.external_id}/{finding.key}" for finding in area.findings.all()),
            "commitments": [_commitment_document(c, organisation_name, place_name) for c in area.commitments.all()],
        }
        for area in pledge.focus_areas.all()
    ]
    signatories = [
        {
            "name": signatory.name,
            "title": signatory.title,
            "organisation": organisation_name(signatory.organisation),
            "date": _iso(signatory.signed_on),
            "place": signatory.signed_place,
        }
        for signatory in pledge.signatories.all()
    ]
    parties = [organisation_name(party.organisation) for party in pledge.pledge_parties.all()]
    return {
        "format": FORMAT,
        "id": pledge.external_id,
        "title": pledge.title,
        "status": pledge.status,
        "summary": pledge.summary,
        "municipalities": sorted(m.code for m in pledge.municipalities.all()),
        "area_description": pledge.area_description,
        "police_areas": sorted(a.name for a in pledge.police_areas.all()),
        "organisations": sorted(
            (
                {
                    "name": o.name,
                    "kind": o.kind,
                    "municipality": o.municipality.code if o.municipality else None,
                }
                for o in organisations.values()
            ),
            key=lambda o: (o["name"], o["municipality"] or ""),
        ),
        "parties": parties,
        "period": {"start": _iso(pledge.period_start), "end": _iso(pledge.period_end)},
        "background": pledge.background,
        "effects_sought": pledge.effects_sought_list,
        "communication_plan": pledge.communication_plan,
        "follow_up": {"cadence": pledge.followup_cadence, "description": pledge.followup_description},
        "contact": {
            "name": pledge.contact_name,
            "title": pledge.contact_title,
            "phone": pledge.contact_phone,
            "email": pledge.contact_email,
        },
        "signing": {"date": _iso(pledge.signed_on), "place": pledge.signed_place},
        "published_on": _iso(pledge.published_on),
        "source_url": pledge.source_url,
        "signatories": signatories,
        "places": sorted(
            (
                {
                    "name": p.name,
                    "municipality": p.municipality.code,
                    "description": p.description,
                    "latitude": _number(p.latitude),
                    "longitude": _number(p.longitude),
                }
                for p in places.values()
            ),
            key=lambda p: (p["municipality"], p["name"]),
        ),
        "dialogues": dialogues,
        "focus_areas": focus_areas,
        "indicators": [_indicator_document(i) for i in pledge.indicators.all()],
    }


def _commitment_document(commitment, organisation_name, place_name):
    activities = [
        {
            "date": _iso(log.performed_on),
            "quantity": log.quantity,
            "hours": _number(log.hours_spent),
            "note": log.note,
        }
        for log in commitment.activity_logs.all()
    ]
    return {
        "key": commitment.key,
        "title": commitment.title,
        "description": commitment.description,
        "wording": commitment.wording,
        "responsible": sorted(organisation_name(o) for o in commitment.responsible.all()),
        "responsible_wording": commitment.responsible_wording,
        "target": {
            "kind": commitment.target_kind,
            "comparison": commitment.comparison or None,
            "quantity": commitment.quantity,
            "interval": commitment.interval,
            "unit": commitment.unit or None,
            "due_month": commitment.due_month,
            "measure": commitment.measure,
        },
        "valid_from": _iso(commitment.valid_from),
        "valid_to": _iso(commitment.valid_to),
        "places": sorted(place_name(p) for p in commitment.places.all()),
        "activities": sorted(activities, key=lambda a: (a["date"], a["quantity"], a["hours"] or 0, a["note"])),
        "missed_periods": [
            {
                "start": _iso(missed.period_start),
                "end": _iso(missed.period_end),
                "reason": missed.reason,
                "reason_text": missed.reason_text,
                "corrective_action": missed.corrective_action,
            }
            for missed in sorted(commitment.missed_periods.all(), key=lambda m: m.period_start)
        ],
    }


def _indicator_document(indicator):
    return {
        "key": indicator.key,
        "name": indicator.name,
        "description": indicator.description,
        "unit": indicator.unit,
        "direction": indicator.direction,
        "area": {
            "municipality": indicator.municipality.code if indicator.municipality else None,
            "police_area": indicator.police_area.name if indicator.police_area else None,
        },
        "baseline": {"year": indicator.baseline_year, "value": _number(indicator.baseline_value)}
        if indicator.baseline_year is not None
        else None,
        "target": {"year": indicator.target_year, "value": _number(indicator.target_value)}
        if indicator.target_year is not None
        else None,
        "source": indicator.source,
        "source_note": indicator.source_note,
        "values": [{"year": v.year, "value": _number(v.value), "note": v.note} for v in indicator.values.all()],
    }
