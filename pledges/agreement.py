"""The agreement PDF (överenskommelse): made when a pledge is signed, a new version per amendment,
and scanned paper copies kept beside it. Stored files are never changed."""

import io
import logging

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db.models import Max
from django.utils.translation import gettext as _

from .models import AgreementDocument, Pledge
from .pdf import SigningUnavailable, render_pdf, sha256, sign_pdf

logger = logging.getLogger(__name__)

SCANNED_MAX_BYTES = 20 * 1024 * 1024
SIGNED_STATUSES = (Pledge.Status.SIGNED, Pledge.Status.PUBLISHED, Pledge.Status.ENDED)


def agreement_filename(pledge, version=None) -> str:
    """medborgarlofte-norsjo-2019-2022.pdf (from the pledge's stable id), with -v2 for later versions."""
    suffix = f"-v{version}" if version and version > 1 else ""
    return f"medborgarlofte-{pledge.external_id}{suffix}.pdf"


def _next_version(pledge, kind):
    latest = AgreementDocument.objects.filter(pledge=pledge, kind=kind).aggregate(latest=Max("version"))["latest"]
    return (latest or 0) + 1


def agreement_make(*, pledge, user=None, amendment=None) -> AgreementDocument:
    """Render, sign and store the next version of the agreement. Without a usable signing key the file
    is stored unsigned and marked so (never passed off as signed), and the reason is logged."""
    pledge = Pledge.objects.prefetch_related(
        "municipalities",
        "police_areas",
        "pledge_parties__organisation",
        "signatories__organisation",
        "focus_areas__commitments__responsible",
    ).get(pk=pledge.pk)
    version = _next_version(pledge, AgreementDocument.Kind.GENERATED)
    pdf = render_pdf(
        "pdf/agreement.html",
        {"pledge": pledge, "number": version, "amendments": list(pledge.amendments.order_by("created_at"))},
    )
    signed = False
    try:
        pdf = sign_pdf(pdf, reason=_("Agreement: %(title)s") % {"title": pledge.title}, location=pledge.signed_place)
        signed = True
    except SigningUnavailable as exc:
        logger.warning("Agreement of pledge %s stored unsigned: %s", pledge.pk, exc)
    document = AgreementDocument(
        pledge=pledge,
        kind=AgreementDocument.Kind.GENERATED,
        version=version,
        amendment=amendment,
        checksum=sha256(pdf),
        digitally_signed=signed,
        created_by=user,
    )
    document.pdf.save(agreement_filename(pledge, version), ContentFile(pdf), save=False)
    document.save()
    return document


def agreement_ensure(*, pledge, user=None) -> AgreementDocument | None:
    """The agreement of a signed pledge, made now if it has none yet (pledges imported as signed)."""
    if pledge.status not in SIGNED_STATUSES:
        return None
    existing = pledge.agreement_documents.filter(kind=AgreementDocument.Kind.GENERATED).order_by("-version").first()
    return existing or agreement_make(pledge=pledge, user=user)


def latest_agreement(pledge) -> AgreementDocument | None:
    return (
        AgreementDocument.objects.filter(pledge=pledge, kind=AgreementDocument.Kind.GENERATED)
        .order_by("-version")
        .first()
    )


def validate_scanned_pdf(data: bytes):
    """A PDF, not too large, not encrypted: or a ValidationError saying which."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    if len(data) > SCANNED_MAX_BYTES:
        raise ValidationError(_("The file is too large (at most 20 MB)."))
    if not data.startswith(b"%PDF-"):
        raise ValidationError(_("The file is not a PDF."))
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        encrypted = reader.encrypted
    except Exception:  # a damaged file gives many kinds of parse error
        raise ValidationError(_("The file is not a readable PDF.")) from None
    if encrypted:
        raise ValidationError(_("The PDF is encrypted or password-protected: upload an unprotected copy."))


def agreement_upload_scan(*, pledge, user, data: bytes) -> AgreementDocument:
    validate_scanned_pdf(data)
    version = _next_version(pledge, AgreementDocument.Kind.SCANNED)
    document = AgreementDocument(
        pledge=pledge,
        kind=AgreementDocument.Kind.SCANNED,
        version=version,
        checksum=sha256(data),
        created_by=user,
    )
    document.pdf.save(f"skannad-{agreement_filename(pledge, version)}", ContentFile(data), save=False)
    document.save()
    return document
