from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pledges.documents import DocumentInvalid
from pledges.services import pledges_import_files


class Command(BaseCommand):
    help = (
        "Import pledge documents (JSON or YAML, docs/pledge-format.md). Every file is validated first; "
        "if any is invalid nothing is written. Importing a document again updates its pledge."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")

    def handle(self, *args, paths, **options):
        try:
            results = pledges_import_files(paths)
        except DocumentInvalid as exc:
            for line in exc.lines():
                self.stderr.write(line)
            count = len(exc.errors)
            raise CommandError(
                ngettext(
                    "%(count)d problem found; nothing was imported.",
                    "%(count)d problems found; nothing was imported.",
                    count,
                )
                % {"count": count}
            ) from None
        for source, pledge, created in results:
            message = (
                _("%(source)s: created pledge %(pk)s (%(id)s)")
                if created
                else _("%(source)s: updated pledge %(pk)s (%(id)s)")
            )
            self.stdout.write(message % {"source": source, "pk": pledge.pk, "id": pledge.external_id})
