"""Bad input to the open data is a 400 with a stable code (or a 404 for an id that cannot be
one), never a 500 (review of issue 14)."""

import pytest
from django.urls import reverse

from opendata import ocds
from tests import flows

pytestmark = pytest.mark.django_db

BAD_SINCE = [
    "2026-02-30T00:00:00",  # no such day
    "2026-02-30",
    "2026-01-01T25:00",  # no such hour
    "2026-01-01T00:00:00+99:00",  # no such offset
    "2026-01-01T00:00:00 99:00",  # the same with its + unencoded
    "0001-01-01T00:00:00+14:00",  # before the first representable moment in Asia/Shanghai
    "２０２６-01-01T00:00:00",  # fullwidth digits
    "yesterday",
]
BAD_OFFSET = ["²", "1²", "٣", "-1", "1.5", " 3", "1" * 10]


@pytest.mark.parametrize("since", BAD_SINCE)
def test_a_bad_since_is_a_400(world, client, since):
    response = client.get(reverse("ocds-releases"), {"since": since})
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["extra"]["fields"]) == ["since"]


@pytest.mark.parametrize("offset", BAD_OFFSET)
def test_a_bad_offset_is_a_400(world, client, offset):
    response = client.get(reverse("ocds-releases"), {"offset": offset})
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid"
    assert list(response.json()["extra"]["fields"]) == ["offset"]


def test_good_query_input_still_works(world, client, settings):
    settings.OCDS_PAGE_SIZE = 1
    flows.published_tender(world)
    flows.published_tender(world)
    url = reverse("ocds-releases")
    assert len(client.get(url, {"since": "2000-01-01"}).json()["releases"]) == 1
    assert client.get(url, {"since": "2000-01-01T00:00:00 08:00"}).status_code == 200  # an unencoded +
    assert client.get(url, {"since": "", "offset": ""}).status_code == 200
    assert client.get(url, {"since": "9999-12-31T23:59:59+08:00"}).json()["releases"] == []
    second = client.get(url, {"offset": "1"}).json()
    assert len(second["releases"]) == 1 and "links" not in second


@pytest.mark.parametrize("text", ["²", "1²", "²-tender-1", "٣-tender-1", "１-tender-1", "0x1"])
def test_an_id_or_ocid_with_other_digits_is_a_404(world, client, text):
    tender = flows.published_tender(world)
    assert client.get(reverse("ocds-release", args=[text])).status_code == 404
    prefix = ocds.ocid_of(tender.pk).removesuffix(str(tender.pk))
    response = client.get(reverse("ocds-record", args=[prefix + text]))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_bulk_file_the_extension_and_the_downloads_never_fail_on_bad_input(world, client):
    """They take no query parameters, so whatever is sent is ignored; a bad file name is a 404."""
    flows.published_tender(world)
    query = {"since": "2026-02-30T00:00:00", "offset": "²"}
    assert client.get(reverse("ocds-bulk-releases"), query).status_code == 200
    assert client.get(reverse("ocds-extension-file", args=["README.md²"])).status_code == 404
    assert client.get("/open-data/tenders.csv", query).status_code == 200
    assert client.get("/open-data/tenders.xlsx", query).status_code == 200
    assert client.get("/open-data/tenders².csv").status_code == 404
    assert client.get("/open-data/tenders.xlsx²").status_code == 404
