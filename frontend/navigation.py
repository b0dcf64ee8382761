"""Where each signed-in person's work is: every role area the user may open
(``frontend.access.areas_of``) with the pages of that area their roles let them use. The home
page's "Your work", the service navigation and each area's landing page all list these, so a page
a role may use is never reachable only by typing its address."""

from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from contracts.permissions import officer_bureau_ids, party_organization_ids
from orgs.models import Membership
from orgs.permissions import confirms_residents_for_bureau, jurisdiction_paths, may_manage_households
from payments.permissions import finance_bureau_ids

from .access import areas_of

Role = Membership.Role

AREA_LABELS = {
    "bureau": _("Bureau"),
    "provider": _("Provider"),
    "assessor": _("Assessment"),
    "community": _("Community"),
    "review": _("Complaints"),
    "resident": _("My ratings"),
}


@dataclass(frozen=True)
class Link:
    label: Any
    url: str
    in_navigation: bool = False  # also an item of the service navigation (the busiest pages)


@dataclass(frozen=True)
class Area:
    area: str
    label: Any
    url: str
    links: list[Link] = field(default_factory=list)


def _bureau_links(user: Any) -> list[Link]:
    links = [
        Link(_("Tenders of the bureau"), reverse("bureau:tenders")),
        Link(_("Contracts"), reverse("casework:contracts"), in_navigation=True),
        Link(_("Exclusions from bidding"), reverse("bureau:exclusions")),
        Link(_("Tasks sent to communities"), reverse("bureau:community_tasks")),
    ]
    if jurisdiction_paths(user, Role.OFFICER, Role.ADMIN):
        links.append(Link(_("The grid"), reverse("bureau:grid")))
    if finance_bureau_ids(user):
        links.append(Link(_("Payments"), reverse("casework:payments"), in_navigation=True))
    if officer_bureau_ids(user):
        links.append(Link(_("Quarantined ratings"), reverse("casework:ratings")))
        links.append(Link(_("Appeals of evaluations"), reverse("casework:appeals")))
    if confirms_residents_for_bureau(user):
        links.append(Link(_("Residents to confirm"), reverse("bureau:residents")))
    if may_manage_households(user):
        links.append(Link(_("Import households"), reverse("bureau:household_import")))
    return links


def _provider_links(user: Any) -> list[Link]:
    links = [
        Link(_("Open tenders"), reverse("provider:tenders")),
        Link(_("Your challenges"), reverse("provider:challenges")),
    ]
    if party_organization_ids(user):  # a provider awaiting verification has no contracts yet
        links.append(Link(_("Your contracts"), reverse("provider:contracts")))
    return links


def links_of(user: Any, area: str) -> list[Link]:
    """The pages of ``area`` (besides its landing page) the user's roles let them use."""
    if area == "bureau":
        return _bureau_links(user)
    if area == "provider":
        return _provider_links(user)
    if area == "community":
        return [
            Link(_("Your community"), reverse("community:grid"), in_navigation=True),
            Link(_("Residents to confirm"), reverse("community:residents")),
            Link(_("Needs for the council"), reverse("needs:council")),
            Link(_("Tasks sent to the community"), reverse("community:tasks"), in_navigation=True),
        ]
    if area == "resident":
        return [
            Link(_("Your community's needs"), reverse("needs:list")),
            Link(_("Propose a need"), reverse("needs:new")),
        ]
    return []


def areas_with_links(user: Any) -> list[Area]:
    return [
        Area(area, AREA_LABELS[area], reverse(f"{area}:home"), links_of(user, area))
        for area in areas_of(user)
    ]
