import os
from pathlib import Path
from typing import Any

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("shequ")


@app.on_after_configure.connect
def make_folders(sender: Celery, **kwargs: Any) -> None:
    """The folders this configuration writes to, made when the app is first configured (a worker or
    beat starting, the first task sent), never when the settings are read: the beat schedule's, and
    Kombu's filesystem transport's (which makes none of them)."""
    conf = sender.conf
    folders = [Path(conf.beat_schedule_filename).parent]
    if (conf.broker_url or "").startswith("filesystem://"):
        options = conf.broker_transport_options
        keys = ("data_folder_in", "data_folder_out", "processed_folder", "control_folder")
        folders += [Path(options[key]) for key in keys]
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)


app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
