"""Celery on Redis when REDIS_URL is set; with TASKS_INLINE (the default without Redis) tasks run
in the calling process."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.config.settings")

app = Celery("cohortis")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
