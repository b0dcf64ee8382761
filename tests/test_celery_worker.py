"""A real Celery worker process against the real broker (Redis in CI) closes a due tender.

Runs where CELERY_BROKER_URL names a broker server and the database is PostgreSQL (the worker, a
separate process, must see the test database); elsewhere it is skipped and says why."""

import os
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from config.celery import app as celery_app
from marketplace.models import Tender
from marketplace.tasks import close_due_tenders

from . import flows
from .clock import python_command

BROKER = os.environ.get("CELERY_BROKER_URL", "")
ROOT = Path(__file__).resolve().parent.parent


def start_worker(queue: str, env: dict[str, str]) -> subprocess.Popen:
    """A solo-pool Celery worker on its own queue, on the suite's clock (tests.clock)."""
    command = ["-m", "celery", "-A", "config", "worker", "--pool", "solo", "--queues", queue]
    return subprocess.Popen(
        python_command(*command, "--without-gossip", "--without-mingle", "--loglevel", "INFO"),
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _database_url() -> str:
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker_queue():
    if not BROKER.startswith(("redis://", "amqp://")):
        pytest.skip("needs CELERY_BROKER_URL pointing at Redis or RabbitMQ")
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the worker process must see the test database")
    queue = f"shequ-test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DATABASE_URL": _database_url(), "CELERY_TASK_DEFAULT_QUEUE": queue}
    worker = start_worker(queue, env)
    celery_app.conf.task_always_eager = False
    try:
        yield queue
    finally:
        celery_app.conf.task_always_eager = True
        worker.terminate()
        output, _ = worker.communicate(timeout=30)
        print(output[-3000:])


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_closes_a_due_tender(world, worker_queue):
    # Given a published tender with two bids whose deadline has passed
    tender = flows.published_tender(world)
    flows.submitted_bid(world, tender, 0, 28_000_000)
    flows.submitted_bid(world, tender, 1, 29_000_000)
    flows.pass_deadline(tender)

    # When beat's periodic job is sent to the broker
    close_due_tenders.apply_async(queue=worker_queue)

    # Then the worker process closes it and opens the bids
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        tender.refresh_from_db()
        if tender.status != Tender.Status.PUBLISHED:
            break
        time.sleep(0.5)
    assert tender.status == Tender.Status.EVALUATING
    assert sorted(tender.bids.values_list("status", flat=True)) == ["opened", "opened"]
