"""Pinned query counts of every list endpoint (STYLE: they do not grow with page size). Each case
lists with 2 items, adds 8 more, lists again: the counts must be equal and at most the pin."""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from marketplace import services
from orgs.models import Membership, Organization

from . import factories as f
from .flows import active_contract, challenged_by_many, draft_contract, pass_deadline, published_tender

pytestmark = pytest.mark.django_db


def fresh_line(world):
    return f.BudgetLineFactory(bureau=world["bureau"], amount=50_000_000)


# --- builders: each adds ``count`` items to the listed collection and returns the path -----------


def add_tenders(world, state, count):
    """Alternately a published tender and an awarded one with its (active) contract, plus a draft."""
    for index in range(count):
        if index % 2:
            active_contract(world, budget_line=fresh_line(world))
        elif index % 4 == 0:
            published_tender(world, budget_line=fresh_line(world))
        else:
            f.TenderFactory(bureau=world["bureau"], catalogue_item=world["catalogue_item"])
    return "tenders/"


def add_budget_lines(world, state, count):
    for _ in range(count):
        published_tender(world, budget_line=fresh_line(world))
    return "budget-lines/"


def add_contracts(world, state, count):
    for index in range(count):
        make = active_contract if index % 2 else draft_contract
        make(world, budget_line=fresh_line(world))
    return "contracts/"


def add_organizations(world, state, count):
    for index in range(count):
        organization = f.OrganizationFactory(
            kind=Organization.Kind.PROVIDER,
            status=Organization.Status.PENDING if index % 2 else Organization.Status.VERIFIED,
            jurisdiction=world["areas"]["community"],
        )
        f.member(organization, Membership.Role.ADMIN)
    return "organizations/"


def add_areas(world, state, count):
    for _ in range(count):
        f.AreaFactory(level="compound", parent=world["areas"]["community"])
    return "areas/"


def add_households(world, state, count):
    for _ in range(count):
        f.HouseholdFactory(area=world["areas"]["compound"])
        f.HouseholdFactory(area=world["areas"]["other_compound"])  # outside the officer's view
    return "households/"


def add_catalogue(world, state, count):
    for _ in range(count):
        f.CatalogueItemFactory()
    return "catalogue/"


def add_bids(world, state, count):
    """A tender with bids from that many providers, opened at the close (listed by the bureau).
    Bids cannot be added after the close, so the second call makes a new tender with all of them."""
    state["bids"] = state.get("bids", 0) + count
    tender = published_tender(world, budget_line=fresh_line(world))
    for _ in range(state["bids"]):
        provider = f.OrganizationFactory(kind=Organization.Kind.PROVIDER)
        admin = f.member(provider, Membership.Role.ADMIN)
        bid = services.bid_create(
            actor=admin,
            tender=tender,
            provider=provider,
            data={
                "price_amount": 25_000_000,
                "technical_proposal": "Plan",
                "staffing_plan": "Team",
                "declarations": {"eligibility": True, "no_double_funding": True, "no_conflict": True},
            },
        )
        services.bid_submit(actor=admin, bid=bid)
    services.tender_close(actor=world["officer"], tender=pass_deadline(tender))
    return f"tenders/{tender.id}/bids/"


def add_own_bids(world, state, count):
    """A provider's own bids on an open tender: one draft at a time, so each is submitted and
    withdrawn before the next is drafted."""
    if "tender" not in state:
        state["tender"] = published_tender(world)
    admin = world["provider_admins"][0]
    for _ in range(count):
        bid = services.bid_create(
            actor=admin,
            tender=state["tender"],
            provider=world["providers"][0],
            data={
                "price_amount": 25_000_000,
                "technical_proposal": "Plan",
                "staffing_plan": "Team",
                "declarations": {"eligibility": True, "no_double_funding": True, "no_conflict": True},
            },
        )
        services.bid_withdraw(actor=admin, bid=services.bid_submit(actor=admin, bid=bid))
    return f"tenders/{state['tender'].id}/bids/"


def add_questions(world, state, count):
    """Questions from several providers, every other one answered."""
    if "tender" not in state:
        state["tender"] = published_tender(world)
    tender = state["tender"]
    for index in range(count):
        asker = world["provider_admins"][index % 3]
        question = services.question_ask(actor=asker, tender=tender, text=f"Question {index}?")
        if index % 2:
            services.question_answer(actor=world["officer"], question=question, answer="Yes.")
    return f"tenders/{tender.id}/questions/"


def add_challenges(world, state, count):
    """A tender's award challenged by that many bidders (awaiting the reply, dismissed, complained
    of). Only bidders challenge, so the second call makes a new tender with all of them."""
    state["challenges"] = state.get("challenges", 0) + count
    return f"tenders/{challenged_by_many(world, state['challenges']).id}/challenges/"


@dataclass
class Case:
    builder: Callable[..., str]
    who: str | None
    pinned: int

    def user(self, world):
        if self.who is None:
            return None
        if self.who == "provider_admin":
            return world["provider_admins"][0]
        return world[self.who]


def add_appeals(world, state, count):
    """Decided appeals of published evaluations of one contract, one appeal each (rows written
    directly: the list is measured)."""
    from decimal import Decimal

    from evaluations.models import Appeal, Evaluation

    from .flows import delivering_contract, published_evaluation

    if "evaluation" not in state:
        objects = delivering_contract(world, households=3)
        state["evaluation"] = published_evaluation(world, objects)
    first = state["evaluation"]
    for _ in range(count):
        state["round"] = state.get("round", first.round) + 1
        evaluation = Evaluation.objects.create(
            contract=first.contract, stage=first.stage, round=state["round"]
        )
        Evaluation.objects.filter(pk=evaluation.pk).update(status="published", composite=first.composite)
        Appeal.objects.create(
            evaluation=evaluation,
            filed_by=world["provider_admins"][0],
            review_body=world["review_body"],
            grounds="Too low.",
            claimed_buyer=Decimal("95"),
            published_composite=first.composite,
            claimed_composite=first.composite + 3,
            status=Appeal.Status.DISMISSED,
        )
    return "appeals/"


# Pins measured on SQLite and PostgreSQL. Typical shape: token + roles (authenticated), COUNT, the
# page, one query per prefetch. Nested lists fetch their tender first (with its prefetches); the
# questions list fetches it twice (get_queryset and get_serializer_class) and the bids list asks two
# more questions to decide whether bids are sealed for the caller.
CASES = {
    # +2: a tender carries its amendments and the residents' needs it answers (one prefetch each)
    "tenders-anonymous": Case(add_tenders, None, 8),
    "tenders-officer": Case(add_tenders, "officer", 10),
    "tenders-provider": Case(add_tenders, "provider_admin", 10),
    "budget-lines-finance": Case(add_budget_lines, "finance", 4),
    "budget-lines-admin": Case(add_budget_lines, "platform_admin", 3),
    # +1: instalments carry their latest payment (one prefetch, whatever the page size); +2: the
    # tenders' awards (``sign_by``) and the variations (whether ``vary`` is available), prefetched
    "contracts-anonymous": Case(add_contracts, None, 6),
    "contracts-officer": Case(add_contracts, "officer", 8),
    "contracts-provider": Case(add_contracts, "provider_admin", 8),
    "contracts-admin": Case(add_contracts, "platform_admin", 8),
    "organizations-anonymous": Case(add_organizations, None, 2),
    "organizations-admin": Case(add_organizations, "platform_admin", 3),
    "areas-anonymous": Case(add_areas, None, 2),
    "households-officer": Case(add_households, "officer", 5),
    "households-admin": Case(add_households, "platform_admin", 3),
    "catalogue-anonymous": Case(add_catalogue, None, 2),
    # opened bids ask once whether the tender's award notice is out (their own scores follow it)
    "bids-officer": Case(add_bids, "officer", 11),
    "bids-admin": Case(add_bids, "platform_admin", 11),
    "bids-provider": Case(add_own_bids, "provider_admin", 11),
    "questions-anonymous": Case(add_questions, None, 7),
    "questions-officer": Case(add_questions, "officer", 14),
    "questions-provider": Case(add_questions, "provider_admin", 14),
    # each challenge carries its complaint (joined): who sees the challenger is decided without a
    # query per row
    "challenges-anonymous": Case(add_challenges, None, 3),
    "challenges-officer": Case(add_challenges, "officer", 5),
    "challenges-reviewer": Case(add_challenges, "reviewer", 5),
    "challenges-admin": Case(add_challenges, "platform_admin", 5),
    "appeals-officer": Case(add_appeals, "officer", 6),
    "appeals-provider": Case(add_appeals, "provider_admin", 6),
    "appeals-reviewer": Case(add_appeals, "reviewer", 6),
}


def count_queries(client, path) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, page_size=100)
    assert response.status_code == 200, response.json()
    return len(captured), len(response.json()["results"])


@pytest.mark.parametrize("name", list(CASES))
def test_list_query_count_does_not_grow(world, api, name):
    case = CASES[name]
    client = api(case.user(world))
    state: dict = {}

    path = case.builder(world, state, 2)
    few, few_rows = count_queries(client, path)

    path = case.builder(world, state, 8)
    many, many_rows = count_queries(client, path)

    assert many_rows > few_rows
    assert few == many
    assert many <= case.pinned, f"{many} queries, pinned at {case.pinned}"


def test_ocds_releases_query_count_does_not_grow(world, api):
    """The open data (docs/rules.md §21) reads every procedure in a fixed number of queries."""
    client = api(None)
    add_tenders(world, {}, 2)
    client.get("ocds/releases/")  # content types are cached after the first call
    with CaptureQueriesContext(connection) as few:
        first = client.get("ocds/releases/").json()["releases"]
    add_tenders(world, {}, 8)
    with CaptureQueriesContext(connection) as many:
        second = client.get("ocds/releases/").json()["releases"]
    assert len(second) > len(first)
    assert len(few) == len(many)
    # the tenders, then one query each: contracts, amendments, opened bids, awards, instalments,
    # variations, payments, evaluations, rating aggregates, four transition logs, documents
    assert len(many) <= 15, f"{len(many)} queries, pinned at 15"
