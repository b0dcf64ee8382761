"""The public "How this payment was computed" page after an appeal (docs/rules.md §11.7): beside the
published S it shows the decided components, S″, its band and f(S″), and what the holdback releases
and returns in all — the issue's worked example: H = ¥37,037.04, S = 74.50 (f = 0.89), a claim to
80.50 (f = 1) decided at S″ = 77.00 (f = 0.94): ¥34,814.82 released in all, ¥1,851.85 more than at
S, ¥2,222.22 returned to the budget."""

import re
from decimal import Decimal

import pytest

from evaluations.models import Evaluation
from evaluations.services import evaluation_confirm

from .. import flows
from .helpers import page

pytestmark = pytest.mark.django_db

VALUE = 12_345_680  # its 30 % holdback is 3,703,704 fen
PUBLISHED = {"t": "78.48", "b": "78.48", "c": "78.48"}  # S = 74.50 with three dissatisfied answers


@pytest.fixture
def published(world):
    objects = flows.delivering_contract(world, prices=(VALUE, VALUE))
    flows.final_evaluation(world, objects, t="85", b="85", c="85")  # the midterm, confirmed
    objects["evaluation"] = Evaluation.objects.get(contract=objects["contract"], stage="final")
    evaluation = flows.published_evaluation(world, objects, satisfaction=2, **PUBLISHED)
    assert evaluation.composite == Decimal("74.50")
    return {**objects, "evaluation": evaluation}


def appeal(world, api, published, claimed: dict | None = None) -> int:
    provider_admin = world["provider_admins"][0]  # delivering_contract's provider is the first
    filed = api(provider_admin).post(
        f"evaluations/{published['evaluation'].pk}/appeals/",
        {
            "grounds": "The assessor visited on a public holiday.",
            "claimed": claimed or {"third_party": "93.48"},
        },
        format="json",
    )
    assert filed.status_code == 201, filed.json()
    return int(filed.json()["id"])


def decide(world, api, appeal_id: int) -> None:
    decided = api(world["reviewer"]).post(
        f"appeals/{appeal_id}/decide/",
        {"decision": "partly", "scores": {"third_party": "84.72"}, "reasoning": "Half the visits count."},
        format="json",
    )
    assert decided.status_code == 200, decided.json()


def computation_url(published) -> str:
    return f"/contracts/{published['contract'].pk}/evaluations/{published['evaluation'].pk}/computation/"


def text(html: str, testid: str) -> str:
    found = re.search(rf'<(\w+)[^>]*data-testid="{testid}"[^>]*>(.*?)</\1>', html, re.S)
    assert found, testid
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(2))).strip()


def test_a_decided_appeal_shows_s_double_prime_its_band_and_the_money_beside_s(world, api, browse, published):
    decide(world, api, appeal(world, api, published))
    flows.pass_appeal_window(published["evaluation"])
    evaluation_confirm(actor=None, evaluation=published["evaluation"])

    html = page(browse().get(computation_url(published)))

    # the published S as before
    assert "S = 0.40 × 78.48 + 0.20 × 78.48 + 0.30 × 65.22 + 0.10 × 78.48" in html
    assert "→ 74.50" in html
    assert "Published: S = 74.50, band C. After the appeal: S″ = 77.00, band C, 94.00% released" in text(
        html, "appeal-summary"
    )
    # the decided T replaces the published one; S″ and f(S″) step by step
    assert "S″ = 0.40 × 84.72 + 0.20 × 78.48 + 0.30 × 65.22 + 0.10 × 78.48" in html
    assert text(html, "appeal-s").endswith("= 76.9980 → 77.00")
    assert "band C" in text(html, "appeal-band")
    assert text(html, "appeal-f") == "f(S″) = 0.80 + 0.02 × (77.00 − 70) = 0.9400 (94.00%)"
    money = text(html, "appeal-money")
    assert "37,037.04 × 0.9400 = ¥34,814.82" in money
    assert "34,814.82 − 32,962.97 = ¥1,851.85" in money
    assert "37,037.04 − 34,814.82 = ¥2,222.22" in money
    assert "These steps do not give the decided score" not in html


def test_an_open_or_no_appeal_shows_only_the_published_s(world, api, browse, published):
    assert 'data-testid="computation-appeal"' not in page(browse().get(computation_url(published)))
    appeal(world, api, published)
    html = page(browse().get(computation_url(published)))
    assert 'data-testid="computation-appeal"' not in html and 'data-testid="appeal-summary"' not in html


def test_a_midterm_appeal_walks_s_double_prime_to_the_interim_instalment(world, api, browse):
    objects = flows.delivering_contract(world)
    evaluation = flows.published_evaluation(world, objects, satisfaction=2, t="55", b="55", c="55")
    assert evaluation.composite == Decimal("58.07")  # below 60: the interim would wait
    published = {**objects, "evaluation": evaluation}
    appeal_id = appeal(world, api, published, claimed={"third_party": "65"})
    upheld = api(world["officer"]).post(
        f"appeals/{appeal_id}/decide/", {"decision": "upheld", "reasoning": "Agreed."}, format="json"
    )
    assert upheld.status_code == 200, upheld.json()

    html = page(browse().get(computation_url(published)))

    assert text(html, "appeal-s").endswith("→ 62.07")
    assert text(html, "appeal-f") == (
        "A midterm evaluation releases the interim instalment whole when S is 60 or more, and nothing "
        "below: S″ = 62.07."
    )
    money = text(html, "appeal-money")
    assert "× 1 = ¥" in money and "returned to the budget" not in money


def test_the_api_recomputes_s_double_prime_with_the_page(world, api, published):
    """``GET evaluations/{id}/computation/`` carries the same recomputation after the decision (one
    function, ``evaluations.payouts.appeal_recomputation``); null before one."""
    url = f"evaluations/{published['evaluation'].pk}/computation/"
    appeal_id = appeal(world, api, published)
    assert api(None).get(url).json()["after_appeal"] is None  # open: nothing decided yet

    decide(world, api, appeal_id)
    flows.pass_appeal_window(published["evaluation"])
    evaluation_confirm(actor=None, evaluation=published["evaluation"])
    body = api(None).get(url).json()

    assert body["composite"] == "74.50"  # the published S, as before
    after = body["after_appeal"]
    assert after["appeal"] == appeal_id
    assert (after["third_party"], after["buyer"], after["community"]) == ("84.72", "78.48", "78.48")
    assert (after["composite"], after["band"], after["release_share"]) == ("77.00", "C", "0.9400")
    assert (after["release_amount"], after["more_released"], after["withheld_amount"]) == (
        3_481_482,
        185_185,
        222_222,
    )
