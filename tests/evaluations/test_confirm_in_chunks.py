"""Confirming due evaluations in chunks (issue 13, docs/scaling.md): the same results to the fen as
confirming them one by one — every contract, instalment, evaluation, payment, ledger row, budget
commitment and transition log, the ledger invariant, and a valid tamper-evident log — in a number of
queries that does not grow with the chunk; idempotent."""

from collections import Counter

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_fsm_log.models import StateLog

from auditchain.models import Entry
from auditchain.verify import verify
from contracts.models import Contract, Instalment, LedgerEntry
from contracts.settlement import ledger_invariant_holds
from evaluations.batch import due_evaluations, evaluations_confirm_chunk
from evaluations.models import Evaluation
from evaluations.tasks import confirm_due_evaluations, confirm_evaluation, confirm_evaluations_chunk
from marketplace.models import BudgetLine, Tender
from payments.models import Payment

from .. import flows

pytestmark = pytest.mark.django_db


def _due(world, objects: dict, **scores) -> Evaluation:
    evaluation = flows.published_evaluation(world, objects, **scores)
    return flows.pass_appeal_window(evaluation)


def _at_final(world, **scores) -> dict:
    """A contract whose midterm passed and was confirmed: its final evaluation is open."""
    objects = flows.delivering_contract(world, households=3)
    confirm_evaluation(_due(world, objects).pk)
    objects["evaluation"] = Evaluation.objects.get(contract=objects["contract"], stage=Evaluation.Stage.FINAL)
    flows.log_service(world, objects["contract"], [r.household for r in objects["residents"]])
    return objects


def _settings_for_many(world, settings) -> None:
    """Appeal windows that end at once, and a budget line for many contracts."""
    settings.EVALUATION_APPEAL_DAYS = 0
    BudgetLine.objects.filter(pk=world["budget_line"].pk).update(amount=10**12)


@pytest.fixture
def due(world, settings):
    """Due evaluations taking every course: midterms that pass and fail, final evaluations in bands
    A to D (the holdback at f(S), part of it back to the budget) and one in band E (left to the
    one-by-one path: the exclusion)."""
    _settings_for_many(world, settings)
    ids = []
    ids.append(_due(world, flows.delivering_contract(world, households=3)).pk)  # midterm passes
    ids.append(
        _due(world, flows.delivering_contract(world, households=3), satisfaction=1, t="40", b="40", c="40").pk
    )
    for score in ("95", "80", "70", "62", "30"):
        objects = _at_final(world)
        satisfaction = 1 if score == "30" else 5
        ids.append(_due(world, objects, satisfaction=satisfaction, t=score, b=score, c=score).pk)
    return ids


def _snapshot() -> dict:
    ordered = Evaluation.objects.order_by("contract_id", "stage", "round")
    return {
        "contracts": dict(Contract.objects.values_list("id", "status")),
        "instalments": {
            row["id"]: row
            for row in Instalment.objects.values(
                "id",
                "contract_id",
                "kind",
                "sequence",
                "status",
                "amount",
                "release_amount",
                "withheld_amount",
            )
        },
        "evaluations": [
            (*row[:-1], row[-1] is not None)
            for row in ordered.values_list(
                "contract_id", "stage", "round", "status", "band", "release_pct", "confirmed_at"
            )
        ],
        "ledger": Counter(
            LedgerEntry.objects.values_list(
                "contract_id", "instalment_id", "payment_id", "kind", "amount", "currency", "description"
            )
        ),
        "payments": Counter(Payment.objects.values_list("instalment_id", "amount", "status")),
        "commitments": dict(Tender.objects.values_list("id", "committed_amount")),
        "logs": Counter(
            StateLog.objects.values_list(
                "content_type_id", "object_id", "transition", "source_state", "state", "description", "by_id"
            )
        ),
        "chain": Counter(
            (kind, model, tuple(sorted((k, str(v)) for k, v in payload.items())))
            for kind, model, payload in Entry.objects.values_list("kind", "model", "payload")
        ),
    }


def test_chunked_confirmation_settles_as_one_by_one(due):
    point = transaction.savepoint()
    for evaluation_id in due:
        confirm_evaluation(evaluation_id)
    one_by_one = _snapshot()
    transaction.savepoint_rollback(point)

    assert due_evaluations() == due
    assert confirm_evaluations_chunk(due) == len(due) - 1  # band E confirmed one by one after
    chunked = _snapshot()

    assert chunked == one_by_one
    confirmed = Evaluation.objects.filter(pk__in=due)
    assert set(confirmed.values_list("status", flat=True)) == {Evaluation.Status.FINAL}
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.WITHHELD).exists()  # money went back
    assert Contract.objects.filter(status=Contract.Status.RECTIFICATION).count() == 1
    assert Contract.objects.filter(status=Contract.Status.COMPLETED).count() == 5
    for contract in Contract.objects.all():
        assert ledger_invariant_holds(contract)
    assert verify() == []


def test_a_chunk_is_idempotent(due):
    assert confirm_evaluations_chunk(due) == len(due) - 1
    before = _snapshot()
    assert evaluations_confirm_chunk(due) == ([], [])  # a duplicate message
    assert confirm_due_evaluations() == 0  # the scheduler finds nothing due
    assert _snapshot() == before
    assert verify() == []


def _queries(ids: list[int]) -> int:
    with CaptureQueriesContext(connection) as queries:
        confirmed, rest = evaluations_confirm_chunk(ids)
    assert sorted(confirmed) == sorted(ids) and rest == []
    return len(queries)


def test_the_queries_of_a_chunk_do_not_grow_with_it(world, settings, django_assert_max_num_queries):
    _settings_for_many(world, settings)
    finals = [_due(world, _at_final(world), t="70", b="70", c="70").pk for _ in range(5)]
    midterms = [_due(world, flows.delivering_contract(world, households=3)).pk for _ in range(5)]
    small = _queries(finals[:1] + midterms[:1])
    with django_assert_max_num_queries(small):
        big = _queries(finals[1:] + midterms[1:])
    assert big <= small <= 27  # the chunk, its log entries sealed in its transaction on SQLite


def test_a_chunk_the_machine_refuses_is_confirmed_one_by_one(due, monkeypatch):
    from common.errors import InvalidTransition
    from evaluations import batch

    def refused(ids):
        raise InvalidTransition()

    monkeypatch.setattr(batch, "_confirm_chunk", refused)
    assert confirm_evaluations_chunk(due) == 0  # none in the chunk
    statuses = set(Evaluation.objects.filter(pk__in=due).values_list("status", flat=True))
    assert statuses == {Evaluation.Status.FINAL}  # each by the one-by-one path
    assert verify() == []
