"""Writes for dialogues: registering a dialogue and its findings from the staff area."""

from django.db import transaction
from django.db.models import F
from django.utils.text import slugify

from .models import Dialogue, Finding, Place

DIALOGUE_EDITOR_FIELDS = [
    "municipality",
    "kind",
    "title",
    "held_on",
    "participants_total",
    "participants_women",
    "participants_men",
    "participants_other",
    "summary",
]
FINDING_EDITOR_FIELDS = ["kind", "text", "theme", "raised_by_count"]
ORDER_SHIFT = 10_000


def _place(municipality, name):
    name = (name or "").strip()
    if not name:
        return None
    place, _created = Place.objects.get_or_create(municipality=municipality, name=name)
    return place


def _finding_key(dialogue, text):
    base = slugify(text)[:40] or "synpunkt"
    key, n = base, 1
    while dialogue.findings.filter(key=key).exists():
        n += 1
        key = f"{base}-{n}"
    return key


@transaction.atomic
def dialogue_save(*, dialogue=None, fields, place_name="", findings=()) -> Dialogue:
    """Create or update a dialogue and its findings. ``findings``: dicts with ``instance`` (None for new),
    ``delete``, ``place_name`` and the editor fields, in order."""
    dialogue = dialogue or Dialogue()
    for name, value in fields.items():
        setattr(dialogue, name, value)
    dialogue.place = _place(dialogue.municipality, place_name)
    dialogue.full_clean()
    dialogue.save()
    for item in findings:
        if item["delete"] and item["instance"] is not None:
            item["instance"].delete()
    dialogue.findings.update(order=F("order") + ORDER_SHIFT)
    for order, item in enumerate((i for i in findings if not i["delete"]), start=1):
        finding = item["instance"] or Finding(key=_finding_key(dialogue, item["text"]))
        finding.dialogue = dialogue
        for name in FINDING_EDITOR_FIELDS:
            setattr(finding, name, item[name])
        finding.place = _place(dialogue.municipality, item.get("place_name"))
        finding.order = order
        finding.full_clean()
        finding.save()
    return dialogue
