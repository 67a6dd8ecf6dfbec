"""Writes for follow-up: logging activities (one by one or from a CSV file), reasons for missed
periods, and reminders about periods that closed without a report."""

import csv
import datetime
import io
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from municipalities.models import Membership, Organisation
from municipalities.permissions import Action, can
from pledges.models import Commitment, Pledge
from pledges.public_cache import public_cache_bump

from . import snapshots
from .models import ActivityLog, MissedPeriod, Reminder
from .progress import Status, bucket_ranges, pledges_progress, validity

CSV_COLUMNS = ["commitment", "date", "quantity", "hours", "note"]
CSV_REQUIRED = ["commitment", "date", "quantity"]
CSV_MAX_ROWS = 5000
CSV_MAX_BYTES = 2 * 1024 * 1024
CSV_MAX_QUANTITY = 2**31 - 1  # the database's integer


def _check_can_log(user, pledge):
    if not can(user, Action.LOG, pledge):
        raise PermissionDenied


def validate_activity(*, commitment, performed_on, quantity, hours_spent=None, today=None) -> dict:
    """The problems with one entry, by field: an empty dict means it may be saved."""
    today = today or timezone.localdate()
    errors = {}
    pledge = commitment.focus_area.pledge
    first, last = validity(commitment, pledge)
    if performed_on is not None:
        if performed_on > today:
            errors["performed_on"] = _("The date is in the future: log what has been done.")
        elif not first <= performed_on <= last:
            errors["performed_on"] = _(
                "The date must lie within the period the commitment is valid, %(start)s – %(end)s."
            ) % {
                "start": first,
                "end": last,
            }
    if quantity is not None and quantity < 0:
        errors["quantity"] = _("The number of times cannot be negative. Enter 0 if nothing was done.")
    if hours_spent is not None and hours_spent < 0:
        errors["hours_spent"] = _("The hours cannot be negative.")
    return errors


@transaction.atomic
def activity_log_create(*, user, commitment, performed_on, quantity, hours_spent=None, note="") -> ActivityLog:
    _check_can_log(user, commitment.focus_area.pledge)
    errors = validate_activity(
        commitment=commitment, performed_on=performed_on, quantity=quantity, hours_spent=hours_spent
    )
    if errors:
        raise ValidationError(errors)
    log = ActivityLog(
        commitment=commitment,
        performed_on=performed_on,
        quantity=quantity,
        hours_spent=hours_spent,
        note=note,
        logged_by=user,
    )
    log.full_clean()
    log.save()
    return log


def can_change_activity(user, log) -> bool:
    """Staff who may log for the pledge change their own entries; the chiefs and superusers any."""
    pledge = log.commitment.focus_area.pledge
    if not can(user, Action.LOG, pledge):
        return False
    return log.logged_by_id == user.pk or user.is_superuser or can(user, Action.SIGN, pledge)


@transaction.atomic
def activity_log_update(*, user, log, commitment, performed_on, quantity, hours_spent=None, note="") -> ActivityLog:
    if not can_change_activity(user, log) or commitment.focus_area.pledge_id != log.commitment.focus_area.pledge_id:
        raise PermissionDenied
    errors = validate_activity(
        commitment=commitment, performed_on=performed_on, quantity=quantity, hours_spent=hours_spent
    )
    if errors:
        raise ValidationError(errors)
    log.commitment = commitment
    log.performed_on = performed_on
    log.quantity = quantity
    log.hours_spent = hours_spent
    log.note = note
    log.full_clean()
    log.save()  # the change history keeps what it was
    return log


@transaction.atomic
def activity_log_delete(*, user, log):
    if not can_change_activity(user, log):
        raise PermissionDenied
    log.delete()  # the change history keeps the deleted entry


# CSV upload


@dataclass(frozen=True)
class CsvError:
    row: int  # the line in the file: 1 is the header
    column: str
    message: str

    def __str__(self):
        if self.row:
            return _("Row %(row)s, column %(column)s: %(message)s") % {
                "row": self.row,
                "column": self.column,
                "message": self.message,
            }
        return self.message


class CsvInvalid(Exception):
    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__("; ".join(str(error) for error in self.errors))


def decode_csv(raw: bytes) -> str:
    """UTF-8 (with or without a byte-order mark), or Windows-1252 as Swedish Excel writes it."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="strict")


def _parse_date(value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


def _parse_decimal(value):
    try:
        number = Decimal(value.replace(",", ".").replace(" ", ""))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None  # "NaN", "sNaN" and "Infinity" are Decimals too


def parse_activity_csv(raw: bytes, *, pledge, today=None) -> list[ActivityLog]:
    """Every row of the file as an unsaved entry, or CsvInvalid listing every problem by row and column."""
    if len(raw) > CSV_MAX_BYTES:
        raise CsvInvalid([CsvError(0, "", _("The file is too large (at most 2 MB)."))])
    try:
        text = decode_csv(raw)
    except UnicodeDecodeError:
        raise CsvInvalid([CsvError(0, "", _("The file is neither UTF-8 nor Windows-1252 text."))]) from None
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        # Read whole before checking: the csv module refuses a field over 128 KB or a quote left open.
        rows = list(reader)
    except csv.Error as error:
        message = _("The file cannot be read as CSV (line %(line)s): %(error)s") % {
            "line": reader.line_num,
            "error": error,
        }
        raise CsvInvalid([CsvError(0, "", message)]) from None
    header = [name.strip().lower() for name in (rows[0] if rows else [])]
    missing = [name for name in CSV_REQUIRED if name not in header]
    unknown = [name for name in header if name and name not in CSV_COLUMNS]
    if missing or unknown:
        message = _("The first row must name the columns %(columns)s.") % {"columns": ", ".join(CSV_COLUMNS)}
        if missing:
            message += " " + _("Missing: %(names)s.") % {"names": ", ".join(missing)}
        if unknown:
            message += " " + _("Unknown: %(names)s.") % {"names": ", ".join(unknown)}
        raise CsvInvalid([CsvError(1, "", message)])

    commitments = {}
    for commitment in Commitment.objects.filter(focus_area__pledge=pledge).select_related("focus_area__pledge"):
        commitments[commitment.key] = commitments[str(commitment.pk)] = commitment

    logs, errors = [], []
    for line, values in enumerate(rows[1:], start=2):
        if not any(value.strip() for value in values):
            continue
        if len(logs) + len(errors) >= CSV_MAX_ROWS:
            errors.append(CsvError(line, "", _("Too many rows: at most %(max)s a file.") % {"max": CSV_MAX_ROWS}))
            break
        row = {name: (values[index].strip() if index < len(values) else "") for index, name in enumerate(header)}
        row_errors = []
        commitment = commitments.get(row["commitment"])
        if commitment is None:
            row_errors.append(
                CsvError(
                    line,
                    "commitment",
                    _("unknown commitment %(value)s in this pledge") % {"value": repr(row["commitment"])},
                )
            )
        performed_on = _parse_date(row["date"])
        if performed_on is None:
            row_errors.append(
                CsvError(
                    line, "date", _("%(value)s is not a date in the form YYYY-MM-DD") % {"value": repr(row["date"])}
                )
            )
        # ASCII digits only: str.isdigit() also takes "²", which int() refuses (as it does 4,300 digits or more).
        digits = re.fullmatch(r"-?([0-9]+)", row["quantity"])
        quantity = int(row["quantity"]) if digits and len(digits[1]) <= 12 else None
        if digits is None:
            row_errors.append(
                CsvError(line, "quantity", _("%(value)s is not a whole number") % {"value": repr(row["quantity"])})
            )
        elif quantity is None or quantity > CSV_MAX_QUANTITY:
            row_errors.append(
                CsvError(line, "quantity", _("%(value)s is too large a number") % {"value": repr(row["quantity"])})
            )
        hours = None
        if row.get("hours"):
            hours = _parse_decimal(row["hours"])
            if hours is None or hours.as_tuple().exponent < -2 or hours >= 100_000:
                row_errors.append(
                    CsvError(line, "hours", _("%(value)s is not a number of hours") % {"value": repr(row["hours"])})
                )
                hours = None
        if commitment is not None:
            field_columns = {"performed_on": "date", "quantity": "quantity", "hours_spent": "hours"}
            for field, message in validate_activity(
                commitment=commitment, performed_on=performed_on, quantity=quantity, hours_spent=hours, today=today
            ).items():
                row_errors.append(CsvError(line, field_columns[field], message))
        if "\x00" in row.get("note", ""):
            row_errors.append(CsvError(line, "note", _("contains a NUL character, which cannot be stored")))
        if row_errors:
            errors.extend(row_errors)
            continue
        logs.append(
            ActivityLog(
                commitment=commitment,
                performed_on=performed_on,
                quantity=quantity,
                hours_spent=hours,
                note=row.get("note", ""),
            )
        )
    if errors:
        raise CsvInvalid(errors)
    if not logs:
        raise CsvInvalid([CsvError(0, "", _("The file has no rows to import."))])
    return logs


@transaction.atomic
def activities_import_csv(*, user, pledge, raw: bytes) -> list[ActivityLog]:
    """All rows or none: the file is checked whole before anything is saved."""
    _check_can_log(user, pledge)
    logs = parse_activity_csv(raw, pledge=pledge)
    for log in logs:
        log.logged_by = user
    created = ActivityLog.objects.bulk_create(logs)
    # bulk_create sends no signals: write the history and refresh the public pages explicitly.
    ActivityLog.history.bulk_history_create(created)
    snapshots.forget([pledge.pk])
    transaction.on_commit(public_cache_bump)
    return created


# Missed periods


@transaction.atomic
def missed_period_record(
    *, user, commitment, period_start, reason, reason_text="", corrective_action=""
) -> MissedPeriod:
    pledge = commitment.focus_area.pledge
    _check_can_log(user, pledge)
    first, last = validity(commitment, pledge)
    ranges = dict(bucket_ranges(commitment, first, last)) if commitment.is_measurable else {}
    if period_start not in ranges or ranges[period_start] >= timezone.localdate():
        raise ValidationError(_("That is not a closed follow-up period of this commitment."))
    missed = MissedPeriod.objects.filter(commitment=commitment, period_start=period_start).first() or MissedPeriod(
        commitment=commitment, period_start=period_start
    )
    missed.period_end = ranges[period_start]
    missed.reason = reason
    missed.reason_text = reason_text
    missed.corrective_action = corrective_action
    missed.recorded_by = user
    missed.full_clean()
    missed.save()
    return missed


# Reminders


# Who is reminded about a commitment: by the kind of its responsible organisations.
POLICE_ROLES = [Membership.Role.COMMUNITY_POLICE]
MUNICIPAL_ROLES = [Membership.Role.COORDINATOR]


def responsible_users(pledge, commitment):
    """The users who log for this commitment: the kommunpolis for a police responsibility, the
    samordnare for a municipal one (both where the commitment names no one)."""
    kinds = {organisation.kind for organisation in commitment.responsible.all()}
    roles = []
    if not kinds or Organisation.Kind.POLICE in kinds:
        roles += POLICE_ROLES
    if not kinds or kinds - {Organisation.Kind.POLICE}:
        roles += MUNICIPAL_ROLES
    reach = (
        Q(municipality__in=pledge.municipalities.all())
        | Q(police_area__in=pledge.police_areas.all())
        | Q(police_area__municipalities__in=pledge.municipalities.all())
    )
    from accounts.models import User

    return (
        User.objects.filter(is_active=True, memberships__in=Membership.objects.filter(reach, role__in=roles))
        .exclude(email="")
        .distinct()
    )


def reminders_send(*, today=None) -> int:
    """E-mail the responsible users about each period that closed yesterday or earlier without a
    single entry, once per user and period (the Reminder rows make a second run send nothing).
    Returns the number of e-mails sent."""
    today = today or timezone.localdate()
    pledges = list(
        Pledge.objects.filter(status__in=[Pledge.Status.SIGNED, Pledge.Status.PUBLISHED])
        .filter(period_start__lte=today)
        .filter(period_end__gte=today - datetime.timedelta(days=31))
        .prefetch_related("municipalities", "police_areas")
    )
    sent = 0
    for progress in pledges_progress(pledges, today=today).values():
        pledge = progress.pledge
        for commitment_progress in progress.commitments:
            # Only the most recently closed period: older misses were reminded about when they closed.
            closed = [b for b in commitment_progress.buckets if b.is_closed]
            if not closed or closed[-1].status != Status.NOT_REPORTED:
                continue
            bucket = closed[-1]
            commitment = commitment_progress.commitment
            for user in responsible_users(pledge, commitment):
                sent += _remind(user, pledge, commitment, bucket)
    return sent


def _remind(user, pledge, commitment, bucket) -> int:
    """Record the reminder and send it in one transaction: a second run finds the row and sends
    nothing, and a failed send leaves no row, so the next run tries again."""
    try:
        with transaction.atomic():
            Reminder.objects.create(commitment=commitment, period_start=bucket.start, user=user)
            with translation.override(settings.LANGUAGE_CODE):
                subject = _("Not reported: %(commitment)s") % {"commitment": commitment.title}
                body = render_to_string(
                    "followup/email/reminder.txt",
                    {
                        "user": user,
                        "pledge": pledge,
                        "commitment": commitment,
                        "bucket": bucket,
                        "site_url": settings.SITE_URL,
                    },
                )
            send_mail(subject, body, None, [user.email])
    except IntegrityError:
        return 0  # already reminded
    return 1
