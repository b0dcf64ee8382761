"""The pages keep the sealed-bids rule of the API (issue 8, item 3), show the bureau a bid found
tampered when the bids were opened (item 5), and take a provider to its existing draft when a second
one is refused (item 6)."""

import pytest

from marketplace import services
from marketplace.models import Bid, Tender
from tests import flows

from .helpers import english_client, messages_of, page

pytestmark = pytest.mark.django_db

TAMPERED_TAG = "Changed after submission"


def test_a_tender_cancelled_before_its_deadline_keeps_its_bids_sealed_on_the_pages(world):
    # Given a published tender with two bids, cancelled by the officer's page before the deadline
    tender = flows.published_tender(world)
    bids = [
        flows.submitted_bid(world, tender, 0, 28_000_000),
        flows.submitted_bid(world, tender, 1, 30_000_000),
    ]
    officer = english_client(world["officer"])
    response = officer.post(f"/bureau/tenders/{tender.pk}/cancel/", {"reason": "Funding withdrawn"})
    assert response.status_code == 302
    tender.refresh_from_db()
    assert tender.status == Tender.Status.CANCELLED

    # Then the bids, the ranking and the scores say the bids are returned unopened, and show none
    for user in (world["officer"], world["finance"], world["bureau_admin"], world["evaluators"][0]):
        client = english_client(user)
        for path in (f"/bureau/tenders/{tender.pk}/bids/", f"/bureau/tenders/{tender.pk}/ranking/"):
            response = client.get(path)
            assert response.status_code == 200
            html = page(response)
            assert "its bids are returned unopened" in html
            assert world["providers"][0].name not in html and "280,000.00" not in html
        for bid in bids:
            assert client.get(f"/bureau/tenders/{tender.pk}/bids/{bid.pk}/").status_code == 404


def test_a_bid_found_tampered_is_tagged_on_the_bureau_pages(world):
    # Given two bids, one of them edited in the database after it was submitted, then opened
    tender = flows.published_tender(world)
    tampered = flows.submitted_bid(world, tender, 0, 28_000_000)
    untouched = flows.submitted_bid(world, tender, 1, 30_000_000)
    Bid.objects.filter(pk=tampered.pk).update(price_amount=27_000_000)
    flows.pass_deadline(tender)
    officer = english_client(world["officer"])
    assert officer.post(f"/bureau/tenders/{tender.pk}/close/").status_code == 302

    # Then the bids list and the ranking tag the tampered bid only
    for path in (f"/bureau/tenders/{tender.pk}/bids/", f"/bureau/tenders/{tender.pk}/ranking/"):
        html = page(officer.get(path))
        assert html.count(TAMPERED_TAG) == 1
        row_of_tampered = html[html.index(world["providers"][0].name) :][:400]
        assert TAMPERED_TAG in row_of_tampered
    # And the bid's page warns; the untouched bid's page does not
    assert "no longer matched its receipt" in page(
        officer.get(f"/bureau/tenders/{tender.pk}/bids/{tampered.pk}/")
    )
    assert "no longer matched its receipt" not in page(
        officer.get(f"/bureau/tenders/{tender.pk}/bids/{untouched.pk}/")
    )
    # And so does the evaluators' scoring page
    evaluator = world["evaluators"][0]
    services.evaluator_declare(actor=evaluator, tender=tender, no_conflict=True)
    assert (
        page(english_client(evaluator).get(f"/bureau/tenders/{tender.pk}/scores/")).count(TAMPERED_TAG) == 1
    )


def test_a_colleagues_draft_saved_meanwhile_takes_the_provider_to_it(world, monkeypatch):
    # Given a colleague who saves a draft just before this member's first section is saved (the
    # page found no draft when the request began): both go through the real service
    tender = flows.published_tender(world)
    colleague = world["provider_staff"][0]
    create = services.bid_create

    def colleague_saves_first(**kwargs):
        monkeypatch.setattr(services, "bid_create", create)
        create(
            actor=colleague,
            tender=tender,
            provider=world["providers"][0],
            data={"price_amount": 29_000_000, "technical_proposal": "", "staffing_plan": ""},
        )
        return create(**kwargs)

    monkeypatch.setattr(services, "bid_create", colleague_saves_first)
    client = english_client(world["provider_admins"][0])
    response = client.post(
        f"/provider/tenders/{tender.pk}/bid/price/", {"price": "280000", "completed": "yes"}
    )

    # Then the refusal takes them to the task list of the one draft, which is the colleague's
    assert response.status_code == 302 and response.url == f"/provider/tenders/{tender.pk}/bid/"
    draft = Bid.objects.get(tender=tender)
    assert draft.created_by == colleague and draft.price_amount == 29_000_000
    task_list = client.get(response.url)
    assert task_list.status_code == 200
    assert "already has a draft bid on this tender" in " ".join(messages_of(task_list))
    assert 'value="290000.00"' in page(client.get(f"/provider/tenders/{tender.pk}/bid/price/"))
