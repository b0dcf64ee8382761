"""What a final (confirmed or decided) evaluation does to its contract's course (docs/rules.md §11.5,
§11.7), written once for confirming and for deciding an appeal: a midterm passed or failed, and a
final evaluation's band E exclusion. Whether a midterm passed is ``Evaluation.has_passed`` (the
decided band once an appeal is decided, else the confirmed one). The callers hold the locks
(``locks.evaluation_locked``: evaluation → contract → appeal → instalments → tender → budget line)."""

import datetime
from decimal import Decimal

from common import reasons
from common.transitions import run_transition
from contracts import services as contract_services
from contracts.models import Contract, Instalment
from marketplace.models import Exclusion
from marketplace.services import exclusion_impose
from orgs.models import User

from . import scoring
from .models import Appeal, Evaluation


def interim_release(*, contract: Contract, by: User | None, reason: str) -> int:
    """A midterm passed: the interim is released whole, whether it waits in the schedule or is held
    by an appeal of an earlier round (which, decided later, then finds nothing left to settle).
    Returns the amount released out of holds."""
    contract_services.instalments_release(
        contract=contract, kind=Instalment.Kind.INTERIM, share=Decimal(1), by=by, reason=reason
    )
    released = 0
    for held in contract.instalments.select_for_update().filter(
        kind=Instalment.Kind.INTERIM, status=Instalment.Status.HELD
    ):
        contract_services.instalment_settle_held(
            contract=contract, instalment=held, release_amount=held.amount, by=by, reason=reason
        )
        released += held.amount
    return released


def midterm_passed(
    *, evaluation: Evaluation, contract: Contract, by: User | None, reason: str, appeal: Appeal | None = None
) -> None:
    """The course of a midterm that passed (at confirmation, or when an appeal's decision lifts a
    failed one): rectification ends; later midterm rounds not yet final are superseded (their open
    appeals lapse) and the final evaluation opens, unless one already exists."""
    contract_services.contract_end_rectification(contract=contract, by=by, reason=reason)
    later = Evaluation.objects.filter(
        contract=contract,
        stage=Evaluation.Stage.MIDTERM,
        round__gt=evaluation.round,
        status__in=(Evaluation.Status.OPEN, Evaluation.Status.PUBLISHED),
    ).order_by("id")
    for superseded in later:
        description = reasons.EVALUATION_SUPERSEDED % {"appeal": appeal.pk if appeal else "-"}
        run_transition(superseded, superseded.supersede, by=by, description=description)
        for lapsed in Appeal.objects.select_for_update().filter(
            evaluation=superseded, status=Appeal.Status.OPEN
        ):
            run_transition(lapsed, lapsed.lapse, by=by, description=reasons.APPEAL_LAPSED_SUPERSEDED)
    if not Evaluation.objects.filter(contract=contract, stage=Evaluation.Stage.FINAL).exists():
        Evaluation.objects.create(contract=contract, stage=Evaluation.Stage.FINAL)


def midterm_failed(*, evaluation: Evaluation, contract: Contract, by: User | None, reason: str) -> None:
    """A midterm failed: the contract goes into rectification and the next round opens."""
    contract_services.contract_start_rectification(contract=contract, by=by, reason=reason)
    Evaluation.objects.create(contract=contract, stage=Evaluation.Stage.MIDTERM, round=evaluation.round + 1)


def final_exclusion(*, evaluation: Evaluation, contract: Contract, starts: datetime.datetime | None) -> None:
    """A final evaluation that counts in band E excludes the provider from bidding (§17.6). Called
    when the band can no longer change: at confirmation without an open appeal, else at the
    decision (from the decision's moment)."""
    if evaluation.stage == Evaluation.Stage.FINAL and evaluation.band == scoring.BAND_E:
        exclusion_impose(
            provider=contract.provider,
            bureau=contract.bureau,
            source=Exclusion.Source.EVALUATION_BAND_E,
            source_id=evaluation.pk,
            contract_id=contract.pk,
            starts=starts,
        )
