"""A bid's receipt covers the SHA-256 of each of its documents (docs/rules.md §17.2); a bid without
documents keeps the receipt it always had, and opening the bids catches a document whose stored
bytes changed, or one added or removed after submission."""

import hashlib
import json

from django.core.files.storage import storages
from django_fsm_log.models import StateLog

from common import reasons
from documents import services as document_services
from documents.models import Document
from marketplace import services
from marketplace.services.bids import receipt_for

from .. import flows
from . import files
from .files import tiny_pdf


def draft_bid(world, index=0):
    return services.bid_create(
        actor=world["provider_admins"][index],
        tender=flows.published_tender(world),
        provider=world["providers"][index],
        data={
            "price_amount": 20_000_000,
            "technical_proposal": "Plan",
            "staffing_plan": "Team",
            "declarations": {"eligibility": True, "no_double_funding": True, "no_conflict": True},
        },
    )


def attach(world, bid, content=files.PDF, name="evidence.pdf", index=0):
    return document_services.document_attach(
        actor=world["provider_admins"][index],
        owner=bid,
        file=files.upload(content, name),
        filename=name,
        title="Qualification evidence",
        kind="qualification",
    )


def legacy_receipt(bid):
    """The receipt as it was computed before documents existed."""
    content = {
        "tender": bid.tender_id,
        "provider": bid.provider_id,
        "price_amount": bid.price_amount,
        "currency": bid.tender.currency,
        "technical_proposal": bid.technical_proposal,
        "staffing_plan": bid.staffing_plan,
        "declarations": bid.declarations,
        "submitted_at": bid.submitted_at.isoformat() if bid.submitted_at else None,
    }
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def open_bids(world, bid):
    flows.submitted_bid(world, bid.tender, 1, 29_000_000)
    services.tender_close(actor=world["officer"], tender=flows.pass_deadline(bid.tender))
    bid.refresh_from_db()
    return bid


def test_a_bid_without_documents_keeps_the_receipt_it_always_had(world):
    bid = services.bid_submit(actor=world["provider_admins"][0], bid=draft_bid(world))
    assert bid.receipt == legacy_receipt(bid) == receipt_for(bid)


def test_the_receipt_covers_each_documents_hash(world):
    bid = draft_bid(world)
    without = receipt_for(bid)
    attach(world, bid)
    with_one = receipt_for(bid)
    attach(world, bid, files.PNG, "licence.png")
    with_two = receipt_for(bid)
    assert len({without, with_one, with_two}) == 3

    bid = services.bid_submit(actor=world["provider_admins"][0], bid=bid)
    assert bid.receipt == receipt_for(bid) != legacy_receipt(bid)


def test_an_intact_bid_with_documents_opens_untampered(world):
    bid = draft_bid(world)
    attach(world, bid)
    services.bid_submit(actor=world["provider_admins"][0], bid=bid)

    assert open_bids(world, bid).tampered_at is None


def test_overwritten_stored_bytes_mark_the_bid_tampered_at_opening(world):
    bid = draft_bid(world)
    document = attach(world, bid)
    services.bid_submit(actor=world["provider_admins"][0], bid=bid)
    storage = storages["documents"]
    with open(storage.path(document.storage_name), "wb") as stored:  # someone with disk access
        stored.write(tiny_pdf("Something else"))

    bid = open_bids(world, bid)

    assert bid.status == "opened" and bid.tampered_at is not None
    assert flows.last_log(bid).description == reasons.BID_TAMPERED


def test_deleted_stored_bytes_mark_the_bid_tampered(world):
    bid = draft_bid(world)
    document = attach(world, bid)
    services.bid_submit(actor=world["provider_admins"][0], bid=bid)
    storages["documents"].delete(document.storage_name)

    assert open_bids(world, bid).tampered_at is not None


def test_a_document_row_deleted_after_submission_marks_the_bid_tampered(world):
    bid = draft_bid(world)
    attach(world, bid)
    services.bid_submit(actor=world["provider_admins"][0], bid=bid)
    Document.objects.filter(object_id=bid.pk).delete()  # a direct database edit

    assert open_bids(world, bid).tampered_at is not None


def test_a_document_added_after_submission_marks_the_bid_tampered(world):
    bid = draft_bid(world)
    services.bid_submit(actor=world["provider_admins"][0], bid=bid)
    # the service refuses (the bid is no longer a draft), so a direct write
    document = attach(world, draft_bid(world, 2), index=2)
    Document.objects.filter(pk=document.pk).update(object_id=bid.pk)

    bid = open_bids(world, bid)

    assert bid.tampered_at is not None
    assert StateLog.objects.filter(object_id=bid.pk, description=reasons.BID_TAMPERED).exists()
