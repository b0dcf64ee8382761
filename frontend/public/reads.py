"""Reads the public pages share. Visibility always comes from the apps' selectors and visibility
querysets (what the API shows the same caller); this module only narrows and combines them."""

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from contracts.models import Contract
from contracts.permissions import party_organization_ids
from contracts.selectors import contract_list
from evaluations.models import Evaluation
from evaluations.selectors import evaluation_list_public
from orgs.models import Organization


def public_providers(user: Any) -> QuerySet[Organization]:
    """Providers whose profile the user may open: verified ones (and one's own)."""
    return Organization.objects.visible_to(user).filter(kind=Organization.Kind.PROVIDER)


def public_provider_ids(user: Any, provider_ids: list[int]) -> set[int]:
    """Which of these providers have a public profile (to link their names), in one query."""
    ids = [pk for pk in provider_ids if pk]
    if not ids:
        return set()
    return set(public_providers(user).filter(id__in=ids).values_list("id", flat=True))


def visible_contracts(user: Any) -> QuerySet[Contract]:
    return contract_list(user=user)


def public_evaluations(contracts: Any) -> QuerySet[Evaluation]:
    return evaluation_list_public(contracts=contracts)


def party_links(user: Any, contract: Contract) -> list[str]:
    """Where a party to the contract sees more of it: the contract in its own area."""
    if not getattr(user, "is_authenticated", False):
        return []
    ids = set(party_organization_ids(user))
    links = []
    if contract.bureau_id in ids:
        links.append(reverse("casework:contract", args=[contract.pk]))
    if contract.provider_id in ids:
        links.append(reverse("provider:contract", args=[contract.pk]))
    if contract.assessor_id in ids:
        links.append(reverse("assessor:home"))
    if contract.community_id in ids:
        links.append(reverse("community:home"))
    return links
