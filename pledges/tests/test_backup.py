"""export_all writes a portable copy that import_pledges restores into an empty database, the same."""

import os

import pytest
from django.core.management import call_command

from dialogues.models import Dialogue, Place
from followup.models import ActivityLog, Indicator
from pledges.models import AgreementDocument, Commitment, Pledge

pytestmark = pytest.mark.django_db


def snapshot(folder):
    return {path.name: path.read_text(encoding="utf-8") for path in sorted((folder / "pledges").glob("*.json"))}


def test_export_all_and_import_give_back_the_same_pledges(tmp_path):
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    counts = {m.__name__: m.objects.count() for m in (Pledge, Commitment, ActivityLog, Indicator, Dialogue)}
    call_command("export_all", str(tmp_path / "first"), stdout=open(os.devnull, "w"))  # noqa: SIM115
    first = snapshot(tmp_path / "first")
    assert len(first) == 5
    assert (tmp_path / "first" / "reference" / "municipalities.csv").read_text().count("\n") == 291

    # An empty database (but for the reference data, which load_reference_data restores from the CSV files).
    AgreementDocument.objects.all().delete()
    ActivityLog.objects.all().delete()
    Pledge.objects.all().delete()
    Dialogue.objects.all().delete()
    Place.objects.all().delete()
    assert not Commitment.objects.exists()

    files = sorted(str(path) for path in (tmp_path / "first" / "pledges").glob("*.json"))
    with open(os.devnull, "w") as quiet:
        call_command("import_pledges", *files, stdout=quiet)
    call_command("export_all", str(tmp_path / "second"), stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert snapshot(tmp_path / "second") == first
    assert {m.__name__: m.objects.count() for m in (Pledge, Commitment, ActivityLog, Indicator, Dialogue)} == counts
