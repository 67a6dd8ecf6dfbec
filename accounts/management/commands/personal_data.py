"""Personal data on request: export everything stored about a user or a signatory, or erase it.

manage.py personal_data export --user USERNAME | --signatory "NAME" [--output FILE]
manage.py personal_data erase --user USERNAME | --signatory "NAME" --yes [--drafts-only]
"""

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts import personal_data
from accounts.models import User

SOURCE = "manage.py personal_data"


class Command(BaseCommand):
    help = (
        "Export everything stored about a user or a signatory as JSON, or erase it (pseudonymise). "
        "A signatory of a signed agreement is a public record and is kept."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", metavar="export|erase")
        actions.required = True
        export = actions.add_parser("export", help="Write everything stored about the person as JSON.")
        erase = actions.add_parser("erase", help="Pseudonymise the person. Cannot be undone.")
        for sub in (export, erase):
            sub.add_argument("--user", metavar="USERNAME", help="A user, by username.")
            sub.add_argument("--signatory", metavar="NAME", help="A signatory, by name (case does not matter).")
        export.add_argument("--output", "-o", metavar="FILE", help="Write to this file instead of standard output.")
        erase.add_argument("--yes", action="store_true", help="Confirm the erasure.")
        erase.add_argument(
            "--drafts-only",
            action="store_true",
            help="For a signatory who also signed agreements: erase the rows on unsigned drafts, keep the rest.",
        )

    def handle(self, *args, action, user=None, signatory=None, **options):
        # Django turns translations off in commands; the operator reads Swedish.
        with translation.override(settings.LANGUAGE_CODE):
            if bool(user) == bool(signatory):
                raise CommandError(_("Give either --user USERNAME or --signatory NAME."))
            try:
                if action == "export":
                    self._export(user, signatory, options.get("output"))
                else:
                    if not options.get("yes"):
                        raise CommandError(_("Erasure cannot be undone: add --yes to confirm."))
                    self._erase(user, signatory, options.get("drafts_only", False))
            except personal_data.PersonalDataError as exc:
                raise CommandError(str(exc)) from None

    def _user(self, username):
        found = User.objects.filter(username=username).first()
        if found is None:
            matches = list(User.objects.filter(username__iexact=username)[:2])
            found = matches[0] if len(matches) == 1 else None
        if found is None:
            raise CommandError(_("There is no user with the username “%(username)s”.") % {"username": username})
        return found

    def _export(self, username, name, output):
        if username:
            data = personal_data.export_user(self._user(username), source=SOURCE)
        else:
            data = personal_data.export_signatory(name, source=SOURCE)
            if not data["undertecknare"] and not data["omnämnanden"]:
                raise CommandError(_("Nothing is stored about a signatory named “%(name)s”.") % {"name": name})
        text = personal_data.dumps(data) + "\n"
        if not output:
            self.stdout.write(text, ending="")
            return
        # Personal data: readable by the owner of the file only.
        descriptor = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        self.stderr.write(_("Personal data written to %(file)s.") % {"file": output})

    def _erase(self, username, name, drafts_only):
        if username:
            result = personal_data.erase_user(self._user(username), source=SOURCE)
            self.stdout.write(
                _("The user is pseudonymised as %(pseudonym)s and can no longer log in.")
                % {"pseudonym": result.pseudonym}
            )
            self.stdout.write(
                ngettext("%(count)d membership removed.", "%(count)d memberships removed.", result.memberships)
                % {"count": result.memberships}
            )
            self.stdout.write(
                ngettext("%(count)d session ended.", "%(count)d sessions ended.", result.sessions)
                % {"count": result.sessions}
            )
            if result.contact_for:
                self.stdout.write(
                    _("Still named as contact person of pledge %(ids)s: change it there if needed.")
                    % {"ids": ", ".join(map(str, result.contact_for))}
                )
            if result.same_name_signatories:
                self.stdout.write(
                    _("A signatory has the same name (%(ids)s): erase it with --signatory if it is this person.")
                    % {"ids": ", ".join(map(str, result.same_name_signatories))}
                )
            return
        result = personal_data.erase_signatory(name, source=SOURCE, drafts_only=drafts_only)
        self.stdout.write(
            ngettext("%(count)d signatory pseudonymised.", "%(count)d signatories pseudonymised.", len(result.erased))
            % {"count": len(result.erased)}
        )
        for signatory_id, pledge_id in result.kept:
            self.stdout.write(
                _("Kept signatory %(id)s of pledge %(pledge)s: a signed agreement is a public record.")
                % {"id": signatory_id, "pledge": pledge_id}
            )
        for mention in result.mentions:
            self.stdout.write(
                _("The name still occurs in %(field)s (pledge %(pledge)s, id %(id)s): reword it by hand.")
                % {"field": mention["fält"], "pledge": mention["medborgarlöfte"], "id": mention["objekt_id"]}
            )
