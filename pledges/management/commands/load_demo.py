from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts.services import DEMO_PASSWORD, demo_users_create
from municipalities.services import reference_data_load
from pledges.documents import DocumentInvalid
from pledges.services import pledges_import_files

DEMO_DIR = Path(settings.BASE_DIR) / "data" / "demo"


class Command(BaseCommand):
    help = (
        "Load the reference data, the five demo pledges (data/demo/, through the importer) and one demo "
        "user per role. Safe to run again. Not for production databases."
    )

    def handle(self, *args, **options):
        reference_data_load()
        if settings.SIGNING_P12_PASSPHRASE:
            # The demo pledges are signed: their agreements are signed with a development certificate
            # (made once; an existing certificate is kept).
            call_command("create_signing_certificate", stdout=self.stdout)
        paths = sorted(DEMO_DIR.glob("*.json"))
        if not paths:
            raise CommandError(_("No demo documents in %(dir)s.") % {"dir": DEMO_DIR})
        try:
            results = pledges_import_files(paths)
        except DocumentInvalid as exc:
            for line in exc.lines():
                self.stderr.write(line)
            raise CommandError(_("The demo documents are invalid; nothing was imported.")) from None
        for source, pledge, created in results:
            message = _("%(file)s: created «%(title)s»") if created else _("%(file)s: updated «%(title)s»")
            self.stdout.write(message % {"file": Path(source).name, "title": pledge.title})
        users = demo_users_create()
        self.stdout.write(f"Demo users (password {DEMO_PASSWORD}): " + ", ".join(user.username for user in users))
