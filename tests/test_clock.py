"""The suite passes at any hour: dates are built the way the product builds them (Asia/Shanghai),
and `.ci/run` proves it by running the suite again with the clock moved (tests/clock.py)."""

import datetime
import os
import subprocess

import pytest
import time_machine
from django.utils import timezone

from .clock import FROZEN_CLOCK, python_command
from .factories import in_days, local_date, local_today
from .test_celery_worker import ROOT

EVENING_UTC = datetime.datetime(2026, 12, 31, 16, 30, tzinfo=datetime.UTC)  # 2027-01-01 00:30 in Shanghai


@pytest.mark.parametrize("hour", [0, 8, 15, 16, 20, 23])
def test_local_dates_at_every_hour(hour):
    with time_machine.travel(EVENING_UTC.replace(hour=hour), tick=False):
        assert local_today() == timezone.localdate()
        assert local_date(in_days(0)) == timezone.localdate()
        assert local_today(1) == timezone.localdate() + datetime.timedelta(days=1)


def test_evening_utc_is_the_next_day_and_year_in_shanghai():
    with time_machine.travel(EVENING_UTC, tick=False):
        assert timezone.localdate() == datetime.date(2027, 1, 1)
        assert local_date(in_days(0)) != in_days(0).date()


@pytest.mark.skipif(not os.environ.get(FROZEN_CLOCK), reason=f"runs when {FROZEN_CLOCK} is set (.ci/run)")
def test_the_moved_clock_reaches_every_process():
    """The pass under a moved clock really is under it, in this process and in the subprocesses the
    tests start (Celery workers, the local Stripe server)."""
    target = datetime.datetime.fromisoformat(os.environ[FROZEN_CLOCK].replace("Z", "+00:00"))
    assert abs((timezone.now() - target).total_seconds()) < 3600
    child = subprocess.run(
        python_command("-m", "tests.print_time"), cwd=ROOT, capture_output=True, text=True, check=True
    )
    child_now = datetime.datetime.fromisoformat(child.stdout.strip())
    assert abs((child_now - timezone.now()).total_seconds()) < 60
