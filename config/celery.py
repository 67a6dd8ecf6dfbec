"""The Celery app. With no broker configured the settings make tasks run in-process."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("medborgarloften")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
