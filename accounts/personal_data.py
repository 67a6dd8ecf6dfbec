"""Personal data on request (GDPR articles 15, 17 and 20): export everything stored about one person, and erase
(pseudonymise) it.

Two kinds of person are stored:

* a **user** (``accounts.User``): the account, its memberships, and every row that points at the account or
  copies its username (the audit trail, activity logs, missed-period reasons, workflow steps, amendments,
  agreement versions, the change history, reminders, once-only form keys, the admin's log, django-axes'
  login records, two-factor devices when django-otp is installed, and open sessions);
* a **signatory** (``pledges.Signatory``), known only by the name typed at signing: every signatory row with
  that name, and every place where the name occurs in the free text of pledges and what hangs on them.

The export is a dict that ``json.dumps`` accepts as it is. Its keys are Swedish, so that the person who asked
can read the file; every list holds one dict per row, with the row's ``id``. The structure:

``export_user`` → ``format``, ``exporterad`` (when), ``typ`` = "användare", ``konto`` (the account: never the
password hash, only whether one is set), ``medlemskap``, ``händelselogg`` (audit events by or about the user,
also failed logins with the username), ``aktiviteter`` (activity logs they logged), ``missade_perioder``,
``statusändringar``, ``ändringar`` (amendments), ``överenskommelser`` (agreement versions they made),
``ändringshistorik`` (django-simple-history rows they made), ``påminnelser``, ``formulär``,
``administrationslogg`` (Django admin), ``inloggningsförsök`` (django-axes), ``tvåfaktorenheter``
(never the secrets), ``sessioner``, ``kontaktperson_för`` (pledges whose contact person has the user's
e-mail or name) and ``undertecknare_med_samma_namn``.

``export_signatory`` → ``format``, ``exporterad``, ``typ`` = "undertecknare", ``namn``, ``undertecknare``
(rows; ``allmän_handling`` says whether the agreement is signed and so a public record) and ``omnämnanden``
(mentions: ``medborgarlöfte`` id, ``fält`` as Model.field, ``objekt_id``, ``historik`` and an ``utdrag``).

Erasure keeps what other records and the public record need: the user row stays (history, the audit trail and
activity logs keep pointing at it) but holds nothing that names the person; a signatory of a signed agreement
is refused, because the signed agreement is an official public record (allmän handling) and never changes.
"""

import dataclasses
import datetime
import decimal
import json
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth import SESSION_KEY
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from dialogues.models import Dialogue, Finding
from followup.models import ActivityLog, Evaluation, Indicator, MissedPeriod, Reminder
from municipalities.models import Membership
from pledges.models import AgreementDocument, Amendment, Commitment, FocusArea, Pledge, Signatory, StatusChange

from .audit import audit_record
from .models import AuditEvent, FormSubmission, User

FORMAT = "medborgarloften-personuppgifter/1"
SIGNED_STATUSES = (Pledge.Status.SIGNED, Pledge.Status.PUBLISHED, Pledge.Status.ENDED)
SNIPPET_CHARS = 60

# Every foreign key to the user and what happens to it; the tests check that no relation is missing here, so
# that a new one gets a decision. Historical models (django-simple-history) and django-otp's devices are
# found by kind, not listed.
USER_REFERENCES = {
    "municipalities.Membership.user": "exported; deleted on erasure",
    "accounts.FormSubmission.user": "exported; deleted on erasure",
    "accounts.AuditEvent.user": "exported; kept, the username copy pseudonymised",
    "followup.ActivityLog.logged_by": "exported; kept, pointing at the pseudonym",
    "followup.MissedPeriod.recorded_by": "exported; kept, pointing at the pseudonym",
    "followup.Reminder.user": "exported; kept, pointing at the pseudonym",
    "pledges.StatusChange.changed_by": "exported; kept, pointing at the pseudonym",
    "pledges.Amendment.created_by": "exported; kept, pointing at the pseudonym",
    "pledges.AgreementDocument.created_by": "exported; kept, pointing at the pseudonym",
    "admin.LogEntry.user": "exported; kept, names in entries about the user pseudonymised",
}

# Free text of pledges (and of what hangs on them) where a name may have been written. Each: the model, the
# path from it to the pledge id, and the text fields. Dialogues reach pledges through a many-to-many.
MENTION_FIELDS = [
    (
        Pledge,
        "id",
        [
            "title",
            "summary",
            "area_description",
            "background",
            "effects_sought",
            "communication_plan",
            "followup_description",
            "contact_name",
            "contact_title",
            "contact_email",
            "signed_place",
        ],
    ),
    (FocusArea, "pledge_id", ["title", "description", "working_group"]),
    (
        Commitment,
        "focus_area__pledge_id",
        ["title", "description", "wording", "responsible_wording", "measure", "internal_details"],
    ),
    (Amendment, "pledge_id", ["reason", "changes"]),
    (StatusChange, "pledge_id", ["comment"]),
    (Signatory, "pledge_id", ["title", "signed_place"]),
    (ActivityLog, "commitment__focus_area__pledge_id", ["note"]),
    (MissedPeriod, "commitment__focus_area__pledge_id", ["reason_text", "corrective_action"]),
    (Evaluation, "pledge_id", ["narrative"]),
    (Indicator, "pledge_id", ["name", "description", "source_note"]),
    (Dialogue, "pledges__id", ["title", "summary"]),
    (Finding, "dialogue__pledges__id", ["text"]),
]
# Older versions kept by django-simple-history hold the text as it was.
HISTORY_MENTION_FIELDS = [
    (Pledge.history.model, "id", MENTION_FIELDS[0][2]),
    (FocusArea.history.model, "pledge_id", MENTION_FIELDS[1][2]),
    (Commitment.history.model, "focus_area__pledge_id", MENTION_FIELDS[2][2]),
    (ActivityLog.history.model, "commitment__focus_area__pledge_id", ["note"]),
    (MissedPeriod.history.model, "commitment__focus_area__pledge_id", ["reason_text", "corrective_action"]),
]


class PersonalDataError(Exception):
    """A request that cannot be carried out; the message says why, in the active language."""


class PublicRecordError(PersonalDataError):
    """The signatory signed an agreement: a public record (allmän handling), kept as it is."""


@dataclasses.dataclass
class UserErasure:
    user_id: int
    pseudonym: str
    memberships: int = 0
    devices: int = 0
    sessions: int = 0
    # Not changed, for the operator to look at: pledges naming the person as contact, same-name signatories.
    contact_for: list = dataclasses.field(default_factory=list)
    same_name_signatories: list = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class SignatoryErasure:
    erased: list  # ids of the signatory rows pseudonymised
    kept: list  # (signatory id, pledge id) of signed agreements, kept as public records
    mentions: list  # where the name still occurs in free text: not changed, for a person to edit


# --- helpers -------------------------------------------------------------------------------------------


def _value(value):
    """A value as JSON holds it."""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def _row(**values):
    return {key: _value(value) for key, value in values.items()}


def _label(model):
    return f"{model._meta.app_label}.{model._meta.object_name}"


def _history_models():
    """The historical models of django-simple-history: each has a history_user."""
    return [
        model for model in apps.get_models() if hasattr(model, "instance_type") and _has_field(model, "history_user")
    ]


def _has_field(model, name):
    try:
        model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


def _otp_devices(user):
    if not apps.is_installed("django_otp"):
        return []
    from django_otp import devices_for_user

    return list(devices_for_user(user, confirmed=None))


def _session_store():
    return import_module(settings.SESSION_ENGINE).SessionStore


def _user_sessions(user):
    """The stored sessions logged in as the user. Only engines that keep sessions in the database can be
    searched; with cache or cookie sessions the changed password hash ends them at their next request."""
    store = _session_store()
    try:
        model = store.get_model_class()
    except AttributeError:
        return []
    user_id = user._meta.pk.value_to_string(user)
    return [
        session
        for session in model.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get(SESSION_KEY) == user_id
    ]


def _audit_events_about(user):
    username = user.get_username()
    return AuditEvent.objects.filter(
        Q(user=user)
        | Q(user__isnull=True, username__iexact=username)
        | Q(object_type=_label(User), object_id=str(user.pk))
        | Q(object_type=_label(Membership), detail__startswith=f"{username}:")
    )


def _axes_models():
    if not apps.is_installed("axes"):
        return []
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    return [AccessAttempt, AccessLog, AccessFailureLog]


def _full_name(user):
    return user.get_full_name().strip()


def _contact_pledges(user):
    query = Q()
    if user.email:
        query |= Q(contact_email__iexact=user.email)
    if _full_name(user):
        query |= Q(contact_name__iexact=_full_name(user))
    if not query:
        return []
    return list(Pledge.objects.filter(query).order_by("pk").values("pk", "title", "status", "contact_name"))


def _same_name_signatories(user):
    if not _full_name(user):
        return []
    return list(
        Signatory.objects.filter(name__iexact=_full_name(user)).order_by("pk").values("pk", "pledge_id", "title")
    )


# --- export --------------------------------------------------------------------------------------------


def export_user(user, *, by=None, source="") -> dict:
    """Everything stored about ``user``, JSON-serialisable (structure in the module docstring). Records a
    DATA_EXPORTED event by ``by`` (None: the command line). About twenty queries, one per kind of record."""
    data = {
        "format": FORMAT,
        "exporterad": _value(timezone.now()),
        "typ": "användare",
        "konto": _row(
            id=user.pk,
            användarnamn=user.get_username(),
            förnamn=user.first_name,
            efternamn=user.last_name,
            **{"e-post": user.email},
            aktiv=user.is_active,
            personal=user.is_staff,
            superanvändare=user.is_superuser,
            lösenord_satt=user.has_usable_password(),
            registrerad=user.date_joined,
            senast_inloggad=user.last_login,
            grupper=list(user.groups.values_list("name", flat=True)),
        ),
        "medlemskap": [
            _row(
                id=m.pk,
                roll=m.get_role_display(),
                kommun=m.municipality.name if m.municipality else None,
                kommunkod=m.municipality.code if m.municipality else None,
                lokalpolisområde=m.police_area.name if m.police_area else None,
                skapat=m.created_at,
            )
            for m in Membership.objects.filter(user=user).select_related("municipality", "police_area")
        ],
        "händelselogg": [
            _row(
                id=e.pk,
                händelse=e.get_action_display(),
                kod=e.action,
                tid=e.created_at,
                användarnamn=e.username,
                från_adress=e.ip_address,
                objekttyp=e.object_type,
                objekt_id=e.object_id,
                detalj=e.detail,
            )
            for e in _audit_events_about(user).order_by("created_at", "id")
        ],
        "aktiviteter": [
            _row(
                id=log.pk,
                medborgarlöfte=log.commitment.focus_area.pledge_id,
                åtagande=log.commitment.title,
                datum=log.performed_on,
                antal=log.quantity,
                timmar=log.hours_spent,
                anteckning=log.note,
                skapad=log.created_at,
                ändrad=log.updated_at,
            )
            for log in ActivityLog.objects.filter(logged_by=user)
            .select_related("commitment__focus_area")
            .order_by("performed_on", "id")
        ],
        "missade_perioder": [
            _row(
                id=m.pk,
                medborgarlöfte=m.commitment.focus_area.pledge_id,
                åtagande=m.commitment.title,
                period_från=m.period_start,
                period_till=m.period_end,
                orsak=m.get_reason_display(),
                förklaring=m.reason_text,
                åtgärd=m.corrective_action,
                registrerad=m.recorded_at,
            )
            for m in MissedPeriod.objects.filter(recorded_by=user).select_related("commitment__focus_area")
        ],
        "statusändringar": [
            _row(
                id=s.pk,
                medborgarlöfte=s.pledge_id,
                från=s.from_status,
                till=s.to_status,
                tid=s.changed_at,
                kommentar=s.comment,
            )
            for s in StatusChange.objects.filter(changed_by=user).order_by("changed_at", "id")
        ],
        "ändringar": [
            _row(id=a.pk, medborgarlöfte=a.pledge_id, skäl=a.reason, vad=a.changes, tid=a.created_at)
            for a in Amendment.objects.filter(created_by=user).order_by("created_at", "id")
        ],
        "överenskommelser": [
            _row(
                id=d.pk,
                medborgarlöfte=d.pledge_id,
                slag=d.get_kind_display(),
                version=d.version,
                sha256=d.checksum,
                tid=d.created_at,
            )
            for d in AgreementDocument.objects.filter(created_by=user).order_by("created_at", "id")
        ],
        "ändringshistorik": _history_by(user),
        "påminnelser": [
            _row(
                id=r.pk,
                medborgarlöfte=r.commitment.focus_area.pledge_id,
                åtagande=r.commitment.title,
                period_från=r.period_start,
                skickad=r.sent_at,
            )
            for r in Reminder.objects.filter(user=user).select_related("commitment__focus_area").order_by("sent_at")
        ],
        "formulär": [
            _row(id=f.pk, skickat=f.created_at) for f in FormSubmission.objects.filter(user=user).order_by("pk")
        ],
        "administrationslogg": [
            _row(
                id=entry.pk,
                tid=entry.action_time,
                objekttyp=str(entry.content_type) if entry.content_type_id else "",
                objekt_id=entry.object_id,
                objekt=entry.object_repr,
                åtgärd={1: "tillagd", 2: "ändrad", 3: "borttagen"}.get(entry.action_flag, entry.action_flag),
                ändring=entry.get_change_message(),
            )
            for entry in LogEntry.objects.filter(user=user).select_related("content_type").order_by("action_time")
        ],
        "inloggningsförsök": _axes_rows(user),
        "tvåfaktorenheter": [
            _row(typ=_label(type(device)), id=device.pk, namn=device.name, bekräftad=device.confirmed)
            for device in _otp_devices(user)
        ],
        "sessioner": [_row(giltig_till=session.expire_date) for session in _user_sessions(user)],
        "kontaktperson_för": [
            _row(medborgarlöfte=p["pk"], titel=p["title"], status=p["status"], kontaktperson=p["contact_name"])
            for p in _contact_pledges(user)
        ],
        "undertecknare_med_samma_namn": [
            _row(id=s["pk"], medborgarlöfte=s["pledge_id"], titel=s["title"]) for s in _same_name_signatories(user)
        ],
    }
    audit_record(AuditEvent.Action.DATA_EXPORTED, user=by, obj=user, detail=_source(source))
    return data


def _history_by(user):
    rows = []
    for model in _history_models():
        original = model.instance_type
        for record in model.objects.filter(history_user=user).order_by("history_date", "history_id"):
            rows.append(
                _row(
                    modell=str(original._meta.verbose_name),
                    objekttyp=_label(original),
                    objekt_id=getattr(record, original._meta.pk.attname),
                    händelse={"+": "skapad", "~": "ändrad", "-": "borttagen"}[record.history_type],
                    tid=record.history_date,
                    orsak=record.history_change_reason or "",
                )
            )
    return sorted(rows, key=lambda row: row["tid"])


def _axes_rows(user):
    rows = []
    for model in _axes_models():
        for attempt in model.objects.filter(username__iexact=user.get_username()).order_by("attempt_time"):
            rows.append(
                _row(
                    slag=str(model._meta.verbose_name),
                    tid=attempt.attempt_time,
                    användarnamn=attempt.username,
                    från_adress=attempt.ip_address,
                    webbläsare=attempt.user_agent,
                    sökväg=attempt.path_info,
                )
            )
    return rows


def export_signatory(name, *, by=None, source="") -> dict:
    """Every signatory row named ``name`` (case-insensitive) and every mention of the name in the free text of
    pledges and what hangs on them (structure in the module docstring). Records a DATA_EXPORTED event."""
    name = _clean_name(name)
    rows = _signatories(name)
    data = {
        "format": FORMAT,
        "exporterad": _value(timezone.now()),
        "typ": "undertecknare",
        "namn": name,
        "undertecknare": [
            _row(
                id=s.pk,
                medborgarlöfte=s.pledge_id,
                medborgarlöfte_titel=s.pledge.title,
                status=s.pledge.status,
                allmän_handling=s.is_signed,
                namn=s.name,
                titel=s.title,
                organisation=s.organisation.name,
                undertecknat_datum=s.signed_on,
                undertecknat_plats=s.signed_place,
                ordning=s.order,
            )
            for s in rows
        ],
        "omnämnanden": mentions_of(name),
    }
    audit_record(AuditEvent.Action.DATA_EXPORTED, user=by, detail=_signatory_detail(rows, source))
    return data


def _clean_name(name):
    name = " ".join((name or "").split())
    if not name:
        raise PersonalDataError(_("Give the signatory's name."))
    return name


def _signatories(name):
    """Signatory rows with this name, each with ``is_signed``: its pledge's agreement is signed (an agreement
    version exists, or the pledge is or has been signed). One query whatever the number of rows."""
    rows = list(
        Signatory.objects.filter(name__iexact=name)
        .select_related("pledge", "organisation")
        .annotate(
            has_agreement=Exists(AgreementDocument.objects.filter(pledge=OuterRef("pledge"))),
            was_signed=Exists(StatusChange.objects.filter(pledge=OuterRef("pledge"), to_status=Pledge.Status.SIGNED)),
        )
        .order_by("pledge_id", "order")
    )
    for row in rows:
        row.is_signed = row.has_agreement or row.was_signed or row.pledge.status in SIGNED_STATUSES
    return rows


def _snippet(text, index, length):
    start = max(0, index - SNIPPET_CHARS)
    end = min(len(text), index + length + SNIPPET_CHARS)
    return ("…" if start else "") + " ".join(text[start:end].split()) + ("…" if end < len(text) else "")


def mentions_of(name) -> list[dict]:
    """Where ``name`` occurs (case-insensitive) in free text: one query per kind of record."""
    needle = name.casefold()
    found, seen = [], set()
    for specs, history in ((MENTION_FIELDS, False), (HISTORY_MENTION_FIELDS, True)):
        for model, pledge_path, fields in specs:
            query = Q()
            for field in fields:
                query |= Q(**{f"{field}__icontains": name})
            original = getattr(model, "instance_type", model)
            pk_name = original._meta.pk.attname
            for values in model.objects.filter(query).values(pk_name, pledge_path, *fields).order_by(pk_name):
                for field in fields:
                    text = values[field] or ""
                    index = text.casefold().find(needle)
                    key = (_label(original), field, values[pk_name], values[pledge_path], history)
                    if index < 0 or key in seen:
                        continue
                    seen.add(key)
                    found.append(
                        {
                            "medborgarlöfte": values[pledge_path],
                            "fält": f"{original._meta.object_name}.{field}",
                            "objekt_id": values[pk_name],
                            "historik": history,
                            "utdrag": _snippet(text, index, len(name)),
                        }
                    )
    return found


def _source(source):
    return f"via {source}" if source else ""


def _signatory_detail(rows, source):
    ids = ", ".join(str(row.pk) for row in rows) or "-"
    return " ".join(part for part in (f"signatories {ids}", _source(source)) if part)


# --- erasure -------------------------------------------------------------------------------------------


def pseudonym_for(user) -> str:
    return f"raderad-{user.pk}"


@transaction.atomic
def erase_user(user, *, by=None, source="") -> UserErasure:
    """Pseudonymise ``user`` in one transaction: the row stays (history, the audit trail and activity logs keep
    pointing at it) but its username becomes ``raderad-<id>``, names and e-mail are emptied, the password made
    unusable, the account inactive and without staff rights, groups or memberships; two-factor devices, form
    keys and open sessions go, and copies of the username in the audit trail, the admin's log and django-axes'
    records become the pseudonym. Pledges naming the person as contact are listed, not changed: the contact
    person of a published pledge is public information about an office."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if by is not None and by.pk == user.pk:
        raise PersonalDataError(_("You cannot erase your own account."))
    old_username = user.get_username()
    old_names = [value for value in (_full_name(user), str(user), old_username, user.email) if value]
    pseudonym = pseudonym_for(user)
    result = UserErasure(
        user_id=user.pk,
        pseudonym=pseudonym,
        contact_for=[p["pk"] for p in _contact_pledges(user)],
        same_name_signatories=[s["pk"] for s in _same_name_signatories(user)],
    )
    membership_ids = [str(pk) for pk in Membership.objects.filter(user=user).values_list("pk", flat=True)]

    # The audit trail's copies of the username, before new events are written under the pseudonym.
    _audit_events_about(user).filter(object_type=_label(Membership), detail__startswith=f"{old_username}:").update(
        detail=_replaced_prefix("detail", old_username, pseudonym)
    )
    AuditEvent.objects.filter(Q(user=user) | Q(user__isnull=True, username__iexact=old_username)).update(
        username=pseudonym
    )
    _pseudonymise_admin_log(user, membership_ids, old_names, pseudonym)
    for model in _axes_models():
        if model.__name__ == "AccessAttempt":  # the lockout counters: nothing to keep
            model.objects.filter(username__iexact=old_username).delete()
        else:
            model.objects.filter(username__iexact=old_username).update(username=pseudonym)

    user.username = pseudonym
    user.first_name = user.last_name = user.email = ""
    user.set_unusable_password()
    user.is_active = user.is_staff = user.is_superuser = False
    user.save()
    user.groups.clear()
    user.user_permissions.clear()

    # One by one, so that each revoked role is recorded in the audit trail (under the pseudonym).
    for membership in Membership.objects.filter(user=user).select_related("municipality", "police_area", "user"):
        membership.delete()
        result.memberships += 1
    for device in _otp_devices(user):
        device.delete()
        result.devices += 1
    FormSubmission.objects.filter(user=user).delete()
    store = _session_store()
    for session in _user_sessions(user):
        store(session.session_key).delete()
        result.sessions += 1

    audit_record(
        AuditEvent.Action.DATA_ERASED,
        user=by,
        obj=user,
        detail=" ".join(part for part in (pseudonym, _source(source)) if part),
    )
    return result


def _replaced_prefix(field, old, new):
    return Concat(Value(new), Substr(field, len(old) + 1))


def _replace_names(value, old_names, new):
    """A string that is one of the old names, or starts with one as a membership's name does ("Alice Ek – Samordnare
    – Norsjö"), gets the pseudonym in its place; lists and dicts are walked. Other text is left alone: replacing
    a short username inside any word would garble it."""
    if isinstance(value, str):
        for old in sorted(old_names, key=len, reverse=True):
            if value == old:
                return new
            if value.startswith(f"{old} – "):
                return new + value[len(old) :]
        return value
    if isinstance(value, list):
        return [_replace_names(item, old_names, new) for item in value]
    if isinstance(value, dict):
        return {key: _replace_names(item, old_names, new) for key, item in value.items()}
    return value


def _pseudonymise_admin_log(user, membership_ids, old_names, pseudonym):
    """The admin's log names the objects it changed: entries about the user, and about their memberships (whose
    names begin with the user's name), also inside the change messages of the user's page (its inline rows)."""
    user_type = ContentType.objects.get_for_model(User)
    membership_type = ContentType.objects.get_for_model(Membership)
    entries = LogEntry.objects.filter(
        Q(content_type=user_type, object_id=str(user.pk))
        | Q(content_type=membership_type, object_id__in=membership_ids)
    )
    for entry in entries:
        if entry.content_type_id == user_type.pk:
            entry.object_repr = pseudonym
        else:
            entry.object_repr = _replace_names(entry.object_repr, old_names, pseudonym)[:200]
        try:
            message = json.loads(entry.change_message) if entry.change_message else None
        except ValueError:
            message = None
        if isinstance(message, (list, dict)):
            entry.change_message = json.dumps(_replace_names(message, old_names, pseudonym))
        entry.save(update_fields=["object_repr", "change_message"])


def signatory_pseudonym(signatory) -> str:
    return f"raderad-undertecknare-{signatory.pk}"


@transaction.atomic
def erase_signatory(name, *, by=None, source="", drafts_only=False) -> SignatoryErasure:
    """Pseudonymise the signatory rows named ``name`` on pledges whose agreement is not signed: the name becomes
    ``raderad-undertecknare-<id>`` and the planned date and place are emptied; the title and organisation stay,
    as they name the office that signs for the party, not the person.

    A row on a signed agreement is a public record (allmän handling) and is kept: if there is one, nothing is
    changed and PublicRecordError says which pledges, unless ``drafts_only`` asks to erase the other rows
    anyway. Mentions of the name in free text are returned, not changed: a person has to reword them."""
    name = _clean_name(name)
    rows = _signatories(name)
    if not rows:
        raise PersonalDataError(_("No signatory is named “%(name)s”.") % {"name": name})
    signed = [row for row in rows if row.is_signed]
    if signed and not drafts_only:
        pledges = ", ".join(f"{row.pledge_id} “{row.pledge.title}”" for row in signed)
        raise PublicRecordError(
            _(
                "“%(name)s” signed the agreement of pledge %(pledges)s. A signed agreement is a public record "
                "(allmän handling) and is kept as it is: nothing was changed."
            )
            % {"name": name, "pledges": pledges}
        )
    erased = []
    for row in rows:
        if row.is_signed:
            continue
        row.name, row.signed_on, row.signed_place = signatory_pseudonym(row), None, ""
        row.save(update_fields=["name", "signed_on", "signed_place"])
        erased.append(row.pk)
    result = SignatoryErasure(
        erased=erased, kept=[(row.pk, row.pledge_id) for row in signed], mentions=mentions_of(name)
    )
    audit_record(
        AuditEvent.Action.DATA_ERASED, user=by, detail=_signatory_detail([r for r in rows if not r.is_signed], source)
    )
    return result


def dumps(data) -> str:
    """The export as a UTF-8 JSON document a person can read."""
    return json.dumps(data, ensure_ascii=False, indent=2)
