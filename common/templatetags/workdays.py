from django import template

from common.checks import calendar_warning
from common.workdays import unknown_years

register = template.Library()


@register.simple_tag
def official_calendar_warning() -> str:
    """The warning the admin shows while this year's or next year's calendar is unknown, or ''."""
    years = unknown_years()
    return calendar_warning(years) if years else ""
