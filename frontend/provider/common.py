"""What every provider page needs: the organisation the signed-in member belongs to (verified or
still awaiting verification) and the text that explains its status."""

from typing import Any, cast

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from marketplace.selectors import exclusion_in_force
from orgs.models import Organization, User
from orgs.permissions import member_organization_ids

STATUS_EXPLANATIONS = {
    Organization.Status.PENDING: _(
        "The platform administrator checks your registration and unified social credit code. "
        "Until then you can browse tenders, but you cannot ask questions, bid or sign contracts."
    ),
    Organization.Status.VERIFIED: _(
        "Your organisation is verified. You can ask questions about tenders, bid, sign contracts and "
        "report on the services you deliver."
    ),
    Organization.Status.SUSPENDED: _(
        "Your organisation is suspended. You cannot bid or sign contracts until the platform "
        "administrator reinstates it. Contact the bureau to find out why and what to do."
    ),
}


def actor(request: HttpRequest) -> User:
    """The signed-in user (the pages' decorator has turned anonymous visitors away)."""
    return cast(User, request.user)


def posted(request: HttpRequest) -> Any:
    """The POST data to bind a form to (an empty POST still binds, so it shows its errors)."""
    return request.POST if request.method == "POST" else None


def provider_organization(request: HttpRequest) -> Organization:
    """The provider the member acts for: the verified one the area gives, else their own provider
    organisation in whatever status (a member of a pending provider has no acting organisation)."""
    organization: Organization | None = getattr(request, "organization", None)
    if organization is not None:
        return organization
    user: Any = request.user
    ids = member_organization_ids(user, kind=Organization.Kind.PROVIDER)
    return Organization.objects.get(id=ids[0])  # area_required("provider") guarantees one


def status_context(organization: Organization) -> dict[str, Any]:
    return {
        "organization": organization,
        "status_explanation": STATUS_EXPLANATIONS.get(Organization.Status(organization.status), ""),
        # barred from submitting bids (docs/rules.md §17.6): the pages say so before a bid is written
        "exclusion": exclusion_in_force(organization),
    }
