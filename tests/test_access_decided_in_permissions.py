"""No module outside an app's permission module decides access (docs/architecture.md §2): the
memberships are read only in ``*/permissions.py`` — through ``orgs.permissions.organization_ids_of``
and what the permission modules build on it. Pages, services, selectors, APIs and tasks call a
named function or predicate of the owning app's permissions module instead."""

import ast

from tests.source_tree import BASE_DIR, own_modules

# The membership helpers of orgs.permissions: called by permission modules only.
MEMBERSHIP_HELPERS = {"organization_ids_of", "memberships_of", "has_role"}


def membership_reads(source: str) -> list[int]:
    """The lines of ``source`` that read memberships to decide access: a call of a membership
    helper, a query of ``Membership.objects`` (other than creating one), or a lookup through
    ``memberships__``."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            function = node.func
            name = function.id if isinstance(function, ast.Name) else getattr(function, "attr", None)
            if name in MEMBERSHIP_HELPERS:
                lines.append(node.lineno)
            if (
                isinstance(function, ast.Attribute)
                and function.attr != "create"
                and isinstance(function.value, ast.Attribute)
                and function.value.attr == "objects"
                and isinstance(function.value.value, ast.Name)
                and function.value.value.id == "Membership"
            ):
                lines.append(node.lineno)
            if any((keyword.arg or "").startswith("memberships__") for keyword in node.keywords):
                lines.append(node.lineno)
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and node.value.startswith("memberships__")
        ):
            lines.append(node.lineno)
    return sorted(set(lines))


def test_only_permission_modules_read_memberships() -> None:
    offenders = [
        f"{path.relative_to(BASE_DIR)}:{line}"
        for path in own_modules()
        if path.name != "permissions.py"
        for line in membership_reads(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "decide access in the owning app's permissions.py: " + ", ".join(offenders)


def test_the_scan_finds_each_kind_of_membership_read() -> None:
    source = """
from orgs.permissions import organization_ids_of
ids = organization_ids_of(user, verified_only=True)
acts = permissions.has_role(user, 1, "officer")
rows = Membership.objects.filter(user=user)
staff = User.objects.filter(memberships__role="finance")
ordered = User.objects.order_by("memberships__organization_id")
Membership.objects.create(user=user, organization=organization, role="admin")
mine = user.memberships.select_related("organization")
"""
    assert membership_reads(source) == [3, 4, 5, 6, 7]
