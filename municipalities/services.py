"""Writes for reference data: municipalities, police regions and police areas."""

import csv
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from .models import County, Municipality, PoliceArea, PoliceRegion

DATA_DIR = Path(__file__).resolve().parent / "data"

POLICE_REGIONS = [
    ("nord", "Polisregion Nord"),
    ("mitt", "Polisregion Mitt"),
    ("stockholm", "Polisregion Stockholm"),
    ("ost", "Polisregion Öst"),
    ("vast", "Polisregion Väst"),
    ("syd", "Polisregion Syd"),
    ("bergslagen", "Polisregion Bergslagen"),
]


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def count(self, created: bool, changed: bool):
        if created:
            self.created += 1
        elif changed:
            self.updated += 1
        else:
            self.unchanged += 1


def save_if_changed(instance, **values) -> bool:
    """Set the values and save only when one differs, so that re-running a loader writes
    nothing (and adds no history rows). Returns whether it saved."""
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    for name in changed:
        setattr(instance, name, values[name])
    if changed or instance.pk is None:
        instance.full_clean()
        instance.save()
        return True
    return False


def _upsert(model, existing: dict, lookup: dict, values: dict) -> tuple:
    """The row matched by lookup (looked up in ``existing``, read beforehand), created or brought
    up to date: (instance, created, changed)."""
    key = next(iter(lookup.values()))
    instance = existing.get(key)
    created = instance is None
    if created:
        instance = model(**lookup)
    changed = save_if_changed(instance, **values) and not created
    return instance, created, changed


@transaction.atomic
def reference_data_load(data_dir: Path = DATA_DIR) -> dict[str, LoadResult]:
    """Load the 290 municipalities, the 7 police regions and the police areas.

    Idempotent: running it again changes nothing. Rows are matched by kommunkod, region slug
    and police-area name, so a renamed municipality is updated rather than duplicated.
    Existing rows are read up front, so a run that changes nothing costs a handful of queries.
    """
    results = {"municipalities": LoadResult(), "police_regions": LoadResult(), "police_areas": LoadResult()}

    with open(data_dir / "municipalities.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    slug_counts = Counter(slugify(row["name"]) for row in rows)
    existing = {m.code: m for m in Municipality.objects.all()}
    for row in rows:
        slug = slugify(row["name"])
        if slug_counts[slug] > 1:  # Håbo and Habo are both "habo" once the ring is gone
            slug = f"{slug}-{row['code']}"
        _, created, changed = _upsert(
            Municipality,
            existing,
            {"code": row["code"]},
            {"name": row["name"], "slug": slug, "county": County(row["county_code"])},
        )
        results["municipalities"].count(created, changed)

    regions = {}
    existing = {r.slug: r for r in PoliceRegion.objects.all()}
    for slug, name in POLICE_REGIONS:
        regions[slug], created, changed = _upsert(PoliceRegion, existing, {"slug": slug}, {"name": name})
        results["police_regions"].count(created, changed)

    municipalities_by_code = dict(Municipality.objects.values_list("code", "pk"))
    existing = {a.name: a for a in PoliceArea.objects.prefetch_related("municipalities")}
    with open(data_dir / "police_areas.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            area, created, changed = _upsert(
                PoliceArea,
                existing,
                {"name": row["name"]},
                {"region_id": regions[row["region"]].pk, "slug": slugify(row["name"])},
            )
            wanted = {municipalities_by_code[code] for code in row["municipality_codes"].split()}
            if created or wanted != {m.pk for m in area.municipalities.all()}:
                area.municipalities.set(wanted)
                changed = changed or not created
            results["police_areas"].count(created, changed)
    return results
