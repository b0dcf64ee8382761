"""Reads of the orgs app used by other apps' API layers."""

from typing import Any

from django.utils.translation import gettext as _

from common.errors import Forbidden, Invalid

from .models import Organization
from .permissions import acting_organization_ids, has_role


def acting_organization(
    *, user: Any, kind: str, roles: tuple[str, ...], requested: Organization | None, field: str
) -> Organization:
    """The organisation the caller acts for: the one requested (if the caller holds a role there),
    or the only one of that kind where the caller holds one of ``roles``."""
    if requested is not None:
        if requested.kind != kind or not has_role(user, requested.id, *roles):
            raise Forbidden()
        return requested
    candidates = list(Organization.objects.filter(id__in=acting_organization_ids(user, *roles), kind=kind))
    if not candidates:
        raise Forbidden()
    if len(candidates) > 1:
        raise Invalid({field: [_("You act for several organisations: name one.")]})
    return candidates[0]
