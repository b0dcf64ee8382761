"""System checks for the settings the throttles rely on (``manage.py check``)."""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Info, Warning
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from .client_address import trusted_networks
from .workdays import unknown_years

PER_PROCESS_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


def check_trusted_proxies(app_configs: Any, **kwargs: Any) -> list[Error]:
    try:
        trusted_networks(tuple(settings.TRUSTED_PROXIES))
    except ImproperlyConfigured as error:
        return [Error(str(error), hint="Addresses or CIDR ranges, comma-separated.", id="shequ.E001")]
    if settings.TRUSTED_PROXY_COUNT < 0:
        return [Error("TRUSTED_PROXY_COUNT must be 0 or more.", id="shequ.E002")]
    return []


def check_shared_cache(app_configs: Any, **kwargs: Any) -> list[Warning]:
    if settings.CACHES["default"]["BACKEND"] in PER_PROCESS_CACHES:
        return [
            Warning(
                "The default cache is per process: request throttles and sign-in lockouts would "
                "count in each worker alone.",
                hint="Set REDIS_URL (or CACHE_URL), or keep the database cache.",
                id="shequ.W001",
            )
        ]
    return []


def calendar_warning(years: list[int]) -> str:
    """The one wording of the warning, for ``manage.py check`` and the admin's index."""
    listed = ", ".join(str(year) for year in years)
    return (
        f"The official working-day calendar of {listed} is not in the installed chinesecalendar "
        "library: working-day deadlines in that year count weekends only."
    )


def check_official_calendar(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """A warning while this year's calendar is unknown (deadlines are counted wrongly now); only a
    note while next year's is, as every year between the year's end and the State Council's notice."""
    years = unknown_years()
    if not years:
        return []
    hint = "Upgrade chinesecalendar once the State Council has published the year's holidays."
    if years[0] == timezone.localdate().year:
        return [Warning(calendar_warning(years), hint=hint, id="shequ.W002")]
    return [Info(calendar_warning(years), hint=hint, id="shequ.I001")]
