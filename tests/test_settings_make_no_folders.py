"""Reading the settings makes no folder: the machine's folders are made by what writes to them —
`make run` and scripts/run make var/ for SQLite, and the Celery app makes its broker's and beat's
folders when it is first configured (config/celery.py)."""

import os
import subprocess
import sys
from pathlib import Path

from .test_celery_worker import ROOT

SETUP = "import django; django.setup(); from django.conf import settings; settings.DATABASES"


def run_python(code: str, var_dir: Path) -> None:
    env = {**os.environ, "SHEQU_VAR_DIR": str(var_dir), "CELERY_BROKER_URL": "filesystem://"}
    env.pop("DATABASE_URL", None)  # the SQLite default, whose file would live in var_dir
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, timeout=60)


def test_reading_the_settings_makes_no_folder(tmp_path):
    # Given a var folder that is not there
    var_dir = tmp_path / "var"

    # When the settings are read and Django set up, with the filesystem broker chosen
    run_python(SETUP, var_dir)

    # Then nothing was made
    assert not var_dir.exists()


def test_the_first_task_sent_makes_the_filesystem_brokers_folders(tmp_path):
    # Given no var folder, and the filesystem broker chosen
    var_dir = tmp_path / "var"

    # When a task is sent
    send = "from config.celery import app; app.send_task('common.tasks.send_sms_task', args=[[], ''])"
    run_python(f"{SETUP}; {send}", var_dir)

    # Then the Celery app made its folders and the message waits in the queue
    assert sorted(path.name for path in (var_dir / "broker").iterdir()) == ["control", "processed", "queue"]
    assert len(list((var_dir / "broker" / "queue").iterdir())) == 1
