"""Celery tasks of follow-up: they only call services, and handle retries and failure."""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import InterfaceError, OperationalError
from django.utils import timezone
from django.utils.translation import gettext as _

from . import evaluation, services


@shared_task(autoretry_for=(ConnectionError, OSError), retry_backoff=60, max_retries=5)
def send_reminders():
    """Daily (celery beat): e-mail about follow-up periods that closed without a report."""
    return services.reminders_send()


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),  # the database went away for a moment
    retry_backoff=10,
    max_retries=3,
    time_limit=5 * 60,
    soft_time_limit=4 * 60,
)
def build_evaluation(evaluation_id):
    """Late acknowledgement: a worker that dies mid-build leaves the message to be delivered again,
    and the attempt counter on the row stops a job that keeps killing its worker."""
    try:
        return evaluation.evaluation_build(evaluation_id)
    except SoftTimeLimitExceeded:
        evaluation.evaluation_fail(evaluation_id, _("The build took too long and was stopped. Try again."))
        raise
    except (OperationalError, InterfaceError):
        raise
    except Exception as exc:
        evaluation.evaluation_fail(evaluation_id, _("The build failed: %(error)s") % {"error": exc})
        raise


@shared_task
def build_last_years_evaluations():
    """Each January (celery beat): the evaluations of the previous year for every active pledge."""
    return evaluation.evaluations_request_for_year(timezone.localdate().year - 1)
