"""What the holdback pays, on the public tender and contract pages (docs/rules.md §11): a table of
what each band pays at its floor, a simulator form that works without JavaScript (and returns only
its result to htmx), and the page that walks a published evaluation from its inputs to the money."""

import re

import pytest

from .. import flows
from .helpers import page

pytestmark = pytest.mark.django_db


def band_rows(html: str) -> list[list[str]]:
    table = re.search(r'data-testid="payout-bands">(.*?)</table>', html, re.S)
    assert table
    rows = re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", table.group(1), re.S)
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in rows[1:]
    ]


def test_the_public_tender_page_shows_what_each_band_pays_in_yuan(world, browse):
    tender = flows.published_tender(world)  # holdback at the ceiling: ¥90,000

    html = page(browse().get(f"/tenders/{tender.pk}/"))

    assert "What the holdback pays" in html
    assert band_rows(html) == [
        ["A 优秀", "90", "100.00%", "¥90,000.00", "¥0.00"],
        ["B 良好", "80", "100.00%", "¥90,000.00", "¥0.00"],
        ["C 合格", "70", "80.00%", "¥72,000.00", "¥18,000.00"],
        ["D 基本合格", "60", "50.00%", "¥45,000.00", "¥45,000.00"],
        ["E 不合格", "0", "0.00%", "¥0.00", "¥90,000.00"],
    ]
    assert f'action="/tenders/{tender.pk}/payout/#payout-simulator"' in html
    assert f'hx-get="/tenders/{tender.pk}/payout/"' in html


def test_the_simulator_works_without_javascript(world, browse):
    tender = flows.published_tender(world)

    response = browse().get(f"/tenders/{tender.pk}/payout/", {"t": "70", "b": "65", "r": "60", "c": "70"})

    html = page(response)
    assert response.status_code == 200
    assert '<h1 class="govuk-heading-l" id="payout">What the holdback pays</h1>' in html
    assert re.search(r'data-testid="payout-composite">66.00<', html)
    assert re.search(r'data-testid="payout-release">¥61,200.00<', html)
    assert re.search(r'data-testid="payout-withheld">¥28,800.00<', html)
    assert 'value="70"' in html  # the form keeps what was entered


def test_htmx_gets_only_the_result(world, browse):
    tender = flows.published_tender(world)

    response = browse().get(
        f"/tenders/{tender.pk}/payout/", {"t": "95", "b": "95", "r": "95", "c": "95"}, HTTP_HX_REQUEST="true"
    )

    html = page(response)
    assert "<html" not in html
    assert re.search(r'data-testid="payout-release">¥90,000.00<', html)
    assert "HX-Request" in response["Vary"]


def test_bad_scores_are_explained_by_field(world, browse):
    tender = flows.published_tender(world)

    html = page(browse().get(f"/tenders/{tender.pk}/payout/", {"t": "abc", "b": "101", "r": "60", "c": ""}))

    assert "There is a problem" in html
    assert "Enter the score as a number, like 82.5" in html
    assert "The score must be 100 or less" in html
    assert "Enter the score" in html
    assert 'data-testid="payout-result"' not in html


def test_a_draft_tender_has_no_public_simulator(world, browse):
    tender = flows.draft_tender(world)
    assert browse().get(f"/tenders/{tender.pk}/payout/").status_code == 404


def test_the_contract_page_simulates_on_the_contracts_holdback(world, browse):
    contract = flows.active_contract(world)
    holdback = contract.instalments.get(kind="holdback").amount

    html = page(browse().get(f"/contracts/{contract.pk}/"))
    assert "What the holdback pays" in html
    assert band_rows(html)[0][3] == f"¥{holdback / 100:,.2f}"
    simulated = page(
        browse().get(f"/contracts/{contract.pk}/payout/", {"t": "60", "b": "60", "r": "60", "c": "60"})
    )
    assert re.search(rf'data-testid="payout-release">¥{holdback / 200:,.2f}<', simulated)


def test_a_published_evaluation_links_to_how_its_payment_was_computed(world, browse, settings):
    settings.EVALUATION_APPEAL_DAYS = 0
    objects = flows.delivering_contract(world, households=3)
    evaluation = flows.published_evaluation(world, objects, satisfaction=5, t="70", b="65", c="70")
    contract = objects["contract"]

    contract_page = page(browse().get(f"/contracts/{contract.pk}/"))
    url = f"/contracts/{contract.pk}/evaluations/{evaluation.pk}/computation/"
    assert f'href="{url}"' in contract_page

    html = page(browse().get(url))
    assert "How this payment was computed" in html
    assert "R = 100 × (3 + 20 × 0.75) ÷ (3 + 20) = 78.26" in html
    assert "S = 0.40 × 70.00 + 0.20 × 65.00 + 0.30 × 78.26 + 0.10 × 70.00" in html
    assert "→ 71.48" in html
    assert "band C" in html
    assert "These steps do not give the published scores" not in html


def test_an_open_evaluation_has_no_computation_page(world, browse):
    objects = flows.delivering_contract(world, households=3)
    url = f"/contracts/{objects['contract'].pk}/evaluations/{objects['evaluation'].pk}/computation/"
    assert browse().get(url).status_code == 404
