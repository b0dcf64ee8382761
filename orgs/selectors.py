"""Reads of the orgs app used by other apps' API layers."""

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Upper
from django.utils.translation import gettext as _

from common.errors import Forbidden
from orgs.errors import OrgsError

from .auth import Caller, signed_in
from .models import Area, GridPost, Household, Organization, Resident
from .permissions import grid_viewer_paths, is_platform_admin


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


# --- The grid (docs/rules.md §25) ------------------------------------------------------------------


@dataclass
class GridNode:
    """One node of the grid as its committee and bureau see it: who is responsible there, the codes
    of the households registered at the node itself, and the counts of its whole subtree."""

    area: Area
    depth: int
    posts: list[GridPost] = field(default_factory=list)
    household_codes: list[str] = field(default_factory=list)
    households: int = 0
    confirmed_residents: int = 0
    pending_residents: int = 0

    @property
    def in_grid(self) -> bool:
        """Whether people may be posted here (a community or below)."""
        return self.area.level in GridPost.LEVELS


def may_see_grid_of(user: Caller, area: Area) -> bool:
    return is_platform_admin(user) or any(area.path.startswith(path) for path in grid_viewer_paths(user))


def grid_of(*, user: Caller, root: Area) -> list[GridNode]:
    """The tree below ``root`` (included), in path order, each node with its current posts, its own
    households' codes and its subtree's households, confirmed residents and pending registrations —
    four queries whatever the size of the tree. Nothing for a user who may not see this grid."""
    if not may_see_grid_of(user, root):
        return []
    areas = list(Area.objects.filter(path__startswith=root.path).order_by("path"))
    root_depth = root.path.count("/")
    nodes = {area.pk: GridNode(area=area, depth=area.path.count("/") - root_depth) for area in areas}
    posts = (
        GridPost.objects.visible_to(user)
        .filter(status=GridPost.Status.ACTIVE, area__path__startswith=root.path)
        .order_by("role", "id")
    )
    for post in posts:
        nodes[post.area_id].posts.append(post)

    def add_up(area_id: int, **counts: int) -> None:
        """Add to the node and every node above it, up to the root."""
        current: int | None = area_id
        while current in nodes:
            node = nodes[current]
            for name, value in counts.items():
                setattr(node, name, getattr(node, name) + value)
            current = node.area.parent_id

    codes = Household.objects.filter(area__path__startswith=root.path).order_by("code")
    for area_id, code in codes.values_list("area_id", "code"):
        nodes[area_id].household_codes.append(code)
        add_up(area_id, households=1)
    Status = Resident.Status
    residents = (
        Resident.objects.filter(household__area__path__startswith=root.path)
        .values("household__area_id")
        .annotate(
            confirmed=Count("id", filter=Q(status=Status.CONFIRMED)),
            pending=Count("id", filter=Q(status=Status.PENDING)),
        )
        .order_by()
    )
    for row in residents:
        add_up(
            row["household__area_id"], confirmed_residents=row["confirmed"], pending_residents=row["pending"]
        )
    return list(nodes.values())


def grid_employers() -> QuerySet[Organization]:
    """Who may employ a grid worker (FR-1.7): verified providers and community committees."""
    employers: QuerySet[Organization] = Organization.objects.filter(
        kind__in=[Organization.Kind.PROVIDER, Organization.Kind.COMMUNITY],
        status=Organization.Status.VERIFIED,
    ).order_by("kind", "name")
    return employers
