"""Documents on the pages (docs/rules.md §17.2): added on their own page from the owner's page,
listed with size and SHA-256, downloaded as attachments by whoever may read them."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from documents import services as document_services
from documents.models import Document
from marketplace import services

from .. import flows
from . import files


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def client_for(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_the_bureau_adds_tender_documents_to_a_draft_from_its_task_list(world):
    tender = flows.draft_tender(world)
    client = client_for(world["officer"])
    tasks = client.get(reverse("bureau:tender_edit", args=[tender.pk]))
    assert b"Tender documents" in tasks.content
    add_url = f"{reverse('documents:add_tender', args=[tender.pk])}?next=/bureau/tenders/{tender.pk}/edit/"
    assert add_url.encode() in tasks.content.replace(b"&amp;", b"&").replace(b"%2F", b"/")

    page = client.get(add_url)
    assert page.status_code == 200 and b"govuk-file-upload" in page.content
    response = client.post(
        add_url,
        {"file": files.upload(), "title": "Tender documents", "kind": "tender_documents", "next": "/bureau/"},
    )

    assert response.status_code == 302 and response["Location"] == "/bureau/"
    document = Document.objects.get()
    detail = client.get(reverse("bureau:tender", args=[tender.pk])).content.decode()
    assert document.sha256 in detail and document.short_sha256 in detail
    assert reverse("documents:download", args=[document.pk]) in detail


def test_a_refused_file_is_shown_on_the_form(world):
    tender = flows.draft_tender(world)
    response = client_for(world["officer"]).post(
        reverse("documents:add_tender", args=[tender.pk]),
        {"file": files.upload(files.HTML, "x.pdf"), "title": "Notice", "kind": "tender_documents"},
    )
    assert response.status_code == 400
    assert b"The file must be a PDF" in response.content and b"govuk-error-summary" in response.content
    assert not Document.objects.exists()


def test_too_big_on_the_page(world, settings):
    settings.DOCUMENT_MAX_BYTES = 100
    tender = flows.draft_tender(world)
    response = client_for(world["officer"]).post(
        reverse("documents:add_tender", args=[tender.pk]),
        {"file": files.upload(), "title": "Notice", "kind": "tender_documents"},
    )
    assert response.status_code == 413 and b"larger than" in response.content
    assert not Document.objects.exists()


def test_a_body_too_long_to_read_is_413_with_the_form_and_its_error(world, settings):
    # Given a limit, and a request longer than the limit plus the form's allowance
    settings.DOCUMENT_MAX_BYTES = 1000
    tender = flows.draft_tender(world)
    content = files.PDF + b"\x00" * (1000 + document_services.FORM_ALLOWANCE_BYTES)

    # When the officer posts it on the page
    response = client_for(world["officer"]).post(
        reverse("documents:add_tender", args=[tender.pk]),
        {"file": files.upload(content), "title": "Notice", "kind": "tender_documents"},
    )

    # Then the page comes back with the form and the limit, and nothing is stored
    assert response.status_code == 413
    body = response.content.decode()
    assert "govuk-error-summary" in body and "The file is larger than" in body
    assert 'name="file"' in body
    assert not Document.objects.exists()


def test_a_published_tender_lists_its_documents_for_everyone(world):
    tender = flows.draft_tender(world)
    document = document_services.document_attach(
        actor=world["officer"],
        owner=tender,
        file=files.upload(),
        filename="t.pdf",
        title="Tender documents",
        kind="tender_documents",
    )
    services.tender_publish(actor=world["officer"], tender=tender)

    page = client_for(None).get(reverse("public:tender", args=[tender.pk]))

    assert document.sha256.encode() in page.content
    download = client_for(None).get(reverse("documents:download", args=[document.pk]))
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    # nobody may add to a published tender's documents on the page
    assert (
        b"Add a document"
        not in client_for(world["officer"]).get(reverse("bureau:tender", args=[tender.pk])).content
    )


def test_a_sealed_bids_document_is_404_on_the_pages_for_all_but_the_bidder(world):
    tender = flows.published_tender(world)
    bid = services.bid_create(
        actor=world["provider_admins"][0],
        tender=tender,
        provider=world["providers"][0],
        data={
            "price_amount": 20_000_000,
            "technical_proposal": "Plan",
            "staffing_plan": "Team",
            "declarations": {"eligibility": True, "no_double_funding": True, "no_conflict": True},
        },
    )
    client = client_for(world["provider_admins"][0])
    task_list = client.get(reverse("provider:bid", args=[tender.pk]))
    assert b"Supporting documents" in task_list.content
    client.post(
        reverse("documents:add_bid", args=[bid.pk]),
        {"file": files.upload(files.PNG, "licence.png"), "title": "Licence", "kind": "qualification"},
    )
    document = Document.objects.get()
    path = reverse("documents:download", args=[document.pk])

    assert client.get(path).status_code == 200
    for user in (world["officer"], world["platform_admin"], world["provider_admins"][1], None):
        assert client_for(user).get(path).status_code == 404

    # a wrong upload is removed from the draft
    removed = client.post(
        reverse("documents:remove", args=[document.pk]), {"next": f"/provider/tenders/{tender.pk}/bid/"}
    )
    assert removed.status_code == 302 and not Document.objects.exists()


def test_the_provider_adds_a_sign_in_sheet_on_the_event_page_and_the_bureau_sees_it(world):
    objects = flows.delivering_contract(world, households=1)
    event = objects["event"]
    staff = client_for(world["provider_staff"][0])
    contract_page = staff.get(reverse("provider:contract", args=[objects["contract"].pk]))
    assert reverse("documents:event", args=[event.pk]).encode() in contract_page.content

    page = staff.get(reverse("documents:event", args=[event.pk]))
    assert page.status_code == 200 and b"Add a document" in page.content
    staff.post(
        reverse("documents:add_event", args=[event.pk]),
        {"file": files.upload(files.PNG, "sheet.png"), "title": "Sign-in sheet", "kind": "sign_in_sheet"},
    )
    document = Document.objects.get()

    officer_page = client_for(world["officer"]).get(reverse("documents:event", args=[event.pk]))
    assert document.sha256.encode() in officer_page.content
    assert b"Add a document" not in officer_page.content
    assert client_for(world["stranger"]).get(reverse("documents:event", args=[event.pk])).status_code == 404
    casework = client_for(world["officer"]).get(reverse("casework:contract", args=[objects["contract"].pk]))
    assert b"1 document" in casework.content
