"""The public lists served from the cache are never stale: after each kind of change to what the
public sees, the cached answer is the one the product computes afresh (common/public_cache.py).
These tests commit for real (``transaction=True``): the version moves in the commit hook."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from marketplace import services
from orgs.models import User

from . import factories as f
from .documents.files import PDF, upload
from .flows import evaluating_tender, pass_deadline, published_tender

pytestmark = pytest.mark.django_db(transaction=True)

API = "/api/v1/tenders/?page_size=50"
PAGE = "/tenders/"


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.LANGUAGE_CODE = "en"
    settings.PUBLIC_CACHE_ENABLED = True


def answers(settings) -> dict[str, bytes]:
    """The anonymous answers as served (from the cache once warm) and as computed afresh."""
    served = {"api": APIClient().get(API).content, "page": _page(Client().get(PAGE).content)}
    settings.PUBLIC_CACHE_ENABLED = False
    fresh = {"api": APIClient().get(API).content, "page": _page(Client().get(PAGE).content)}
    settings.PUBLIC_CACHE_ENABLED = True
    return {"served": served, "fresh": fresh}


def _page(html: bytes) -> bytes:
    """The page without its CSRF tokens (masked afresh for every answer)."""
    import re

    html = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", html)
    return re.sub(rb'"X-CSRFToken": "[^"]+"', b"", html)


def warm_then_change(settings, change) -> None:
    APIClient().get(API)
    Client().get(PAGE)
    before = answers(settings)
    assert before["served"] == before["fresh"]
    change()
    after = answers(settings)
    assert after["served"] == after["fresh"]
    assert after["served"]["api"] != before["served"]["api"]


def amend(world, tender, **kwargs):
    return services.tender_amend(actor=world["officer"], tender=tender, reason="Lunch is included.", **kwargs)


def test_publishing_a_tender_is_seen_at_once(world, settings):
    draft = f.TenderFactory(
        bureau=world["bureau"], budget_line=world["budget_line"], catalogue_item=world["catalogue_item"]
    )
    warm_then_change(settings, lambda: services.tender_publish(actor=world["officer"], tender=draft))
    assert draft.title.encode() in APIClient().get(API).content


def test_a_new_public_tender_beside_others_is_seen_at_once(world, settings):
    published_tender(world)
    warm_then_change(settings, lambda: published_tender(world, title="Meals on wheels"))


def test_an_amendment_is_seen_at_once(world, settings):
    tender = published_tender(world, bid_deadline=f.in_days(30))
    warm_then_change(settings, lambda: amend(world, tender, changes={"description": "Day care with lunch."}))


def test_a_document_added_by_amendment_is_seen_at_once(world, settings):
    tender = published_tender(world, bid_deadline=f.in_days(30))
    document = {"file": upload(PDF), "filename": "menu.pdf", "title": "Menu", "kind": "tender_documents"}
    warm_then_change(settings, lambda: amend(world, tender, changes={}, documents=[document]))


def test_closing_is_seen_at_once(world, settings):
    tender = published_tender(world)
    for index, price in enumerate((28_000_000, 30_000_000)):
        from .flows import submitted_bid

        submitted_bid(world, tender, index, price)
    pass_deadline(tender)
    warm_then_change(settings, lambda: services.tender_close(actor=world["officer"], tender=tender))


def test_an_award_notice_is_seen_at_once(world, settings):
    from marketplace.selectors import ranking_of

    from .flows import score_all

    tender = evaluating_tender(world)
    score_all(world, tender)
    top = ranking_of(tender)[0].bid
    warm_then_change(settings, lambda: services.tender_award(actor=world["officer"], tender=tender, bid=top))


def test_cancelling_is_seen_at_once(world, settings):
    tender = published_tender(world)
    warm_then_change(
        settings, lambda: services.tender_cancel(actor=world["officer"], tender=tender, reason="Not needed.")
    )


def test_a_bureau_renamed_is_seen_at_once(world, settings):
    published_tender(world)

    def rename():
        world["bureau"].name = "Wuhou Civil Affairs"
        world["bureau"].save()

    APIClient().get(API)
    before = Client().get(PAGE).content
    rename()
    assert b"Wuhou Civil Affairs Bureau" in before
    assert b"Wuhou Civil Affairs Bureau" not in Client().get(PAGE).content


def test_conditional_gets_answer_304_until_something_changes(world, settings):
    tender = published_tender(world, bid_deadline=f.in_days(30))
    client = APIClient()
    first = client.get(API)
    assert first.status_code == 200 and first["ETag"] and first["Last-Modified"]
    again = client.get(API, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    amend(world, tender, changes={"description": "Day care with lunch."})
    after = client.get(API, HTTP_IF_NONE_MATCH=first["ETag"])
    assert after.status_code == 200 and after["ETag"] != first["ETag"]


def test_signed_in_users_are_never_served_the_public_answer(world, settings):
    draft = f.TenderFactory(
        bureau=world["bureau"], budget_line=world["budget_line"], catalogue_item=world["catalogue_item"]
    )
    published_tender(world)
    APIClient().get(API)  # the anonymous answer is cached
    officer = APIClient()
    officer.force_authenticate(world["officer"])
    answer = officer.get(API)
    assert draft.title.encode() in answer.content  # the bureau's draft, which the public never sees
    assert "ETag" not in answer and b"no-store" in answer["Cache-Control"].encode()
    browser = Client()
    browser.force_login(world["officer"])
    assert draft.title.encode() in browser.get(PAGE).content
    assert draft.title.encode() not in Client().get(PAGE).content


def test_the_language_and_the_query_are_part_of_the_key(world, settings):
    published_tender(world, title="Meals on wheels")
    published_tender(world, title="Day care")
    english = Client().get(PAGE, HTTP_ACCEPT_LANGUAGE="en").content
    chinese = Client().get(PAGE, HTTP_ACCEPT_LANGUAGE="zh-hans").content
    assert english != chinese
    only = APIClient().get("/api/v1/tenders/", {"q": "Meals"}).json()
    assert [t["title"] for t in only["results"]] == ["Meals on wheels"]
    assert APIClient().get("/api/v1/tenders/").json()["count"] == 2
    assert User.objects.count()  # the world is there


def test_the_api_answer_is_stored_gzipped_for_clients_that_accept_it(world, settings):
    import gzip

    published_tender(world)
    plain = APIClient().get(API)
    for _ in range(2):  # made, then from the cache
        packed = APIClient().get(API, HTTP_ACCEPT_ENCODING="gzip, br")
        assert packed["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed["Vary"]
        assert gzip.decompress(packed.content) == plain.content
    assert packed["ETag"] != plain["ETag"]  # two representations, two tags
