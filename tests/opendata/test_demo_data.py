"""The demo's whole history, as every OCDS output publishes it, validates with zero errors."""

import gzip
import io
import json
import re
from io import StringIO

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from opendata import downloads, ocds

from .validation import assert_valid, assert_valid_record_package


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("seed_demo", stdout=StringIO())
        yield
        call_command("flush", interactive=False, stdout=StringIO())


@pytest.mark.django_db
def test_every_release_and_record_of_the_demo_validates(demo, client, tmp_path):
    releases = []
    url = reverse("ocds-releases")
    while url:
        package = client.get(url).json()
        assert_valid(package)
        releases.extend(package["releases"])
        url = package.get("links", {}).get("next")
    assert len({r["id"] for r in releases}) == len(releases)
    tags = {tag for release in releases for tag in release["tag"]}
    assert {"tender", "tenderCancellation", "award", "contract", "implementation"} <= tags
    for ocid in sorted({r["ocid"] for r in releases}):
        assert_valid_record_package(client.get(reverse("ocds-record", args=[ocid])).json())
    one = client.get(reverse("ocds-release", args=[releases[-1]["id"]])).json()
    assert one["releases"] == [releases[-1]]

    path = tmp_path / "releases.jsonl.gz"
    out = StringIO()
    call_command("ocds_export", str(path), "--no-progress", stdout=out)
    lines = gzip.decompress(path.read_bytes()).decode().splitlines()
    exported = sorted((json.loads(line) for line in lines), key=lambda r: (r["date"], r["id"]))
    assert [r["id"] for r in exported] == [r["id"] for r in releases]
    assert f"{len(releases)} releases" in out.getvalue()


@pytest.mark.django_db
def test_since_and_paging(demo, client, settings):
    settings.OCDS_PAGE_SIZE = 3
    first = client.get(reverse("ocds-releases")).json()
    assert len(first["releases"]) == 3
    second = client.get(first["links"]["next"]).json()
    assert second["releases"][0]["id"] not in {r["id"] for r in first["releases"]}
    since = first["releases"][-1]["date"]
    later = client.get(reverse("ocds-releases"), {"since": since}).json()["releases"]
    assert later and all(r["date"] > since for r in later)
    assert client.get(reverse("ocds-releases"), {"since": "yesterday"}).status_code == 400
    assert client.get(reverse("ocds-record", args=["ocds-nothere-1"])).status_code == 404
    assert client.get(reverse("ocds-release", args=["999999-tender-1"])).status_code == 404
    assert ocds.ocid_of(7) == f"{settings.OCDS_OCID_PREFIX}-7"


def _xlsx_rows(content: bytes) -> list[list]:
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


def _public_pages_and_downloads_text(client) -> str:
    """The public pages (landing, tenders, each public tender and contract, providers, the open-data
    page), the public API lists, and every download, as text."""
    from contracts.models import Contract
    from marketplace.models import Tender

    paths = ["/", "/tenders/", "/open-data/", "/exclusions/", "/api/v1/tenders/", "/api/v1/contracts/"]
    for tender in Tender.objects.filter(status__in=Tender.PUBLIC_STATUSES):
        paths += [f"/tenders/{tender.pk}/", f"/api/v1/tenders/{tender.pk}/"]
    for contract in Contract.objects.exclude(status="draft"):
        paths += [
            f"/contracts/{contract.pk}/",
            f"/api/v1/contracts/{contract.pk}/",
            f"/api/v1/contracts/{contract.pk}/satisfaction/",
            f"/providers/{contract.provider_id}/",
        ]
    texts = []
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        texts.append(response.content.decode())
    for table in downloads.TABLES:
        texts.append(client.get(f"/open-data/{table}.csv").content.decode("utf-8-sig"))
        rows = _xlsx_rows(client.get(f"/open-data/{table}.xlsx").content)
        texts.append("\n".join(" ".join(str(cell) for cell in row) for row in rows))
    return "\n".join(texts)


def _public_ocds_text(client) -> str:
    texts = []
    url = reverse("ocds-releases")
    ocids = set()
    while url:
        response = client.get(url)
        texts.append(response.content.decode())
        package = response.json()
        ocids |= {r["ocid"] for r in package["releases"]}
        url = package.get("links", {}).get("next")
    for ocid in sorted(ocids):
        texts.append(client.get(reverse("ocds-record", args=[ocid])).content.decode())
    texts.append(gzip.decompress(client.get(reverse("ocds-bulk-releases")).content).decode())
    for name in ("extension.json", "release-schema.json", "README.md"):
        texts.append(client.get(reverse("ocds-extension-file", args=[name])).content.decode())
    texts.append(_public_pages_and_downloads_text(client))
    # JSON escapes nothing we look for (ensure_ascii is off in the bulk file; the API's renderer
    # writes Chinese as is), but decode \\u escapes anyway
    return "\n".join(json.loads(json.dumps(t)) for t in texts)


@pytest.mark.django_db
def test_no_personal_data_in_any_ocds_output_of_the_demo(demo, client):
    from evaluations.models import Rating
    from orgs.models import Household, Organization, User

    text = _public_ocds_text(client)
    assert "performanceEvaluations" in text  # the demo's evaluations are published
    organizations = list(Organization.objects.values_list("name", flat=True))
    found = []
    for user in User.objects.all():
        # a username as a value, not a field's name ("community" is both)
        if re.search(rf'"{re.escape(user.username)}"(?!\s*:)', text):
            found.append(("username", user.username))
        if user.phone and user.phone in text:
            found.append(("phone", user.phone))
        # a person's name anywhere, unless it is part of an organisation's (a staff account named
        # after its organisation, 锦江益民社工 of 锦江益民社工服务社)
        name = user.display_name
        if name and name in text and not any(name in org for org in organizations):
            found.append(("name", name))
    for household in Household.objects.all():
        for value in (household.code, getattr(household, "phone", "")):
            if value and value in text:
                found.append(("household", value))
    for comment in Rating.objects.exclude(comment="").values_list("comment", flat=True):
        if comment in text:
            found.append(("comment", comment))
    for key in ('"rater"', '"household"', '"comment"', '"satisfaction": 1', '"username"', '"phone"'):
        if key in text:
            found.append(("field", key))
    assert found == []


@pytest.mark.django_db
def test_the_downloads_carry_every_public_row_in_yuan(demo, client, settings):
    from contracts.models import Contract

    settings.LANGUAGE_CODE = "en"
    page = client.get("/open-data/")
    assert page.status_code == 200
    assert b"/open-data/contracts.xlsx" in page.content
    assert b'href="/open-data/"' in client.get("/").content  # reachable from the landing page
    rows = _xlsx_rows(client.get("/open-data/contracts.xlsx").content)
    headers = rows[0]
    assert headers[:2] == ["Contract ID", "Tender ID"]
    values = {row[0]: row[headers.index("Value (yuan)")] for row in rows[1:]}
    public = Contract.objects.exclude(status="draft")
    assert values == {c.pk: c.value_amount / 100 for c in public}
    text = client.get("/open-data/contracts.csv").content
    assert text.startswith("\ufeff".encode())
    assert len(text.decode("utf-8-sig").splitlines()) == public.count() + 1
    for table in downloads.TABLES:
        for fmt in downloads.FORMATS:
            response = client.get(f"/open-data/{table}.{fmt}")
            assert response.status_code == 200
            assert response["Content-Disposition"] == f'attachment; filename="{table}.{fmt}"'
    assert client.get("/open-data/households.csv").status_code == 404
    assert client.get("/open-data/tenders.pdf").status_code == 404
