"""Who reads a document (docs/rules.md §17.2): whoever may read what it belongs to. A bid's documents
are sealed like the bid's content — before the bids are opened nobody but the bidder, the platform
admin included, sees them: 404."""

import pytest

from contracts import services as contract_services
from contracts.models import ServiceEvent
from documents import services as document_services
from marketplace import services
from marketplace.models import Tender

from .. import flows
from . import files

CALLERS = (
    "bidder",
    "bidder_staff",
    "rival",
    "officer",
    "evaluator",
    "platform_admin",
    "anonymous",
    "stranger",
)


def caller(world, name):
    return {
        "bidder": world["provider_admins"][0],
        "bidder_staff": world["provider_staff"][0],
        "rival": world["provider_admins"][1],
        "officer": world["officer"],
        "evaluator": world["evaluators"][0],
        "platform_admin": world["platform_admin"],
        "anonymous": None,
        "stranger": world["stranger"],
    }[name]


def bid_with_document(world, tender, index=0):
    bid = services.bid_create(
        actor=world["provider_admins"][index],
        tender=tender,
        provider=world["providers"][index],
        data={
            "price_amount": 20_000_000 + index,
            "technical_proposal": "Plan",
            "staffing_plan": "Team",
            "declarations": {"eligibility": True, "no_double_funding": True, "no_conflict": True},
        },
    )
    document = document_services.document_attach(
        actor=world["provider_admins"][index],
        owner=bid,
        file=files.upload(files.PNG, "licence.png"),
        filename="licence.png",
        title="Business licence",
        kind="qualification",
    )
    return services.bid_submit(actor=world["provider_admins"][index], bid=bid), document


def reads(api, user, bid, document):
    client = api(user)
    return (
        client.get(f"documents/{document.id}/").status_code,
        client.get(f"documents/{document.id}/download/").status_code,
        client.get(f"bids/{bid.id}/documents/").status_code,
    )


SEALED = {
    "bidder": (200, 200, 200),
    "bidder_staff": (200, 200, 200),
    "rival": (404, 404, 404),
    "officer": (404, 404, 404),
    "evaluator": (404, 404, 404),
    "platform_admin": (404, 404, 404),
    "anonymous": (404, 404, 401),
    "stranger": (404, 404, 404),
}
OPENED = {
    **SEALED,
    "officer": (200, 200, 200),
    "evaluator": (200, 200, 200),
    "platform_admin": (200, 200, 200),
}


@pytest.mark.parametrize("name", CALLERS)
def test_a_bids_documents_are_sealed_until_the_bids_are_opened(world, api, name):
    tender = flows.published_tender(world)
    bid, document = bid_with_document(world, tender)
    flows.submitted_bid(world, tender, 1, 29_000_000)

    assert reads(api, caller(world, name), bid, document) == SEALED[name]

    services.tender_close(actor=world["officer"], tender=flows.pass_deadline(tender))
    bid.refresh_from_db()
    assert bid.status == "opened" and bid.tampered_at is None
    assert reads(api, caller(world, name), bid, document) == OPENED[name]


def test_a_bid_on_a_tender_cancelled_before_closing_keeps_its_documents_sealed(world, api):
    tender = flows.published_tender(world)
    bid, document = bid_with_document(world, tender)
    services.tender_cancel(actor=world["officer"], tender=tender, reason="Budget withdrawn")
    assert reads(api, world["platform_admin"], bid, document) == (404, 404, 404)
    assert reads(api, world["officer"], bid, document) == (404, 404, 404)
    assert reads(api, world["provider_admins"][0], bid, document) == (200, 200, 200)


def test_a_tenders_documents_are_public_once_it_is_published(world, api):
    tender = flows.draft_tender(world)
    document = document_services.document_attach(
        actor=world["officer"],
        owner=tender,
        file=files.upload(),
        filename="tender.pdf",
        title="Tender documents",
        kind="tender_documents",
    )
    path = f"documents/{document.id}/download/"
    assert api(None).get(path).status_code == 404
    assert api(world["other_officer"]).get(path).status_code == 404
    assert api(world["finance"]).get(path).status_code == 200

    services.tender_publish(actor=world["officer"], tender=Tender.objects.get(pk=tender.pk))

    assert api(None).get(path).status_code == 200
    assert api(None).get(f"tenders/{tender.id}/documents/").json()[0]["id"] == document.id


def test_contract_and_event_documents_are_for_the_parties(world, api):
    objects = flows.delivering_contract(world, households=1)
    contract, event = objects["contract"], objects["event"]
    staff = world["provider_staff"][0]

    on_contract = api(world["officer"]).post(
        f"contracts/{contract.id}/documents/",
        files.body(kind="contract", title="Signed contract"),
        format="multipart",
    )
    on_event = api(staff).post(
        f"events/{event.id}/documents/",
        files.body(files.PNG, "sign-in.png", title="Sign-in sheet", kind="sign_in_sheet"),
        format="multipart",
    )
    assert on_contract.status_code == 201, on_contract.json()
    assert on_event.status_code == 201, on_event.json()

    for user, expected in (
        (world["provider_admins"][0], 200),
        (world["officer"], 200),
        (world["assessor_member"], 200),
        (world["community_member"], 200),
        (world["platform_admin"], 200),
        (world["provider_admins"][1], 404),
        (world["stranger"], 404),
        (None, 404),
    ):
        for document in (on_contract.json(), on_event.json()):
            assert api(user).get(f"documents/{document['id']}/download/").status_code == expected, user
    # The public sees the contract's summary, not its documents.
    assert api(None).get(f"contracts/{contract.id}/documents/").status_code == 404
    assert (
        api(world["assessor_member"]).get(f"events/{event.id}/documents/").json()[0]["kind"]
        == "sign_in_sheet"
    )


def test_an_events_documents_are_added_while_the_contract_is_delivered_not_suspended(world, api):
    objects = flows.delivering_contract(world, households=1)
    event = ServiceEvent.objects.get(pk=objects["event"].pk)
    contract = objects["contract"]
    contract_services.contract_suspend(actor=world["officer"], contract=contract, reason="Audit")

    response = api(world["provider_staff"][0]).post(
        f"events/{event.id}/documents/", files.body(files.PNG, "p.png", kind="photo"), format="multipart"
    )

    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"


def test_the_django_admin_lists_a_bids_documents_only_once_opened(world):
    from django.test import Client

    tender = flows.published_tender(world)
    _bid, document = bid_with_document(world, tender)
    flows.submitted_bid(world, tender, 1, 29_000_000)
    client = Client()
    client.force_login(world["platform_admin"])

    assert document.title not in client.get("/admin/documents/document/").content.decode()
    assert client.get(f"/admin/documents/document/{document.pk}/change/").status_code == 302  # not found

    services.tender_close(actor=world["officer"], tender=flows.pass_deadline(tender))
    assert document.title in client.get("/admin/documents/document/").content.decode()
    assert document.sha256 in client.get(f"/admin/documents/document/{document.pk}/change/").content.decode()
    assert client.post(f"/admin/documents/document/{document.pk}/delete/", {"post": "yes"}).status_code == 403


def test_a_document_whose_bytes_are_gone_is_404_not_500(world, api):
    from django.core.files.storage import storages

    tender = flows.draft_tender(world)
    document = document_services.document_attach(
        actor=world["officer"], owner=tender, file=files.upload(), filename="t.pdf", title="T", kind="other"
    )
    storages["documents"].delete(document.storage_name)
    assert api(world["officer"]).get(f"documents/{document.id}/download/").status_code == 404
