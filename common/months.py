"""Calendar months (docs/rules.md §17.1: periods other than working days are calendar days or
months), in local time (Asia/Shanghai). Pure functions."""

import calendar
import datetime

from django.utils import timezone


def add_months(moment: datetime.datetime, months: int) -> datetime.datetime:
    """The same local wall-clock time ``months`` calendar months later (earlier if negative); a day
    the target month lacks becomes its last day (31 January + 1 month = 28 or 29 February)."""
    local = timezone.localtime(moment)
    index = local.year * 12 + local.month - 1 + months
    year, month = divmod(index, 12)
    day = min(local.day, calendar.monthrange(year, month + 1)[1])
    naive = local.replace(tzinfo=None, year=year, month=month + 1, day=day)
    return timezone.make_aware(naive)
