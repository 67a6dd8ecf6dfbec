import shutil
from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from municipalities.services import DATA_DIR
from pledges.documents import dump_document
from pledges.models import Pledge
from pledges.selectors import pledge_document, pledge_for_export


class Command(BaseCommand):
    help = (
        "Write every pledge as a pledge document (one JSON file each, docs/pledge-format.md) and the reference data "
        "(CSV) into a folder: a portable copy that import_pledges reads back into an empty database."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", help="Created if missing; files of the same names are replaced.")

    def handle(self, *args, folder, **options):
        target = Path(folder)
        pledges_folder = target / "pledges"
        pledges_folder.mkdir(parents=True, exist_ok=True)
        reference_folder = target / "reference"
        reference_folder.mkdir(exist_ok=True)
        for name in ("municipalities.csv", "police_areas.csv"):
            shutil.copyfile(DATA_DIR / name, reference_folder / name)
        count = 0
        for pk, external_id in Pledge.objects.order_by("external_id").values_list("pk", "external_id").iterator():
            document = pledge_document(pledge_for_export(pk))
            (pledges_folder / f"{external_id}.json").write_text(dump_document(document), encoding="utf-8")
            count += 1
        self.stdout.write(
            _("%(count)s pledges and the reference data written to %(folder)s") % {"count": count, "folder": target}
        )
