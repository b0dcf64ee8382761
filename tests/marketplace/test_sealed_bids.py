"""Sealed stays sealed (issue 8, items 3 and 5): bids are read by anyone but their bidder only once
they were opened at close — never after a cancellation before closing — and a bid changed in the
database after it was submitted is found out when it is opened."""

import pytest
from django.db import IntegrityError, transaction
from django_fsm_log.models import StateLog

from marketplace import services
from marketplace.models import Bid, Tender
from marketplace.services.bids import TAMPERED_DESCRIPTION
from marketplace.tasks import close_due_tenders

from ..flows import (
    award_proposed_tender,
    evaluating_tender,
    pass_deadline,
    published_tender,
    submitted_bid,
)
from ..roles import assert_error

BUREAU_AND_ADMIN = ("officer", "finance", "bureau_admin", "platform_admin")
DECLARED = {"eligibility": True, "no_double_funding": True, "no_conflict": True}


def _reader(world, who):
    return world["evaluators"][0] if who == "evaluator" else world[who]


def _published_with_bids(world) -> tuple[Tender, list[Bid]]:
    tender = published_tender(world)
    return tender, [submitted_bid(world, tender, 0, 28_000_000), submitted_bid(world, tender, 1, 30_000_000)]


def _cancel(world, api, tender: Tender) -> None:
    response = api(world["officer"]).post(f"tenders/{tender.id}/cancel/", {"reason": "Funding withdrawn"})
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "cancelled"


@pytest.mark.parametrize("who", [*BUREAU_AND_ADMIN, "evaluator"])
def test_cancelling_before_the_deadline_keeps_every_bid_sealed(world, api, who):
    # Given a published tender with two submitted bids, cancelled by its officer before the deadline
    tender, bids = _published_with_bids(world)
    _cancel(world, api, tender)

    # Then nobody at the bureau, nor the platform admin, can read a bid, list them or rank them
    client = api(_reader(world, who))
    for bid in bids:
        assert_error(client.get(f"bids/{bid.id}/"), 404, "not_found")
    assert_error(client.get(f"tenders/{tender.id}/bids/"), 409, "bids_sealed")
    assert_error(client.get(f"tenders/{tender.id}/ranking/"), 409, "bids_sealed")

    # And each bidder still reads its own bid, which stays submitted (returned unopened)
    own = api(world["provider_admins"][0]).get(f"bids/{bids[0].id}/")
    assert own.status_code == 200 and own.json()["status"] == "submitted"
    assert_error(api(world["provider_admins"][0]).get(f"bids/{bids[1].id}/"), 404, "not_found")


def _cancelled_before_the_deadline(world) -> tuple[Tender, Bid]:
    tender, bids = _published_with_bids(world)
    return services.tender_cancel(actor=world["officer"], tender=tender, reason="Funding withdrawn"), bids[0]


def _cancelled_after_the_deadline_before_closing(world) -> tuple[Tender, Bid]:
    tender, bids = _published_with_bids(world)
    pass_deadline(tender)
    return services.tender_cancel(actor=world["officer"], tender=tender, reason="Funding withdrawn"), bids[0]


def _evaluating(world) -> tuple[Tender, Bid]:
    tender = evaluating_tender(world)
    return tender, tender.bids.get(provider=world["providers"][0])


def _cancelled_while_evaluating(world) -> tuple[Tender, Bid]:
    tender, bid = _evaluating(world)
    return services.tender_cancel(actor=world["officer"], tender=tender, reason="Complaint upheld"), bid


def _cancelled_with_award_proposed(world) -> tuple[Tender, Bid]:
    tender = award_proposed_tender(world)
    bid = tender.bids.get(provider=world["providers"][0])
    return services.tender_cancel(actor=world["officer"], tender=tender, reason="Complaint upheld"), bid


def _unsuccessful(world) -> tuple[Tender, Bid]:
    tender = published_tender(world)
    bid = submitted_bid(world, tender, 0, 28_000_000)
    return services.tender_close(actor=world["officer"], tender=pass_deadline(tender)), bid


# Every way a tender with bids leaves "published", and whether its bids were opened on the way.
PATHS = {
    "cancelled before the deadline": (_cancelled_before_the_deadline, False),
    "cancelled after the deadline, before closing": (_cancelled_after_the_deadline_before_closing, False),
    "closed: evaluating": (_evaluating, True),
    "closed: too few bids (unsuccessful)": (_unsuccessful, True),
    "cancelled while evaluating": (_cancelled_while_evaluating, True),
    "cancelled with an award proposed": (_cancelled_with_award_proposed, True),
}


@pytest.mark.parametrize("path", PATHS, ids=list(PATHS))
def test_the_bureau_reads_bids_only_if_they_were_opened(world, api, path):
    given, opened = PATHS[path]
    tender, bid = given(world)
    tender.refresh_from_db()
    officer = api(world["officer"])

    response = officer.get(f"bids/{bid.id}/")
    if opened:
        assert not tender.is_sealed
        assert response.status_code == 200 and response.json()["price_amount"] == bid.price_amount
        assert officer.get(f"tenders/{tender.id}/bids/").status_code == 200
    else:
        assert tender.is_sealed
        assert_error(response, 404, "not_found")
        assert_error(officer.get(f"tenders/{tender.id}/bids/"), 409, "bids_sealed")


# --- Tamper evidence --------------------------------------------------------------------------------


def _tampered_and_untouched(world) -> tuple[Tender, Bid, Bid]:
    """Two submitted bids; then someone with database access lowers the first one's price."""
    tender, (tampered, untouched) = _published_with_bids(world)
    Bid.objects.filter(pk=tampered.pk).update(price_amount=27_000_000)
    return pass_deadline(tender), tampered, untouched


def test_a_bid_changed_after_submission_is_flagged_when_the_officer_closes(world, api):
    # Given a bid whose price was edited directly in the database before the deadline
    tender, tampered, untouched = _tampered_and_untouched(world)

    # When the officer closes the tender and the bids are opened
    assert api(world["officer"]).post(f"tenders/{tender.id}/close/").status_code == 200

    # Then the edited bid is opened, marked tampered and logged; the untouched one is not
    tampered.refresh_from_db()
    untouched.refresh_from_db()
    assert tampered.status == untouched.status == Bid.Status.OPENED
    assert tampered.tampered_at is not None and untouched.tampered_at is None
    opening = StateLog.objects.for_(tampered).get(transition="open")
    assert opening.description == TAMPERED_DESCRIPTION and opening.by == world["officer"]
    assert StateLog.objects.for_(untouched).get(transition="open").description is None

    # And the bureau sees it in the bid, the list and the ranking
    officer = api(world["officer"])
    assert officer.get(f"bids/{tampered.id}/").json()["tampered"] is True
    assert officer.get(f"bids/{untouched.id}/").json()["tampered"] is False
    listed = {
        row["id"]: row["tampered"] for row in officer.get(f"tenders/{tender.id}/bids/").json()["results"]
    }
    assert listed == {tampered.id: True, untouched.id: False}
    ranked = {row["bid"]: row["tampered"] for row in officer.get(f"tenders/{tender.id}/ranking/").json()}
    assert ranked == {tampered.id: True, untouched.id: False}


def test_the_scheduled_close_flags_a_tampered_bid_too(world):
    tender, tampered, untouched = _tampered_and_untouched(world)
    Bid.objects.filter(pk=untouched.pk).update(staffing_plan="Two social workers.")  # the same content

    close_due_tenders()

    tender.refresh_from_db()
    assert tender.status == Tender.Status.EVALUATING
    assert Bid.objects.get(pk=tampered.pk).is_tampered
    assert not Bid.objects.get(pk=untouched.pk).is_tampered
    assert StateLog.objects.for_(tampered).get(transition="open").description == TAMPERED_DESCRIPTION


def test_a_tampered_bid_is_flagged_when_too_few_bids_close_the_tender_unsuccessful(world):
    tender = published_tender(world)
    bid = submitted_bid(world, tender, 0, 28_000_000)
    Bid.objects.filter(pk=bid.pk).update(technical_proposal="Something else entirely.")

    services.tender_close(actor=world["officer"], tender=pass_deadline(tender))

    bid.refresh_from_db()
    assert bid.status == Bid.Status.NOT_AWARDED and bid.is_tampered


# --- One draft per provider and tender (issue 8, item 6) ----------------------------------------------


def _bid_body(price=28_000_000):
    return {
        "price_amount": price,
        "technical_proposal": "Weekly visits.",
        "staffing_plan": "Two social workers.",
        "declarations": DECLARED,
    }


def test_a_provider_holds_one_draft_per_tender(world, api):
    tender = published_tender(world)
    path = f"tenders/{tender.id}/bids/"
    first = api(world["provider_admins"][0]).post(path, _bid_body())
    assert first.status_code == 201, first.json()

    # A second draft, by the same member or a colleague, is refused and names the existing one
    for user in (world["provider_admins"][0], world["provider_staff"][0]):
        refused = api(user).post(path, _bid_body(29_000_000))
        assert_error(refused, 409, "draft_exists")
        assert refused.json()["extra"] == {"bid": first.json()["id"]}
    assert Bid.objects.filter(tender=tender, provider=world["providers"][0]).count() == 1

    # Another provider drafts its own
    assert api(world["provider_admins"][1]).post(path, _bid_body()).status_code == 201

    # Once the draft is submitted, a new draft may be started (it cannot be submitted beside it)
    assert api(world["provider_admins"][0]).post(f"bids/{first.json()['id']}/submit/").status_code == 200
    assert api(world["provider_admins"][0]).post(path, _bid_body()).status_code == 201


def test_the_database_holds_one_draft_per_provider_and_tender(world):
    tender = published_tender(world)
    draft = services.bid_create(
        actor=world["provider_admins"][0], tender=tender, provider=world["providers"][0], data=_bid_body()
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Bid.objects.create(
            tender=tender,
            provider=draft.provider,
            created_by=world["provider_staff"][0],
            price_amount=1,
            technical_proposal="",
            staffing_plan="",
        )
