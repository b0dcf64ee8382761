"""Working days in China's official calendar (docs/rules.md §17.1).

Deadlines the law counts in working days (a challenge's 7 working days, the reply's 7, a complaint's
15) skip weekends and statutory holidays and count the make-up working days (调休) that the State
Council announces each year. Those come from the maintained ``chinesecalendar`` library, never from
a hand-typed list. For a year the library does not know yet, only weekends are skipped: the admin
and ``manage.py check`` warn (``unknown_years``) until the library is upgraded. Pure functions; the
product's dates are Asia/Shanghai dates (``timezone.localdate``).
"""

import datetime
import functools
import logging

import chinese_calendar
from django.utils import timezone

logger = logging.getLogger(__name__)

SATURDAY = 5


def year_known(year: int) -> bool:
    """Whether the library holds this year's official holidays and make-up working days."""
    try:
        chinese_calendar.is_workday(datetime.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def is_working_day(day: datetime.date) -> bool:
    """A working day by the official calendar; for a year the library does not know, Monday to
    Friday."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        _warn_unknown_year(day.year)
        return day.weekday() < SATURDAY


@functools.cache
def _warn_unknown_year(year: int) -> None:
    """Say once per year per process, not for every day counted, that its calendar is unknown."""
    logger.warning("the official calendar of %s is not known; counting weekends only", year)


def add_working_days(day: datetime.date, count: int) -> datetime.date:
    """The ``count``-th working day after ``day`` (``day`` itself is not counted); ``day`` for 0."""
    if count < 0:
        raise ValueError("count must be 0 or more")
    while count:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The last instant of a local date (Asia/Shanghai), as an aware datetime."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.max))


def working_days_deadline(start: datetime.datetime, count: int) -> datetime.datetime:
    """The end of the ``count``-th working day after the local date of ``start``: a period of
    ``count`` working days that begins at ``start``. With 0 there is no period: ``start`` itself."""
    if count == 0:
        return start
    return end_of_day(add_working_days(timezone.localdate(start), count))


def working_days_left(deadline: datetime.datetime, now: datetime.datetime | None = None) -> int:
    """How many working days remain before ``deadline``, counting today if it is one (0 once the
    deadline has passed)."""
    now = now or timezone.now()
    if now > deadline:
        return 0
    day, last, left = timezone.localdate(now), timezone.localdate(deadline), 0
    while day <= last:
        left += is_working_day(day)
        day += datetime.timedelta(days=1)
    return left


def unknown_years(today: datetime.date | None = None) -> list[int]:
    """This year and the next, where the library does not know them: deadlines set now may fall
    in the next year."""
    today = today or timezone.localdate()
    return [year for year in (today.year, today.year + 1) if not year_known(year)]
