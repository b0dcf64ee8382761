"""Resident registrations waiting to be confirmed by a residents' committee or a bureau officer
whose jurisdiction covers the household (``frontend.registrations``, the orgs app's rules)."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from orgs.permissions import confirms_residents_for_bureau

from ..registrations import pending_registrations
from . import Task


def tasks(user: Any, area: str) -> list[Task]:
    if area == "bureau" and not confirms_residents_for_bureau(user):
        return []  # the bureau's queue is its officers' and admins' (finance and evaluators: none)
    count = pending_registrations(user).count()
    if not count:
        return []
    return [
        Task(_("Confirm the residents who registered with a household"), reverse(f"{area}:residents"), count)
    ]
