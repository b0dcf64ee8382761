"""Every (state, transition) pair of the community task machine (docs/rules.md §23): allowed, or
refused 409 ``invalid_transition`` with nothing changed, and each move logged."""

import pytest

from communitytasks import services
from communitytasks.models import CommunityTask

from ..flows import assert_refused, last_log
from .conftest import task_in

pytestmark = pytest.mark.django_db

STATES = ["proposed", "accepted", "ordered", "funded", "completed", "refused", "withdrawn"]


def _verbs(world):
    member, officer, finance = world["community_member"], world["officer"], world["finance"]
    return {
        "accept": lambda task: services.community_task_accept(actor=member, task=task),
        "refuse": lambda task: services.community_task_refuse(actor=member, task=task, reason="No."),
        "withdraw": lambda task: services.community_task_withdraw(actor=officer, task=task),
        "confirm-payment": lambda task: services.community_task_confirm_payment(
            actor=finance, task=task, voucher_number="V-2"
        ),
        "complete": lambda task: services.community_task_complete(actor=officer, task=task),
    }


# (verb, state it may start from) → the state it ends in.
ALLOWED = {
    ("accept", "proposed"): ("accepted", "community_member"),
    ("refuse", "proposed"): ("refused", "community_member"),
    ("withdraw", "proposed"): ("withdrawn", "officer"),
    ("confirm-payment", "ordered"): ("funded", "finance"),
    ("complete", "funded"): ("completed", "officer"),
}


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("verb", ["accept", "refuse", "withdraw", "confirm-payment", "complete"])
def test_each_transition_from_each_state(world, state, verb):
    task = task_in(world, state)
    call = _verbs(world)[verb]
    if (verb, state) not in ALLOWED:
        assert_refused(lambda: call(task), "invalid_transition")
        assert CommunityTask.objects.get(pk=task.pk).status == task.status
        return
    target, actor = ALLOWED[(verb, state)]
    moved = call(task)
    assert moved.status == target
    log = last_log(moved)
    assert (log.state, log.by) == (target, world[actor])


def test_an_unfunded_task_is_completed_straight_from_accepted(world):
    task = task_in(world, "accepted", funding=0)
    done = services.community_task_complete(actor=world["officer"], task=task)
    assert done.status == "completed" and done.disbursement is None


def test_paying_an_unfunded_or_unaccepted_task_does_nothing(world):
    for task in (
        task_in(world, "accepted", funding=0),
        task_in(world, "proposed"),
        task_in(world, "refused"),
    ):
        paid = services.community_task_pay(task_id=task.pk)
        assert paid.status == task.status and paid.disbursement is None
