"""A Celery worker process is killed (SIGKILL) in the middle of a payment task: after the transfer
reached Stripe, before its answer was recorded. The broker redelivers the task (``acks_late``,
short ``visibility_timeout``), a new worker runs it again with the same idempotency key, and the
instalment is paid once, with exactly one transfer at Stripe.

Needs a real worker against Redis and PostgreSQL (the worker must see the test database);
elsewhere it is skipped and says why."""

import os
import signal
import subprocess
import time
import uuid

import pytest
from django.db import connection

from config.celery import app as celery_app
from contracts.models import Instalment, LedgerEntry
from payments.models import Payment

from ..test_celery_worker import _database_url, start_worker
from .conftest import SECRET_KEY, WEBHOOK_SECRET, deliver_all

BROKER = os.environ.get("CELERY_BROKER_URL", "")

pytestmark = pytest.mark.django_db(transaction=True)


def wait_for(condition, timeout: float = 60, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.3)
    pytest.fail(f"timed out waiting for {what}")


@pytest.fixture
def worker_factory(stripe_server):
    if not BROKER.startswith("redis://"):
        pytest.skip("needs CELERY_BROKER_URL pointing at Redis")
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the worker process must see the test database")
    queue = f"shequ-pay-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "CELERY_VISIBILITY_TIMEOUT": "3",
        "CELERY_UNACKED_RESTORE_INTERVAL": "1",
        "CELERY_UNACKED_RESTORE_THROTTLE": "1",
        "PAYMENTS_GATEWAY": "stripe",
        "STRIPE_API_BASE": stripe_server.base,
        "STRIPE_SECRET_KEY": SECRET_KEY,
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "STRIPE_MAX_NETWORK_RETRIES": "0",
        "STRIPE_TIMEOUT_SECONDS": "120",
    }
    workers: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        worker = start_worker(queue, env)
        workers.append(worker)
        return worker

    # This process sends the payment task to the test's queue, not to the shared default one.
    celery_app.conf.task_routes = {"payments.tasks.*": {"queue": queue}}
    celery_app.amqp.flush_routes()
    celery_app.amqp.__dict__.pop("router", None)
    celery_app.conf.task_always_eager = False
    try:
        yield start
    finally:
        celery_app.conf.task_always_eager = True
        celery_app.conf.task_routes = None
        celery_app.amqp.flush_routes()
        celery_app.amqp.__dict__.pop("router", None)
        for worker in workers:
            if worker.poll() is None:
                worker.terminate()
            output, _ = worker.communicate(timeout=30)
            print(output[-3000:])


def test_a_worker_killed_mid_payment_pays_once_after_redelivery(
    world, api, stripe_server, stripe_contract, worker_factory
):
    # Given a worker, and a Stripe that makes the transfer but answers only much later
    advance = stripe_contract.instalments.get(kind="advance")
    first = worker_factory()
    stripe_server.fault("hang", count=1, seconds=60)

    # When finance pays, and the worker is killed while it waits for Stripe's answer
    response = api(world["finance"]).post(f"instalments/{advance.id}/pay/")
    assert response.status_code == 200, response.content
    payment = Payment.objects.get(pk=response.json()["payment"]["id"])
    group = f"contract-{stripe_contract.id}"
    wait_for(lambda: stripe_server.transfers(transfer_group=group), what="the transfer at Stripe")
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING  # the answer was never recorded
    assert payment.attempts == 1

    # Then a new worker receives the task again and sends it with the same key
    stripe_server.control("/_config/faults", {"mode": "none"})
    worker_factory()

    def processing():
        payment.refresh_from_db()
        return payment.status == Payment.Status.PROCESSING

    wait_for(processing, timeout=90, what="the redelivered task")
    assert payment.attempts == 2
    deliver_all(api, stripe_server, "transfer.created")

    # And the instalment is paid once, with exactly one transfer in total
    advance.refresh_from_db()
    payment.refresh_from_db()
    assert advance.status == Instalment.Status.PAID
    assert payment.status == Payment.Status.SUCCEEDED
    transfers = stripe_server.transfers(transfer_group=group)
    assert [t.id for t in transfers] == [payment.reference]
    assert LedgerEntry.objects.filter(instalment=advance, kind="paid").count() == 1
