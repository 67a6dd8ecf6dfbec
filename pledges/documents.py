"""The pledge document format (docs/pledge-format.md): reading, validating and normalising.

A document is validated whole before anything is written: first against the JSON Schema
(docs/pledge-format.schema.json), then for the rules a schema cannot state (dates that exist,
names that resolve, kommunkoder that exist). Every problem is reported with the path inside
the document, e.g. ``focus_areas[2].commitments[0].target.quantity``.
"""

import copy
import datetime
import json
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path

import jsonschema
import yaml
from django.conf import settings
from django.utils.translation import gettext as _

FORMAT = "medborgarloften.pledge/1"
SCHEMA_PATH = Path(settings.BASE_DIR) / "docs" / "pledge-format.schema.json"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
KOMMUNKOD_PATTERN = r"^\d{4}$"
# A pledge's period lies within these years: follow-up cuts it into periods by the calendar and an evaluation is
# made per year (Evaluation.year is 1990–2100), so 0001-01-01 or 9999-12-31 would make periods no one can hold.
FIRST_YEAR, LAST_YEAR = 1990, 2100
# The largest whole number the database keeps in a count (PostgreSQL's integer), and a bound above every decimal
# column (at most 12 digits, 2 of them decimals): larger numbers are refused before they reach Decimal arithmetic.
MAX_INTEGER = 2**31 - 1
MAX_DECIMAL = 10**12


def year_in_range(value) -> bool:
    return FIRST_YEAR <= value.year <= LAST_YEAR


def validate_year_range(value):
    """A form field validator: the same years for every date the service keeps."""
    from django.core.exceptions import ValidationError

    if value is not None and not year_in_range(value):
        raise ValidationError(period_year_message(), code="year_range")


def period_year_message():
    return _("the date must lie between the years %(first)s and %(last)s") % {"first": FIRST_YEAR, "last": LAST_YEAR}


@dataclass(frozen=True)
class DocumentError:
    path: str
    message: str

    def __str__(self):
        return f"{self.path}: {self.message}" if self.path else self.message


class DocumentInvalid(Exception):
    """A document that cannot be imported; ``errors`` names every problem found."""

    def __init__(self, errors, source=""):
        self.errors = list(errors)
        self.source = source
        super().__init__("\n".join(self.lines()))

    def lines(self):
        prefix = f"{self.source}: " if self.source else ""
        return [f"{prefix}{error}" for error in self.errors]


class _DocumentYamlLoader(yaml.SafeLoader):
    """PyYAML's safe loader without aliases: `*name` repeats a node, so a few hundred bytes of nested
    aliases (a "billion laughs") expand to billions of values, which the import would then walk for minutes.
    A pledge document never needs one: refuse it where it stands."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _YamlAliasRefused(event.start_mark.line + 1)
        return super().compose_node(parent, index)


class _YamlAliasRefused(Exception):
    def __init__(self, line):
        self.line = line


def _quoted(value, limit=80):
    """The start of `value` as JSON, at most `limit` characters, without serialising all of a big value."""
    text = ""
    for chunk in json.JSONEncoder(ensure_ascii=False, default=str).iterencode(value):
        text += chunk
        if len(text) > limit:
            return text[:limit] + "…"
    return text


@cache
def schema():
    with open(SCHEMA_PATH, encoding="utf-8") as handle:
        return json.load(handle)


def read_document_file(path) -> dict:
    """Parse a JSON or YAML file into a document (a mapping). Raises DocumentInvalid."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DocumentInvalid([DocumentError("", _("The file does not exist."))], source=str(path)) from None
    except (UnicodeDecodeError, IsADirectoryError, PermissionError) as exc:
        raise DocumentInvalid([DocumentError("", _("The file cannot be read: %s") % exc)], source=str(path)) from None
    try:
        if path.suffix.lower() == ".json":
            document = json.loads(text)
        else:
            # YAML is a superset of JSON, so anything else is read as YAML.
            document = yaml.load(text, Loader=_DocumentYamlLoader)  # a SafeLoader without aliases
    except _YamlAliasRefused as refused:
        message = _(
            "Line %(line)s uses a YAML alias (*name). Aliases are not allowed in a pledge document: "
            "write the value out in full."
        ) % {"line": refused.line}
        raise DocumentInvalid([DocumentError("", message)], source=str(path)) from None
    except (ValueError, yaml.YAMLError, RecursionError) as exc:
        # ValueError covers json.JSONDecodeError and a number of more than 4300 digits, which Python refuses.
        message = _("The file is not valid JSON or YAML: %s") % " ".join(str(exc).split())[:300]
        raise DocumentInvalid([DocumentError("", message)], source=str(path)) from None
    if not isinstance(document, dict):
        raise DocumentInvalid(
            [DocumentError("", _("The document must be a JSON or YAML object (a mapping of fields)."))],
            source=str(path),
        )
    return document


def format_path(parts) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _describe_type(expected) -> str:
    names = {
        "string": _("a text"),
        "integer": _("a whole number"),
        "number": _("a number"),
        "array": _("a list"),
        "object": _("an object"),
        "boolean": _("true or false"),
        "null": _("empty (null)"),
    }
    if isinstance(expected, list):
        return _(" or ").join(names.get(name, name) for name in expected)
    return names.get(expected, expected)


def _schema_error_to_document_errors(error) -> list[DocumentError]:
    path = list(error.absolute_path)
    validator = error.validator
    if validator == "anyOf":
        # "a value or null": report why the value itself failed, not that it is not null.
        relevant = [sub for sub in error.context if sub.schema.get("type") != "null"]
        if relevant:
            return _schema_error_to_document_errors(relevant[0])
    if validator == "required":
        missing = error.message.split("'")[1]
        return [DocumentError(format_path([*path, missing]), _("is required but missing"))]
    if validator == "additionalProperties":
        known = set(error.schema.get("properties", {}))
        return [
            DocumentError(format_path([*path, name]), _("is not a field of this format"))
            for name in error.instance
            if name not in known
        ]
    value = error.instance
    if validator == "type":
        message = _("must be %(expected)s, not %(value)s") % {
            "expected": _describe_type(error.validator_value),
            "value": _quoted(value),
        }
    elif validator in ("enum", "const"):
        allowed = error.validator_value if validator == "enum" else [error.validator_value]
        message = _("unknown value %(value)s; allowed: %(allowed)s") % {
            "value": _quoted(value),
            "allowed": ", ".join(str(option) for option in allowed),
        }
    elif validator == "pattern" and error.validator_value == DATE_PATTERN:
        message = _("%(value)s is not a date in the form YYYY-MM-DD") % {"value": _quoted(value)}
    elif validator == "pattern" and error.validator_value == KOMMUNKOD_PATTERN:
        message = _("%(value)s is not a kommunkod (four digits, e.g. 2417)") % {"value": _quoted(value)}
    elif validator == "pattern":
        message = _("%(value)s has the wrong form (expected %(pattern)s)") % {
            "value": _quoted(value),
            "pattern": error.validator_value,
        }
    elif validator == "exclusiveMinimum":
        message = _("must be greater than %(limit)s, not %(value)s") % {"limit": error.validator_value, "value": value}
    elif validator == "minimum":
        message = _("must be at least %(limit)s, not %(value)s") % {"limit": error.validator_value, "value": value}
    elif validator == "maximum":
        message = _("must be at most %(limit)s, not %(value)s") % {"limit": error.validator_value, "value": value}
    elif validator == "minLength":
        message = _("must not be empty")
    elif validator == "maxLength":
        message = _("is too long (at most %(limit)s characters)") % {"limit": error.validator_value}
    elif validator == "minItems":
        message = _("must list at least %(limit)s") % {"limit": error.validator_value}
    else:
        message = error.message
    return [DocumentError(format_path(path), message)]


def _parse_date(value, path, errors):
    if value is None:
        return None
    try:
        date = datetime.date.fromisoformat(value)
    except ValueError:
        errors.append(DocumentError(path, _("%(value)s is not a date that exists") % {"value": json.dumps(value)}))
        return None
    if not year_in_range(date):
        errors.append(DocumentError(path, f"{value}: {period_year_message()}"))
        return None
    return date


def validate_document(document, *, known_municipality_codes, known_police_areas) -> list[DocumentError]:
    """Every problem in the document, schema and meaning alike; an empty list means it can be imported.

    The known codes and names come from the reference data (passed in, so this reads no database).
    """
    validator = jsonschema.Draft202012Validator(schema())
    errors = _unstorable_values(document)
    for error in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path))):
        errors.extend(_schema_error_to_document_errors(error))
    if errors:
        # The meaning checks below assume the shape is right.
        return errors
    return _semantic_errors(normalise_document(document, canonical=False), known_municipality_codes, known_police_areas)


def _unstorable_values(document) -> list[DocumentError]:
    """Values the schema lets through that the database cannot keep: a NUL character or a lone surrogate in a
    text (PostgreSQL refuses both), a number that is not finite (NaN, 1e309) or a whole number larger than a
    database integer."""
    errors = []

    def walk(value, path):
        if isinstance(value, dict):
            for key, item in value.items():
                walk(item, [*path, key])
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, [*path, index])
        elif isinstance(value, str):
            if "\x00" in value:
                errors.append(DocumentError(format_path(path), _("contains a NUL character, which cannot be stored")))
            elif any("\ud800" <= char <= "\udfff" for char in value):
                errors.append(DocumentError(format_path(path), _("contains an invalid character (a lone surrogate)")))
        elif isinstance(value, bool):
            pass
        elif isinstance(value, float) and not math.isfinite(value):
            errors.append(
                DocumentError(format_path(path), _("must be a finite number, not %(value)s") % {"value": value})
            )
        elif isinstance(value, float) and abs(value) >= MAX_DECIMAL:
            errors.append(DocumentError(format_path(path), _("is too large a number: %(value)s") % {"value": value}))
        elif isinstance(value, int) and abs(value) > MAX_INTEGER:
            message = _("must be at most %(limit)s, not %(value)s") % {"limit": MAX_INTEGER, "value": str(value)[:40]}
            errors.append(DocumentError(format_path(path), message))

    walk(document, [])
    return errors


def _semantic_errors(doc, known_codes, known_police_areas) -> list[DocumentError]:
    errors = []

    def check_code(code, path):
        if code is not None and code not in known_codes:
            errors.append(DocumentError(path, _("unknown kommunkod %(code)s") % {"code": code}))

    start = _parse_date(doc["period"]["start"], "period.start", errors)
    end = _parse_date(doc["period"]["end"], "period.end", errors)
    if start and end and end < start:
        errors.append(
            DocumentError(
                "period.end", _("the period ends (%(end)s) before it starts (%(start)s)") % {"end": end, "start": start}
            )
        )
    _parse_date(doc["signing"]["date"], "signing.date", errors)
    _parse_date(doc["published_on"], "published_on", errors)

    for index, code in enumerate(doc["municipalities"]):
        check_code(code, f"municipalities[{index}]")
    if len(set(doc["municipalities"])) != len(doc["municipalities"]):
        errors.append(DocumentError("municipalities", _("lists a municipality twice")))
    for index, name in enumerate(doc["police_areas"]):
        if name not in known_police_areas:
            errors.append(
                DocumentError(
                    f"police_areas[{index}]",
                    _("unknown local police area %(name)s") % {"name": json.dumps(name, ensure_ascii=False)},
                )
            )

    organisations = set()
    for index, organisation in enumerate(doc["organisations"]):
        path = f"organisations[{index}]"
        if organisation["name"] in organisations:
            errors.append(DocumentError(f"{path}.name", _("the organisation is listed twice")))
        organisations.add(organisation["name"])
        check_code(organisation["municipality"], f"{path}.municipality")
        if organisation["kind"] == "municipality" and organisation["municipality"] is None:
            errors.append(
                DocumentError(f"{path}.municipality", _("is required for an organisation of kind municipality"))
            )

    def check_organisation(name, path):
        if name not in organisations:
            errors.append(
                DocumentError(
                    path,
                    _("%(name)s is not one of the document's organisations")
                    % {"name": json.dumps(name, ensure_ascii=False)},
                )
            )

    for index, name in enumerate(doc["parties"]):
        check_organisation(name, f"parties[{index}]")
    if len(set(doc["parties"])) != len(doc["parties"]):
        errors.append(DocumentError("parties", _("lists a party twice")))
    for index, signatory in enumerate(doc["signatories"]):
        check_organisation(signatory["organisation"], f"signatories[{index}].organisation")
        _parse_date(signatory["date"], f"signatories[{index}].date", errors)

    places = set()
    for index, place in enumerate(doc["places"]):
        path = f"places[{index}]"
        check_code(place["municipality"], f"{path}.municipality")
        if place["name"] in places:
            errors.append(DocumentError(f"{path}.name", _("the place is listed twice")))
        places.add(place["name"])
        if (place["latitude"] is None) != (place["longitude"] is None):
            errors.append(DocumentError(path, _("give both latitude and longitude, or neither")))

    def check_place(name, path):
        if name is not None and name not in places:
            errors.append(
                DocumentError(
                    path,
                    _("%(name)s is not one of the document's places") % {"name": json.dumps(name, ensure_ascii=False)},
                )
            )

    finding_refs = set()
    dialogue_ids = set()
    for index, dialogue in enumerate(doc["dialogues"]):
        path = f"dialogues[{index}]"
        if dialogue["id"] in dialogue_ids:
            errors.append(DocumentError(f"{path}.id", _("the dialogue id is used twice")))
        dialogue_ids.add(dialogue["id"])
        check_code(dialogue["municipality"], f"{path}.municipality")
        _parse_date(dialogue["held_on"], f"{path}.held_on", errors)
        check_place(dialogue["place"], f"{path}.place")
        participants = dialogue["participants"]
        parts = [participants[key] for key in ("women", "men", "other")]
        if participants["total"] is not None and None not in parts and sum(parts) > participants["total"]:
            errors.append(
                DocumentError(
                    f"{path}.participants",
                    _("women, men and other add up to %(sum)s, more than the total %(total)s")
                    % {"sum": sum(parts), "total": participants["total"]},
                )
            )
        keys = set()
        for finding_index, finding in enumerate(dialogue["findings"]):
            finding_path = f"{path}.findings[{finding_index}]"
            if finding["key"] in keys:
                errors.append(DocumentError(f"{finding_path}.key", _("the key is used twice in this dialogue")))
            keys.add(finding["key"])
            finding_refs.add(f"{dialogue['id']}/{finding['key']}")
            check_place(finding["place"], f"{finding_path}.place")

    focus_keys, commitment_keys = set(), set()
    for index, focus_area in enumerate(doc["focus_areas"]):
        path = f"focus_areas[{index}]"
        if focus_area["key"] in focus_keys:
            errors.append(DocumentError(f"{path}.key", _("the key is used twice in this document")))
        focus_keys.add(focus_area["key"])
        for ref_index, ref in enumerate(focus_area["findings"]):
            if ref not in finding_refs:
                errors.append(
                    DocumentError(
                        f"{path}.findings[{ref_index}]",
                        _("%(ref)s names no finding of the document's dialogues") % {"ref": json.dumps(ref)},
                    )
                )
        for commitment_index, commitment in enumerate(focus_area["commitments"]):
            _commitment_errors(
                commitment,
                f"{path}.commitments[{commitment_index}]",
                start,
                end,
                errors,
                check_organisation,
                check_place,
                commitment_keys,
            )

    indicator_keys = set()
    for index, indicator in enumerate(doc["indicators"]):
        path = f"indicators[{index}]"
        if indicator["key"] in indicator_keys:
            errors.append(DocumentError(f"{path}.key", _("the key is used twice in this document")))
        indicator_keys.add(indicator["key"])
        area = indicator["area"]
        if area["municipality"] is not None and area["police_area"] is not None:
            errors.append(DocumentError(f"{path}.area", _("give a municipality or a local police area, not both")))
        check_code(area["municipality"], f"{path}.area.municipality")
        if area["police_area"] is not None and area["police_area"] not in known_police_areas:
            errors.append(
                DocumentError(
                    f"{path}.area.police_area",
                    _("unknown local police area %(name)s")
                    % {"name": json.dumps(area["police_area"], ensure_ascii=False)},
                )
            )
        years = set()
        for value_index, value in enumerate(indicator["values"]):
            if value["year"] in years:
                errors.append(DocumentError(f"{path}.values[{value_index}].year", _("the year is given twice")))
            years.add(value["year"])
    return errors


def _commitment_errors(commitment, path, start, end, errors, check_organisation, check_place, keys):
    if commitment["key"] in keys:
        errors.append(DocumentError(f"{path}.key", _("the key is used twice in this document")))
    keys.add(commitment["key"])
    for index, name in enumerate(commitment["responsible"]):
        check_organisation(name, f"{path}.responsible[{index}]")
    for index, name in enumerate(commitment["places"]):
        check_place(name, f"{path}.places[{index}]")

    target = commitment["target"]
    numbered = ("comparison", "quantity", "interval", "unit")
    if target["kind"] == "quantity":
        for field in numbered:
            if target[field] is None:
                errors.append(
                    DocumentError(f"{path}.target.{field}", _("is required when the target kind is quantity"))
                )
        if target["unit"] == "period" and target["interval"] not in (None, 1):
            errors.append(DocumentError(f"{path}.target.interval", _("must be 1 when the unit is the whole period")))
        if target["due_month"] is not None and (target["unit"] != "year" or target["interval"] != 1):
            errors.append(
                DocumentError(f"{path}.target.due_month", _("only goes with a yearly target (unit year, interval 1)"))
            )
    else:
        for field in (*numbered, "due_month"):
            if target[field] is not None:
                errors.append(
                    DocumentError(
                        f"{path}.target.{field}",
                        _("must be empty (null) for a target of kind %(kind)s") % {"kind": target["kind"]},
                    )
                )

    valid_from = _parse_date(commitment["valid_from"], f"{path}.valid_from", errors)
    valid_to = _parse_date(commitment["valid_to"], f"{path}.valid_to", errors)
    if valid_from and valid_to and valid_to < valid_from:
        errors.append(DocumentError(f"{path}.valid_to", _("the validity ends before it starts")))
    if start and end:
        for field, value in (("valid_from", valid_from), ("valid_to", valid_to)):
            if value and not start <= value <= end:
                errors.append(
                    DocumentError(
                        f"{path}.{field}",
                        _("%(date)s lies outside the pledge period %(start)s – %(end)s")
                        % {"date": value, "start": start, "end": end},
                    )
                )
    first = valid_from or start
    last = valid_to or end
    _missed_period_errors(commitment, path, first, last, errors)
    for index, activity in enumerate(commitment["activities"]):
        performed_on = _parse_date(activity["date"], f"{path}.activities[{index}].date", errors)
        if performed_on and first and last and not first <= performed_on <= last:
            errors.append(
                DocumentError(
                    f"{path}.activities[{index}].date",
                    _("%(date)s lies outside the period the commitment is valid, %(start)s – %(end)s")
                    % {"date": performed_on, "start": first, "end": last},
                )
            )


def _missed_period_errors(commitment, path, first, last, errors):
    """A missed period is one of the commitment's periods (buckets), given a reason."""
    from followup.progress import bucket_ranges
    from pledges.models import Commitment

    target = commitment["target"]
    buckets = set()
    if target["kind"] == "quantity" and first and last and target["unit"] and target["interval"]:
        shape = Commitment(unit=target["unit"], interval=target["interval"], due_month=target["due_month"])
        buckets = set(bucket_ranges(shape, first, last))
    starts = set()
    for index, missed in enumerate(commitment["missed_periods"]):
        item_path = f"{path}.missed_periods[{index}]"
        period_start = _parse_date(missed["start"], f"{item_path}.start", errors)
        period_end = _parse_date(missed["end"], f"{item_path}.end", errors)
        if missed["reason"] == "other" and not missed["reason_text"].strip():
            errors.append(DocumentError(f"{item_path}.reason_text", _("explain the reason when it is other")))
        if period_start in starts:
            errors.append(DocumentError(f"{item_path}.start", _("the period is given twice")))
        starts.add(period_start)
        if period_start and period_end and (period_start, period_end) not in buckets:
            errors.append(
                DocumentError(
                    item_path,
                    _("%(start)s – %(end)s is not one of the commitment's follow-up periods")
                    % {"start": period_start, "end": period_end},
                )
            )


def _decimal_number(value, places):
    """A number as the database keeps it (fixed decimals), written back as a float."""
    if value is None:
        return None
    quantum = Decimal(1).scaleb(-places)
    return float(Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP))


def normalise_document(document, *, canonical=True) -> dict:
    """The document with every optional field filled in, numbers as the database keeps them,
    and lists whose order carries no meaning sorted. Export writes exactly this form, so that
    ``normalise_document(d) == export(import(d))``. Assumes the document passed the schema.

    With ``canonical=False`` lists keep their order and nothing is dropped, so that positions
    (``activities[2]``) still point into the document as written: that form is for validation.
    """
    doc = copy.deepcopy(document)

    def ordered(items, key):
        return sorted(items, key=key) if canonical else list(items)

    def referenced(name, names):
        return name in names or not canonical

    contact = doc.get("contact", {})
    signing = doc.get("signing", {})
    follow_up = doc.get("follow_up", {})
    referenced_organisations = set(doc.get("parties", []))
    referenced_places = set()

    def dialogue(item):
        participants = item.get("participants", {})
        for finding in item.get("findings", []):
            referenced_places.add(finding.get("place"))
        referenced_places.add(item.get("place"))
        return {
            "id": item["id"],
            "role": item.get("role", "basis"),
            "kind": item["kind"],
            "title": item["title"],
            "municipality": item["municipality"],
            "held_on": item.get("held_on"),
            "date_precision": item.get("date_precision", "day"),
            "place": item.get("place"),
            "participants": {key: participants.get(key) for key in ("total", "women", "men", "other")},
            "summary": item.get("summary", ""),
            "findings": [
                {
                    "key": finding["key"],
                    "kind": finding.get("kind", "problem"),
                    "text": finding["text"],
                    "theme": finding.get("theme", "other"),
                    "place": finding.get("place"),
                    "raised_by": finding.get("raised_by"),
                    "rank": finding.get("rank"),
                }
                for finding in item.get("findings", [])
            ],
        }

    def commitment(item):
        target = item["target"]
        referenced_organisations.update(item.get("responsible", []))
        referenced_places.update(item.get("places", []))
        activities = [
            {
                "date": activity["date"],
                "quantity": activity["quantity"],
                "hours": _decimal_number(activity.get("hours"), 2),
                "note": activity.get("note", ""),
            }
            for activity in item.get("activities", [])
        ]
        return {
            "key": item["key"],
            "title": item["title"],
            "description": item.get("description", ""),
            "wording": item.get("wording", ""),
            "responsible": ordered(item.get("responsible", []), key=str),
            "responsible_wording": item.get("responsible_wording", ""),
            "target": {
                "kind": target["kind"],
                "comparison": target.get("comparison"),
                "quantity": target.get("quantity"),
                "interval": target.get("interval"),
                "unit": target.get("unit"),
                "due_month": target.get("due_month"),
                "measure": target.get("measure", ""),
            },
            "valid_from": item.get("valid_from"),
            "valid_to": item.get("valid_to"),
            "places": ordered(item.get("places", []), key=str),
            "activities": ordered(activities, key=lambda a: (a["date"], a["quantity"], a["hours"] or 0, a["note"])),
            "missed_periods": ordered(
                (
                    {
                        "start": missed["start"],
                        "end": missed["end"],
                        "reason": missed["reason"],
                        "reason_text": missed.get("reason_text", ""),
                        "corrective_action": missed.get("corrective_action", ""),
                    }
                    for missed in item.get("missed_periods", [])
                ),
                key=lambda m: m["start"],
            ),
        }

    def indicator(item):
        area = item.get("area", {})
        baseline, target = item.get("baseline"), item.get("target")
        return {
            "key": item["key"],
            "name": item["name"],
            "description": item.get("description", ""),
            "unit": item.get("unit", "percent"),
            "direction": item.get("direction", "higher_is_better"),
            "area": {"municipality": area.get("municipality"), "police_area": area.get("police_area")},
            "baseline": {"year": baseline["year"], "value": _decimal_number(baseline["value"], 2)}
            if baseline
            else None,
            "target": {"year": target["year"], "value": _decimal_number(target["value"], 2)} if target else None,
            "source": item.get("source", "municipal_survey"),
            "source_note": item.get("source_note", ""),
            "values": ordered(
                (
                    {"year": value["year"], "value": _decimal_number(value["value"], 2), "note": value.get("note", "")}
                    for value in item.get("values", [])
                ),
                key=lambda value: value["year"],
            ),
        }

    signatories = [
        {
            "name": item["name"],
            "title": item["title"],
            "organisation": item["organisation"],
            "date": item.get("date"),
            "place": item.get("place", ""),
        }
        for item in doc.get("signatories", [])
    ]
    referenced_organisations.update(item["organisation"] for item in signatories)
    dialogues = ordered((dialogue(item) for item in doc.get("dialogues", [])), key=lambda d: d["id"])
    focus_areas = [
        {
            "key": item["key"],
            "title": item["title"],
            "description": item.get("description", ""),
            "theme": item.get("theme", "other"),
            "kind": item.get("kind", "pledge"),
            "working_group": item.get("working_group", ""),
            "findings": ordered(item.get("findings", []), key=str),
            "commitments": [commitment(c) for c in item.get("commitments", [])],
        }
        for item in doc.get("focus_areas", [])
    ]
    # Organisations and places that nothing refers to carry no information: they are dropped.
    organisations = ordered(
        (
            {"name": item["name"], "kind": item["kind"], "municipality": item.get("municipality")}
            for item in doc.get("organisations", [])
            if referenced(item["name"], referenced_organisations)
        ),
        key=lambda o: (o["name"], o["municipality"] or ""),
    )
    places = ordered(
        (
            {
                "name": item["name"],
                "municipality": item["municipality"],
                "description": item.get("description", ""),
                "latitude": _decimal_number(item.get("latitude"), 6),
                "longitude": _decimal_number(item.get("longitude"), 6),
            }
            for item in doc.get("places", [])
            if referenced(item["name"], referenced_places)
        ),
        key=lambda p: (p["municipality"], p["name"]),
    )
    return {
        "format": doc["format"],
        "id": doc["id"],
        "title": doc["title"],
        "status": doc["status"],
        "summary": doc.get("summary", ""),
        "municipalities": ordered(doc["municipalities"], key=str),
        "area_description": doc.get("area_description", ""),
        "police_areas": ordered(doc.get("police_areas", []), key=str),
        "organisations": organisations,
        "parties": list(doc["parties"]),
        "period": {"start": doc["period"]["start"], "end": doc["period"]["end"]},
        "background": doc.get("background", ""),
        "effects_sought": list(doc.get("effects_sought", [])),
        "communication_plan": doc.get("communication_plan", ""),
        "follow_up": {"cadence": follow_up.get("cadence", "year"), "description": follow_up.get("description", "")},
        "contact": {key: contact.get(key, "") for key in ("name", "title", "phone", "email")},
        "signing": {"date": signing.get("date"), "place": signing.get("place", "")},
        "published_on": doc.get("published_on"),
        "source_url": doc.get("source_url", ""),
        "signatories": signatories,
        "places": places,
        "dialogues": dialogues,
        "focus_areas": focus_areas,
        "indicators": [indicator(item) for item in doc.get("indicators", [])],
    }


def dump_document(document, fmt="json") -> str:
    if fmt == "yaml":
        return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
