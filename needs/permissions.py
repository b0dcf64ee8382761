"""Who may see and do what with residents' needs (docs/rules.md §22): rules predicates and the
visibility queryset."""

import rules
from django.db.models import QuerySet

from orgs.auth import Caller, signed_in
from orgs.models import Area, Household, Organization, User
from orgs.permissions import confirmed_resident, is_platform_admin, organization_ids_of

from .models import Need


def community_of(household: Household) -> Area | None:
    """The community (an area of level ``community``) the household's area lies in, or None."""
    path = household.area.path
    prefixes = [path[: index + 1] for index, char in enumerate(path) if char == "/"]
    community: Area | None = (
        Area.objects.filter(path__in=prefixes, level=Area.Level.COMMUNITY).order_by("-path").first()
    )
    return community


def council_paths(user: Caller) -> list[str]:
    """The jurisdictions of the verified community committees the user belongs to (any role): where
    the user records the council's deliberations. Asked once per request and user (a list asks it
    for every need): kept on the user object."""
    cached: list[str] | None = getattr(user, "_council_paths", None)
    if cached is not None:
        return cached
    ids = organization_ids_of(user, kind=Organization.Kind.COMMUNITY, verified_only=True)
    paths = (
        list(
            Organization.objects.filter(id__in=ids, jurisdiction__isnull=False).values_list(
                "jurisdiction__path", flat=True
            )
        )
        if ids
        else []
    )
    if signed_in(user):
        user._council_paths = paths  # type: ignore[attr-defined]
    return paths


def council_members_of(community: Area) -> QuerySet[User]:
    """Who is told of a new need: the members of the community committees covering the community."""
    paths = [community.path[: i + 1] for i, char in enumerate(community.path) if char == "/"]
    return User.objects.filter(
        is_active=True,
        memberships__organization__kind=Organization.Kind.COMMUNITY,
        memberships__organization__status=Organization.Status.VERIFIED,
        memberships__organization__jurisdiction__path__in=paths,
    ).distinct()


@rules.predicate
def is_confirmed_resident(user: Caller) -> bool:
    return confirmed_resident(user) is not None


@rules.predicate
def is_resident_of_need_community(user: Caller, need: Need) -> bool:
    resident = confirmed_resident(user)
    return resident is not None and resident.household.area.path.startswith(need.community.path)


@rules.predicate
def is_council_member(user: Caller, need: Need) -> bool:
    return any(need.community.path.startswith(path) for path in council_paths(user))


def needs_visible_to(needs: QuerySet[Need], user: Caller) -> QuerySet[Need]:
    """``Need.objects.visible_to(user)``: every need is public — the resident's words, their
    community and its path; never who proposed it (the serializers and pages leave it out)."""
    return needs.select_related("community", "catalogue_item")


def may_see_proposer(user: Caller, need: Need) -> bool:
    """The proposer's household is the proposer's own business and the council's."""
    if not signed_in(user):
        return False
    resident = confirmed_resident(user)
    own = resident is not None and resident.household_id == need.household_id
    return own or is_platform_admin(user) or bool(is_council_member(user, need))


PERMISSIONS: dict[str, rules.Predicate] = {
    "needs.propose_need": is_confirmed_resident,
    "needs.support_need": is_resident_of_need_community,
    "needs.deliberate_need": is_council_member,
}

# Each API verb: (the transition's method, or None, and the permission); see orgs.permissions.
NEED_TRANSITIONS = {
    "support": (None, "needs.support_need"),
    "deliberate": (None, "needs.deliberate_need"),
}
