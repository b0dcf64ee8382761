"""Confirming due evaluations in chunks (docs/scaling.md, issue 13): what ``services.evaluation_confirm``
does for one evaluation, done for a chunk of them in a number of queries that does not grow with the
chunk — one read of the evaluations with their contracts (locked), one of their appeals, one of the
contracts' other evaluations, one of their instalments (locked), one of the needs their completion
would deliver; then every transition checked and run in memory by the state machine (with the same
functions that compute one confirmation: ``Evaluation.score``/``has_passed``,
``scoring.release_share``, ``contracts.services.instalment_release_at``), and written in bulk: one
statement per table, the StateLog rows and ledger entries bulk-inserted and chained in one append of
the tamper-evident log, the tenders' commitments released in one statement.

The common courses are done here: a midterm that passed (the interim released whole, rectification
ended, the final evaluation opened) or failed (rectification, the next round), a final evaluation
without an appeal (the holdback at f(S), an interim never released withheld, the contract completed
and closed once settled). What is rare is left to the one-by-one path (``evaluation_confirm``, each in
its own transaction after the chunk's commit): an evaluation with an appeal, a midterm whose contract
holds an interim or has later rounds, a final one in band E (the exclusion), a contract whose
completion delivers needs or that is not active (the one-by-one path refuses it as it always has).

Idempotent: only published evaluations whose appeal window is over are read, under their lock, so a
re-run or a duplicate message confirms nothing twice."""

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from auditchain.chain import record_created
from common import reasons
from common.bulk import rows_update
from common.transition_log import transition_logs_collected
from common.transitions import run_transition
from contracts import services as contract_services
from contracts.models import Contract, Instalment, LedgerEntry
from contracts.settlement import is_settled_now, ledger_entry, settled_in_bulk
from marketplace.services import commitments_release
from needs.models import Need

from . import scoring
from .models import Appeal, Evaluation


def _due() -> "QuerySet[Evaluation]":
    """The published evaluations whose appeal window is over (``Evaluation``'s window rule, as a
    query)."""
    due: QuerySet[Evaluation] = Evaluation.objects.filter(
        status=Evaluation.Status.PUBLISHED, appeal_until__lte=timezone.now()
    )
    return due


def due_evaluations() -> "list[int]":
    """The ids of the published evaluations whose appeal window is over, in id order."""
    return list(_due().order_by("id").values_list("id", flat=True))


def evaluations_confirm_chunk(evaluation_ids: Sequence[int]) -> tuple[list[int], list[int]]:
    """Confirm the due evaluations among ``evaluation_ids`` (as the scheduler does: no actor) in one
    transaction. Returns the ids confirmed here and the ids left to the one-by-one path."""
    with transaction.atomic():
        return _confirm_chunk(list(evaluation_ids))


def _confirm_chunk(evaluation_ids: list[int]) -> tuple[list[int], list[int]]:
    # The house lock order (docs/architecture.md §4), for the whole chunk: evaluations with their
    # contracts, appeals (read: none can be filed once the window is over), instalments, tenders,
    # budget lines, and the log's head last.
    evaluations = list(
        _due()
        .select_for_update(of=("self", "contract"))
        .select_related("contract")
        .filter(pk__in=evaluation_ids)
        .order_by("id")
    )
    if not evaluations:
        return [], []
    contract_ids = [evaluation.contract_id for evaluation in evaluations]
    appealed = set(
        Appeal.objects.filter(evaluation_id__in=[e.pk for e in evaluations]).values_list(
            "evaluation_id", flat=True
        )
    )
    others: dict[int, list[tuple[str, int, str]]] = defaultdict(list)
    for contract_id, stage, round_, status in (
        Evaluation.objects.filter(contract_id__in=contract_ids)
        .exclude(pk__in=[e.pk for e in evaluations])
        .values_list("contract_id", "stage", "round", "status")
    ):
        others[contract_id].append((stage, round_, status))
    instalments: dict[int, list[Instalment]] = defaultdict(list)
    for instalment in (
        Instalment.objects.select_for_update().filter(contract_id__in=contract_ids).order_by("pk")
    ):
        instalments[instalment.contract_id].append(instalment)
    with_needs = set(
        Need.objects.filter(tenders__contract__in=contract_ids, status=Need.Status.CONTRACTED).values_list(
            "tenders__contract", flat=True
        )
    )

    here: list[Evaluation] = []
    rest: list[int] = []
    seen: set[int] = set()
    for evaluation in evaluations:
        contract = evaluation.contract
        if (
            contract.pk in seen
            or evaluation.pk in appealed
            or _is_rare(evaluation, contract, instalments[contract.pk], others[contract.pk], with_needs)
        ):
            rest.append(evaluation.pk)
        else:
            here.append(evaluation)
        seen.add(contract.pk)
    if not here:
        return [], rest

    moved_contracts: dict[int, Contract] = {}
    moved_instalments: dict[int, Instalment] = {}
    opened: list[Evaluation] = []
    returned: dict[int, int] = defaultdict(int)  # tender id → money back to its budget line
    with transition_logs_collected() as chained:  # StateLog rows, and ledger entries, in order
        for evaluation in here:
            contract = evaluation.contract
            score = evaluation.score
            assert score is not None  # published
            reason = reasons.EVALUATION[evaluation.stage] % {"score": score}
            run_transition(evaluation, evaluation.confirm, by=None, save=False)

            def release(kind: str, share: Decimal) -> None:
                for instalment in instalments[contract.pk]:  # noqa: B023 (called at once)
                    if instalment.kind != kind or instalment.status != Instalment.Status.SCHEDULED:
                        continue
                    contract_services.instalment_release_at(instalment, share, by=None, reason=reason)  # noqa: B023
                    moved_instalments[instalment.pk] = instalment
                    if instalment.withheld_amount:  # back to the budget, and into the ledger
                        returned[contract.tender_id] += instalment.withheld_amount  # noqa: B023
                        chained.append(
                            ledger_entry(
                                contract=contract,  # noqa: B023
                                instalment=instalment,
                                kind=LedgerEntry.Kind.WITHHELD,
                                amount=instalment.withheld_amount,
                                description=reasons.RETURNED_TO_BUDGET,
                            )
                        )

            def move(method: Any) -> None:
                run_transition(contract, method, by=None, description=reason, save=False)  # noqa: B023
                moved_contracts[contract.pk] = contract  # noqa: B023

            if evaluation.stage == Evaluation.Stage.MIDTERM:
                if evaluation.has_passed:  # course.interim_release, course.midterm_passed
                    release(Instalment.Kind.INTERIM, Decimal(1))
                    if contract.status == Contract.Status.RECTIFICATION:
                        move(contract.end_rectification)
                    if not any(stage == Evaluation.Stage.FINAL for stage, _, _ in others[contract.pk]):
                        opened.append(Evaluation(contract=contract, stage=Evaluation.Stage.FINAL))
                else:  # course.midterm_failed
                    if contract.status == Contract.Status.ACTIVE:
                        move(contract.start_rectification)
                    opened.append(
                        Evaluation(
                            contract=contract, stage=Evaluation.Stage.MIDTERM, round=evaluation.round + 1
                        )
                    )
            else:
                release(Instalment.Kind.HOLDBACK, scoring.release_share(score, contract.frozen_terms.rule))
                release(Instalment.Kind.INTERIM, Decimal(0))
                move(contract.complete)  # contract_services.contract_complete
                if is_settled_now(instalments[contract.pk]):  # contract_close_if_settled
                    move(contract.close)

    rows_update(Evaluation, here, ["status", "confirmed_at"])
    Evaluation.objects.bulk_create(opened)
    entries = [row for row in chained if isinstance(row, LedgerEntry)]
    logs = [row for row in chained if not isinstance(row, LedgerEntry)]
    settled_in_bulk(
        contracts=list(moved_contracts.values()),
        instalments=list(moved_instalments.values()),
        entries=entries,
    )
    if logs:
        type(logs[0]).objects.bulk_create(logs)
    commitments_release(dict(returned))  # tenders, then their lines: the locks before the head's
    record_created(chained)
    return [evaluation.pk for evaluation in here], rest


def _is_rare(
    evaluation: Evaluation,
    contract: Contract,
    instalments: list[Instalment],
    others: list[tuple[str, int, str]],
    with_needs: set[int],
) -> bool:
    """Whether the evaluation's confirmation takes a course this module leaves to
    ``evaluation_confirm`` (see the module's docstring)."""
    if contract.status in (Contract.Status.TERMINATED, Contract.Status.SUSPENDED):
        return True
    if evaluation.stage == Evaluation.Stage.MIDTERM:
        if not evaluation.has_passed:
            return False
        holds = any(
            i.kind == Instalment.Kind.INTERIM and i.status == Instalment.Status.HELD for i in instalments
        )
        later = any(
            stage == Evaluation.Stage.MIDTERM
            and round_ > evaluation.round
            and status in (Evaluation.Status.OPEN, Evaluation.Status.PUBLISHED)
            for stage, round_, status in others
        )
        return holds or later
    return (
        contract.status != Contract.Status.ACTIVE
        or evaluation.band == scoring.BAND_E
        or contract.pk in with_needs
    )
