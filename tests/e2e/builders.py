"""Small data for the browser tests: only what a page needs, built through the factories and the
real services (tests/flows.py). Each test builds its own; the live server's transactional teardown
empties every table afterwards."""

from orgs.models import Area, Membership, Organization

from .. import factories as f
from .. import flows


def bureau(**user_fields) -> dict:
    """A bureau with a jurisdiction, a budget line, a catalogue item and an officer: the keys
    tests/flows.py needs to publish a tender (``flows.published_tender(bureau())``)."""
    district = f.AreaFactory(level=Area.Level.DISTRICT, name="Wuhou")
    organization = f.OrganizationFactory(
        kind=Organization.Kind.BUREAU,
        legal_type=Organization.LegalType.GOVERNMENT_AGENCY,
        name="Wuhou Civil Affairs Bureau",
        jurisdiction=district,
    )
    return {
        "bureau": organization,
        "officer": f.member(organization, Membership.Role.OFFICER, **user_fields),
        "budget_line": f.BudgetLineFactory(bureau=organization, amount=100_000_000),
        "catalogue_item": f.CatalogueItemFactory(),
    }


def published_tender(world: dict, **fields):
    return flows.published_tender(world, **fields)
