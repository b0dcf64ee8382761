"""Every (state, transition) pair of the bid machine (docs/rules.md §2.1): allowed with its receipt,
reason and StateLog row, or refused with 409 and a stable code and then never half-done."""

import re
from decimal import Decimal

import pytest
from django_fsm_log.models import StateLog

from marketplace import services
from marketplace.models import Bid, Criterion, Tender
from marketplace.selectors import ranking_of
from marketplace.services.bids import receipt_for
from orgs.models import Membership, Organization
from orgs.permissions import forget_roles

from ..factories import MembershipFactory
from ..flows import (
    assert_refused,
    award_proposed_tender,
    draft_contract,
    draft_tender,
    evaluating_tender,
    last_log,
    machine_snapshot,
    pass_deadline,
    published_tender,
    submitted_bid,
)

B = Bid.Status
REASON = "The staffing plan names unqualified staff."
DECLARED = {"eligibility": True, "no_double_funding": True, "no_conflict": True}


def draft_bid(world, tender: Tender, index: int = 0, price: int = 28_000_000, **declarations) -> Bid:
    return services.bid_create(
        actor=world["provider_admins"][index],
        tender=tender,
        provider=world["providers"][index],
        data={
            "price_amount": price,
            "technical_proposal": "Weekly visits.",
            "staffing_plan": "Two social workers.",
            "declarations": {**DECLARED, **declarations},
        },
    )


def admin_of(world, bid: Bid):
    return world["provider_admins"][[p.id for p in world["providers"]].index(bid.provider_id)]


# --- Given: a bid in each state, reached through the real services ------------------------------


def _draft(world) -> Bid:
    return draft_bid(world, published_tender(world))


def _draft_after_close(world) -> Bid:
    tender = published_tender(world)
    draft = draft_bid(world, tender, 2)
    submitted_bid(world, tender, 0, 28_000_000)
    submitted_bid(world, tender, 1, 30_000_000)
    services.tender_close(actor=world["officer"], tender=pass_deadline(tender))
    return draft


def _submitted(world) -> Bid:
    return submitted_bid(world, published_tender(world), 0, 28_000_000)


def _submitted_past_deadline(world) -> Bid:
    bid = _submitted(world)
    pass_deadline(bid.tender)
    return bid


def _withdrawn(world) -> Bid:
    bid = _submitted(world)
    return services.bid_withdraw(actor=world["provider_admins"][0], bid=bid)


def _opened(world) -> Bid:
    return evaluating_tender(world).bids.get(provider=world["providers"][0])


def _opened_award_proposed(world) -> Bid:
    tender = award_proposed_tender(world)
    return tender.bids.get(provider=world["providers"][0])


def _disqualified(world) -> Bid:
    return services.bid_disqualify(actor=world["officer"], bid=_opened(world), reason=REASON)


def _awarded(world) -> Bid:
    return Bid.objects.get(pk=draft_contract(world).bid_id)


def _not_awarded(world) -> Bid:
    contract = draft_contract(world)
    return contract.tender.bids.exclude(pk=contract.bid_id).get()


def _not_awarded_unsuccessful(world) -> Bid:
    tender = published_tender(world)
    bid = submitted_bid(world, tender, 0, 28_000_000)
    services.tender_close(actor=world["officer"], tender=pass_deadline(tender))
    return Bid.objects.get(pk=bid.pk)


STATES = {
    "draft": _draft,
    "draft_after_close": _draft_after_close,
    "submitted": _submitted,
    "submitted_past_deadline": _submitted_past_deadline,
    "withdrawn": _withdrawn,
    "opened": _opened,
    "opened_award_proposed": _opened_award_proposed,
    "disqualified": _disqualified,
    "awarded": _awarded,
    "not_awarded": _not_awarded,
    "not_awarded_unsuccessful": _not_awarded_unsuccessful,
}


def attempt(world, bid: Bid, verb: str) -> Bid:
    if verb == "submit":
        return services.bid_submit(actor=admin_of(world, bid), bid=bid)
    if verb == "withdraw":
        return services.bid_withdraw(actor=admin_of(world, bid), bid=bid)
    if verb == "disqualify":
        return services.bid_disqualify(actor=world["officer"], bid=bid, reason=REASON)
    if verb == "edit":
        return services.bid_update(actor=admin_of(world, bid), bid=bid, data={"price_amount": 27_000_000})
    raise AssertionError(verb)


# --- The matrix -----------------------------------------------------------------------------------

# Each cell: the state reached, SAME (a draft edited: no transition), the code of the refusal, or
# None where the pair is not asked.
X = "invalid_transition"
SAME = "unchanged"
CLOSED = "bidding_closed"
LOCKED = "not_editable"
# fmt: off
MATRIX = {
    #                            submit       withdraw     disqualify      edit
    "draft":                    ("submitted", X,           X,              SAME),
    "draft_after_close":        (CLOSED,      X,           X,              None),
    "submitted":                (X,           "withdrawn", X,              LOCKED),
    "submitted_past_deadline":  (X,           CLOSED,      X,              LOCKED),
    "withdrawn":                (X,           X,           X,              LOCKED),
    "opened":                   (X,           X,           "disqualified", LOCKED),
    "opened_award_proposed":    (X,           X,           X,              LOCKED),
    "disqualified":             (X,           X,           X,              LOCKED),
    "awarded":                  (X,           X,           X,              LOCKED),
    "not_awarded":              (X,           X,           X,              LOCKED),
    "not_awarded_unsuccessful": (X,           X,           X,              LOCKED),
}
# fmt: on
VERBS = ("submit", "withdraw", "disqualify", "edit")
CASES = [
    pytest.param(state, verb, expected, id=f"{state}-{verb}")
    for state, outcomes in MATRIX.items()
    for verb, expected in zip(VERBS, outcomes, strict=True)
    if expected is not None
]


def test_the_matrix_names_every_state_of_the_machine():
    assert {_base(name) for name in STATES} == set(B)


def _base(name: str) -> str:
    for suffix in ("_after_close", "_past_deadline", "_award_proposed", "_unsuccessful"):
        name = name.removesuffix(suffix)
    return name


@pytest.mark.parametrize("state, verb, expected", CASES)
def test_every_state_and_transition(world, state, verb, expected):
    bid = STATES[state](world)
    source = Bid.objects.get(pk=bid.pk).status
    assert source == _base(state)

    if expected == SAME:  # editing a draft: no transition, no log
        logs_before = StateLog.objects.count()
        assert attempt(world, bid, verb).status == source
        assert StateLog.objects.count() == logs_before
        assert Bid.objects.get(pk=bid.pk).price_amount == 27_000_000
    elif expected not in B.values:
        assert_refused(lambda: attempt(world, bid, verb), expected)
    else:
        logs_before = StateLog.objects.for_(bid).count()
        result = attempt(world, bid, verb)
        bid = Bid.objects.get(pk=bid.pk)
        assert result.status == bid.status == expected
        assert StateLog.objects.for_(bid).count() == logs_before + 1
        log = last_log(bid)
        actor = world["officer"] if verb == "disqualify" else admin_of(world, bid)
        assert (log.by, log.source_state, log.state) == (actor, source, expected)
        if verb == "disqualify":
            assert log.description == REASON == bid.disqualification_reason


API_CASES = [
    ("draft", "post", "submit", 200, B.SUBMITTED),
    ("submitted", "post", "submit", 409, "invalid_transition"),
    ("submitted", "post", "withdraw", 200, B.WITHDRAWN),
    ("submitted", "patch", "", 409, "not_editable"),
    ("submitted_past_deadline", "post", "withdraw", 409, "bidding_closed"),
    ("withdrawn", "post", "withdraw", 409, "invalid_transition"),
    ("withdrawn", "post", "submit", 409, "invalid_transition"),
    ("opened", "post", "withdraw", 409, "invalid_transition"),
    ("opened", "post", "disqualify", 200, B.DISQUALIFIED),
    ("opened_award_proposed", "post", "disqualify", 409, "invalid_transition"),
    ("disqualified", "post", "disqualify", 409, "invalid_transition"),
    ("awarded", "post", "disqualify", 409, "invalid_transition"),
    ("awarded", "patch", "", 409, "not_editable"),
    ("not_awarded", "post", "submit", 409, "invalid_transition"),
]


@pytest.mark.parametrize(
    "state, method, verb, status_code, expected",
    API_CASES,
    ids=[f"{c[0]}-{c[1]}{'-' + c[2] if c[2] else ''}" for c in API_CASES],
)
def test_transitions_through_the_api(world, api, state, method, verb, status_code, expected):
    bid = STATES[state](world)
    actor = world["officer"] if verb == "disqualify" else admin_of(world, bid)
    client = api(actor)
    before = machine_snapshot()

    if method == "patch":
        response = client.patch(f"bids/{bid.pk}/", {"price_amount": 27_000_000})
    else:
        response = client.post(f"bids/{bid.pk}/{verb}/", {"reason": REASON} if verb == "disqualify" else {})

    assert response.status_code == status_code, response.json()
    if status_code == 200:
        assert response.json()["status"] == expected == Bid.objects.get(pk=bid.pk).status
    else:
        assert response.json()["code"] == expected
        assert machine_snapshot() == before


AVAILABLE = [
    ("draft", "provider", ["submit"]),
    ("draft_after_close", "provider", []),
    ("submitted", "provider", ["withdraw"]),
    ("submitted_past_deadline", "provider", []),
    ("withdrawn", "provider", []),
    ("opened", "provider", []),
    ("opened", "officer", ["disqualify"]),
    ("opened_award_proposed", "officer", []),
    ("disqualified", "officer", []),
    ("awarded", "officer", []),
    ("not_awarded", "officer", []),
]


@pytest.mark.parametrize("state, who, verbs", AVAILABLE, ids=[f"{a[0]}-{a[1]}" for a in AVAILABLE])
def test_available_transitions_follow_the_machine(world, api, state, who, verbs):
    """A verb is offered only when the service would take it (docs/rules.md §16)."""
    bid = STATES[state](world)
    actor = world["officer"] if who == "officer" else admin_of(world, bid)
    response = api(actor).get(f"bids/{bid.pk}/")
    assert response.status_code == 200
    assert response.json()["available_transitions"] == verbs


# --- submit: the seal and its guards ---------------------------------------------------------------


def test_submit_seals_the_bid_with_a_receipt(world, api):
    bid = _draft(world)

    response = api(world["provider_admins"][0]).post(f"bids/{bid.pk}/submit/")

    assert response.status_code == 200
    bid = Bid.objects.select_related("tender").get(pk=bid.pk)
    assert response.json()["receipt"] == bid.receipt == receipt_for(bid)
    assert re.fullmatch(r"[0-9a-f]{64}", bid.receipt)
    assert response.json()["submitted_at"] is not None and bid.submitted_at is not None
    assert response.json()["available_transitions"] == ["withdraw"]


def _unverify(world, bid: Bid) -> None:
    Organization.objects.filter(pk=bid.provider_id).update(status=Organization.Status.SUSPENDED)
    forget_roles(admin_of(world, bid))


def _close_bidding(world, bid: Bid) -> None:
    pass_deadline(bid.tender)


def _cancel_tender(world, bid: Bid) -> None:
    services.tender_cancel(actor=world["officer"], tender=bid.tender, reason="Needs changed.")


def _raise_price(world, bid: Bid) -> None:
    # A stored draft above the ceiling (the API refuses one at create and edit: see below)
    Bid.objects.filter(pk=bid.pk).update(price_amount=bid.tender.ceiling_amount + 1)


def _undeclare(field: str):
    def undeclare(world, bid: Bid) -> None:
        services.bid_update(actor=admin_of(world, bid), bid=bid, data={"declarations": {field: False}})

    return undeclare


def _join_the_bureau(world, bid: Bid) -> None:
    admin = admin_of(world, bid)
    MembershipFactory(user=admin, organization=bid.tender.bureau, role=Membership.Role.EVALUATOR)
    forget_roles(admin)


@pytest.mark.parametrize(
    "break_guard, code, status_code",
    [
        pytest.param(_unverify, "permission_denied", 403, id="provider-not-verified"),
        pytest.param(_join_the_bureau, "conflict_of_interest", 403, id="bureau-and-provider"),
        pytest.param(_close_bidding, "bidding_closed", 409, id="after-the-deadline"),
        pytest.param(_cancel_tender, "bidding_closed", 409, id="tender-cancelled"),
        pytest.param(_raise_price, "price_above_ceiling", 409, id="price-above-ceiling"),
        pytest.param(_undeclare("eligibility"), "declarations_required", 409, id="no-eligibility"),
        pytest.param(_undeclare("no_double_funding"), "declarations_required", 409, id="double-funding"),
        pytest.param(_undeclare("no_conflict"), "declarations_required", 409, id="no-conflict-missing"),
    ],
)
def test_submit_guards(world, break_guard, code, status_code):
    # Given a draft that would be submitted, but for one broken guard
    bid = _draft(world)
    break_guard(world, bid)

    # When the provider submits, then it is refused and the bid stays a draft
    assert_refused(lambda: services.bid_submit(actor=admin_of(world, bid), bid=bid), code, status_code)
    assert Bid.objects.get(pk=bid.pk).status == B.DRAFT


def test_a_second_live_bid_is_refused(world):
    # Given a submitted bid, and then a new draft of the same provider (one draft at a time)
    first = _submitted(world)
    second = draft_bid(world, first.tender, 0, 29_000_000)

    # When the provider submits the draft, then it is refused and stays a draft
    assert_refused(
        lambda: services.bid_submit(actor=admin_of(world, second), bid=second), "duplicate_bid", 409
    )
    assert Bid.objects.get(pk=second.pk).status == B.DRAFT


def test_submit_at_the_ceiling_is_allowed(world):
    tender = published_tender(world)
    bid = draft_bid(world, tender, price=tender.ceiling_amount)
    assert services.bid_submit(actor=world["provider_admins"][0], bid=bid).status == B.SUBMITTED


def test_after_withdrawing_a_provider_may_submit_again(world):
    first = _submitted(world)
    services.bid_withdraw(actor=world["provider_admins"][0], bid=first)

    second = services.bid_submit(
        actor=world["provider_admins"][0], bid=draft_bid(world, first.tender, price=29_000_000)
    )

    assert second.status == B.SUBMITTED
    assert Bid.objects.get(pk=first.pk).status == B.WITHDRAWN
    # Closing opens only the live bid
    submitted_bid(world, first.tender, 1, 30_000_000)
    services.tender_close(actor=world["officer"], tender=pass_deadline(first.tender))
    assert Bid.objects.get(pk=first.pk).status == B.WITHDRAWN
    assert Bid.objects.get(pk=second.pk).status == B.OPENED


def test_duplicate_bid_through_the_api(world, api):
    first = _submitted(world)
    provider = api(world["provider_admins"][0])
    body = {
        "price_amount": 29_000_000,
        "technical_proposal": "b",
        "staffing_plan": "b",
        "declarations": DECLARED,
    }
    second = provider.post(f"tenders/{first.tender_id}/bids/", body)
    assert second.status_code == 201  # a provider may hold drafts
    before = machine_snapshot()

    response = provider.post(f"bids/{second.json()['id']}/submit/")

    assert response.status_code == 409 and response.json()["code"] == "duplicate_bid"
    assert machine_snapshot() == before


def test_declarations_required_through_the_api(world, api):
    bid = draft_bid(world, published_tender(world), no_conflict=False)
    before = machine_snapshot()
    response = api(world["provider_admins"][0]).post(f"bids/{bid.pk}/submit/")
    assert response.status_code == 409 and response.json()["code"] == "declarations_required"
    assert machine_snapshot() == before


# --- create and edit ---------------------------------------------------------------------------------


@pytest.mark.parametrize("tender_state", ["draft", "past_deadline", "evaluating", "cancelled"])
def test_bids_are_created_only_while_bidding_is_open(world, tender_state):
    if tender_state == "draft":
        tender = draft_tender(world)
    elif tender_state == "evaluating":
        tender = evaluating_tender(world)
    else:
        tender = published_tender(world)
        if tender_state == "past_deadline":
            pass_deadline(tender)
        else:
            services.tender_cancel(actor=world["officer"], tender=tender, reason="Needs changed.")
    tender = Tender.objects.get(pk=tender.pk)  # as the API loads it for the request

    assert_refused(lambda: draft_bid(world, tender, 2), "bidding_closed")


def test_price_above_the_ceiling_is_invalid_at_create_and_edit(world, api):
    tender = published_tender(world)
    provider = api(world["provider_admins"][0])
    body = {"technical_proposal": "a", "staffing_plan": "a", "declarations": DECLARED}

    created = provider.post(f"tenders/{tender.pk}/bids/", {**body, "price_amount": tender.ceiling_amount + 1})
    assert created.status_code == 400 and "price_amount" in created.json()["extra"]["fields"]
    assert not Bid.objects.exists()

    bid = provider.post(f"tenders/{tender.pk}/bids/", {**body, "price_amount": tender.ceiling_amount}).json()
    edited = provider.patch(f"bids/{bid['id']}/", {"price_amount": tender.ceiling_amount + 1})
    assert edited.status_code == 400 and "price_amount" in edited.json()["extra"]["fields"]
    assert Bid.objects.get(pk=bid["id"]).price_amount == tender.ceiling_amount


# --- disqualify ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "  "])
def test_disqualify_needs_a_reason(world, reason):
    bid = _opened(world)
    assert_refused(
        lambda: services.bid_disqualify(actor=world["officer"], bid=bid, reason=reason), "invalid", 400
    )


def test_a_disqualified_bid_leaves_the_ranking(world):
    bid = _disqualified(world)
    assert bid.pk not in [row.bid.pk for row in ranking_of(bid.tender)]
    assert Bid.objects.get(pk=bid.pk).disqualification_reason == REASON


def test_only_the_tenders_officer_disqualifies(world):
    bid = _opened(world)
    for actor in (world["other_officer"], world["finance"], world["provider_admins"][1]):
        assert_refused(
            lambda actor=actor: services.bid_disqualify(actor=actor, bid=bid, reason=REASON),
            "permission_denied",
            403,
        )


# --- scoring an opened bid --------------------------------------------------------------------------


def _quality(tender: Tender) -> Criterion:
    return tender.criteria.filter(kind=Criterion.Kind.QUALITY).first()


def test_scoring_needs_the_declaration_first(world, api):
    tender = evaluating_tender(world)
    bid = tender.bids.first()
    evaluator = api(world["evaluators"][0])
    body = {"criterion": _quality(tender).pk, "score": "75"}
    before = machine_snapshot()

    refused_response = evaluator.post(f"bids/{bid.pk}/scores/", body)

    assert refused_response.status_code == 409 and refused_response.json()["code"] == "declaration_required"
    assert machine_snapshot() == before and not bid.scores.exists()
    assert evaluator.post(f"tenders/{tender.pk}/declarations/", {"no_conflict": True}).status_code == 201
    assert evaluator.post(f"bids/{bid.pk}/scores/", body).status_code == 201
    assert bid.scores.get().score == Decimal(75)


@pytest.mark.parametrize("state", ["opened_award_proposed", "disqualified", "awarded", "not_awarded"])
def test_only_opened_bids_of_a_tender_in_scoring_are_scored(world, state):
    bid = STATES[state](world)
    evaluator = world["evaluators"][1]
    if bid.tender.status == Tender.Status.EVALUATING:
        services.evaluator_declare(actor=evaluator, tender=bid.tender, no_conflict=True)
    assert bid.tender.declarations.filter(evaluator=evaluator, no_conflict=True).exists()
    criterion = _quality(bid.tender)

    assert_refused(
        lambda: services.bid_score(actor=evaluator, bid=bid, criterion=criterion, score=Decimal(10)),
        "invalid_transition",
    )
