"""The public lists served from the cache are never stale: after each kind of change to what the
public sees, the cached answer is the one the product computes afresh (common/public_cache.py).
These tests commit for real (``transaction=True``): the version moves in the commit hook."""

import time

import pytest
from django.core.cache import caches
from django.test import Client
from rest_framework.test import APIClient

from marketplace import services

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


def test_a_renamed_area_is_seen_at_once(world, settings):
    """The page's area filter names the areas."""
    published_tender(world)
    district = world["areas"]["district"]
    APIClient().get(API)
    before = Client().get(PAGE).content
    district.name = "Jade Lake District"
    district.save()
    after = Client().get(PAGE).content
    assert b"Jade Lake District" not in before and b"Jade Lake District" in after


def test_a_contract_made_from_the_award_is_seen_at_once(world, settings):
    from contracts import services as contract_services

    from .flows import award_proposed_tender, pass_standstill

    tender = pass_standstill(award_proposed_tender(world))
    warm_then_change(
        settings, lambda: contract_services.award_finalize(actor=world["officer"], tender=tender)
    )
    shown = {t["id"]: t["contract"] for t in APIClient().get(API).json()["results"]}
    assert shown[tender.pk] is not None


def test_what_the_lists_do_not_show_leaves_the_version_alone(world, settings):
    """A contract's signature is not on the lists (only the contract's id is): the answers stay."""
    from contracts import services as contract_services

    from .flows import draft_contract

    contract = draft_contract(world)
    client = APIClient()
    first = client.get(API)
    contract_services.contract_sign(actor=world["officer"], contract=contract)
    assert client.get(API, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_conditional_gets_answer_304_until_something_changes(world, settings):
    tender = published_tender(world, bid_deadline=f.in_days(30))
    client = APIClient()
    first = client.get(API)
    assert first.status_code == 200 and first["ETag"] and first["Cache-Control"] == "no-cache"
    again = client.get(API, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    for header in ("ETag", "Vary", "Cache-Control"):  # what the 200 would have said
        assert again[header] == first[header], header
    amend(world, tender, changes={"description": "Day care with lunch."})
    after = client.get(API, HTTP_IF_NONE_MATCH=first["ETag"])
    assert after.status_code == 200 and after["ETag"] != first["ETag"]


def test_a_date_never_stands_for_the_answer(world, settings):
    """No Last-Modified, and If-Modified-Since is no reason for a 304: a version's time says
    nothing of what a client holds (a change in the same second, a client's clock ahead)."""
    from django.utils.http import http_date

    tender = published_tender(world, bid_deadline=f.in_days(30))
    client = APIClient()
    first = client.get(API)
    assert "Last-Modified" not in first
    amend(world, tender, changes={"description": "Day care with lunch."})
    tomorrow = http_date(time.time() + 86_400)
    after = client.get(API, HTTP_IF_MODIFIED_SINCE=tomorrow)
    assert after.status_code == 200 and b"Day care with lunch." in after.content


def test_the_version_is_shared_by_hosts_that_keep_their_own_answers(world, settings, tmp_path):
    """PostgreSQL without Redis: each host keeps its answers in its own folder; a change made
    through one host is seen at once through the other (the version is in the shared default
    cache, the database table in production)."""
    settings.PUBLIC_CACHE_VERSION_CACHE = "default"  # what config/settings.py chooses for PostgreSQL
    tender = published_tender(world, bid_deadline=f.in_days(30))
    default = settings.CACHES["default"]

    def host(name):
        public = {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / name),
        }
        settings.CACHES = {"default": default, "public": public}

    host("a")
    assert b"Day care with lunch." not in APIClient().get(API).content  # host a stores its answer
    host("b")
    APIClient().get(API)
    amend(world, tender, changes={"description": "Day care with lunch."})  # through host b
    host("a")
    assert b"Day care with lunch." in APIClient().get(API).content


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


@pytest.mark.parametrize(
    ("database", "cache", "where"),
    [
        ("sqlite:////tmp/shequ.sqlite3", "", "public"),  # one file, one host: beside the answers
        ("postgres://shequ@db.internal/shequ", "", "default"),  # several hosts: the database cache
        ("sqlite:////tmp/shequ.sqlite3", "redis://cache.internal:6379/0", "default"),
    ],
)
def test_the_settings_keep_the_version_where_every_host_reads_it(database, cache, where):
    import os
    import subprocess
    import sys

    from django.conf import settings as django_settings

    show = "from config import settings; print(settings.PUBLIC_CACHE_VERSION_CACHE)"
    env = {**os.environ, "DATABASE_URL": database, "CACHE_URL": cache, "REDIS_URL": ""}
    shown = subprocess.run(
        [sys.executable, "-c", show], cwd=django_settings.BASE_DIR, env=env, capture_output=True, text=True
    )
    assert shown.stdout.strip() == where, shown.stderr


def test_a_version_kept_per_process_is_a_warning(settings):
    from common.public_cache import check_version_shared

    settings.DEBUG = False
    settings.PUBLIC_CACHE_VERSION_CACHE = "default"
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    assert [warning.id for warning in check_version_shared(None)] == ["shequ.W003"]
    settings.PUBLIC_CACHE_VERSION_CACHE = "public"  # a folder: shared by the host's workers
    assert check_version_shared(None) == []


def test_the_language_and_the_query_are_part_of_the_key(world, settings):
    """Each answer, served from the cache after another key's answer was stored, is the one
    computed afresh for its own language and query: were either left out of the key, the second
    request of a pair would be served the first one's answer."""
    published_tender(world, title="Meals on wheels")
    published_tender(world, title="Day care")
    client = Client()
    english = _page(client.get(PAGE, HTTP_ACCEPT_LANGUAGE="en").content)
    chinese = _page(client.get(PAGE, HTTP_ACCEPT_LANGUAGE="zh-hans").content)
    assert b"Bid deadline" in english and b"Bid deadline" not in chinese
    assert "投标截止".encode() in chinese
    for first, second in (({"q": "Meals"}, {}), ({}, {"q": "Meals"})):
        caches["public"].clear()
        for query in (first, second):
            titles = [t["title"] for t in APIClient().get("/api/v1/tenders/", query).json()["results"]]
            assert titles == (["Meals on wheels"] if query else ["Day care", "Meals on wheels"])
            page = Client().get(PAGE, query).content
            assert (b"Day care" in page) is not bool(query)


def test_the_query_is_keyed_as_sent(world, settings):
    """The order of a repeated parameter matters (the last ``page`` wins): two orders, two answers."""
    published_tender(world, title="Meals on wheels")
    published_tender(world, title="Day care")
    one = APIClient().get("/api/v1/tenders/?page_size=1&page=2&page=1").json()["results"]
    two = APIClient().get("/api/v1/tenders/?page_size=1&page=1&page=2").json()["results"]
    assert [t["title"] for t in one + two] == ["Day care", "Meals on wheels"]


def test_the_accepted_media_type_is_part_of_the_key(world, settings):
    published_tender(world)
    indented = APIClient().get(API, HTTP_ACCEPT="application/json; indent=4")
    assert indented.content.startswith(b"{\n    ")
    compact = APIClient().get(API, HTTP_ACCEPT="application/json")
    assert b"\n" not in compact.content and compact.json() == indented.json()
    assert compact["ETag"] != indented["ETag"] and "Accept" in compact["Vary"]


def test_a_history_restore_gets_the_whole_page_not_the_cached_fragment(world, settings):
    published_tender(world, title="Meals on wheels")
    fragment = Client().get(PAGE, HTTP_HX_REQUEST="true")
    assert b"<html" not in fragment.content
    restore = Client().get(PAGE, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert b"<html" in restore.content and b"Meals on wheels" in restore.content
    assert {"HX-Request", "HX-History-Restore-Request"} <= {v.strip() for v in restore["Vary"].split(",")}


def test_the_csrf_placeholder_is_no_constant_anyone_can_type(world, settings):
    """A visitor's token takes the placeholder's place in the cached page; the placeholder is
    derived from SECRET_KEY, so a search for the text once used stays as typed."""
    from frontend.public.views import csrf_placeholder

    typed = "shequcsrfplaceholder0a1b2c3d4e5f"
    page = Client().get(PAGE, {"q": typed}).content
    assert typed.encode() in page
    placeholder = csrf_placeholder()
    settings.SECRET_KEY = "another-" + settings.SECRET_KEY
    assert csrf_placeholder() != placeholder


def test_the_api_answer_is_stored_gzipped_for_clients_that_accept_it(world, settings):
    import gzip

    published_tender(world)
    plain = APIClient().get(API)
    for _ in range(2):  # made, then from the cache
        packed = APIClient().get(API, HTTP_ACCEPT_ENCODING="gzip, br")
        assert packed["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed["Vary"]
        assert gzip.decompress(packed.content) == plain.content
    assert packed["ETag"] != plain["ETag"]  # two representations, two tags
