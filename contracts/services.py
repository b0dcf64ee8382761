"""Writes of the contracts app: finalizing an award into a contract, signing, and the contract's
lifecycle. Finalizing crosses apps, so it lives here (the higher app) and moves the tender through
the marketplace's service."""

from decimal import Decimal

import rules
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common import reasons
from common.errors import Conflict, Forbidden, Invalid, InvalidTransition
from common.money import round_half_up, share_of, split_by_shares
from common.transitions import run_transition
from contracts.errors import ContractsError
from marketplace.models import Exclusion, Tender
from marketplace.services import (
    check_no_challenge_pending,
    commitment_release,
    exclusion_impose,
    tender_finalize_award,
)
from needs.services import needs_contracted, needs_delivered, needs_reopened
from orgs.models import Organization, User

from .models import Contract, Instalment
from .permissions import ASSIGNMENT_CLOSED, is_contract_officer, is_contract_provider_admin
from .settlement import contract_close_if_settled, ledger_record
from .terms import ContractTerms


def _require(actor: User, perm: str, contract: Contract) -> None:
    if not rules.has_perm(perm, actor, contract):
        raise Forbidden()


def _locked(contract: Contract) -> Contract:
    locked: Contract = Contract.objects.select_for_update().get(pk=contract.pk)
    return locked


@transaction.atomic
def award_finalize(*, actor: User | None, tender: Tender) -> Tender:
    """When the standstill is over the award becomes final and the contract is drafted with its
    instalments (amounts sum to the value exactly). Idempotent: finalizing an awarded tender
    changes nothing, so the scheduler and the endpoint can race."""
    # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of the proposed_bid join
    tender = (
        Tender.objects.select_for_update(of=("self",))
        .select_related("proposed_bid", "catalogue_item")
        .get(pk=tender.pk)
    )
    if tender.status == Tender.Status.AWARDED:
        if actor is not None and not rules.has_perm("marketplace.finalize_award_tender", actor, tender):
            raise Forbidden()
        return tender
    if tender.status != Tender.Status.AWARD_PROPOSED:
        if actor is not None and not rules.has_perm("marketplace.finalize_award_tender", actor, tender):
            raise Forbidden()
        raise InvalidTransition()
    tender_finalize_award(actor=actor, tender=tender)
    bid = tender.proposed_bid
    assert bid is not None
    contract = Contract.objects.create(
        tender=tender,
        bid=bid,
        bureau_id=tender.bureau_id,
        provider_id=bid.provider_id,
        title=tender.title,
        value_amount=bid.price_amount,
        currency=tender.currency,
        service_start=tender.service_start,
        service_end=tender.service_end,
        terms=ContractTerms.of_tender(tender).as_json(),
    )
    schedule = list(tender.payment_schedule.all())
    amounts = split_by_shares(contract.value_amount, [item.share_pct for item in schedule])
    Instalment.objects.bulk_create(
        Instalment(
            contract=contract, kind=item.kind, sequence=position, share_pct=item.share_pct, amount=amount
        )
        for position, (item, amount) in enumerate(zip(schedule, amounts, strict=True), start=1)
    )
    return tender


@transaction.atomic
def contract_sign(*, actor: User, contract: Contract) -> Contract:
    """Each party signs once; the second signature activates the contract and makes the advance
    instalment payable, in the same transaction."""
    contract = _locked(contract)
    if contract.status != Contract.Status.DRAFT:
        if rules.has_perm("contracts.view_contract_details", actor, contract):
            raise InvalidTransition()
        raise Forbidden()
    if is_contract_officer(actor, contract) or is_contract_provider_admin(actor, contract):
        check_no_challenge_pending(contract.tender)
    signed_any = False
    now = timezone.now()
    if is_contract_officer(actor, contract) and contract.bureau_signed_at is None:
        contract.bureau_signed_by, contract.bureau_signed_at = actor, now
        signed_any = True
    elif is_contract_provider_admin(actor, contract) and contract.provider_signed_at is None:
        contract.provider_signed_by, contract.provider_signed_at = actor, now
        signed_any = True
    if not signed_any:
        if is_contract_officer(actor, contract) or is_contract_provider_admin(actor, contract):
            raise Conflict(
                _("Your side has already signed this contract."), code=ContractsError.ALREADY_SIGNED
            )
        raise Forbidden()
    contract.save()
    if contract.is_fully_signed:
        run_transition(contract, contract.activate, by=actor, description=reasons.CONTRACT_SIGNED)
        for instalment in contract.instalments.select_for_update().filter(kind=Instalment.Kind.ADVANCE):
            run_transition(instalment, instalment.make_payable, by=actor, description=reasons.CONTRACT_ACTIVE)
        needs_contracted(contract.tender.needs.all(), contract_id=contract.pk, by=actor)  # §22
    return contract


@transaction.atomic
def contract_suspend(*, actor: User, contract: Contract, reason: str) -> Contract:
    contract = _locked(contract)
    _require(actor, "contracts.suspend_contract", contract)
    return run_transition(contract, contract.suspend, by=actor, description=_reason(reason))


@transaction.atomic
def contract_resume(*, actor: User, contract: Contract, reason: str = "") -> Contract:
    contract = _locked(contract)
    _require(actor, "contracts.resume_contract", contract)
    return run_transition(contract, contract.resume, by=actor, description=reason.strip())


@transaction.atomic
def contract_terminate(*, actor: User, contract: Contract, reason: str) -> Contract:
    """Termination withholds every instalment not yet payable and returns that money to the budget
    line; instalments already payable stay owed for the work delivered."""
    contract = _locked(contract)
    _require(actor, "contracts.terminate_contract", contract)
    run_transition(contract, contract.terminate, by=actor, description=_reason(reason))
    for instalment in contract.instalments.select_for_update().filter(
        status__in=[Instalment.Status.SCHEDULED, Instalment.Status.HELD]
    ):
        run_transition(instalment, instalment.withhold, by=actor, description=reasons.CONTRACT_TERMINATED)
        _return_withheld(contract, instalment)
    exclusion_impose(  # the provider may not bid for EXCLUSION_MONTHS (docs/rules.md §17.6)
        provider=contract.provider,
        bureau=contract.bureau,
        source=Exclusion.Source.CONTRACT_TERMINATED,
        source_id=contract.pk,
        contract_id=contract.pk,
        starts=contract.terminated_at,
    )
    needs_reopened(contract.tender.needs.all(), tender_id=contract.tender_id, by=actor)  # §22
    return contract


@transaction.atomic
def contract_assign(
    *, actor: User, contract: Contract, assessor: Organization | None, community: Organization | None
) -> Contract:
    """Name who enters the third-party score (an assessor) and the community score (a residents'
    committee whose jurisdiction meets the service areas)."""
    contract = _locked(contract)
    _require(actor, "contracts.assign_contract", contract)
    if contract.status in ASSIGNMENT_CLOSED:
        raise InvalidTransition()
    errors: dict[str, list[str]] = {}
    verified = Organization.Status.VERIFIED
    if assessor is not None and (assessor.kind != Organization.Kind.ASSESSOR or assessor.status != verified):
        errors["assessor"] = [_("Choose a verified assessor organisation.")]
    if community is not None:
        areas = list(contract.tender.areas.all())
        meets = community.jurisdiction is not None and any(
            community.jurisdiction.contains(area) or area.contains(community.jurisdiction) for area in areas
        )
        if community.kind != Organization.Kind.COMMUNITY or community.status != verified:
            errors["community"] = [_("Choose a verified residents' committee.")]
        elif not meets:
            errors["community"] = [_("The committee's area does not meet the service areas.")]
    if errors:
        raise Invalid(errors)
    if assessor is not None:
        contract.assessor = assessor
    if community is not None:
        contract.community = community
    contract.save(update_fields=["assessor", "community"])
    return contract


def _reason(reason: str) -> str:
    if not reason.strip():
        raise Invalid({"reason": [_("Give the reason.")]})
    return reason.strip()


def _return_withheld(contract: Contract, instalment: Instalment) -> None:
    """Withheld money returns to the budget line, and the ledger records the movement."""
    if not instalment.withheld_amount:
        return
    commitment_release(tender=contract.tender, amount=instalment.withheld_amount)
    ledger_record(
        contract=contract,
        instalment=instalment,
        kind="withheld",
        amount=instalment.withheld_amount,
        description=reasons.RETURNED_TO_BUDGET,
    )


@transaction.atomic
def instalments_release(
    *, contract: Contract, kind: str, share: Decimal, by: User | None, reason: str
) -> list[Instalment]:
    """Release the scheduled instalments of ``kind`` at ``share`` (0–1) of their amount, rounded
    half up: payable if anything is released, withheld otherwise; the rest returns to the budget.
    Called by evaluations when an evaluation becomes final."""
    released = []
    for instalment in contract.instalments.select_for_update().filter(
        kind=kind, status=Instalment.Status.SCHEDULED
    ):
        instalment_release_at(instalment, share, by=by, reason=reason)
        instalment.save()
        _return_withheld(contract, instalment)
        released.append(instalment)
    return released


def instalment_release_at(instalment: Instalment, share: Decimal, *, by: User | None, reason: str) -> None:
    """The one rule of a release, for ``instalments_release`` and the chunked confirmation
    (``evaluations.batch``): a scheduled instalment releases ``share`` of its amount, rounded half
    up, and becomes payable if anything is released, withheld otherwise. Moves the instalment (and
    logs the transition) without saving it; what it withholds returns to the budget by the caller."""
    amount = share_of(instalment.amount, share)
    if amount > 0:
        run_transition(
            instalment, instalment.make_payable, by=by, release_amount=amount, description=reason, save=False
        )
    else:
        run_transition(instalment, instalment.withhold, by=by, description=reason, save=False)


def _make_payable_or_withhold(
    contract: Contract, instalment: Instalment, *, release_amount: int, by: User | None, reason: str
) -> None:
    if release_amount > 0:
        run_transition(
            instalment, instalment.make_payable, by=by, release_amount=release_amount, description=reason
        )
    else:
        run_transition(instalment, instalment.withhold, by=by, description=reason)
    _return_withheld(contract, instalment)


def _record_hold(contract: Contract, instalment: Instalment) -> None:
    ledger_record(
        contract=contract,
        instalment=instalment,
        kind="held",
        amount=instalment.amount,
        description=reasons.HELD_FOR_APPEAL,
    )


@transaction.atomic
def instalment_release_holding(
    *,
    contract: Contract,
    instalment: Instalment,
    release_amount: int,
    held_amount: int,
    by: User | None,
    reason: str,
) -> Instalment | None:
    """Release a scheduled instalment while an appeal is pending (docs/rules.md §11.7): the
    disputed ``held_amount`` is split off into an instalment of its own, held; the instalment pays
    ``release_amount`` and withholds the rest, which returns to the budget. The caller (evaluations)
    computes both amounts and has locked the contract. Returns the held instalment (None if nothing
    is disputed)."""
    instalment = contract.instalments.select_for_update().get(pk=instalment.pk)
    if not 0 <= held_amount <= instalment.amount - release_amount or release_amount < 0:
        raise ValueError("the release and the hold exceed the instalment")
    held = None
    if held_amount > 0:
        last = contract.instalments.order_by("-sequence").values_list("sequence", flat=True).first() or 0
        share = round_half_up(instalment.share_pct * held_amount / instalment.amount, 2)
        held = Instalment.objects.create(
            contract=contract,
            kind=instalment.kind,
            sequence=last + 1,
            share_pct=share,
            amount=held_amount,
            split_from=instalment,
        )
        instalment.amount -= held_amount
        instalment.share_pct -= share
        instalment.save(update_fields=["amount", "share_pct"])
        run_transition(held, held.hold, by=by, description=reason)
        _record_hold(contract, held)
    _make_payable_or_withhold(contract, instalment, release_amount=release_amount, by=by, reason=reason)
    return held


@transaction.atomic
def instalment_hold(
    *, contract: Contract, instalment: Instalment, by: User | None, reason: str
) -> Instalment:
    """Hold a scheduled instalment whole while an appeal is decided (a midterm appeal holds the
    interim instalment, docs/rules.md §11.7)."""
    instalment = contract.instalments.select_for_update().get(pk=instalment.pk)
    run_transition(instalment, instalment.hold, by=by, description=reason)
    _record_hold(contract, instalment)
    return instalment


@transaction.atomic
def instalment_settle_held(
    *, contract: Contract, instalment: Instalment, release_amount: int | None, by: User | None, reason: str
) -> Instalment:
    """An appeal is decided: the held instalment pays ``release_amount`` and withholds the rest
    (returned to the budget), or, with ``None``, goes back to the schedule. A completed contract
    closes once everything is settled."""
    instalment = contract.instalments.select_for_update().get(pk=instalment.pk)
    if instalment.status != Instalment.Status.HELD:
        raise InvalidTransition()
    if release_amount is None:
        run_transition(instalment, instalment.unhold, by=by, description=reason)
    else:
        _make_payable_or_withhold(contract, instalment, release_amount=release_amount, by=by, reason=reason)
    contract_close_if_settled(contract=contract, by=by)
    return instalment


@transaction.atomic
def contract_start_rectification(*, contract: Contract, by: User | None, reason: str) -> Contract:
    """A failed midterm evaluation puts an active contract into rectification."""
    contract = _locked(contract)
    if contract.status == Contract.Status.ACTIVE:
        run_transition(contract, contract.start_rectification, by=by, description=reason)
    return contract


@transaction.atomic
def contract_end_rectification(*, contract: Contract, by: User | None, reason: str) -> Contract:
    contract = _locked(contract)
    if contract.status == Contract.Status.RECTIFICATION:
        run_transition(contract, contract.end_rectification, by=by, description=reason)
    return contract


@transaction.atomic
def contract_complete(*, contract: Contract, by: User | None, reason: str) -> Contract:
    """The final evaluation is final: the contract is completed, and closed at once if every
    instalment is already settled."""
    contract = _locked(contract)
    run_transition(contract, contract.complete, by=by, description=reason)
    contract_close_if_settled(contract=contract, by=by)
    needs_delivered(contract.tender.needs.all(), contract_id=contract.pk, by=by)  # docs/rules.md §22
    return contract
