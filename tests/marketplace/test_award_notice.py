"""The award notice (docs/rules.md §17.4): an ``Award`` published when the bureau awards, open to
challenge for ``CHALLENGE_WORKING_DAYS`` working days, confirmed when the award is finalized, held
while a challenge is pending and annulled when one is upheld."""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from common import workdays
from contracts import services as contract_services
from contracts.models import Contract
from contracts.tasks import finalize_due_awards
from marketplace import services
from marketplace.models import Award, Bid, Tender
from marketplace.selectors import ranking_of

from ..flows import (
    assert_refused,
    award_proposed_tender,
    evaluating_tender,
    last_log,
    pass_standstill,
    score_all,
)

pytestmark = pytest.mark.django_db


def test_awarding_publishes_a_notice_of_every_opened_bid(world, api):
    tender = evaluating_tender(world, prices=(28_000_000, 30_000_000, 29_000_000))
    third = tender.bids.get(provider=world["providers"][2])
    services.bid_disqualify(actor=world["officer"], bid=third, reason="No registration certificate.")
    score_all(world, tender)
    top = ranking_of(tender)[0]

    tender = services.tender_award(actor=world["officer"], tender=tender, bid=top.bid)

    award = Award.objects.get(tender=tender)
    assert (award.status, award.bid_id, award.provider_id) == ("proposed", top.bid.id, top.bid.provider_id)
    assert (award.price_amount, award.total, award.rank) == (top.bid.price_amount, top.total, 1)
    standings = [(row["rank"], row["disqualified"]) for row in award.standings]
    assert standings == [(1, False), (2, False), (None, True)]
    assert award.standings[2]["provider"] == world["providers"][2].id
    notice = api().get(f"tenders/{tender.id}/award/")
    assert notice.status_code == 200
    body = notice.json()
    assert body["status"] == "proposed" and body["rank"] == 1
    assert body["total"] == str(top.total)
    assert [row["provider_name"] for row in body["standings"]][:2] == [
        row.bid.provider.name for row in ranking_of(tender)
    ]


def test_the_challenge_window_counts_working_days_and_the_standstill_waits_for_it(world, settings):
    settings.CHALLENGE_WORKING_DAYS = 7
    tender = award_proposed_tender(world, standstill_days=1)
    award = Award.objects.get(tender=tender)

    notice_day = timezone.localdate(award.notice_published_at)
    expected = workdays.end_of_day(workdays.add_working_days(notice_day, 7))
    assert award.challenge_until == expected
    assert tender.standstill_until == award.challenge_until  # later than one calendar day


def test_no_challenge_window_leaves_the_standstill_alone(world, settings):
    settings.CHALLENGE_WORKING_DAYS = 0
    tender = award_proposed_tender(world, standstill_days=7)
    award = Award.objects.get(tender=tender)

    assert award.challenge_until == award.notice_published_at
    assert tender.standstill_until == award.notice_published_at + datetime.timedelta(days=7)


def test_no_notice_before_the_award(world, api):
    tender = evaluating_tender(world)
    assert api().get(f"tenders/{tender.id}/award/").status_code == 404


def test_finalizing_confirms_the_award(world):
    tender = pass_standstill(award_proposed_tender(world))
    contract_services.award_finalize(actor=world["officer"], tender=tender)

    award = Award.objects.get(tender=tender)
    assert award.status == "confirmed" and award.decided_at is not None
    assert last_log(award).transition == "confirm"


def test_a_held_award_is_never_finalized_by_anyone(world, api):
    tender = pass_standstill(award_proposed_tender(world))
    award = Award.objects.get(tender=tender)
    with transaction.atomic():
        services.award_hold(award=award, by=None, description="A challenge was submitted.")

    assert_refused(
        lambda: contract_services.award_finalize(actor=world["officer"], tender=tender), "challenge_pending"
    )
    response = api(world["officer"]).post(f"tenders/{tender.id}/finalize-award/")
    assert (response.status_code, response.json()["code"]) == (409, "challenge_pending")
    assert finalize_due_awards() == 0  # the scheduler does not even try
    assert Tender.objects.get(pk=tender.pk).status == "award_proposed"
    assert not Contract.objects.filter(tender=tender).exists()

    with transaction.atomic():
        services.award_release(award=award, by=None, description="The challenge was dismissed.")
    contract_services.award_finalize(actor=None, tender=tender)
    assert Tender.objects.get(pk=tender.pk).status == "awarded"


@pytest.mark.parametrize("cancel_tender", [False, True])
def test_annulling_the_award_reopens_scoring_or_cancels(world, cancel_tender):
    tender = award_proposed_tender(world)
    award = Award.objects.get(tender=tender)
    with transaction.atomic():
        locked = Tender.objects.select_for_update().get(pk=tender.pk)
        services.award_annul(
            award=award,
            tender=locked,
            by=world["officer"],
            description="Upheld.",
            cancel_tender=cancel_tender,
        )

    tender.refresh_from_db()
    assert Award.objects.get(pk=award.pk).status == "annulled"
    if cancel_tender:
        assert (tender.status, tender.committed_amount) == ("cancelled", 0)
        return
    assert (tender.status, tender.proposed_bid_id, tender.standstill_until) == ("evaluating", None, None)
    assert last_log(tender).transition == "reopen_scoring"
    # the scores are kept: the bureau may award again, and a second notice is published
    again = services.tender_award(actor=world["officer"], tender=tender, bid=ranking_of(tender)[0].bid)
    assert again.status == "award_proposed"
    statuses = list(Award.objects.filter(tender=tender).values_list("status", flat=True))
    assert statuses == ["proposed", "annulled"]
    assert Bid.objects.filter(tender=tender, status="opened").count() == 2


def test_cancelling_an_awarded_tender_annuls_its_notice(world):
    tender = award_proposed_tender(world)
    services.tender_cancel(actor=world["officer"], tender=tender, reason="The service is no longer needed.")

    assert Award.objects.get(tender=tender).status == "annulled"
    assert Tender.objects.get(pk=tender.pk).status == "cancelled"
