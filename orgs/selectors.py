"""Reads of the orgs app used by other apps' API layers."""

from django.db.models import QuerySet
from django.db.models.functions import Upper
from django.utils.translation import gettext as _

from common.errors import Forbidden
from orgs.errors import OrgsError

from .auth import Caller, signed_in
from .models import Household, Resident


def require_confirmed_resident(user: Caller) -> Resident:
    """The caller's confirmed resident registration, or 403: ``not_a_resident`` for someone with
    no registration, ``resident_unconfirmed`` while it awaits confirmation (or was rejected)."""
    resident: Resident | None = getattr(user, "resident", None) if signed_in(user) else None
    if resident is None:
        raise Forbidden(
            _("Only residents registered with a household may do this."), code=OrgsError.NOT_A_RESIDENT
        )
    if not resident.is_confirmed:
        raise Forbidden(
            _("Your household account is not confirmed yet. Your resident page says what happens next."),
            code=OrgsError.RESIDENT_UNCONFIRMED,
        )
    return resident


def households_by_codes(codes: list[str]) -> QuerySet[Household]:
    """The households with these codes, compared case-insensitively (docs/rules.md §12.2)."""
    return Household.objects.alias(code_upper=Upper("code")).filter(
        code_upper__in=[code.strip().upper() for code in codes]
    )
