"""Every job on the beat schedule names a task that exists (a typo would only show in January)."""

from django.conf import settings

from config.celery import app


def test_every_scheduled_task_is_registered():
    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled == {
        "pledges.tasks.end_expired_pledges",
        "followup.tasks.send_reminders",
        "followup.tasks.build_last_years_evaluations",
        "followup.snapshots.refresh_all",
    }
    assert scheduled <= set(app.tasks)
