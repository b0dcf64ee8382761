"""A challenge's documents (docs/rules.md §17.2, §17.5): the challenger attaches the evidence for
its grounds while the challenge awaits the reply; the parties, the review body its complaint went to
and the platform admin read it — never the public nor another provider, even once the challenge is
replied and public."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from challenges import services
from documents import services as document_services
from documents.models import Document

from ..documents import files
from ..flows import challenged_tender, complained_challenge

pytestmark = pytest.mark.django_db


def _evidence(title="Our price schedule"):
    return files.body(files.PDF, "schedule.pdf", title=title, kind="evidence")


def _attach(world, api, challenge, user=None):
    user = user or world["provider_staff"][1]
    return api(user).post(f"challenges/{challenge.id}/documents/", _evidence(), format="multipart")


def _titles(response):
    assert response.status_code == 200, response.json()
    return [row["title"] for row in response.json()]


def test_the_challenger_attaches_evidence_and_the_parties_read_it(world, api):
    challenge = challenged_tender(world)["challenge"]

    response = _attach(world, api, challenge)

    assert response.status_code == 201, response.json()
    document = Document.objects.get()
    assert document.owner == challenge and document.kind == "evidence"
    assert document.uploaded_by == world["provider_staff"][1]
    for who in ("officer", "bureau_admin", "platform_admin"):
        assert _titles(api(world[who]).get(f"challenges/{challenge.id}/documents/")) == ["Our price schedule"]
        assert api(world[who]).get(f"documents/{document.id}/download/").status_code == 200
    assert _titles(api(world["provider_admins"][1]).get(f"challenges/{challenge.id}/documents/")) == [
        "Our price schedule"
    ]


@pytest.mark.parametrize(
    ("who", "status"), [("officer", 403), ("provider_admins", 404), ("stranger", 404), ("reviewer", 404)]
)
def test_only_the_challengers_admins_and_staff_attach(world, api, who, status):
    challenge = challenged_tender(world)["challenge"]
    user = world[who][0] if who == "provider_admins" else world[who]  # the winner's admin: not the challenger

    response = _attach(world, api, challenge, user)

    assert response.status_code == status, response.json()
    assert not Document.objects.exists()


def test_a_replied_challenge_takes_no_more_documents(world, api):
    challenge = complained_challenge(world)["challenge"]

    response = _attach(world, api, challenge)

    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"
    assert not Document.objects.exists()


def test_the_public_and_other_providers_never_read_the_evidence(world, api):
    objects = challenged_tender(world)
    challenge = objects["challenge"]
    assert _attach(world, api, challenge).status_code == 201
    document = Document.objects.get()
    services.challenge_reply(
        actor=world["officer"], challenge=challenge, decision="dismissed", reply="The ranking stands."
    )
    outsiders = [None, world["stranger"], world["provider_admins"][0], world["other_officer"]]

    for user in outsiders:
        # The replied challenge is public, its evidence is not.
        assert api(user).get(f"challenges/{challenge.id}/").status_code == 200
        assert api(user).get(f"challenges/{challenge.id}/documents/").status_code == 404
        assert api(user).get(f"documents/{document.id}/").status_code == 404
        assert api(user).get(f"documents/{document.id}/download/").status_code == 404
    # The review body reads it once the challenger has complained to it, not before.
    assert api(world["reviewer"]).get(f"challenges/{challenge.id}/documents/").status_code == 404
    services.complaint_submit(
        actor=world["provider_admins"][1], challenge=challenge, grounds="The bureau ignored our schedule."
    )
    assert _titles(api(world["reviewer"]).get(f"challenges/{challenge.id}/documents/")) == [
        "Our price schedule"
    ]
    assert api(world["other_reviewer"]).get(f"challenges/{challenge.id}/documents/").status_code == 404


def test_a_challenge_takes_evidence_or_other_documents_only(world, api):
    challenge = challenged_tender(world)["challenge"]
    response = api(world["provider_staff"][1]).post(
        f"challenges/{challenge.id}/documents/",
        files.body(files.PDF, "x.pdf", title="Proposal", kind="technical_proposal"),
        format="multipart",
    )
    assert response.status_code == 400 and "kind" in response.json()["extra"]["fields"]
    assert not Document.objects.exists()


# --- Pages ---------------------------------------------------------------------------------------


@pytest.fixture
def english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_replied_challenge_page_offers_no_add_a_document(world, english):
    challenge = complained_challenge(world)["challenge"]
    page = reverse("provider:challenge", args=[challenge.pk])
    content = _client(world["provider_admins"][1]).get(page).content
    assert b"No documents support this challenge." in content and b"Add a document" not in content


def test_the_challenger_adds_a_document_from_its_challenge_page_and_the_bureau_sees_it(world, english):
    challenge = challenged_tender(world)["challenge"]
    client = _client(world["provider_admins"][1])
    page = reverse("provider:challenge", args=[challenge.pk])

    content = client.get(page).content.decode()
    assert "Add a document" in content and "No documents support this challenge." in content
    add_url = reverse("documents:add_challenge", args=[challenge.pk])
    assert add_url in content
    form = client.get(f"{add_url}?next={page}")
    assert form.status_code == 200 and b"Evidence" in form.content
    response = client.post(
        add_url, {"file": files.upload(), "title": "Our price schedule", "kind": "evidence", "next": page}
    )
    assert response.status_code == 302 and response["Location"] == page

    document = Document.objects.get()
    assert document.sha256 in client.get(page).content.decode()
    bureau_page = _client(world["officer"]).get(reverse("bureau:challenges", args=[challenge.tender_id]))
    assert document.sha256 in bureau_page.content.decode()
    assert b"Add a document" not in bureau_page.content


def test_the_review_body_sees_the_evidence_on_the_complaint_page(world, english):
    objects = challenged_tender(world)
    challenge = objects["challenge"]
    document = document_services.document_attach(
        actor=world["provider_admins"][1],
        owner=challenge,
        file=files.upload(),
        filename="schedule.pdf",
        title="Our price schedule",
        kind="evidence",
    )
    challenge = services.challenge_reply(
        actor=world["officer"], challenge=challenge, decision="dismissed", reply="The ranking stands."
    )
    complaint = services.complaint_submit(
        actor=world["provider_admins"][1], challenge=challenge, grounds="The bureau ignored our schedule."
    )

    page = _client(world["reviewer"]).get(reverse("review:complaint", args=[complaint.pk]))

    assert page.status_code == 200
    assert document.sha256 in page.content.decode() and b"Add a document" not in page.content
    download = reverse("documents:download", args=[document.pk])
    assert _client(world["reviewer"]).get(download).status_code == 200
    # The public tender page lists the replied challenge, never its evidence.
    public = Client().get(reverse("public:tender", args=[challenge.tender_id])).content.decode()
    assert document.sha256 not in public and document.title not in public
