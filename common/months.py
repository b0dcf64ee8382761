"""Calendar months (docs/rules.md §17.1: periods other than working days are calendar days or
months), in local time (Asia/Shanghai). Pure functions."""

import calendar
import datetime

from django.utils import timezone


def months_after(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` calendar months later (earlier if negative); a day the target month
    lacks becomes its last day (31 January + 1 month = 28 or 29 February). ``ValueError`` beyond
    the calendar's years (1–9999)."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    if not datetime.MINYEAR <= year <= datetime.MAXYEAR:
        raise ValueError(f"{day} + {months} months is outside the calendar")
    return day.replace(year=year, month=month + 1, day=min(day.day, calendar.monthrange(year, month + 1)[1]))


def add_months(moment: datetime.datetime, months: int) -> datetime.datetime:
    """The same local wall-clock time ``months`` calendar months later (``months_after`` of its
    local date)."""
    local = timezone.localtime(moment)
    naive = datetime.datetime.combine(months_after(local.date(), months), local.time().replace(tzinfo=None))
    return timezone.make_aware(naive)
