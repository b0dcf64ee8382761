"""Reads of the orgs app used by other apps' API layers."""

from django.db.models import QuerySet
from django.db.models.functions import Upper
from django.utils.translation import gettext as _

from common.errors import Forbidden, Invalid
from orgs.errors import OrgsError

from .auth import Caller, signed_in
from .models import Household, Organization, Resident
from .permissions import has_role, organization_ids_of


def acting_organization(
    *, user: Caller, kind: str, roles: tuple[str, ...], requested: Organization | None, field: str
) -> Organization:
    """The organisation the caller acts for: the one requested (if the caller holds a role there),
    or the only one of that kind where the caller holds one of ``roles``."""
    if requested is not None:
        if requested.kind != kind or not has_role(user, requested.id, *roles):
            raise Forbidden()
        return requested
    candidates: list[Organization] = list(
        Organization.objects.filter(id__in=organization_ids_of(user, *roles, verified_only=True), kind=kind)
    )
    if not candidates:
        raise Forbidden()
    if len(candidates) > 1:
        raise Invalid({field: [_("You act for several organisations: name one.")]})
    return candidates[0]


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
