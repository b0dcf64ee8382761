import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("shequ")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Payments are a package of the contracts app, not an installed app of their own (yet): name it, so
# that nothing in contracts imports its tasks only to register them.
app.autodiscover_tasks(["contracts.payments"])
