"""Who may act in orgs, and the membership facts every other app's rules build on.

Only verified organisations act: a membership counts for acting only while its organisation is
verified. The roles are read once per user object and cached on it (one query per request)."""

import datetime
from typing import NamedTuple

import rules
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from common.errors import Forbidden, Invalid

from .auth import Caller, signed_in
from .models import (
    Area,
    GridPost,
    Household,
    HouseholdImport,
    Membership,
    Organization,
    PastMembership,
    Resident,
    User,
)

Role = Membership.Role
Kind = Organization.Kind


class MembershipFact(NamedTuple):
    """One membership of a user, with what access depends on: its organisation's kind and status."""

    organization_id: int
    kind: str
    status: str
    role: str


def memberships_of(user: Caller) -> list[MembershipFact]:
    """Every membership of the user, read once per user object (one query per request)."""
    if not signed_in(user):
        return []
    cached: list[MembershipFact] | None = getattr(user, "_memberships", None)
    if cached is None:
        rows = (
            Membership.objects.filter(user=user)
            .order_by("organization_id", "id")
            .values_list("organization_id", "organization__kind", "organization__status", "role")
        )
        cached = [MembershipFact(*row) for row in rows]
        user._memberships = cached
    return cached


def forget_roles(user: Caller) -> None:
    """Drop the cached memberships after memberships or organisation statuses change."""
    for attribute in (
        "_memberships",
        "_frontend_areas",
        "_grid_paths",
        "_grid_manager_paths",
        "_grid_viewer_paths",
    ):
        if hasattr(user, attribute):
            delattr(user, attribute)


def organization_ids_of(user: Caller, *roles: str, verified_only: bool, kind: str | None = None) -> list[int]:
    """The one membership question every app's rules ask: the organisations (of ``kind``, if given)
    where the user holds any of ``roles`` (any role if none given), by id.

    ``verified_only=True`` counts only verified organisations: only they act (sign, pay, see drafts).
    ``verified_only=False`` counts every membership whatever the organisation's status: for reading
    one's own organisation and bids, and for conflicts of interest."""
    ids = (
        fact.organization_id
        for fact in memberships_of(user)
        if (not roles or fact.role in roles)
        and (kind is None or fact.kind == kind)
        and (not verified_only or fact.status == Organization.Status.VERIFIED)
    )
    return list(dict.fromkeys(ids))


def has_role(user: Caller, organization_id: int | None, *roles: str) -> bool:
    """Whether the user acts for the organisation in one of ``roles``: ``organization_ids_of`` with
    ``verified_only=True``."""
    return organization_id is not None and organization_id in organization_ids_of(
        user, *roles, verified_only=True
    )


def member_organization_ids(user: Caller, kind: str | None = None) -> list[int]:
    """The organisations (of ``kind``, if given) the user belongs to, in any status: what counts for
    reading one's own organisation, bids and questions, and for conflicts of interest."""
    return organization_ids_of(user, kind=kind, verified_only=False)


def organization_ids_ever_of(user: Caller, *, since: datetime.datetime) -> list[int]:
    """The organisations the user belongs to now, in any status, or belonged to at some moment since
    ``since`` (a membership removed since then, ``PastMembership``): for the evaluators' conflict of
    interest (docs/rules.md §17.7)."""
    if not signed_in(user):
        return []
    past = PastMembership.objects.filter(user=user, ended_at__gte=since).values_list(
        "organization_id", flat=True
    )
    return list(dict.fromkeys([*member_organization_ids(user), *past]))


def area_kinds_of(user: Caller) -> list[str]:
    """The organisation kinds whose area the user may open: a membership in a verified organisation
    of that kind, or in a provider in any status (its members see their status and what happens
    next)."""
    return [
        kind
        for kind in Kind.values
        if organization_ids_of(user, kind=kind, verified_only=kind != Kind.PROVIDER)
    ]


def acting_organization_of(user: Caller, kind: str, *roles: str) -> Organization | None:
    """The verified organisation of ``kind`` where the user holds one of ``roles`` (any role if none
    given); the first by id when there are several."""
    ids = organization_ids_of(user, *roles, kind=kind, verified_only=True)
    organization: Organization | None = Organization.objects.filter(id__in=ids[:1]).first()
    return organization


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


@rules.predicate
def is_platform_admin(user: Caller) -> bool:
    return signed_in(user) and user.is_superuser


@rules.predicate
def is_organization_admin(user: Caller, organization: Organization) -> bool:
    return has_role(user, organization.id, Role.ADMIN)


def jurisdiction_paths(user: Caller, *roles: str) -> list[str]:
    """Area paths of the verified bureaus where the user holds one of ``roles``."""
    org_ids = organization_ids_of(user, *roles, kind=Kind.BUREAU, verified_only=True)
    if not org_ids:
        return []
    paths = _jurisdiction_paths(user)
    return sorted({paths[pk] for pk in org_ids if pk in paths})


@rules.predicate
def may_manage_households(user: Caller) -> bool:
    """Whoever may manage households somewhere: officers and admins of a bureau with a
    jurisdiction, and the platform admin. Anyone else is refused outright (403)."""
    return is_platform_admin(user) or bool(jurisdiction_paths(user, Role.OFFICER, Role.ADMIN))


def household_import_bureau(user: Caller) -> Organization | None:
    """The bureau a household import is sent for: the first (by id) verified bureau with a
    jurisdiction where the user is officer or admin; none for the platform admin acting alone."""
    bureau: Organization | None = (
        Organization.objects.filter(
            id__in=organization_ids_of(user, Role.OFFICER, Role.ADMIN, verified_only=True),
            kind=Kind.BUREAU,
            jurisdiction__isnull=False,
        )
        .order_by("id")
        .first()
    )
    return bureau


@rules.predicate
def may_manage_households_in(user: Caller, area: Area) -> bool:
    """Bureau officers (and bureau admins) manage households within their jurisdiction."""
    if is_platform_admin(user):
        return True
    return any(area.path.startswith(path) for path in jurisdiction_paths(user, Role.OFFICER, Role.ADMIN))


def area_subtree_q(paths: list[str], field: str = "path") -> Q:
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(**{f"{field}__startswith": path})
    return condition


def households_visible_to(households: QuerySet[Household], user: Caller) -> QuerySet[Household]:
    """``Household.objects.visible_to(user)``: the households in the jurisdiction of the bureaus
    whose officer or admin the user is; the admin sees all."""
    households = households.select_related("area")
    if is_platform_admin(user):
        return households
    paths = jurisdiction_paths(user, Role.OFFICER, Role.ADMIN)
    return households.filter(area_subtree_q(paths, "area__path"))


def household_imports_visible_to(
    imports: QuerySet[HouseholdImport], user: Caller
) -> QuerySet[HouseholdImport]:
    """``HouseholdImport.objects.visible_to(user)``: the platform admin sees all; a bureau's
    officers and admins see those sent for their bureau; anyone sees their own. Others see none
    (404)."""
    imports = imports.defer("content")
    if is_platform_admin(user):
        return imports
    if not signed_in(user):
        return imports.none()
    bureaus = organization_ids_of(user, Role.OFFICER, Role.ADMIN, verified_only=True)
    return imports.filter(Q(created_by=user) | Q(bureau_id__in=bureaus))


def organizations_visible_to(organizations: QuerySet[Organization], user: Caller) -> QuerySet[Organization]:
    """``Organization.objects.visible_to(user)``: verified organisations are public
    (transparency); one's own are visible in any status."""
    organizations = organizations.select_related("jurisdiction")
    if is_platform_admin(user):
        return organizations
    visible = Q(status=Organization.Status.VERIFIED)
    if signed_in(user):
        visible |= Q(id__in=organization_ids_of(user, verified_only=False))
    return organizations.filter(visible)


# Who confirms residents for a bureau (docs/rules.md §12.2); any member does for a community committee.
BUREAU_RESIDENT_CONFIRMER_ROLES = (Role.OFFICER, Role.ADMIN)


def confirms_residents_for_bureau(user: Caller) -> bool:
    """Whether the user confirms residents for a verified bureau (the bureau's queue of
    registrations is its officers' and admins')."""
    return bool(organization_ids_of(user, *BUREAU_RESIDENT_CONFIRMER_ROLES, verified_only=True))


def resident_confirmer_paths(user: Caller) -> list[str]:
    """Area paths where the user may confirm residents (docs/rules.md §12.2): any member of a verified
    community committee, and officers and admins of a verified bureau, within its jurisdiction."""
    community_ids = organization_ids_of(user, verified_only=True)
    bureau_ids = organization_ids_of(user, *BUREAU_RESIDENT_CONFIRMER_ROLES, verified_only=True)
    if not community_ids and not bureau_ids:
        return []
    return list(
        Organization.objects.filter(
            Q(id__in=community_ids, kind=Kind.COMMUNITY) | Q(id__in=bureau_ids, kind=Kind.BUREAU),
            jurisdiction__isnull=False,
        )
        .values_list("jurisdiction__path", flat=True)
        .distinct()
    )


def residents_visible_to(residents: QuerySet[Resident], user: Caller) -> QuerySet[Resident]:
    """``Resident.objects.visible_to(user)``: the registrations of households in the areas where
    the user may confirm residents (the platform admin sees all, but confirming is local work)."""
    residents = residents.select_related("user", "household__area", "decided_by")
    if is_platform_admin(user):
        return residents
    return residents.filter(area_subtree_q(resident_confirmer_paths(user), "household__area__path"))


@rules.predicate
def may_decide_resident(user: Caller, resident: Resident) -> bool:
    """A community member or bureau officer whose jurisdiction covers the household; never for
    their own registration."""
    if resident.user_id == getattr(user, "pk", None):
        return False
    path = resident.household.area.path
    return any(path.startswith(prefix) for prefix in resident_confirmer_paths(user))


def confirmed_resident(user: Caller) -> Resident | None:
    """The user's resident registration if it is confirmed: only then does it speak for the
    household (rates, sees the household's ratings)."""
    resident = getattr(user, "resident", None) if signed_in(user) else None
    return resident if resident is not None and resident.is_confirmed else None


# --- The grid (docs/rules.md §25) ------------------------------------------------------------------
# Who manages the posts of a node: the admin of a verified community committee within its
# jurisdiction, an officer or admin of a verified bureau within its jurisdiction, the platform admin.
# Who sees them: those, and every member of the committee (its own grid). Nobody else: no names.
GRID_BUREAU_ROLES = (Role.OFFICER, Role.ADMIN)


def _jurisdiction_paths(user: Caller) -> dict[int, str]:
    """The jurisdiction's path of each verified committee and bureau the user belongs to (any role),
    by organisation id: one query per user object, whichever grid question is asked."""
    cached: dict[int, str] | None = getattr(user, "_grid_paths", None)
    if cached is None:
        ids = [
            fact.organization_id
            for fact in memberships_of(user)
            if fact.kind in (Kind.COMMUNITY, Kind.BUREAU) and fact.status == Organization.Status.VERIFIED
        ]
        cached = (
            dict(
                Organization.objects.filter(id__in=ids, jurisdiction__isnull=False).values_list(
                    "id", "jurisdiction__path"
                )
            )
            if ids
            else {}
        )
        if signed_in(user):
            user._grid_paths = cached
    return cached


def _jurisdictions(user: Caller, community_roles: tuple[str, ...]) -> list[str]:
    community_ids = organization_ids_of(user, *community_roles, kind=Kind.COMMUNITY, verified_only=True)
    bureau_ids = organization_ids_of(user, *GRID_BUREAU_ROLES, kind=Kind.BUREAU, verified_only=True)
    if not community_ids and not bureau_ids:
        return []
    paths = _jurisdiction_paths(user)
    return sorted({paths[pk] for pk in [*community_ids, *bureau_ids] if pk in paths})


def grid_manager_paths(user: Caller) -> list[str]:
    """Area paths under which the user manages grid posts (not the platform admin's: everywhere).
    Read once per user object."""
    cached: list[str] | None = getattr(user, "_grid_manager_paths", None)
    if cached is None:
        cached = _jurisdictions(user, (Role.ADMIN,))
        if signed_in(user):
            user._grid_manager_paths = cached
    return cached


def grid_viewer_paths(user: Caller) -> list[str]:
    """Area paths under which the user sees the grid's posts: the manager's, and any committee
    member's own jurisdiction."""
    cached: list[str] | None = getattr(user, "_grid_viewer_paths", None)
    if cached is None:
        cached = _jurisdictions(user, (Role.ADMIN, Role.MEMBER))
        if signed_in(user):
            user._grid_viewer_paths = cached
    return cached


def is_committee_member_at(user: User, area: Area) -> bool:
    """Whether the user belongs (any role) to a verified community committee whose jurisdiction
    covers the area: who may hold a committee member's post there."""
    ancestors = [area.path[: index + 1] for index, char in enumerate(area.path) if char == "/"]
    return Membership.objects.filter(
        user=user,
        organization__kind=Kind.COMMUNITY,
        organization__status=Organization.Status.VERIFIED,
        organization__jurisdiction__path__in=ancestors,
    ).exists()


@rules.predicate
def may_manage_grid(user: Caller) -> bool:
    """Whoever manages grid posts somewhere; anyone else is refused outright (403)."""
    return is_platform_admin(user) or bool(grid_manager_paths(user))


@rules.predicate
def may_manage_grid_in(user: Caller, area: Area) -> bool:
    if is_platform_admin(user):
        return True
    return any(area.path.startswith(path) for path in grid_manager_paths(user))


@rules.predicate
def may_end_grid_post(user: Caller, post: GridPost) -> bool:
    return bool(may_manage_grid_in(user, post.area))


def grid_posts_visible_to(posts: QuerySet[GridPost], user: Caller) -> QuerySet[GridPost]:
    """``GridPost.objects.visible_to(user)``: the posts under the areas the user sees the grid of
    (``grid_viewer_paths``); the platform admin sees all; anyone else none."""
    posts = posts.select_related("area", "user", "employer")
    if is_platform_admin(user):
        return posts
    if not signed_in(user):
        return posts.none()
    return posts.filter(area_subtree_q(grid_viewer_paths(user), "area__path"))


# The permissions of orgs, registered by ``OrgsConfig.ready()``.
PERMISSIONS: dict[str, rules.Predicate] = {
    "orgs.add_area": is_platform_admin,
    "orgs.add_organization": is_platform_admin,
    "orgs.verify_organization": is_platform_admin,
    "orgs.suspend_organization": is_platform_admin,
    "orgs.add_member": is_platform_admin | is_organization_admin,
    "orgs.remove_member": is_platform_admin | is_organization_admin,
    "orgs.manage_households": may_manage_households,
    "orgs.manage_households_in_area": may_manage_households_in,
    "orgs.confirm_resident": may_decide_resident,
    "orgs.reject_resident": may_decide_resident,
    "orgs.manage_grid": may_manage_grid,
    "orgs.manage_grid_in_area": may_manage_grid_in,
    "orgs.end_grid_post": may_end_grid_post,
}

# Each API verb of a machine: (the transition's method, or None if the verb is no transition of
# the machine, and the permission). ``common.transitions.transitions_available`` reads them for the
# API's ``available_transitions`` and the pages' buttons alike.
RESIDENT_TRANSITIONS = {
    "confirm": ("confirm", "orgs.confirm_resident"),
    "reject": ("reject", "orgs.reject_resident"),
}
ORGANIZATION_TRANSITIONS = {
    "verify": ("verify", "orgs.verify_organization"),
    "suspend": ("suspend", "orgs.suspend_organization"),
}
GRID_POST_TRANSITIONS = {
    "end": ("end", "orgs.end_grid_post"),
}
