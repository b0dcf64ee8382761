"""Two requests racing for one state change give exactly one effect (docs/architecture.md §4:
services lock the row). Real concurrency needs real connections, so these run on PostgreSQL only:
each thread has its own connection, and a barrier starts them together."""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django_fsm_log.models import StateLog

from common.errors import ApplicationError, InvalidTransition
from contracts import services as contract_services
from contracts.models import Contract, Instalment
from marketplace import services
from marketplace.models import Bid, Tender
from marketplace.selectors import ranking_of
from orgs.models import Membership, User

from . import factories as f
from .flows import draft_contract, evaluating_tender, score_all

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)"),
    pytest.mark.django_db(transaction=True),
]


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls at once, one thread and one connection each; return each call's result or the
    exception it raised."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as error:  # reported to the test
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
        assert not thread.is_alive(), "a racing call hung"
    return results


def as_user(user: User) -> User:
    """A fresh user object per thread: the role cache lives on the object."""
    return User.objects.get(pk=user.pk)


def state_logs(instance, transition: str) -> int:
    return StateLog.objects.for_(instance).filter(transition=transition).count()


def test_two_awards_at_once_propose_one_award(world):
    # Given a scored tender ready for award
    tender = evaluating_tender(world)
    score_all(world, tender)
    top = ranking_of(tender)[0].bid

    def award():
        officer = as_user(world["officer"])
        return services.tender_award(
            actor=officer, tender=Tender.objects.get(pk=tender.pk), bid=Bid.objects.get(pk=top.pk)
        )

    # When two awards race
    results = race(award, award)

    # Then one proposed the award and the other was refused as an invalid transition
    succeeded = [r for r in results if isinstance(r, Tender)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(succeeded) == 1, results
    assert len(refused) == 1 and isinstance(refused[0], InvalidTransition), results
    tender.refresh_from_db()
    assert tender.status == Tender.Status.AWARD_PROPOSED
    assert tender.proposed_bid_id == top.id
    assert state_logs(tender, "award") == 1


def test_two_awards_at_once_through_the_api_give_one_200_and_one_409(world, api):
    tender = evaluating_tender(world)
    score_all(world, tender)
    top = ranking_of(tender)[0].bid
    clients = [api(world["officer"]), api(world["officer"])]

    results = race(*(lambda c=c: c.post(f"tenders/{tender.id}/award/", {"bid": top.id}) for c in clients))

    assert sorted(r.status_code for r in results) == [200, 409], results
    conflict = next(r for r in results if r.status_code == 409)
    assert conflict.json()["code"] == "invalid_transition"
    assert state_logs(Tender.objects.get(pk=tender.pk), "award") == 1


def assert_activated_once(contract: Contract) -> None:
    contract.refresh_from_db()
    assert contract.status == Contract.Status.ACTIVE
    assert contract.bureau_signed_at is not None and contract.provider_signed_at is not None
    assert state_logs(contract, "activate") == 1
    advance = contract.instalments.get(kind=Instalment.Kind.ADVANCE)
    assert advance.status == Instalment.Status.PAYABLE
    assert state_logs(advance, "make_payable") == 1
    assert set(
        contract.instalments.exclude(kind=Instalment.Kind.ADVANCE).values_list("status", flat=True)
    ) == {Instalment.Status.SCHEDULED}


def provider_admin_of(world, contract: Contract) -> User:
    index = [p.id for p in world["providers"]].index(contract.provider_id)
    return world["provider_admins"][index]


def test_both_parties_signing_at_once_activate_the_contract_once(world):
    # Given a draft contract neither party has signed
    contract = draft_contract(world)
    provider_admin = provider_admin_of(world, contract)

    def sign(user):
        return lambda: contract_services.contract_sign(
            actor=as_user(user), contract=Contract.objects.get(pk=contract.pk)
        )

    # When the officer and the provider's admin sign at the same moment
    results = race(sign(world["officer"]), sign(provider_admin))

    # Then both signatures count and the contract is activated exactly once
    assert all(isinstance(r, Contract) for r in results), results
    assert_activated_once(contract)


def test_two_provider_admins_signing_at_once_activate_the_contract_once(world):
    # Given a draft contract the bureau has signed, and a provider with two admins
    contract = draft_contract(world)
    contract_services.contract_sign(actor=world["officer"], contract=contract)
    first_admin = provider_admin_of(world, contract)
    second_admin = f.member(contract.provider, Membership.Role.ADMIN)

    def sign(user):
        return lambda: contract_services.contract_sign(
            actor=as_user(user), contract=Contract.objects.get(pk=contract.pk)
        )

    # When both admins sign at once
    results = race(sign(first_admin), sign(second_admin))

    # Then one signature activates it and the other is refused
    signed = [r for r in results if isinstance(r, Contract)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(signed) == 1 and signed[0].status == Contract.Status.ACTIVE, results
    assert len(refused) == 1 and isinstance(refused[0], ApplicationError), results
    assert refused[0].status_code == 409
    assert_activated_once(contract)


def test_the_same_admin_signing_twice_at_once_activates_once(world, api):
    contract = draft_contract(world)
    contract_services.contract_sign(actor=world["officer"], contract=contract)
    admin = provider_admin_of(world, contract)
    clients = [api(admin), api(admin)]

    results = race(*(lambda c=c: c.post(f"contracts/{contract.id}/sign/") for c in clients))

    assert sorted(r.status_code for r in results) == [200, 409], [(r.status_code, r.json()) for r in results]
    assert_activated_once(contract)


def test_two_provider_admins_signing_a_variation_at_once_make_it_take_effect_once(world):
    """docs/rules.md §17.8: the second signature of a value variation moves the value, the instalments
    and the budget once, however many try at once."""
    from contracts.models import Variation
    from contracts.settlement import ledger_invariant_holds
    from evaluations.services import variation_propose, variation_sign

    from .flows import active_contract

    contract = active_contract(world)
    variation = variation_propose(
        actor=world["officer"], contract=contract, kind="value", reason="More homes.", value_delta=1_000_000
    )
    variation_sign(actor=world["officer"], variation=variation)
    provider = contract.provider
    first_admin = world["provider_admins"][[p.id for p in world["providers"]].index(provider.id)]
    second_admin = f.member(provider, Membership.Role.ADMIN)
    committed = Tender.objects.get(pk=contract.tender_id).committed_amount

    def sign(user):
        return lambda: variation_sign(actor=as_user(user), variation=Variation.objects.get(pk=variation.pk))

    results = race(sign(first_admin), sign(second_admin))

    signed = [r for r in results if isinstance(r, Variation)]
    refused = [r for r in results if isinstance(r, ApplicationError)]
    assert len(signed) == 1 and signed[0].status == Variation.Status.EFFECTIVE, results
    assert len(refused) == 1 and refused[0].status_code == 409, results
    contract.refresh_from_db()
    assert contract.value_amount == 28_000_000 + 1_000_000
    assert Tender.objects.get(pk=contract.tender_id).committed_amount == committed + 1_000_000
    assert state_logs(variation, "take_effect") == 1
    assert ledger_invariant_holds(contract)


def test_terminating_while_a_variation_takes_effect_never_deadlocks(world):
    """docs/architecture.md §4: terminating a contract and the second signature of a variation lock
    the contract, then its instalments, then the tender's commitment, so racing they run one after
    the other — both, or the termination and a clean refusal — never a deadlock."""
    from contracts.models import Variation
    from contracts.settlement import ledger_invariant_holds
    from evaluations.services import variation_propose, variation_sign

    from .flows import active_contract

    contract = active_contract(world)
    variation = variation_propose(
        actor=world["officer"], contract=contract, kind="value", reason="Fewer homes.", value_delta=-1_000_000
    )
    variation_sign(actor=world["officer"], variation=variation)
    provider_admin = provider_admin_of(world, contract)

    results = race(
        lambda: variation_sign(
            actor=as_user(provider_admin), variation=Variation.objects.get(pk=variation.pk)
        ),
        lambda: contract_services.contract_terminate(
            actor=as_user(world["officer"]),
            contract=Contract.objects.get(pk=contract.pk),
            reason="Failed twice.",
        ),
    )

    assert all(isinstance(r, (Variation, Contract, ApplicationError)) for r in results), results
    assert isinstance(results[1], Contract), results  # the termination always goes through
    contract.refresh_from_db()
    assert contract.status == Contract.Status.TERMINATED
    assert ledger_invariant_holds(contract)


def test_confirming_and_deciding_an_appeal_at_once_move_the_holdback_once(world):
    """docs/rules.md §11.7, docs/architecture.md §4: confirming (the scheduler) and deciding an appeal
    both lock the evaluation, then the contract, then the appeal and the instalments, so racing they
    run one after the other. Either order pays the upheld holdback in full, once; nothing stays held."""
    from decimal import Decimal

    from contracts.settlement import contract_balance, ledger_invariant_holds
    from evaluations.appeals import appeal_decide, appeal_file
    from evaluations.models import Appeal, Evaluation
    from evaluations.services import evaluation_confirm

    from . import flows
    from .evaluations.test_appeals import HOLDBACK, PUBLISHED, VALUE

    objects = flows.delivering_contract(world, prices=(VALUE, VALUE))
    flows.final_evaluation(world, objects, t="85", b="85", c="85")
    objects["evaluation"] = Evaluation.objects.get(contract=objects["contract"], stage="final")
    evaluation = flows.published_evaluation(world, objects, satisfaction=2, **PUBLISHED)
    contract = objects["contract"]
    appeal = appeal_file(
        actor=provider_admin_of(world, contract),
        evaluation=evaluation,
        grounds="Holiday visits.",
        claimed={"third_party": Decimal("93.48")},
    )
    flows.pass_appeal_window(evaluation)

    results = race(
        lambda: evaluation_confirm(actor=None, evaluation=Evaluation.objects.get(pk=evaluation.pk)),
        lambda: appeal_decide(
            actor=as_user(world["officer"]),
            appeal=Appeal.objects.get(pk=appeal.pk),
            decision="upheld",
            scores=None,
            reasoning="Agreed.",
        ),
    )

    assert isinstance(results[0], Evaluation) and isinstance(results[1], Appeal), results
    holdback = Instalment.objects.filter(contract=contract, kind="holdback")
    assert sum(i.amount_payable for i in holdback) == HOLDBACK
    assert all(i.status == "payable" for i in holdback)
    assert state_logs(Appeal.objects.get(pk=appeal.pk), "uphold") == 1
    assert contract_balance(contract).held == 0 and ledger_invariant_holds(contract)
