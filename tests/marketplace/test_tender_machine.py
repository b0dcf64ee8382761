"""Every (state, transition) pair of the tender machine (docs/rules.md §1.2): either allowed, with its side
effects (budget commitment, bids opened, contract drafted) and a StateLog row, or refused with 409
and a stable code, and then never half-done: state, commitment, bids, instalments and the StateLog
are exactly as before."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from django_fsm_log.models import StateLog

from common.errors import ApplicationError
from common.months import months_after
from contracts import services as contract_services
from contracts.models import Contract, Instalment
from contracts.tasks import finalize_award as finalize_award_task
from marketplace import services
from marketplace.models import Bid, BudgetLine, Criterion, PaymentScheduleItem, Tender
from marketplace.selectors import ranking_of
from marketplace.services.budget import committed_on
from marketplace.tasks import close_tender as close_tender_task

from ..factories import BudgetLineFactory, in_days
from ..flows import (
    assert_refused,
    award_proposed_tender,
    draft_tender,
    evaluating_tender,
    last_log,
    machine_snapshot,
    pass_deadline,
    pass_standstill,
    published_tender,
    score_all,
    submitted_bid,
)

S = Tender.Status
REASON = "The community's needs changed."


# --- Given: a tender in each state, reached through the real services ---------------------------


def _open_with_bids(world, **fields) -> Tender:
    tender = published_tender(world, **fields)
    submitted_bid(world, tender, 0, 28_000_000)
    submitted_bid(world, tender, 1, 30_000_000)
    return tender


def _evaluating(world) -> Tender:
    tender = evaluating_tender(world)
    score_all(world, tender)
    return tender


def _awarded(world) -> Tender:
    tender = pass_standstill(award_proposed_tender(world))
    return contract_services.award_finalize(actor=world["officer"], tender=tender)


def _cancelled(world) -> Tender:
    return services.tender_cancel(actor=world["officer"], tender=_open_with_bids(world), reason=REASON)


def _unsuccessful(world) -> Tender:
    tender = published_tender(world)
    submitted_bid(world, tender, 0, 28_000_000)
    pass_deadline(tender)
    return services.tender_close(actor=world["officer"], tender=tender)


STATES = {
    "draft": draft_tender,
    "published": _open_with_bids,
    "published_past_deadline": lambda world: pass_deadline(_open_with_bids(world)),
    "evaluating": _evaluating,
    "award_proposed": award_proposed_tender,
    "award_proposed_standstill_over": lambda world: pass_standstill(award_proposed_tender(world)),
    "awarded": _awarded,
    "cancelled": _cancelled,
    "unsuccessful": _unsuccessful,
}


def award_candidate(tender: Tender) -> Bid:
    """The bid an officer would name: the top-ranked one, else any bid of the tender, else (a draft
    has none) an unsaved bid of it: the state guard refuses before the bid is looked at."""
    ranking = ranking_of(tender)
    if ranking:
        return ranking[0].bid
    return tender.bids.order_by("id").first() or Bid(tender=tender, price_amount=1)


def attempt(world, tender: Tender, verb: str, actor=None) -> Tender:
    """Run one transition of the tender through its service, as the officer unless told."""
    actor = actor or world["officer"]
    if verb == "publish":
        return services.tender_publish(actor=actor, tender=tender)
    if verb == "close":
        return services.tender_close(actor=actor, tender=tender)
    if verb == "award":
        return services.tender_award(actor=actor, tender=tender, bid=award_candidate(tender))
    if verb == "finalize_award":
        return contract_services.award_finalize(actor=actor, tender=tender)
    if verb == "cancel":
        return services.tender_cancel(actor=actor, tender=tender, reason=REASON)
    raise AssertionError(verb)


def expected_commitment(tender: Tender) -> int:
    """What a tender holds on its budget line in each state (docs/rules.md §4)."""
    if tender.status in (S.PUBLISHED, S.EVALUATING, S.AWARD_PROPOSED):
        return tender.ceiling_amount
    if tender.status == S.AWARDED:
        assert tender.proposed_bid is not None
        return tender.proposed_bid.price_amount
    return 0


def assert_budget_invariant(line: BudgetLine) -> None:
    line.refresh_from_db()
    assert 0 <= committed_on(line) <= line.amount


# --- The matrix: every state x every transition --------------------------------------------------

# Each cell: the state reached, SAME (idempotent: nothing changes), or the code of the refusal.
X = "invalid_transition"
SAME = "unchanged"
EARLY = "deadline_not_passed"
WAIT = "standstill_not_over"
# fmt: off
MATRIX = {
    #                                  publish      close         award             finalize   cancel
    "draft":                          ("published", X,            X,                X,         "cancelled"),
    "published":                      (X,           EARLY,        X,                X,         "cancelled"),
    "published_past_deadline":        (X,           "evaluating", X,                X,         "cancelled"),
    "evaluating":                     (X,           SAME,         "award_proposed", X,         "cancelled"),
    "award_proposed":                 (X,           X,            X,                WAIT,      "cancelled"),
    "award_proposed_standstill_over": (X,           X,            X,                "awarded", "cancelled"),
    "awarded":                        (X,           X,            X,                SAME,      X),
    "cancelled":                      (X,           X,            X,                X,         X),
    "unsuccessful":                   (X,           SAME,         X,                X,         X),
}
# fmt: on
VERBS = ("publish", "close", "award", "finalize_award", "cancel")
CASES = [
    pytest.param(state, verb, expected, id=f"{state}-{verb}")
    for state, outcomes in MATRIX.items()
    for verb, expected in zip(VERBS, outcomes, strict=True)
]


def test_the_matrix_names_every_state_of_the_machine():
    reached = {name.removesuffix("_past_deadline").removesuffix("_standstill_over") for name in STATES}
    assert reached == set(S) == set(MATRIX) - {"published_past_deadline", "award_proposed_standstill_over"}


@pytest.mark.parametrize("state, verb, expected", CASES)
def test_every_state_and_transition(world, state, verb, expected):
    # Given a tender in the state
    tender = STATES[state](world)
    source = Tender.objects.get(pk=tender.pk).status

    if expected == SAME:
        # Closing a closed tender, or finalizing a final award, changes nothing (idempotent)
        before = machine_snapshot()
        result = attempt(world, tender, verb)
        assert result.status == source
        assert machine_snapshot() == before
    elif expected not in S.values:
        # When the transition is tried, then it is refused and nothing is half-done
        assert_refused(lambda: attempt(world, tender, verb), expected)
        assert Tender.objects.get(pk=tender.pk).status == source
    else:
        logs_before = StateLog.objects.for_(tender).count()
        result = attempt(world, tender, verb)
        tender = Tender.objects.select_related("proposed_bid").get(pk=tender.pk)
        assert result.status == tender.status == expected
        # Exactly one StateLog row for the tender, saying who moved it from where to where
        assert StateLog.objects.for_(tender).count() == logs_before + 1
        log = last_log(tender)
        assert (log.by, log.source_state, log.state) == (world["officer"], source, expected)
        if verb == "cancel":
            assert log.description == REASON == tender.cancel_reason

    # Whatever happened, the commitment matches the state and the budget line stays within bounds
    tender = Tender.objects.select_related("proposed_bid").get(pk=tender.pk)
    assert tender.committed_amount == expected_commitment(tender)
    assert_budget_invariant(world["budget_line"])


# The same pairs through the API: the status code, the error code and nothing half-done.
API_CASES = [
    ("draft", "publish", 200, S.PUBLISHED),
    ("draft", "close", 409, "invalid_transition"),
    ("draft", "finalize-award", 409, "invalid_transition"),
    ("published", "close", 409, "deadline_not_passed"),
    ("published", "publish", 409, "invalid_transition"),
    ("published", "cancel", 200, S.CANCELLED),
    ("published_past_deadline", "close", 200, S.EVALUATING),
    ("evaluating", "close", 200, S.EVALUATING),
    ("evaluating", "award", 200, S.AWARD_PROPOSED),
    ("evaluating", "finalize-award", 409, "invalid_transition"),
    ("award_proposed", "award", 409, "invalid_transition"),
    ("award_proposed", "finalize-award", 409, "standstill_not_over"),
    ("award_proposed", "cancel", 200, S.CANCELLED),
    ("award_proposed_standstill_over", "finalize-award", 200, S.AWARDED),
    ("awarded", "finalize-award", 200, S.AWARDED),
    ("awarded", "cancel", 409, "invalid_transition"),
    ("awarded", "award", 409, "invalid_transition"),
    ("cancelled", "publish", 409, "invalid_transition"),
    ("cancelled", "cancel", 409, "invalid_transition"),
    ("unsuccessful", "close", 200, S.UNSUCCESSFUL),
    ("unsuccessful", "award", 409, "invalid_transition"),
    ("unsuccessful", "cancel", 409, "invalid_transition"),
]


@pytest.mark.parametrize(
    "state, verb, status_code, expected", API_CASES, ids=[f"{c[0]}-{c[1]}" for c in API_CASES]
)
def test_transitions_through_the_api(world, api, state, verb, status_code, expected):
    tender = STATES[state](world)
    body = {"cancel": {"reason": REASON}, "award": {"bid": award_candidate(tender).id}}.get(verb, {})
    before = machine_snapshot()

    response = api(world["officer"]).post(f"tenders/{tender.pk}/{verb}/", body)

    assert response.status_code == status_code, response.json()
    if status_code == 200:
        assert response.json()["status"] == expected == Tender.objects.get(pk=tender.pk).status
    else:
        assert response.json()["code"] == expected
        assert machine_snapshot() == before


def _over_budget(world):
    return draft_tender(world, ceiling_amount=world["budget_line"].amount + 1), "publish", {}


def _too_soon(world):
    return draft_tender(world, bid_deadline=in_days(9)), "publish", {}


def _unscored(world):
    tender = evaluating_tender(world)
    return tender, "award", {"bid": tender.bids.order_by("price_amount").first().id}


def _second_ranked(world):
    tender = _evaluating(world)
    return tender, "award", {"bid": ranking_of(tender)[1].bid.id}


@pytest.mark.parametrize(
    "given, code",
    [
        (_over_budget, "budget_insufficient"),
        (_too_soon, "deadline_too_soon"),
        (_unscored, "scoring_incomplete"),
        (_second_ranked, "not_top_ranked"),
    ],
)
def test_guard_codes_through_the_api(world, api, given, code):
    tender, verb, body = given(world)
    before = machine_snapshot()

    response = api(world["officer"]).post(f"tenders/{tender.pk}/{verb}/", body)

    assert response.status_code == 409 and response.json()["code"] == code, response.json()
    assert machine_snapshot() == before


AVAILABLE = [
    ("draft", ["publish", "cancel"]),
    ("published", ["amend", "cancel"]),
    ("published_past_deadline", ["close", "cancel"]),
    ("evaluating", ["cancel", "award"]),
    ("award_proposed", ["cancel"]),
    ("award_proposed_standstill_over", ["cancel", "finalize-award"]),
    ("awarded", []),
    ("cancelled", []),
    ("unsuccessful", []),
]


@pytest.mark.parametrize("state, verbs", AVAILABLE, ids=[a[0] for a in AVAILABLE])
def test_available_transitions_follow_the_machine(world, api, state, verbs):
    tender = STATES[state](world)
    officer_view = api(world["officer"]).get(f"tenders/{tender.pk}/").json()
    assert officer_view["available_transitions"] == verbs
    if state != "draft":  # the public sees the tender but may do nothing with it
        assert api().get(f"tenders/{tender.pk}/").json()["available_transitions"] == []


@pytest.mark.parametrize("verb", VERBS)
@pytest.mark.parametrize("actor", ["other_officer", "finance", "stranger"])
def test_only_the_bureau_officer_moves_a_tender(world, verb, actor):
    state = {"publish": "draft", "close": "published_past_deadline", "award": "evaluating"}.get(
        verb, "award_proposed_standstill_over"
    )
    tender = STATES[state](world)
    actor_user = world[actor]
    assert_refused(lambda: attempt(world, tender, verb, actor=actor_user), "permission_denied", 403)


# --- publish: guards and the commitment ----------------------------------------------------------


def test_publish_commits_the_ceiling_and_logs(world):
    tender = draft_tender(world, ceiling_amount=30_000_000)
    assert committed_on(world["budget_line"]) == 0

    tender = services.tender_publish(actor=world["officer"], tender=tender)

    assert tender.status == S.PUBLISHED and tender.published_at is not None
    assert tender.committed_amount == 30_000_000
    assert committed_on(world["budget_line"]) == 30_000_000
    log = last_log(tender)
    assert (log.transition, log.by, log.source_state, log.state) == (
        "publish",
        world["officer"],
        S.DRAFT,
        S.PUBLISHED,
    )


@pytest.mark.parametrize(
    "ceiling_minus_available, outcome",
    [(-1, S.PUBLISHED), (0, S.PUBLISHED), (1, "budget_insufficient"), (10_000_000, "budget_insufficient")],
)
def test_publish_needs_the_ceiling_available_on_the_budget_line(world, ceiling_minus_available, outcome):
    # Given a line of 100,000,000 of which another tender holds 60,000,000
    published_tender(world, ceiling_amount=60_000_000)
    available = 40_000_000
    tender = draft_tender(world, ceiling_amount=available + ceiling_minus_available)

    if outcome == S.PUBLISHED:
        assert services.tender_publish(actor=world["officer"], tender=tender).status == S.PUBLISHED
        assert committed_on(world["budget_line"]) == 60_000_000 + tender.ceiling_amount
    else:
        assert_refused(lambda: services.tender_publish(actor=world["officer"], tender=tender), outcome)
        with pytest.raises(ApplicationError) as refusal:
            services.tender_publish(actor=world["officer"], tender=tender)
        assert refusal.value.extra == {"available": available, "ceiling_amount": tender.ceiling_amount}
    assert_budget_invariant(world["budget_line"])


def test_a_draft_may_exceed_the_budget_until_it_is_published(world):
    tender = draft_tender(world, ceiling_amount=world["budget_line"].amount + 1)
    assert tender.status == S.DRAFT
    assert_refused(
        lambda: services.tender_publish(actor=world["officer"], tender=tender), "budget_insufficient"
    )


def test_cancelling_one_tender_frees_the_budget_for_another(world):
    first = published_tender(world, ceiling_amount=70_000_000)
    second = draft_tender(world, ceiling_amount=70_000_000)
    assert_refused(
        lambda: services.tender_publish(actor=world["officer"], tender=second), "budget_insufficient"
    )

    services.tender_cancel(actor=world["officer"], tender=first, reason=REASON)

    assert services.tender_publish(actor=world["officer"], tender=second).status == S.PUBLISHED
    assert committed_on(world["budget_line"]) == 70_000_000


@pytest.mark.parametrize(
    "minimum_days, deadline_in, outcome",
    [
        (10, datetime.timedelta(days=10, hours=-1), "deadline_too_soon"),
        (10, datetime.timedelta(days=10, minutes=5), S.PUBLISHED),
        (10, datetime.timedelta(days=3), "deadline_too_soon"),
        (3, datetime.timedelta(days=3, minutes=5), S.PUBLISHED),
        (3, datetime.timedelta(days=2), "deadline_too_soon"),
    ],
)
def test_publish_needs_the_minimum_bidding_period(world, settings, minimum_days, deadline_in, outcome):
    settings.MARKETPLACE_MIN_BIDDING_DAYS = minimum_days
    tender = draft_tender(world, bid_deadline=timezone.now() + deadline_in)

    if outcome == S.PUBLISHED:
        assert services.tender_publish(actor=world["officer"], tender=tender).status == S.PUBLISHED
    else:
        assert_refused(lambda: services.tender_publish(actor=world["officer"], tender=tender), outcome)


def tender_body(world, **overrides) -> dict:
    deadline = in_days(12)
    start = timezone.localtime(deadline).date()
    body = {
        "title": "Elderly day care 2026",
        "description": "Day care and home visits.",
        "catalogue_item": world["catalogue_item"].id,
        "budget_line": world["budget_line"].id,
        "areas": [world["areas"]["street"].id],
        "ceiling_amount": 30_000_000,
        "initiative_reason": "The district plan for elderly care.",
        "bid_deadline": deadline.isoformat(),
        "service_start": start.isoformat(),
        "service_end": (start + datetime.timedelta(days=300)).isoformat(),
        "kpis": [{"name": "Home visits", "target": "1200.00", "unit": "visits"}],
        "criteria": [
            {"name": "Price", "kind": "price", "weight": 30},
            {"name": "Service plan", "kind": "quality", "weight": 70},
        ],
        "payment_schedule": [
            {"kind": "advance", "share_pct": "30"},
            {"kind": "interim", "share_pct": "40"},
            {"kind": "holdback", "share_pct": "30"},
        ],
        "min_bids": 2,
        "standstill_days": 7,
    }
    body.update(overrides)
    return body


def _period(months: int, days: int = 0, justification: str = ""):
    """The service end ``months`` (and ``days``) after the body's start — worked out when the test
    runs, not when it is collected: a suite that crosses midnight in Asia/Shanghai moves the start."""

    def overrides() -> dict:
        start = timezone.localtime(in_days(12)).date()
        end = months_after(start, months) + datetime.timedelta(days=days)
        return {"service_end": end.isoformat(), "multi_year_justification": justification}

    return overrides


def _criteria(price: int, *quality: int) -> dict:
    criteria = [{"name": "Price", "kind": "price", "weight": price}]
    criteria += [{"name": f"Quality {i}", "kind": "quality", "weight": w} for i, w in enumerate(quality)]
    return {"criteria": criteria}


def _schedule(advance: str, interim: str, holdback: str) -> dict:
    shares = {"advance": advance, "interim": interim, "holdback": holdback}
    return {"payment_schedule": [{"kind": kind, "share_pct": share} for kind, share in shares.items()]}


# (overrides of a valid body, the field refused or None when valid)
STRUCTURAL_RULES = [
    pytest.param(_period(12, days=-1), None, id="12-months"),
    pytest.param(_period(12), "service_end", id="12-months-and-a-day"),
    pytest.param(_period(12, justification="Three-year pilot."), None, id="over-12-with-justification"),
    pytest.param(_period(36, days=-1, justification="Pilot."), None, id="36-months-with-justification"),
    pytest.param(_period(36, justification="Pilot."), "service_end", id="over-36-with-justification"),
    pytest.param(_criteria(10, 90), None, id="price-weight-10"),
    pytest.param(_criteria(9, 91), "criteria", id="price-weight-9"),
    pytest.param(_criteria(30, 69), "criteria", id="weights-sum-99"),
    pytest.param(_criteria(30, 40, 31), "criteria", id="weights-sum-101"),
    pytest.param(_schedule("30", "40", "29"), "payment_schedule", id="schedule-sums-99"),
    pytest.param(_schedule("30.5", "40", "30"), "payment_schedule", id="schedule-sums-100.5"),
    pytest.param(_schedule("29", "41", "30"), None, id="holdback-30"),
    pytest.param(_schedule("29", "40", "31"), "payment_schedule", id="holdback-31"),
]


@pytest.mark.parametrize("overrides, refused_field", STRUCTURAL_RULES)
def test_structural_rules_are_checked_at_create(world, api, overrides, refused_field):
    overrides = overrides() if callable(overrides) else overrides
    before = Tender.objects.count()

    response = api(world["officer"]).post("tenders/", tender_body(world, **overrides))

    if refused_field is None:
        assert response.status_code == 201, response.json()
        tender = Tender.objects.get(pk=response.json()["id"])
        assert services.tender_publish(actor=world["officer"], tender=tender).status == S.PUBLISHED
    else:
        assert response.status_code == 400, response.json()
        assert response.json()["code"] == "invalid"
        assert refused_field in response.json()["extra"]["fields"]
        assert Tender.objects.count() == before


@pytest.mark.parametrize("overrides, refused_field", STRUCTURAL_RULES)
def test_structural_rules_are_checked_at_patch(world, api, overrides, refused_field):
    overrides = overrides() if callable(overrides) else overrides
    officer = api(world["officer"])
    created = officer.post("tenders/", tender_body(world)).json()
    before = officer.get(f"tenders/{created['id']}/").json()

    response = officer.patch(f"tenders/{created['id']}/", overrides)

    if refused_field is None:
        assert response.status_code == 200, response.json()
    else:
        assert response.status_code == 400, response.json()
        assert response.json()["code"] == "invalid"
        assert refused_field in response.json()["extra"]["fields"]
        after = officer.get(f"tenders/{created['id']}/").json()
        assert {**after, "available_transitions": None} == {**before, "available_transitions": None}


def _stretch_period(tender: Tender) -> None:
    Tender.objects.filter(pk=tender.pk).update(service_end=months_after(tender.service_start, 12))


def _light_price(tender: Tender) -> None:
    tender.criteria.filter(kind=Criterion.Kind.PRICE).update(weight=9)
    tender.criteria.filter(name="Team").update(weight=31)


def _uneven_weights(tender: Tender) -> None:
    tender.criteria.filter(name="Team").update(weight=29)


def _short_schedule(tender: Tender) -> None:
    tender.payment_schedule.filter(kind=PaymentScheduleItem.Kind.INTERIM).update(share_pct=Decimal(39))


def _heavy_holdback(tender: Tender) -> None:
    tender.payment_schedule.filter(kind=PaymentScheduleItem.Kind.ADVANCE).update(share_pct=Decimal(29))
    tender.payment_schedule.filter(kind=PaymentScheduleItem.Kind.HOLDBACK).update(share_pct=Decimal(31))


def _foreign_budget_line(tender: Tender) -> None:
    Tender.objects.filter(pk=tender.pk).update(budget_line=BudgetLineFactory())


@pytest.mark.parametrize(
    "break_terms, refused_field",
    [
        (_stretch_period, "service_end"),
        (_light_price, "criteria"),
        (_uneven_weights, "criteria"),
        (_short_schedule, "payment_schedule"),
        (_heavy_holdback, "payment_schedule"),
        (_foreign_budget_line, "budget_line"),
    ],
)
def test_publish_checks_the_terms_again(world, break_terms, refused_field):
    """Terms that slipped past the API (stored by another path) are caught at publish: 400."""
    tender = draft_tender(world)
    break_terms(tender)
    before = machine_snapshot()

    with pytest.raises(ApplicationError) as refusal:
        services.tender_publish(actor=world["officer"], tender=tender)

    assert (refusal.value.status_code, refusal.value.code) == (400, "invalid")
    assert refused_field in refusal.value.extra["fields"]
    assert machine_snapshot() == before


@pytest.mark.parametrize("state", ["published", "evaluating", "awarded", "cancelled"])
def test_only_a_draft_is_edited(world, api, state):
    tender = STATES[state](world)
    before = machine_snapshot()

    response = api(world["officer"]).patch(f"tenders/{tender.pk}/", {"title": "Renamed"})

    assert response.status_code == 409 and response.json()["code"] == "not_editable"
    assert machine_snapshot() == before
    assert Tender.objects.get(pk=tender.pk).title == tender.title


# --- close: bids opened, unsuccessful below min_bids, idempotent ---------------------------------


@pytest.mark.parametrize(
    "min_bids, submitted, withdrawn, outcome",
    [
        (2, 0, 0, S.UNSUCCESSFUL),
        (2, 1, 0, S.UNSUCCESSFUL),
        (2, 2, 0, S.EVALUATING),
        (2, 3, 0, S.EVALUATING),
        (2, 2, 1, S.UNSUCCESSFUL),  # a withdrawn bid does not count
        (3, 2, 0, S.UNSUCCESSFUL),
        (1, 1, 0, S.EVALUATING),
    ],
)
def test_close_opens_the_bids_or_fails_below_min_bids(world, min_bids, submitted, withdrawn, outcome):
    # Given a published tender with some submitted bids, a withdrawn one, and a forgotten draft
    tender = published_tender(world, min_bids=min_bids)
    bids = [submitted_bid(world, tender, index, 28_000_000 + index) for index in range(submitted)]
    for bid in bids[:withdrawn]:
        services.bid_withdraw(actor=world["provider_admins"][bids.index(bid)], bid=bid)
    draft = None
    if submitted < 3:
        draft = services.bid_create(
            actor=world["provider_admins"][2],
            tender=tender,
            provider=world["providers"][2],
            data={"price_amount": 1, "technical_proposal": "-", "staffing_plan": "-"},
        )
    pass_deadline(tender)

    # When the deadline passes and the officer closes it
    tender = services.tender_close(actor=world["officer"], tender=tender)

    # Then
    tender = Tender.objects.get(pk=tender.pk)
    assert tender.status == outcome and tender.closed_at is not None
    live = Bid.objects.filter(pk__in=[b.pk for b in bids[withdrawn:]])
    if outcome == S.EVALUATING:
        assert set(live.values_list("status", flat=True)) == {Bid.Status.OPENED}
        assert tender.committed_amount == tender.ceiling_amount
        assert last_log(tender).description is None
    else:
        assert set(live.values_list("status", flat=True)) <= {Bid.Status.NOT_AWARDED}
        assert tender.committed_amount == 0 == committed_on(world["budget_line"])
        assert last_log(tender).description == "too few bids"
    assert all(
        b.status == Bid.Status.WITHDRAWN for b in Bid.objects.filter(pk__in=[b.pk for b in bids[:withdrawn]])
    )
    if draft is not None:
        assert Bid.objects.get(pk=draft.pk).status == Bid.Status.DRAFT
    log = last_log(tender)
    assert (log.by, log.source_state, log.state) == (world["officer"], S.PUBLISHED, outcome)


@pytest.mark.parametrize("state", ["evaluating", "unsuccessful"])
def test_closing_a_closed_tender_changes_nothing(world, state):
    tender = STATES[state](world)
    before = machine_snapshot()

    for actor in (world["officer"], None):  # the endpoint and the scheduler may race
        assert services.tender_close(actor=actor, tender=tender).status == state

    assert machine_snapshot() == before


def test_the_scheduler_closes_a_due_tender_without_an_actor(world):
    tender = pass_deadline(_open_with_bids(world))

    close_tender_task(tender.pk)

    tender = Tender.objects.get(pk=tender.pk)
    assert tender.status == S.EVALUATING
    assert (last_log(tender).by, last_log(tender).state) == (None, S.EVALUATING)
    assert set(tender.bids.values_list("status", flat=True)) == {Bid.Status.OPENED}


def test_the_scheduler_leaves_an_open_tender_alone(world):
    tender = _open_with_bids(world)
    before = machine_snapshot()
    close_tender_task(tender.pk)
    assert machine_snapshot() == before


# --- award: only the top-ranked bid, once every bid is scored ------------------------------------


def test_award_proposes_the_top_ranked_bid_and_starts_the_standstill(world):
    tender = _evaluating(world)
    top, second = (row.bid for row in ranking_of(tender))
    assert top.price_amount == 28_000_000  # equal quality: the lower price wins
    started = timezone.now()

    assert_refused(
        lambda: services.tender_award(actor=world["officer"], tender=tender, bid=second), "not_top_ranked"
    )
    tender = services.tender_award(actor=world["officer"], tender=tender, bid=top)

    assert tender.status == S.AWARD_PROPOSED and tender.proposed_bid == top
    # the standstill ends at the later of its own days and the challenge window (docs/rules.md §17.4)
    award = tender.awards.get()
    assert started <= award.notice_published_at <= timezone.now()
    own_days = award.notice_published_at + datetime.timedelta(days=tender.standstill_days)
    assert tender.standstill_until == max(own_days, award.challenge_until)
    assert set(tender.bids.values_list("status", flat=True)) == {Bid.Status.OPENED}  # final only later
    assert tender.committed_amount == tender.ceiling_amount


def test_not_top_ranked_names_the_top_bid(world):
    tender = _evaluating(world)
    top, second = (row.bid for row in ranking_of(tender))
    with pytest.raises(ApplicationError) as refusal:
        services.tender_award(actor=world["officer"], tender=tender, bid=second)
    assert refusal.value.extra == {"top_ranked_bid": top.id}


def test_award_needs_every_opened_bid_scored(world):
    tender = evaluating_tender(world)
    evaluator = world["evaluators"][0]
    services.evaluator_declare(actor=evaluator, tender=tender, no_conflict=True)
    first = tender.bids.order_by("price_amount").first()
    for criterion in tender.criteria.filter(kind=Criterion.Kind.QUALITY):
        services.bid_score(actor=evaluator, bid=first, criterion=criterion, score=Decimal(90))

    assert_refused(
        lambda: services.tender_award(actor=world["officer"], tender=tender, bid=first), "scoring_incomplete"
    )


def test_award_skips_a_disqualified_bid(world):
    tender = _evaluating(world)
    top, second = (row.bid for row in ranking_of(tender))
    services.bid_disqualify(actor=world["officer"], bid=top, reason="Forged licence.")

    assert_refused(
        lambda: services.tender_award(actor=world["officer"], tender=tender, bid=top), "not_top_ranked"
    )
    assert services.tender_award(actor=world["officer"], tender=tender, bid=second).proposed_bid == second


def test_award_with_every_bid_disqualified_is_refused(world):
    tender = _evaluating(world)
    bids = list(tender.bids.all())
    for bid in bids:
        services.bid_disqualify(actor=world["officer"], bid=bid, reason="Forged licence.")

    assert_refused(
        lambda: services.tender_award(actor=world["officer"], tender=tender, bid=bids[0]), "no_eligible_bid"
    )
    # The way out is to cancel, which releases the commitment
    services.tender_cancel(actor=world["officer"], tender=tender, reason=REASON)
    assert committed_on(world["budget_line"]) == 0


def test_award_of_another_tenders_bid_is_invalid(world):
    tender = _evaluating(world)
    other = evaluating_tender(world)
    foreign = other.bids.first()
    assert_refused(
        lambda: services.tender_award(actor=world["officer"], tender=tender, bid=foreign), "invalid", 400
    )


# --- finalize award: the contract, the awarded price, idempotent ----------------------------------


def test_finalize_award_makes_the_award_final(world):
    tender = pass_standstill(award_proposed_tender(world))
    winner = tender.proposed_bid
    logs_before = StateLog.objects.count()

    tender = contract_services.award_finalize(actor=world["officer"], tender=tender)

    tender = Tender.objects.get(pk=tender.pk)
    assert tender.status == S.AWARDED and tender.awarded_at is not None
    # The commitment becomes the awarded price, releasing the rest of the ceiling
    assert tender.committed_amount == winner.price_amount == 28_000_000
    assert committed_on(world["budget_line"]) == 28_000_000
    statuses = dict(tender.bids.values_list("id", "status"))
    assert statuses.pop(winner.id) == Bid.Status.AWARDED
    assert set(statuses.values()) == {Bid.Status.NOT_AWARDED}
    contract = Contract.objects.get(tender=tender)
    assert (contract.status, contract.bid, contract.value_amount) == ("draft", winner, 28_000_000)
    amounts = list(contract.instalments.values_list("kind", "amount", "status"))
    assert amounts == [
        ("advance", 8_400_000, "scheduled"),
        ("interim", 11_200_000, "scheduled"),
        ("holdback", 8_400_000, "scheduled"),
    ]
    assert sum(amount for _, amount, _ in amounts) == contract.value_amount
    # One row for the award notice confirmed, one for the tender and one per bid decided
    assert StateLog.objects.count() == logs_before + 1 + 1 + 2
    log = last_log(tender)
    assert (log.by, log.source_state, log.state) == (world["officer"], S.AWARD_PROPOSED, S.AWARDED)


def test_finalize_award_is_idempotent(world):
    tender = _awarded(world)
    before = machine_snapshot()

    for actor in (world["officer"], None):
        assert contract_services.award_finalize(actor=actor, tender=tender).status == S.AWARDED
    finalize_award_task(tender.pk)

    assert machine_snapshot() == before
    assert Contract.objects.filter(tender=tender).count() == 1


def test_finalize_award_before_the_standstill_ends_is_refused(world):
    tender = award_proposed_tender(world)
    with pytest.raises(ApplicationError) as refusal:
        contract_services.award_finalize(actor=world["officer"], tender=tender)
    assert refusal.value.code == "standstill_not_over"
    until = datetime.datetime.fromisoformat(refusal.value.extra["standstill_until"])
    assert until == tender.standstill_until
    assert not Contract.objects.exists() and not Instalment.objects.exists()


def test_a_zero_day_standstill_can_be_finalized_at_once(world, settings):
    settings.CHALLENGE_WORKING_DAYS = 0  # and no challenge window
    tender = award_proposed_tender(world, standstill_days=0)
    assert contract_services.award_finalize(actor=world["officer"], tender=tender).status == S.AWARDED


def test_the_scheduler_finalizes_a_due_award_without_an_actor(world):
    tender = pass_standstill(award_proposed_tender(world))

    finalize_award_task(tender.pk)

    tender = Tender.objects.get(pk=tender.pk)
    assert tender.status == S.AWARDED and Contract.objects.filter(tender=tender).exists()
    assert last_log(tender).by is None


# --- cancel: releases the commitment --------------------------------------------------------------


@pytest.mark.parametrize(
    "state", ["draft", "published", "published_past_deadline", "evaluating", "award_proposed"]
)
def test_cancel_releases_the_commitment(world, state):
    tender = STATES[state](world)
    bids_before = dict(Bid.objects.filter(tender=tender).values_list("id", "status"))

    tender = services.tender_cancel(actor=world["officer"], tender=tender, reason=f"  {REASON} ")

    tender = Tender.objects.get(pk=tender.pk)
    assert tender.status == S.CANCELLED and tender.cancel_reason == REASON
    assert tender.committed_amount == 0 == committed_on(world["budget_line"])
    assert dict(Bid.objects.filter(tender=tender).values_list("id", "status")) == bids_before
    assert not Contract.objects.exists()


@pytest.mark.parametrize("reason", ["", "   "])
def test_cancel_needs_a_reason(world, reason):
    tender = published_tender(world)
    assert_refused(
        lambda: services.tender_cancel(actor=world["officer"], tender=tender, reason=reason), "invalid", 400
    )


# --- the budget invariant across the whole life of tenders on one line -----------------------------


@pytest.mark.parametrize("state", list(STATES))
def test_each_state_holds_its_commitment(world, state):
    tender = Tender.objects.select_related("proposed_bid").get(pk=STATES[state](world).pk)
    assert tender.committed_amount == expected_commitment(tender)
    assert committed_on(world["budget_line"]) == tender.committed_amount
    assert_budget_invariant(world["budget_line"])


def test_budget_invariant_over_many_tenders_on_one_line(world):
    line = world["budget_line"]
    officer = world["officer"]
    tenders = [published_tender(world, ceiling_amount=25_000_000) for _ in range(4)]
    assert committed_on(line) == line.amount
    extra = draft_tender(world, ceiling_amount=1)
    assert_refused(lambda: services.tender_publish(actor=officer, tender=extra), "budget_insufficient")
    services.tender_cancel(actor=officer, tender=tenders[0], reason=REASON)
    assert committed_on(line) == 75_000_000
    pass_deadline(tenders[1])
    services.tender_close(actor=officer, tender=tenders[1])  # no bids: unsuccessful, released
    assert committed_on(line) == 50_000_000
    assert_budget_invariant(line)
