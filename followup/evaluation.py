"""The yearly evaluation (utvärdering): what it shows, and building its PDF as a job on a row.

The row is the state machine (not built → queued → building → done / failed). A request queues the
job only after the transaction commits, and only if none is queued or running (a double click queues
one job). The worker claims the row with a conditional update and counts its attempts, so a job
that keeps killing its worker stops after ``Evaluation.MAX_ATTEMPTS``. A rebuild stores the new file
beside the old one and switches the row to it in one update, so a download never sees half a file.
"""

import datetime
import logging
from dataclasses import replace

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from pledges.models import Pledge
from pledges.pdf import SigningUnavailable, check_signing_available, render_pdf, sha256, sign_pdf
from pledges.public_cache import public_cache_bump

from .charts import commitment_chart, indicator_chart
from .models import Evaluation, Indicator
from .progress import CLOSED, Status, mean_of_scores, pledge_progress

logger = logging.getLogger(__name__)

MAX_LISTED_MISSES = 12


def evaluation_filename(pledge, year) -> str:
    """utvardering-2020-norsjo-2019-2022.pdf (the year, then the pledge's stable id)."""
    return f"utvardering-{year}-{pledge.external_id}.pdf"


def _year_of(progress, year):
    """A commitment's progress narrowed to the periods that overlap the year."""
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    buckets = [b for b in progress.buckets if b.start <= last and b.end >= first]
    closed = [b for b in buckets if b.status in CLOSED]
    return replace(
        progress,
        buckets=buckets,
        met=sum(b.status == Status.MET for b in closed),
        elapsed=len(closed),
        total_quantity=sum(b.quantity for b in buckets) if progress.measurable else progress.total_quantity,
    )


def evaluation_context(evaluation) -> dict:
    """Everything the evaluation PDF shows, for the pledge and the year."""
    pledge = Pledge.objects.prefetch_related(
        "municipalities", "pledge_parties__organisation", "signatories__organisation"
    ).get(pk=evaluation.pledge_id)
    year = evaluation.year
    # As it stood when the year ended: every period of the year has closed.
    progress = pledge_progress(pledge, today=min(datetime.date(year + 1, 1, 1), timezone.localdate()))
    areas = []
    for area in progress.focus_areas:
        commitments = []
        for item in area.commitments:
            in_year = _year_of(item, year)
            missed = in_year.missed
            commitments.append(
                {
                    "progress": in_year,
                    "chart": commitment_chart(in_year, for_print=True),
                    # Every miss with a reason is listed; the rest are counted (a daily target may miss hundreds).
                    "explained": [bucket for bucket in missed if bucket.missed_reason],
                    "unexplained": [bucket for bucket in missed if not bucket.missed_reason][:MAX_LISTED_MISSES],
                    "unexplained_count": sum(not bucket.missed_reason for bucket in missed),
                }
            )
        areas.append(
            {
                "focus_area": area.focus_area,
                "compliance": mean_of_scores(c["progress"].compliance for c in commitments),
                "commitments": commitments,
            }
        )
    indicators = [
        (indicator, values, indicator_chart(indicator, values, for_print=True))
        for indicator in Indicator.objects.filter(pledge=pledge).prefetch_related("values")
        for values in [list(indicator.values.all())]
    ]
    dialogues = pledge.dialogues.filter(held_on__year=year).prefetch_related("findings").order_by("held_on")
    return {
        "pledge": pledge,
        "year": year,
        "evaluation": evaluation,
        "areas": areas,
        "compliance": mean_of_scores(c["progress"].compliance for area in areas for c in area["commitments"]),
        "indicators": indicators,
        "dialogues": dialogues,
        "generated_on": timezone.localdate(),
    }


def evaluation_for(pledge, year) -> Evaluation:
    evaluation, _created = Evaluation.objects.get_or_create(pledge=pledge, year=year)
    return evaluation


def evaluation_request_build(*, evaluation) -> bool:
    """Queue a build unless one is queued or running. Returns whether a job was queued.

    The job is sent after the transaction commits; if the queue cannot be reached the row is marked
    failed with a message saying to try again, rather than the page failing.
    """
    from .tasks import build_evaluation

    queued = (
        Evaluation.objects.filter(pk=evaluation.pk)
        .exclude(status__in=[Evaluation.Status.QUEUED, Evaluation.Status.BUILDING])
        .update(status=Evaluation.Status.QUEUED, stage="", attempts=0, error="", queued_at=timezone.now())
    )
    if not queued:
        return False

    def send():
        try:
            build_evaluation.delay(evaluation.pk)
        except Exception as exc:  # the broker raises many kinds of connection error
            logger.warning("Could not queue evaluation %s: %s", evaluation.pk, exc)
            Evaluation.objects.filter(pk=evaluation.pk, status=Evaluation.Status.QUEUED).update(
                status=Evaluation.Status.FAILED,
                error=_("The job queue could not be reached. Nothing was lost: try again in a moment."),
            )

    transaction.on_commit(send)
    return True


def _stage(evaluation_id, stage):
    Evaluation.objects.filter(pk=evaluation_id).update(stage=stage)


def evaluation_fail(evaluation_id, message):
    Evaluation.objects.filter(pk=evaluation_id).exclude(status=Evaluation.Status.DONE).update(
        status=Evaluation.Status.FAILED, error=message
    )


def evaluation_build(evaluation_id) -> bool:
    """Build, sign and store the PDF (run by the worker). Returns whether it built."""
    claimed = Evaluation.objects.filter(
        pk=evaluation_id,
        status__in=[Evaluation.Status.QUEUED, Evaluation.Status.BUILDING],
        attempts__lt=Evaluation.MAX_ATTEMPTS,
    ).update(status=Evaluation.Status.BUILDING, stage=Evaluation.Stage.COLLECTING, attempts=F("attempts") + 1)
    if not claimed:
        # Done or failed already (a duplicate delivery), or out of attempts (it keeps killing workers).
        evaluation_fail_if_exhausted(evaluation_id)
        return False
    evaluation = Evaluation.objects.select_related("pledge").get(pk=evaluation_id)
    try:
        check_signing_available()  # fail before minutes of work, and never store an unsigned file as signed
        context = evaluation_context(evaluation)
        _stage(evaluation_id, Evaluation.Stage.RENDERING)
        pdf = render_pdf("pdf/evaluation.html", context)
        _stage(evaluation_id, Evaluation.Stage.SIGNING)
        pdf = sign_pdf(
            pdf,
            reason=_("Evaluation %(year)s of %(pledge)s")
            % {"year": evaluation.year, "pledge": evaluation.pledge.title},
        )
        _stage(evaluation_id, Evaluation.Stage.STORING)
        _store(evaluation, pdf, evaluation_filename(context["pledge"], evaluation.year))
    except SigningUnavailable as exc:
        evaluation_fail(evaluation_id, str(exc))
        return False
    return True


def evaluation_fail_if_exhausted(evaluation_id):
    Evaluation.objects.filter(
        pk=evaluation_id,
        status__in=[Evaluation.Status.QUEUED, Evaluation.Status.BUILDING],
        attempts__gte=Evaluation.MAX_ATTEMPTS,
    ).update(
        status=Evaluation.Status.FAILED,
        error=_("Stopped after %(count)s attempts: the build keeps failing. Check the logs, then try again.")
        % {"count": Evaluation.MAX_ATTEMPTS},
    )


def _store(evaluation, pdf: bytes, filename: str):
    checksum = sha256(pdf)
    name = default_storage.save(f"evaluations/{evaluation.year}/{checksum[:12]}-{filename}", ContentFile(pdf))
    old = Evaluation.objects.filter(pk=evaluation.pk).values_list("pdf", flat=True).first()
    with transaction.atomic():
        Evaluation.objects.filter(pk=evaluation.pk).update(
            pdf=name,
            checksum=checksum,
            built_at=timezone.now(),
            status=Evaluation.Status.DONE,
            stage="",
            error="",
        )
    public_cache_bump()  # update() sends no signal; the public pages list the evaluations
    if old and old != name:
        default_storage.delete(old)


def pledges_active_in(year):
    """The signed pledges (published and ended ones too) whose period overlaps the year."""
    return Pledge.objects.filter(
        status__in=[Pledge.Status.SIGNED, Pledge.Status.PUBLISHED, Pledge.Status.ENDED],
        period_start__lte=datetime.date(year, 12, 31),
        period_end__gte=datetime.date(year, 1, 1),
    )


def evaluations_request_for_year(year) -> int:
    """Queue the evaluations of a year for every pledge active that year (celery beat, each January)."""
    queued = 0
    for pledge in pledges_active_in(year):
        with transaction.atomic():
            queued += evaluation_request_build(evaluation=evaluation_for(pledge, year))
    return queued
