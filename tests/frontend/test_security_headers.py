"""Headers every answer carries: a Content-Security-Policy that allows no inline script (and pages
that need none), a Permissions-Policy, and no storing of what a signed-in user was shown."""

from html.parser import HTMLParser
from pathlib import Path

import pytest

from common.headers import permissions_policy_header
from contracts.models import Instalment
from evaluations.models import Rating

from .. import flows
from .helpers import english_client

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
# Script types a browser runs; any other type (json_script's application/json) is data.
EXECUTABLE_SCRIPT_TYPES = {"", "text/javascript", "application/javascript", "module"}


def policy_of(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: [sources]}."""
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.request['PATH_INFO']}"
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


class InlineCode(HTMLParser):
    """What a strict CSP would block in a page: inline scripts and <style> without the response's
    nonce, style="" attributes, on…="" handlers and javascript: links."""

    def __init__(self, nonce: str | None) -> None:
        super().__init__()
        self.nonce = nonce
        self.blocked: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        snippet = self.get_starttag_text() or tag
        has_nonce = self.nonce is not None and values.get("nonce") == self.nonce
        executable = (values.get("type") or "").lower() in EXECUTABLE_SCRIPT_TYPES
        if tag == "script" and not values.get("src") and executable and not has_nonce:
            self.blocked.append(f"inline script {snippet}")
        if tag == "style" and not has_nonce:
            self.blocked.append(f"<style> {snippet}")
        for name, value in attrs:
            if name == "style":
                self.blocked.append(f"style attribute {snippet}")
            if name.startswith("on"):
                self.blocked.append(f"event handler {name} {snippet}")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.blocked.append(f"javascript: URL {snippet}")


def blocked_inline_code(response) -> list[str]:
    nonces = [
        source[len("'nonce-") : -1]
        for source in policy_of(response).get("script-src", [])
        if source.startswith("'nonce-")
    ]
    parser = InlineCode(nonces[0] if nonces else None)
    parser.feed(response.content.decode())
    return parser.blocked


# --- Pages of every role ---------------------------------------------------------------------------


@pytest.fixture
def pages(world):
    """{role: (user, [(path, expected status)])}: a sample of every role's pages, with the data
    each needs — an open tender with a sealed bid, a tender whose bids are being scored, an active contract
    with a published evaluation (charts), a payable instalment, a resident's rating."""
    tender = flows.published_tender(world, title="Open lunch club")
    bid = flows.submitted_bid(world, tender, 0, 25_000_000)
    evaluating = flows.evaluating_tender(world, title="Being evaluated")
    objects = flows.delivering_contract(world, title="Day care")
    evaluation = flows.published_evaluation(world, objects)
    contract = objects["contract"]
    resident = objects["residents"][0]
    rating = Rating.objects.get(household=resident.household, contract=contract)
    instalment = Instalment.objects.filter(contract=contract, status=Instalment.Status.PAYABLE).first()
    assert instalment is not None
    return {
        "anonymous": (
            None,
            [
                ("/", 200),
                ("/tenders/", 200),
                (f"/tenders/{tender.pk}/", 200),
                (f"/contracts/{contract.pk}/", 200),
                (f"/providers/{contract.provider_id}/", 200),
                ("/help/", 200),
                ("/accounts/login/", 200),
                ("/accounts/signup/", 200),
                ("/provider/register/", 200),
                ("/api/docs/", 200),
                ("/tenders/999999/", 404),
            ],
        ),
        "officer": (
            world["officer"],
            [
                ("/bureau/", 200),
                ("/bureau/tenders/", 200),
                ("/bureau/tenders/new/", 200),
                (f"/bureau/tenders/{evaluating.pk}/", 200),
                (f"/bureau/tenders/{evaluating.pk}/bids/", 200),
                (f"/bureau/tenders/{evaluating.pk}/ranking/", 200),
                ("/bureau/contracts/", 200),
                (f"/bureau/contracts/{contract.pk}/", 200),
                (f"/bureau/evaluations/{evaluation.pk}/", 200),
                ("/bureau/ratings/", 200),
                (f"/contracts/{contract.pk}/", 200),
            ],
        ),
        "finance": (
            world["finance"],
            [
                ("/bureau/", 200),
                ("/bureau/payments/", 200),
                (f"/bureau/instalments/{instalment.pk}/pay/", 200),
            ],
        ),
        "evaluator": (
            world["evaluators"][0],
            [("/bureau/", 200), (f"/bureau/tenders/{evaluating.pk}/declaration/", 200)],
        ),
        "provider": (
            world["provider_admins"][0],
            [
                ("/provider/", 200),
                ("/provider/tenders/", 200),
                (f"/provider/tenders/{tender.pk}/", 200),
                (f"/provider/bids/{bid.pk}/", 200),
                (f"/provider/bids/{bid.pk}/confirmation/", 200),
                ("/provider/contracts/", 200),
                (f"/provider/contracts/{contract.pk}/", 200),
            ],
        ),
        "resident": (
            resident.user,
            [("/resident/", 200), (f"/resident/ratings/{rating.pk}/", 200), ("/bureau/", 403)],
        ),
        "assessor": (
            world["assessor_member"],
            [
                ("/assessor/", 200),
                (f"/assessor/contracts/{contract.pk}/", 200),
                (f"/assessor/evaluations/{evaluation.pk}/", 200),
            ],
        ),
        "community": (
            world["community_member"],
            [
                ("/community/", 200),
                (f"/community/contracts/{contract.pk}/", 200),
                (f"/community/evaluations/{evaluation.pk}/", 200),
            ],
        ),
        "platform admin": (
            world["platform_admin"],
            [
                ("/admin/", 200),
                ("/admin/marketplace/tender/", 200),
                (f"/admin/marketplace/tender/{tender.pk}/change/", 200),
                ("/api/docs/", 200),
            ],
        ),
    }


@pytest.mark.parametrize(
    "role",
    [
        "anonymous",
        "officer",
        "finance",
        "evaluator",
        "provider",
        "resident",
        "assessor",
        "community",
        "platform admin",
    ],
)
def test_no_page_needs_inline_code_the_policy_refuses(pages, role):
    user, paths = pages[role]
    client = english_client(user)
    for path, status in paths:
        response = client.get(path)

        assert response.status_code == status, path
        assert blocked_inline_code(response) == [], path
        script_sources = policy_of(response)["script-src"]
        assert "'unsafe-inline'" not in script_sources and "'unsafe-eval'" not in script_sources, path


def test_the_policy_allows_our_own_origin_only():
    response = english_client().get("/")

    assert policy_of(response) == {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }


def test_api_answers_carry_the_policy_too(api, world):
    response = api(world["officer"]).get("tenders/")

    assert response.status_code == 200
    assert policy_of(response)["default-src"] == ["'self'"]


def test_swagger_ui_loads_its_start_up_script_from_our_origin(world):
    client = english_client()
    html = client.get("/api/docs/").content.decode()

    assert 'src="/api/docs/?script=' in html
    script = client.get("/api/docs/", {"script": ""})
    assert script.status_code == 200
    assert script.headers["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle(" in script.content.decode()


def test_no_template_of_ours_has_inline_code():
    """Every template, rendered or not by the sample above (a literal check of the source)."""
    parser_input = []
    for app in ("frontend", "common", "orgs", "marketplace", "contracts", "evaluations", "demo"):
        parser_input += sorted((ROOT / app).glob("templates/**/*.html"))
    assert parser_input
    offenders = []
    for template in parser_input:
        parser = InlineCode(nonce=None)
        parser.feed(template.read_text())
        offenders += [f"{template.relative_to(ROOT)}: {problem}" for problem in parser.blocked]
    assert offenders == []


# --- Permissions-Policy ----------------------------------------------------------------------------


def test_permissions_policy_switches_off_features_no_page_uses(api, world):
    for response in (english_client().get("/"), api(world["officer"]).get("tenders/")):
        header = response.headers.get("Permissions-Policy", "")
        for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
            assert feature in header


def test_permissions_policy_header_format():
    header = permissions_policy_header(
        {"camera": [], "fullscreen": ["self", "https://example.com"], "sync-xhr": ["*"]}
    )

    assert header == 'camera=(), fullscreen=(self "https://example.com"), sync-xhr=*'


# --- Cache-Control ---------------------------------------------------------------------------------


def cache_control(response) -> set[str]:
    return {part.strip() for part in response.headers.get("Cache-Control", "").split(",") if part.strip()}


def test_signed_in_pages_are_never_stored(world):
    client = english_client(world["officer"])

    for path in ("/bureau/", "/"):  # the home page too: it links to the user's area
        response = client.get(path)
        assert response.status_code == 200
        assert {"no-store", "private"} <= cache_control(response), path


def test_api_answers_to_a_token_user_are_never_stored(api, world):
    response = api(world["officer"]).get("me/")

    assert response.status_code == 200
    assert "no-store" in cache_control(response)


def test_anonymous_pages_and_api_keep_their_caching(api):
    for response in (english_client().get("/"), english_client().get("/tenders/"), api().get("tenders/")):
        assert response.status_code == 200
        assert "no-store" not in cache_control(response)
        assert "private" not in cache_control(response)
