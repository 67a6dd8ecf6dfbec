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


def test_the_snapshots_are_made_right_after_the_pledges_that_ended_are_ended():
    schedule = settings.CELERY_BEAT_SCHEDULE
    ending, snapshots = schedule["end-expired-pledges"]["schedule"], schedule["refresh-progress-snapshots"]["schedule"]
    # ending a pledge drops its snapshot, so the snapshots come after; and within minutes of midnight, since
    # until then the pages compute progress themselves
    assert ending.hour == snapshots.hour == {0}
    assert max(ending.minute) < min(snapshots.minute) <= 5
