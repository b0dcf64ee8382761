"""The periodic jobs of docs/rules.md §14: tenders close at their deadline, awards are finalized when the
standstill ends. Both are idempotent, so beat, retries and the endpoints can race."""

import pytest
from django.conf import settings
from django_fsm_log.models import StateLog

from config.celery import app
from contracts.models import Contract, Instalment
from contracts.tasks import finalize_due_awards
from marketplace.models import Bid, Tender
from marketplace.tasks import close_due_tenders

from ..flows import (
    award_proposed_tender,
    draft_tender,
    pass_deadline,
    pass_standstill,
    past,
    published_tender,
    submitted_bid,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _tasks_run_in_process():
    """The tasks run inline even when a broker is configured (CI sets CELERY_BROKER_URL)."""
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


def logs_of(instance) -> list[str]:
    return list(StateLog.objects.for_(instance).order_by("id").values_list("transition", flat=True))


def fresh(tender: Tender) -> Tender:
    return Tender.objects.get(pk=tender.pk)


def test_beat_schedule_names_the_tasks():
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert {"marketplace.tasks.close_due_tenders", "contracts.tasks.finalize_due_awards"} <= scheduled
    app.loader.import_default_modules()
    for name in scheduled:
        assert name in app.tasks, name


def test_close_due_tenders_closes_only_tenders_past_their_deadline(world):
    # Given a tender past its deadline with two bids, one past it with a single bid, one still
    # open and a draft whose deadline has passed
    to_score = published_tender(world)
    submitted_bid(world, to_score, 0, 28_000_000)
    submitted_bid(world, to_score, 1, 29_000_000)
    pass_deadline(to_score)
    too_few = published_tender(world)
    lone_bid = submitted_bid(world, too_few, 2, 27_000_000)
    pass_deadline(too_few)
    still_open = published_tender(world)
    submitted_bid(world, still_open, 0, 28_000_000)
    draft = draft_tender(world, bid_deadline=past(60 * 24))
    committed_before = Tender.objects.get(pk=too_few.pk).committed_amount

    # When the beat task runs
    assert close_due_tenders.delay().get() == 2  # eager in tests

    # Then each due tender closed the way its bids decide; the others are untouched
    assert fresh(to_score).status == Tender.Status.EVALUATING
    assert fresh(to_score).closed_at is not None
    assert set(to_score.bids.values_list("status", flat=True)) == {Bid.Status.OPENED}
    assert fresh(too_few).status == Tender.Status.UNSUCCESSFUL
    assert committed_before == 30_000_000 and fresh(too_few).committed_amount == 0
    assert Bid.objects.get(pk=lone_bid.pk).status == Bid.Status.NOT_AWARDED
    assert fresh(still_open).status == Tender.Status.PUBLISHED
    assert set(still_open.bids.values_list("status", flat=True)) == {Bid.Status.SUBMITTED}
    assert fresh(draft).status == Tender.Status.DRAFT
    # the scheduler acts as nobody
    assert StateLog.objects.for_(fresh(to_score)).get(transition="close").by is None


def test_closing_twice_and_then_by_the_endpoint_changes_nothing(world, api):
    tender = published_tender(world)
    submitted_bid(world, tender, 0, 28_000_000)
    submitted_bid(world, tender, 1, 29_000_000)
    pass_deadline(tender)
    unsuccessful = published_tender(world)
    pass_deadline(unsuccessful)

    close_due_tenders()
    after_first = (logs_of(tender), logs_of(unsuccessful), StateLog.objects.count())
    assert close_due_tenders() == 0
    assert (logs_of(tender), logs_of(unsuccessful), StateLog.objects.count()) == after_first

    # The officer's close/ after the scheduler answers with the closed tender and adds nothing
    officer = api(world["officer"])
    closed = officer.post(f"tenders/{tender.id}/close/")
    assert closed.status_code == 200, closed.json()
    assert closed.json()["status"] == "evaluating"
    unsuccessful_again = officer.post(f"tenders/{unsuccessful.id}/close/")
    assert unsuccessful_again.status_code == 200
    assert unsuccessful_again.json()["status"] == "unsuccessful"
    assert (logs_of(tender), logs_of(unsuccessful), StateLog.objects.count()) == after_first
    assert logs_of(tender) == ["publish", "close"]
    assert logs_of(unsuccessful) == ["publish", "close_unsuccessful"]


def test_close_endpoint_before_the_deadline_is_refused(world, api):
    tender = published_tender(world)

    response = api(world["officer"]).post(f"tenders/{tender.id}/close/")

    assert response.status_code == 409
    assert response.json()["code"] == "deadline_not_passed"
    assert fresh(tender).status == Tender.Status.PUBLISHED


def test_finalize_due_awards_finalizes_after_the_standstill_and_drafts_the_contract(world):
    # Given one proposed award whose standstill is over and one still in standstill
    due = pass_standstill(award_proposed_tender(world))
    waiting = award_proposed_tender(world)

    # When the beat task runs
    assert finalize_due_awards.delay().get() == 1

    # Then the due award is final and its contract drafted with the instalments
    due = fresh(due)
    assert due.status == Tender.Status.AWARDED
    contract = Contract.objects.get(tender=due)
    assert contract.status == Contract.Status.DRAFT
    assert contract.bid_id == due.proposed_bid_id
    assert contract.value_amount == 28_000_000 == due.committed_amount
    assert list(contract.instalments.order_by("sequence").values_list("kind", "amount", "status")) == [
        (Instalment.Kind.ADVANCE, 8_400_000, Instalment.Status.SCHEDULED),
        (Instalment.Kind.INTERIM, 11_200_000, Instalment.Status.SCHEDULED),
        (Instalment.Kind.HOLDBACK, 8_400_000, Instalment.Status.SCHEDULED),
    ]
    assert Bid.objects.get(pk=due.proposed_bid_id).status == Bid.Status.AWARDED
    assert set(due.bids.exclude(pk=due.proposed_bid_id).values_list("status", flat=True)) == {
        Bid.Status.NOT_AWARDED
    }
    assert fresh(waiting).status == Tender.Status.AWARD_PROPOSED
    assert not Contract.objects.filter(tender=waiting).exists()


def test_finalizing_twice_and_then_by_the_endpoint_makes_one_contract(world, api):
    tender = pass_standstill(award_proposed_tender(world))

    finalize_due_awards()
    logs = StateLog.objects.count()
    assert finalize_due_awards() == 0

    response = api(world["officer"]).post(f"tenders/{tender.id}/finalize-award/")

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "awarded"
    assert response.json()["contract"] == Contract.objects.get(tender=tender).id
    assert Contract.objects.filter(tender=tender).count() == 1
    assert Instalment.objects.filter(contract__tender=tender).count() == 3
    assert StateLog.objects.count() == logs
    assert logs_of(fresh(tender)).count("finalize_award") == 1


def test_finalize_award_endpoint_during_the_standstill_is_refused(world, api):
    tender = award_proposed_tender(world)

    response = api(world["officer"]).post(f"tenders/{tender.id}/finalize-award/")

    assert response.status_code == 409
    assert response.json()["code"] == "standstill_not_over"
    assert not Contract.objects.filter(tender=tender).exists()


def test_tasks_ignore_tenders_that_vanished_or_moved_on(world):
    from contracts.tasks import finalize_award
    from marketplace.tasks import close_tender

    tender = published_tender(world)  # deadline not passed: the service refuses, the task logs
    close_tender(tender.id)
    close_tender(999_999)
    finalize_award(tender.id)
    finalize_award(999_999)

    assert fresh(tender).status == Tender.Status.PUBLISHED
