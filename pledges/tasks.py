"""Celery tasks of pledges: they only call services."""

from celery import shared_task

from . import services


@shared_task
def end_expired_pledges():
    """Daily (celery beat): published pledges whose period is over become ended."""
    return services.pledges_end_expired()
