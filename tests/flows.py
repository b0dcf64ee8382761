"""Move tenders and contracts to a given state through the real services, the way users would.
Time passing is simulated by moving the deadline or standstill end into the past (not state)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from common.errors import ApplicationError
from contracts import services as contract_services
from contracts.models import Contract
from marketplace import services
from marketplace.models import Bid, Criterion, Tender
from orgs import services as org_services
from orgs.models import Organization

from . import factories as f


def past(minutes: int = 1) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(minutes=minutes)


def pending_provider() -> Organization:
    """A provider registered through the service, not yet verified (its admin is "sunflower-admin")."""
    return org_services.provider_register(
        name="Sunflower Social Work",
        legal_type="social_organization",
        credit_code=f.credit_code(),
        username="sunflower-admin",
        password=f.PASSWORD,
    )


def draft_tender(world, **fields) -> Tender:
    fields.setdefault("bureau", world["bureau"])
    fields.setdefault("budget_line", world["budget_line"])
    fields.setdefault("catalogue_item", world["catalogue_item"])
    return f.TenderFactory(**fields)


def published_tender(world, **fields) -> Tender:
    tender = draft_tender(world, **fields)
    return services.tender_publish(actor=world["officer"], tender=tender)


def submitted_bid(world, tender: Tender, provider_index: int, price: int) -> Bid:
    bid = services.bid_create(
        actor=world["provider_admins"][provider_index],
        tender=tender,
        provider=world["providers"][provider_index],
        data={
            "price_amount": price,
            "technical_proposal": "Weekly visits and a day centre.",
            "staffing_plan": "Two social workers.",
            "declarations": {"eligibility": True, "no_double_funding": True, "no_conflict": True},
        },
    )
    return services.bid_submit(actor=world["provider_admins"][provider_index], bid=bid)


def pass_deadline(tender: Tender) -> Tender:
    Tender.objects.filter(pk=tender.pk).update(bid_deadline=past())
    tender.refresh_from_db()
    return tender


def evaluating_tender(world, prices=(28_000_000, 30_000_000), **fields) -> Tender:
    tender = published_tender(world, **fields)
    for index, price in enumerate(prices):
        submitted_bid(world, tender, index, price)
    pass_deadline(tender)
    return services.tender_close(actor=world["officer"], tender=tender)


def score_all(world, tender: Tender, scores: dict[int, Decimal] | None = None) -> None:
    """Each evaluator declares and scores every opened bid; ``scores`` maps bid id to the score
    given on every quality criterion (default 80)."""
    for evaluator in world["evaluators"]:
        services.evaluator_declare(actor=evaluator, tender=tender, no_conflict=True)
        for bid in tender.bids.filter(status=Bid.Status.OPENED):
            for criterion in tender.criteria.filter(kind=Criterion.Kind.QUALITY):
                score = (scores or {}).get(bid.id, Decimal(80))
                services.bid_score(actor=evaluator, bid=bid, criterion=criterion, score=score)


def award_proposed_tender(world, **fields) -> Tender:
    tender = evaluating_tender(world, **fields)
    score_all(world, tender)
    from marketplace.selectors import ranking_of

    top = ranking_of(tender)[0].bid
    return services.tender_award(actor=world["officer"], tender=tender, bid=top)


def pass_standstill(tender: Tender) -> Tender:
    Tender.objects.filter(pk=tender.pk).update(standstill_until=past())
    tender.refresh_from_db()
    return tender


def draft_contract(world, **fields) -> Contract:
    tender = pass_standstill(award_proposed_tender(world, **fields))
    contract_services.award_finalize(actor=world["officer"], tender=tender)
    return Contract.objects.get(tender=tender)


def _signed_by_both(world, contract: Contract, sign) -> Contract:
    sign(actor=world["officer"], contract=contract)
    provider_admin = next(
        admin
        for admin, org in zip(world["provider_admins"], world["providers"], strict=True)
        if org.id == contract.provider_id
    )
    return sign(actor=provider_admin, contract=contract)


def active_contract(world, **fields) -> Contract:
    """Signed by both parties through the service the API and the pages use: the second signature
    activates the contract and opens its midterm evaluation."""
    from evaluations.services import contract_sign

    return _signed_by_both(world, draft_contract(world, **fields), contract_sign)


def activated_without_evaluation(world, **fields) -> Contract:
    """An active contract whose midterm evaluation nobody has opened yet: activated by the
    contracts service alone (as before the second signature opened it), before the periodic job."""
    return _signed_by_both(world, draft_contract(world, **fields), contract_services.contract_sign)


def machine_snapshot() -> dict:
    """Everything a transition of the tender, bid or contract machines may touch: compare two
    snapshots to prove a refused transition was never half-done."""
    from django.db.models import Sum
    from django_fsm_log.models import StateLog

    from contracts.models import Instalment
    from marketplace.models import BudgetLine

    return {
        "tenders": list(
            Tender.objects.order_by("pk").values_list(
                "pk",
                "status",
                "committed_amount",
                "proposed_bid_id",
                "standstill_until",
                "published_at",
                "closed_at",
                "awarded_at",
                "cancel_reason",
            )
        ),
        "bids": list(
            Bid.objects.order_by("pk").values_list(
                "pk", "status", "price_amount", "receipt", "submitted_at", "disqualification_reason"
            )
        ),
        "contracts": list(
            Contract.objects.order_by("pk").values_list(
                "pk",
                "status",
                "value_amount",
                "bureau_signed_at",
                "provider_signed_at",
                "activated_at",
                "terminated_at",
                "termination_reason",
                "assessor_id",
                "community_id",
            )
        ),
        "instalments": list(
            Instalment.objects.order_by("pk").values_list(
                "pk", "status", "amount", "release_amount", "withheld_amount", "payable_at"
            )
        ),
        "budget_committed": list(
            BudgetLine.objects.order_by("pk")
            .annotate(committed=Sum("tenders__committed_amount"))
            .values_list("pk", "committed")
        ),
        "state_logs": StateLog.objects.count(),
    }


def assert_refused(call, code: str, status_code: int = 409) -> None:
    """The call is refused with ``code`` and leaves every machine exactly as it was."""
    before = machine_snapshot()
    with pytest.raises(ApplicationError) as refusal:
        call()
    assert (refusal.value.status_code, refusal.value.code) == (status_code, code)
    assert machine_snapshot() == before


def last_log(instance):
    """The newest StateLog row of ``instance`` (django-fsm-log)."""
    from django_fsm_log.models import StateLog

    return StateLog.objects.for_(instance).order_by("-id").first()


# --- Delivery and evaluations (added for tests/evaluations) -------------------------------------


def delivering_contract(world, *, households: int = 3, **fields) -> dict:
    """An active contract of the first provider with the assessor and the community assigned,
    today inside its service period (time passing, not state), and ``households`` households of its
    area, each with a resident, recorded as recipients in one service event. The midterm
    evaluation is open (it opens when first needed)."""
    from evaluations.services import evaluation_open_for

    contract = active_contract(world, **fields)
    contract_services.contract_assign(
        actor=world["officer"], contract=contract, assessor=world["assessor"], community=world["community"]
    )
    today = timezone.localdate()
    Contract.objects.filter(pk=contract.pk).update(
        service_start=today - datetime.timedelta(days=30), service_end=today + datetime.timedelta(days=300)
    )
    contract.refresh_from_db()
    compound = world["areas"]["compound"]
    residents = [f.ResidentFactory(household=f.HouseholdFactory(area=compound)) for _ in range(households)]
    event = log_service(world, contract, [resident.household for resident in residents])
    return {
        "contract": contract,
        "tender": contract.tender,
        "residents": residents,
        "event": event,
        "evaluation": evaluation_open_for(contract),
    }


def log_service(world, contract: Contract, households) -> object:
    """The winning provider's staff record a service today for ``households``."""
    from contracts import delivery

    return delivery.service_event_create(
        actor=world["provider_staff"][0],
        contract=contract,
        date=timezone.localdate(),
        area=world["areas"]["compound"],
        title="Community lunch",
        description="",
        recipient_codes=[household.code for household in households],
    )


def rate(resident, contract: Contract, satisfaction: int = 5, *, address: str | None = None):
    """A resident rates the contract through the service (``satisfaction`` 0 is not_received)."""
    from evaluations.services import rating_create

    return rating_create(
        actor=resident.user,
        contract=contract,
        satisfaction=satisfaction,
        resolved="yes",
        comment="",
        client_address=address,
    )


def quarantined_rating(resident, contract: Contract):
    """A rating that arrives in a burst from one address: quarantined by the real rule."""
    from django.test import override_settings

    with override_settings(RATING_IP_BURST=0):
        return rate(resident, contract, 5, address="192.0.2.99")


def score_components(world, evaluation, t="80", b="80", c="80") -> None:
    """The assessor enters T, the officer B, the community C."""
    from evaluations.services import evaluation_score

    for actor, component, value in (
        (world["assessor_member"], "third_party", t),
        (world["officer"], "buyer", b),
        (world["community_member"], "community", c),
    ):
        evaluation = evaluation_score(
            actor=actor, evaluation=evaluation, component=component, score=Decimal(value)
        )


def submit_report(world, contract: Contract, stage: str) -> object:
    from contracts import delivery

    return delivery.report_submit(
        actor=world["provider_admins"][0], contract=contract, stage=stage, summary="Done.", kpi_actuals=[]
    )


def published_evaluation(world, objects: dict, *, satisfaction: int = 5, t="80", b="80", c="80"):
    """Every recipient rates, T, B, C are entered, the report is in, and the officer finalizes.
    The appeal window is still open."""
    from evaluations.services import evaluation_finalize

    evaluation = objects["evaluation"]
    contract = objects["contract"]
    for resident in objects["residents"]:
        rate(resident, contract, satisfaction)
    score_components(world, evaluation, t, b, c)
    submit_report(world, contract, evaluation.stage)
    return evaluation_finalize(actor=world["officer"], evaluation=evaluation)


def pass_appeal_window(evaluation):
    from evaluations.models import Evaluation

    Evaluation.objects.filter(pk=evaluation.pk).update(appeal_until=past())
    evaluation.refresh_from_db()
    return evaluation


def final_evaluation(world, objects: dict, **scores):
    from evaluations.services import evaluation_confirm

    evaluation = pass_appeal_window(published_evaluation(world, objects, **scores))
    return evaluation_confirm(actor=world["officer"], evaluation=evaluation)


# --- Challenges and complaints (docs/rules.md §17.5) ---------------------------------------------


def challenged_tender(world, **fields) -> dict:
    """An award proposed to the first provider and challenged by the second (the rival)."""
    from challenges import services as challenge_services

    tender = award_proposed_tender(world, **fields)
    challenge = challenge_services.challenge_submit(
        actor=world["provider_admins"][1], tender=tender, grounds="Our price was lower on the same plan."
    )
    return {"tender": tender, "challenge": challenge, "award": challenge.award}


def dismissed_challenge(world, **fields) -> dict:
    from challenges import services as challenge_services

    objects = challenged_tender(world, **fields)
    objects["challenge"] = challenge_services.challenge_reply(
        actor=world["officer"],
        challenge=objects["challenge"],
        decision="dismissed",
        reply="The scores were checked: the ranking stands.",
    )
    return objects


def complained_challenge(world, **fields) -> dict:
    from challenges import services as challenge_services

    objects = dismissed_challenge(world, **fields)
    objects["complaint"] = challenge_services.complaint_submit(
        actor=world["provider_admins"][1],
        challenge=objects["challenge"],
        grounds="The bureau did not look at our staffing plan.",
    )
    return objects


def challenged_by_many(world, count: int) -> Tender:
    """An award proposed to a new provider on a tender with ``count`` other bidders, each of which
    challenges it: every third challenge awaits its reply, the others are dismissed, and every
    other dismissed one is taken to the review body (lists whose rows differ)."""
    from challenges import services as challenge_services

    tender = published_tender(
        world, budget_line=f.BudgetLineFactory(bureau=world["bureau"], amount=50_000_000)
    )
    admins = []
    for index in range(count + 1):
        provider = f.OrganizationFactory(kind=Organization.Kind.PROVIDER)
        admin = f.member(provider, "admin")
        bid = services.bid_create(
            actor=admin,
            tender=tender,
            provider=provider,
            data={
                "price_amount": 25_000_000 + index * 100_000,
                "technical_proposal": "Weekly visits and a day centre.",
                "staffing_plan": "Two social workers.",
                "declarations": {"eligibility": True, "no_double_funding": True, "no_conflict": True},
            },
        )
        services.bid_submit(actor=admin, bid=bid)
        admins.append(admin)
    tender = services.tender_close(actor=world["officer"], tender=pass_deadline(tender))
    score_all(world, tender)
    winner = tender.bids.get(provider__memberships__user=admins[0])
    tender = services.tender_award(actor=world["officer"], tender=tender, bid=winner)
    for index, admin in enumerate(admins[1:]):
        challenge = challenge_services.challenge_submit(
            actor=admin, tender=tender, grounds=f"Challenge {index}: our plan was scored too low."
        )
        if index % 3 == 0:
            continue
        challenge_services.challenge_reply(
            actor=world["officer"], challenge=challenge, decision="dismissed", reply="The ranking stands."
        )
        if index % 2:
            challenge_services.complaint_submit(
                actor=admin, challenge=challenge, grounds="The bureau did not look at our plan."
            )
    return tender
