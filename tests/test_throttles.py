"""Throttles that hold (issue 8 item 4): the client address is REMOTE_ADDR unless our own proxies
are named (common.client_address), every throttle counts by it, and the counts live in a cache
every process shares — never the per-process LocMemCache."""

import runpy
from pathlib import Path

import pytest
from django.core.cache import caches
from django.core.checks import run_checks
from django.core.management import call_command
from django.test import RequestFactory, override_settings
from rest_framework import throttling as drf_throttling

from common.checks import check_shared_cache, check_trusted_proxies
from common.client_address import client_address
from common.throttling import ClientAddressMixin
from frontend.throttling import PageRateThrottle

BASE_DIR = Path(__file__).resolve().parent.parent
RATES = {"anon_write": "3/minute", "ratings": "30/hour"}


@pytest.fixture
def tight_rates(monkeypatch):
    monkeypatch.setattr(drf_throttling.SimpleRateThrottle, "THROTTLE_RATES", RATES)
    monkeypatch.setattr(PageRateThrottle, "THROTTLE_RATES", RATES)


def spoofed(index: int) -> dict:
    """What one client sends when it makes up a new X-Forwarded-For for every request."""
    return {"REMOTE_ADDR": "198.51.100.7", "HTTP_X_FORWARDED_FOR": f"203.0.113.{index}"}


# --- Every throttled write, API and page: a made-up header does not buy more attempts ---------

API_WRITES = ["auth/token/", "residents/register/", "providers/register/"]
PAGE_WRITES = ["/accounts/login/", "/accounts/signup/", "/provider/register/details/"]


@pytest.mark.parametrize("path", API_WRITES)
def test_rotating_x_forwarded_for_does_not_escape_an_api_throttle(db, client, tight_rates, path):
    statuses = [
        client.post(f"/api/v1/{path}", {}, content_type="application/json", **spoofed(i)).status_code
        for i in range(5)
    ]
    assert statuses[:3] == [400, 400, 400]
    assert statuses[3:] == [429, 429]


@pytest.mark.parametrize("path", PAGE_WRITES)
def test_rotating_x_forwarded_for_does_not_escape_a_page_throttle(db, client, tight_rates, path):
    statuses = [client.post(path, {}, **spoofed(i)).status_code for i in range(5)]
    assert 429 not in statuses[:3]
    assert statuses[3:] == [429, 429]


def test_behind_one_trusted_proxy_each_client_has_its_own_budget(db, client, tight_rates, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}

    def token(forwarded_for: str) -> int:
        return client.post(
            "/api/v1/auth/token/",
            {},
            content_type="application/json",
            HTTP_X_FORWARDED_FOR=forwarded_for,
            **proxy,
        ).status_code

    # One client prepends made-up addresses: the proxy's own entry (right-most) is what counts.
    assert [token(f"192.0.2.{i}, 203.0.113.5") for i in range(4)] == [400, 400, 400, 429]
    # Another client behind the same proxy is not throttled by the first.
    assert token("203.0.113.6") == 400


# --- One function decides the address ------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "proxies", "remote", "forwarded", "expected"),
    [
        # The default: the header is ignored whatever it says.
        (0, [], "198.51.100.7", "203.0.113.1", "198.51.100.7"),
        (0, [], "198.51.100.7", None, "198.51.100.7"),
        # A count: that many entries from the right.
        (1, [], "10.0.0.2", "203.0.113.1", "203.0.113.1"),
        (1, [], "10.0.0.2", "192.0.2.66, 203.0.113.1", "203.0.113.1"),
        (2, [], "10.0.0.2", "192.0.2.66, 203.0.113.1, 10.0.0.3", "203.0.113.1"),
        (1, [], "10.0.0.2", " 2001:DB8::1 ", "2001:db8::1"),
        # Fewer entries than proxies, or a made-up entry where a proxy writes: the peer.
        (2, [], "10.0.0.2", "203.0.113.1", "10.0.0.2"),
        (1, [], "10.0.0.2", "192.0.2.66, not-an-address", "10.0.0.2"),
        (1, [], "10.0.0.2", None, "10.0.0.2"),
        # A list: the header only from a listed peer; the right-most entry not listed.
        (0, ["10.0.0.0/8"], "10.0.0.2", "192.0.2.66, 203.0.113.1, 10.1.2.3", "203.0.113.1"),
        (0, ["10.0.0.0/8"], "198.51.100.7", "203.0.113.1", "198.51.100.7"),
        (0, ["10.0.0.0/8", "2001:db8::/32"], "2001:db8::5", "203.0.113.1", "203.0.113.1"),
        (0, ["10.0.0.2"], "10.0.0.2", "10.0.0.2", "10.0.0.2"),
        (0, ["10.0.0.2"], "10.0.0.2", "junk, 203.0.113.1", "203.0.113.1"),
        (0, ["10.0.0.2"], "10.0.0.2", "203.0.113.1, junk", "10.0.0.2"),
        # The list wins over a count.
        (3, ["10.0.0.2"], "10.0.0.2", "192.0.2.66, 203.0.113.1", "203.0.113.1"),
    ],
)
def test_the_client_address(settings, count, proxies, remote, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    settings.TRUSTED_PROXIES = proxies
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    assert client_address(RequestFactory().get("/", **extra)) == expected


def test_no_address_at_all_is_none(settings):
    request = RequestFactory().get("/")
    request.META.pop("REMOTE_ADDR", None)
    assert client_address(request) is None


def test_a_bad_trusted_proxies_entry_fails_the_checks(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "proxy.example"]
    assert [error.id for error in check_trusted_proxies(None)] == ["shequ.E001"]
    assert "shequ.E001" in [error.id for error in run_checks()]  # registered by CommonConfig.ready
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert check_trusted_proxies(None) == []


def test_every_throttle_in_the_project_counts_by_the_shared_address():
    """No code but common/throttling.py builds on DRF's throttles directly (their get_ident trusts
    the header), and the pages' throttle is one of ours."""
    offenders = []
    for path in BASE_DIR.glob("*/**/*.py"):
        relative = path.relative_to(BASE_DIR)
        if relative.parts[0] in {".venv", "node_modules", "tests", "var", "staticfiles"}:
            continue
        if "rest_framework.throttling" in path.read_text() and relative != Path("common/throttling.py"):
            offenders.append(str(relative))
    assert offenders == []
    assert issubclass(PageRateThrottle, ClientAddressMixin)


# --- The shared cache ------------------------------------------------------------------------------


def settings_with(monkeypatch, **environment) -> dict:
    """``config/settings.py`` evaluated afresh under the given environment."""
    for name in ("CACHE_URL", "REDIS_URL", "CACHE_KEY_PREFIX"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(BASE_DIR / "config" / "settings.py"))


def test_by_default_the_cache_is_the_database_not_a_per_process_one(monkeypatch):
    cache = settings_with(monkeypatch)["CACHES"]["default"]
    assert cache["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert "LocMem" not in cache["BACKEND"]


@pytest.mark.parametrize("variable", ["REDIS_URL", "CACHE_URL"])
def test_a_redis_url_makes_the_cache_redis(monkeypatch, variable):
    cache = settings_with(monkeypatch, **{variable: "redis://cache.internal:6379/2"})["CACHES"]["default"]
    assert cache["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert cache["LOCATION"] == "redis://cache.internal:6379/2"


def test_a_cache_url_that_is_not_redis_is_refused(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        settings_with(monkeypatch, CACHE_URL="memcached://127.0.0.1:11211")


def test_the_database_cache_is_seen_by_another_process(db, monkeypatch):
    default_caches = settings_with(monkeypatch)["CACHES"]
    with override_settings(CACHES=default_caches):
        call_command("createcachetable", verbosity=0)  # what the migration common/0001 runs
        caches["default"].set("throttle_anon_write_192.0.2.1", [1.0, 2.0], 60)
        another_process = caches.create_connection("default")
        assert another_process.get("throttle_anon_write_192.0.2.1") == [1.0, 2.0]


def test_a_per_process_cache_is_a_deploy_warning(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert [warning.id for warning in check_shared_cache(None)] == ["shequ.W001"]
    assert "shequ.W001" not in [message.id for message in run_checks()]
    assert "shequ.W001" in [message.id for message in run_checks(include_deployment_checks=True)]
