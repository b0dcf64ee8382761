"""The demo's whole history, as every OCDS output publishes it, validates with zero errors."""

import gzip
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from opendata import ocds

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
