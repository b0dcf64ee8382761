"""A community task's funding is paid to the community through payments before the task starts
(docs/rules.md §23): once, whatever retries, beats, crashes or webhooks happen; the treasury's
order is confirmed by the bureau's finance, a Stripe transfer funds the task at once."""

import pytest
from django.utils import timezone

from communitytasks import services
from communitytasks.models import CommunityTask
from communitytasks.tasks import pay_due_community_tasks
from payments.models import Disbursement, PayoutAccount

from .. import factories as f
from ..flows import assert_refused, last_log
from ..payments.conftest import deliver_all
from .conftest import send_task, task_in

pytestmark = pytest.mark.django_db


def assert_paid_once(task: CommunityTask) -> None:
    """The ledger of a task: one disbursement, of the funding held on the line, no more."""
    task.refresh_from_db()
    disbursements = Disbursement.objects.filter(
        payee=task.community, idempotency_key__startswith=f"community-task:{task.pk}:"
    )
    assert disbursements.count() == 1
    disbursement = disbursements.get()
    assert disbursement.amount == task.funding_amount == task.commitment.amount
    assert disbursement.payer_id == task.bureau_id
    assert disbursement.status == Disbursement.Status.SUCCEEDED
    assert task.status == CommunityTask.Status.FUNDED and task.funded_at is not None


# --- Treasury ------------------------------------------------------------------------------------


def test_the_treasury_order_is_issued_once_and_finance_confirms_it(world, api):
    task = task_in(world, "accepted", funding=500_000)
    ordered = services.community_task_pay(task_id=task.pk)
    disbursement = ordered.disbursement
    assert ordered.status == "accepted"
    assert (
        disbursement.status == "processing" and disbursement.idempotency_key == f"community-task:{task.pk}:v1"
    )
    assert disbursement.attempts == 1
    # paying again (the beat, a retry) changes nothing
    again = services.community_task_pay(task_id=task.pk)
    assert again.disbursement.pk == disbursement.pk
    disbursement.refresh_from_db()
    assert disbursement.attempts == 1
    # finance confirms with the voucher, through the API
    no_voucher = api(world["finance"]).post(
        f"community-tasks/{task.pk}/confirm-payment/", {"voucher_number": " "}
    )
    assert (no_voucher.status_code, no_voucher.json()["code"]) == (400, "invalid")
    response = api(world["finance"]).post(
        f"community-tasks/{task.pk}/confirm-payment/", {"voucher_number": "BANK-77"}
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "funded" and response.json()["paid_amount"] == 500_000
    assert_paid_once(task)
    disbursement.refresh_from_db()
    assert disbursement.reference == "BANK-77" and disbursement.confirmed_by == world["finance"]
    log = last_log(task)
    assert (log.source_state, log.state, log.by) == ("accepted", "funded", world["finance"])
    assert log.description == "funding paid to the community"
    # and a second confirmation is refused
    assert_refused(
        lambda: services.community_task_confirm_payment(
            actor=world["finance"], task=task, voucher_number="BANK-78"
        ),
        "invalid_transition",
    )


def test_the_beat_pays_tasks_starting_soon_and_no_others(world, settings):
    settings.COMMUNITY_TASK_PAY_DAYS_BEFORE = 7
    soon = task_in(world, "accepted", starts_in=7)
    later = task_in(world, "accepted", starts_in=8)
    task_in(world, "accepted", starts_in=1, funding=0)  # nothing to pay
    send_task(world, starts_in=1)  # not accepted

    assert pay_due_community_tasks() == 1
    soon.refresh_from_db()
    later.refresh_from_db()
    assert soon.disbursement is not None and soon.disbursement.status == "processing"
    assert later.disbursement is None
    # the order waits for finance's voucher: the next beat sends nothing again
    assert pay_due_community_tasks() == 0
    assert Disbursement.objects.count() == 1


def test_accepting_a_task_that_starts_soon_pays_it_after_commit(world, django_capture_on_commit_callbacks):
    task = send_task(world, starts_in=2)
    with django_capture_on_commit_callbacks(execute=True):
        services.community_task_accept(actor=world["community_member"], task=task)
    task.refresh_from_db()
    assert task.disbursement is not None and task.disbursement.status == "processing"


def test_a_task_starting_today_is_paid_by_the_beat(world):
    task = task_in(world, "accepted", starts_in=0)
    assert pay_due_community_tasks() == 1
    task.refresh_from_db()
    assert task.disbursement.awaits_voucher
    assert timezone.localdate() >= services.pay_due_by(task)


# --- Stripe --------------------------------------------------------------------------------------


@pytest.fixture
def stripe_community(world, api, stripe_server):
    """The world's community, onboarded at the local Stripe server by its admin."""
    community = world["community"]
    admin = f.member(community, "admin")
    response = api(admin).post(f"organizations/{community.pk}/payout-account/")
    assert response.status_code == 200, response.content
    stripe_server.follow(response.json()["onboarding_url"])
    deliver_all(api, stripe_server, "account.updated")
    assert PayoutAccount.objects.get(organization=community).status == "enabled"
    return community


def test_a_stripe_transfer_funds_the_task_once(world, api, stripe_server, stripe_community):
    task = task_in(world, "accepted", funding=500_000)
    services.community_task_pay(task_id=task.pk)
    assert_paid_once(task)
    services.community_task_pay(task_id=task.pk)
    assert pay_due_community_tasks() == 0
    transfers = stripe_server.transfers()
    assert [(t.amount, t.destination) for t in transfers] == [
        (500_000, PayoutAccount.objects.get(organization=stripe_community).account_id)
    ]
    # the transfer's webhooks match no instalment payment and change nothing
    deliver_all(api, stripe_server, "transfer.created")
    assert_paid_once(task)


@pytest.mark.parametrize("mode", ["down", "hang", "error"])
def test_a_failed_transfer_is_retried_by_the_beat_and_pays_once(world, stripe_server, stripe_community, mode):
    task = task_in(world, "accepted", funding=500_000, starts_in=3)
    stripe_server.fault(mode, count=1, seconds=3)
    services.community_task_pay(task_id=task.pk)
    task.refresh_from_db()
    assert task.status == "accepted"
    assert task.disbursement.status == "failed" and task.disbursement.is_retryable
    assert pay_due_community_tasks() == 1  # the beat sends it again, with the same key
    assert_paid_once(task)
    assert len(stripe_server.transfers()) == 1
    assert task.disbursement.attempts == 2


def test_a_community_without_a_payout_account_is_not_paid_yet(world, stripe_server):
    task = task_in(world, "accepted", starts_in=3)
    assert_refused(lambda: services.community_task_pay(task_id=task.pk), "payout_account_not_ready")
    assert pay_due_community_tasks() == 1  # logged, not raised; tried again next time
    task.refresh_from_db()
    assert task.status == "accepted" and task.disbursement is None
    assert stripe_server.transfers() == []
