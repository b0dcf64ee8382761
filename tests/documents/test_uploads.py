"""Uploading documents (docs/rules.md §17.2): the type is decided from the bytes, too big is 413,
a refusal stores nothing, downloads are attachments."""

import hashlib
from urllib.parse import quote

import pytest
from django.core.files.storage import storages
from django.test import TestCase
from django.utils import translation

from documents import services as document_services
from documents.models import Document
from marketplace import services
from marketplace.errors import MarketplaceError

from .. import flows
from . import files


def stored_names():
    storage = storages["documents"]
    names = []
    stack = [""]
    while stack:
        folder = stack.pop()
        directories, found = storage.listdir(folder)
        names += [f"{folder}/{name}".lstrip("/") for name in found]
        stack += [f"{folder}/{name}".lstrip("/") for name in directories]
    return names


@pytest.mark.parametrize("extension", list(files.ACCEPTED))
def test_each_accepted_type_is_stored_with_its_hash_and_size(world, api, extension):
    # Given a draft tender and a real file of the type
    tender = flows.draft_tender(world)
    content, media_type = files.ACCEPTED[extension]

    # When its officer uploads it
    response = api(world["officer"]).post(
        f"tenders/{tender.id}/documents/", files.body(content, f"招标文件.{extension}"), format="multipart"
    )

    # Then it is stored as received, with the type its bytes say
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == {"id", "title", "kind", "filename", "media_type", "size", "sha256", "uploaded_at"}
    assert body["filename"] == f"招标文件.{extension}"
    assert body["media_type"] == media_type
    assert body["size"] == len(content)
    assert body["sha256"] == hashlib.sha256(content).hexdigest()
    document = Document.objects.get(pk=body["id"])
    assert document.owner == tender and document.uploaded_by == world["officer"]
    with storages["documents"].open(document.storage_name, "rb") as stored:
        assert stored.read() == content


def test_a_name_without_the_types_extension_gets_it(world, api):
    tender = flows.draft_tender(world)
    response = api(world["officer"]).post(
        f"tenders/{tender.id}/documents/", files.body(files.PDF, "scan"), format="multipart"
    )
    assert response.status_code == 201 and response.json()["filename"] == "scan.pdf"


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (files.HTML, "notice.html"),
        (files.HTML, "notice.pdf"),  # the name says PDF, the bytes do not
        (files.EXE, "setup.exe"),
        (files.EXE, "report.docx"),
        (files.PLAIN_ZIP, "archive.zip"),
        (files.PLAIN_ZIP, "report.docx"),  # a zip without word/ parts is no Word file
        (files.PNG, "report.pdf"),  # an accepted type under another type's name
        (b"%PDX-not really", "report.pdf"),
        (b"PK\x03\x04 broken zip", "report.ofd"),
        (files.DOCX_FUTURE_VERSION, "report.docx"),  # zipfile raises NotImplementedError
        (files.DOCX_ENCRYPTED, "report.docx"),
        (files.XLSX_UNKNOWN_COMPRESSION, "budget.xlsx"),
        (files.OFD_TRUNCATED_DIRECTORY, "notice.ofd"),
    ],
)
def test_disguised_and_unknown_types_are_refused_and_nothing_is_stored(world, api, content, name):
    tender = flows.draft_tender(world)
    before = stored_names()

    response = api(world["officer"]).post(
        f"tenders/{tender.id}/documents/", files.body(content, name), format="multipart"
    )

    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "invalid_file"
    assert "file" in response.json()["extra"]["fields"]
    assert not Document.objects.exists()
    assert stored_names() == before


def test_a_file_past_the_limit_is_413_and_nothing_is_stored(world, api, settings):
    settings.DOCUMENT_MAX_BYTES = len(files.PDF) - 1
    tender = flows.draft_tender(world)
    before = stored_names()

    response = api(world["officer"]).post(f"tenders/{tender.id}/documents/", files.body(), format="multipart")

    assert response.status_code == 413, response.json()
    assert response.json()["code"] == "file_too_large"
    assert response.json()["extra"]["max_bytes"] == len(files.PDF) - 1
    assert not Document.objects.exists()
    assert stored_names() == before


def test_a_request_too_long_to_hold_an_acceptable_file_is_refused_before_it_is_read(world, api, settings):
    settings.DOCUMENT_MAX_BYTES = 1000
    tender = flows.draft_tender(world)
    big = files.PDF + b"0" * (document_services.FORM_ALLOWANCE_BYTES + 2000)

    response = api(world["officer"]).post(
        f"tenders/{tender.id}/documents/", files.body(big), format="multipart"
    )

    assert response.status_code == 413 and response.json()["code"] == "file_too_large"
    assert not Document.objects.exists()


def test_exactly_the_limit_is_accepted(world, api, settings):
    settings.DOCUMENT_MAX_BYTES = len(files.PDF)
    tender = flows.draft_tender(world)
    response = api(world["officer"]).post(f"tenders/{tender.id}/documents/", files.body(), format="multipart")
    assert response.status_code == 201, response.json()


def test_a_kind_the_owner_does_not_take_is_refused(world, api):
    tender = flows.draft_tender(world)
    response = api(world["officer"]).post(
        f"tenders/{tender.id}/documents/", files.body(kind="photo"), format="multipart"
    )
    assert response.status_code == 400 and "kind" in response.json()["extra"]["fields"]
    assert not Document.objects.exists()


def test_a_published_tender_takes_documents_only_as_part_of_an_amendment(world, api):
    tender = flows.published_tender(world)

    response = api(world["officer"]).post(f"tenders/{tender.id}/documents/", files.body(), format="multipart")
    assert response.status_code == 409 and response.json()["code"] == MarketplaceError.NOT_EDITABLE

    # The amendment service (docs/rules.md §17.3) passes what it attaches for.
    document = document_services.document_attach(
        actor=world["officer"],
        owner=tender,
        file=files.upload(),
        filename="amended.pdf",
        title="Amended tender documents",
        kind="tender_documents",
        amendment=object(),
    )
    assert document.owner == tender


def test_download_is_an_attachment_with_its_name_type_and_no_sniffing(world, api):
    draft = flows.draft_tender(world)
    uploaded = api(world["officer"]).post(
        f"tenders/{draft.id}/documents/", files.body(files.PDF, "招标文件 第1包.pdf"), format="multipart"
    )
    assert uploaded.status_code == 201
    document_id = uploaded.json()["id"]

    response = api(world["officer"]).get(f"documents/{document_id}/download/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=utf-8''{quote('招标文件 第1包.pdf')}" in disposition
    assert b"".join(response.streaming_content) == files.PDF


def test_metadata_of_a_document(world, api):
    draft = flows.draft_tender(world)
    uploaded = api(world["officer"]).post(f"tenders/{draft.id}/documents/", files.body(), format="multipart")
    document_id = uploaded.json()["id"]

    response = api(world["officer"]).get(f"documents/{document_id}/")

    assert response.status_code == 200 and response.json() == uploaded.json()
    listed = api(world["officer"]).get(f"tenders/{draft.id}/documents/")
    assert listed.json() == [uploaded.json()]


def test_a_drafts_document_is_removed_with_its_bytes_and_logged(world, api, caplog):
    draft = flows.draft_tender(world)
    uploaded = api(world["officer"]).post(f"tenders/{draft.id}/documents/", files.body(), format="multipart")
    document_id = uploaded.json()["id"]
    stored = Document.objects.get(pk=document_id).storage_name
    assert stored in stored_names()

    with (
        caplog.at_level("INFO", logger="documents.services"),
        TestCase.captureOnCommitCallbacks(execute=True),
    ):
        response = api(world["officer"]).client.delete(f"/api/v1/documents/{document_id}/")

    assert response.status_code == 204
    assert not Document.objects.exists()
    assert stored not in stored_names()
    assert f"document {document_id}" in caplog.text and "removed" in caplog.text


def test_a_submitted_bids_document_cannot_be_removed(world, api):
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
    uploaded = api(world["provider_admins"][0]).post(
        f"bids/{bid.id}/documents/", files.body(kind="qualification"), format="multipart"
    )
    assert uploaded.status_code == 201, uploaded.json()
    services.bid_submit(actor=world["provider_admins"][0], bid=bid)

    response = api(world["provider_admins"][0]).client.delete(f"/api/v1/documents/{uploaded.json()['id']}/")

    assert response.status_code == 409 and response.json()["code"] == "document_not_removable"
    assert Document.objects.count() == 1
    late = api(world["provider_admins"][0]).post(
        f"bids/{bid.id}/documents/", files.body(kind="qualification"), format="multipart"
    )
    assert late.status_code == 409 and late.json()["code"] == "not_editable"


def test_error_messages_speak_the_callers_language(world, api, settings):
    settings.LANGUAGE_CODE = "en"
    tender = flows.draft_tender(world)
    with translation.override("en"):
        response = api(world["officer"]).post(
            f"tenders/{tender.id}/documents/", files.body(files.HTML, "x.pdf"), format="multipart"
        )
    assert (
        response.json()["message"]
        == "The file must be a PDF, OFD, Word (.docx), Excel (.xlsx), JPEG or PNG file."
    )


def test_form_fields_too_large_to_read_are_a_json_400_not_djangos_page(world, api, settings):
    # Given Django's limit on the fields of a form body
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    tender = flows.draft_tender(world)

    # When an upload's title alone is past it
    response = api(world["officer"]).post(
        f"tenders/{tender.id}/documents/",
        {"file": files.upload(), "title": "x" * 5000, "kind": "tender_documents"},
        format="multipart",
    )

    # Then it is the API's envelope with a stable code, and nothing is stored
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_request"
    assert not Document.objects.exists()
