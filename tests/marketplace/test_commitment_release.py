"""The marketplace owns the budget commitment: money a contract will not spend (withheld) or no
longer spends (clawed back) returns to the budget line through ``commitment_release`` alone, under
the tender's and the line's locks, and never more than the tender holds."""

import threading

import pytest
from django.db import connection

from marketplace.models import Tender
from marketplace.services import commitment_release
from marketplace.services.budget import available_on, committed_on

from ..flows import draft_contract, machine_snapshot


def held(tender: Tender) -> int:
    return Tender.objects.get(pk=tender.pk).committed_amount


def test_a_release_returns_the_money_to_the_budget_line(world):
    # Given an awarded tender holding its awarded price on the line
    tender = draft_contract(world).tender
    line = world["budget_line"]
    assert held(tender) == committed_on(line) == 28_000_000
    available_before = available_on(line)

    # When part of it is released
    released = commitment_release(tender=tender, amount=1_000_000)

    # Then the tender holds that much less, and the line has that much more available
    assert released.committed_amount == held(tender) == 27_000_000
    assert committed_on(line) == 27_000_000
    assert available_on(line) == available_before + 1_000_000


def test_releases_add_up_to_the_whole_commitment(world):
    tender = draft_contract(world).tender

    commitment_release(tender=tender, amount=8_400_000)
    commitment_release(tender=tender, amount=19_600_000)

    assert held(tender) == 0 == committed_on(world["budget_line"])


def test_releasing_nothing_changes_nothing(world):
    tender = draft_contract(world).tender
    before = machine_snapshot()

    commitment_release(tender=tender, amount=0)

    assert machine_snapshot() == before


@pytest.mark.parametrize("amount", [-1, 28_000_001])
def test_a_negative_release_or_one_above_the_commitment_is_refused_and_changes_nothing(world, amount):
    # Given a tender holding 28,000,000 fen
    tender = draft_contract(world).tender
    before = machine_snapshot()

    # When more than it holds, or a negative amount, is released
    with pytest.raises(ValueError):
        commitment_release(tender=tender, amount=amount)

    # Then nothing moved: money is never released twice over, nor committed by a release
    assert machine_snapshot() == before


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)")
@pytest.mark.django_db(transaction=True)
def test_two_releases_at_once_both_count(world):
    # Given a tender holding 28,000,000 fen
    tender = draft_contract(world).tender
    barrier = threading.Barrier(2)
    errors: list[Exception] = []

    def release() -> None:
        try:
            barrier.wait(timeout=10)
            commitment_release(tender=Tender.objects.get(pk=tender.pk), amount=1_000_000)
        except Exception as error:  # reported to the test
            errors.append(error)
        finally:
            connection.close()

    # When two releases race
    threads = [threading.Thread(target=release) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # Then both were applied: the second waited for the first's lock and read its result
    assert errors == []
    assert held(tender) == 26_000_000 == committed_on(world["budget_line"])
