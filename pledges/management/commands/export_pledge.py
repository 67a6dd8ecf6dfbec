from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from pledges.documents import dump_document
from pledges.models import Pledge
from pledges.selectors import pledge_document, pledge_for_export


class Command(BaseCommand):
    help = "Write one pledge as a pledge document (docs/pledge-format.md). ID is its number or its external id."

    def add_arguments(self, parser):
        parser.add_argument("id", metavar="ID")
        parser.add_argument("--format", choices=["json", "yaml"], default="json")
        parser.add_argument("--output", "-o", help="Write to this file instead of standard output.")

    def handle(self, *args, id, format, output, **options):
        lookup = {"pk": int(id)} if id.isdigit() else {"external_id": id}
        pk = Pledge.objects.filter(**lookup).values_list("pk", flat=True).first()
        if pk is None:
            raise CommandError(_("No pledge with the id %(id)r.") % {"id": id})
        text = dump_document(pledge_document(pledge_for_export(pk)), format)
        if output:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text)
        else:
            self.stdout.write(text, ending="")
