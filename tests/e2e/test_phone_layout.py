"""Pages on a 360 px phone with the data that broke them: a title with no spaces (once 4,754 px
wide) and amounts in the tens of millions, on the public pages, the payments page and the
provider's pages. Every page must fit the screen and no amount or date may break over two lines
(helpers.LAYOUT_CHECK_JS, which the ``new_page`` fixture also runs on every page of every test);
wide tables become cards. The screenshots are docs/screenshots/phone-*.png."""

import pytest

from marketplace.models import BudgetLine
from payments.models import Gateway
from tests import flows

from .helpers import PHONE, layout_report, screenshot, sign_in

# One word as long as a paragraph: only a break inside the word can keep it on the screen.
LONG_TITLE = "居家养老上门服务" + "Homecaredaycentremealsandweeklyvisitsforelderlyresidentslivingalone" * 2
BIG_CEILING = 9_876_543_210  # ¥98,765,432.10
BIG_PRICES = (9_500_000_000, 9_800_000_000)


@pytest.fixture
def big_budget(world):
    BudgetLine.objects.filter(pk=world["budget_line"].pk).update(amount=50_000_000_000)
    world["budget_line"].refresh_from_db()
    return world


@pytest.fixture
def treasury(settings):
    settings.PAYMENTS_GATEWAY = Gateway.TREASURY


def assert_fits_a_phone(page, label: str) -> None:
    report = layout_report(page)
    assert report["width"] == PHONE["width"]
    assert report["problems"] == [], f"{label}: {report['problems']}"


def assert_shown_as_cards(page, table) -> None:
    """Below the tablet breakpoint a responsive table's header row is hidden and each row is a
    column of cells, each labelled with its column's name."""
    assert table.locator("thead").evaluate("e => e.getBoundingClientRect().height") <= 1
    first_row = table.locator("tbody tr").first
    assert first_row.evaluate("e => getComputedStyle(e).flexDirection") == "column"
    label = first_row.locator("td[data-label]").first
    assert label.evaluate("e => getComputedStyle(e, '::before').content") not in ("none", "normal", "")


def test_public_pages_with_a_long_title_and_big_amounts_fit_a_phone(new_page, big_budget):
    world = big_budget
    objects = flows.delivering_contract(
        world, households=5, title=LONG_TITLE, ceiling_amount=BIG_CEILING, prices=BIG_PRICES
    )
    flows.published_evaluation(world, objects)
    contract = objects["contract"]
    open_tender = flows.published_tender(world, title=LONG_TITLE + " 2", ceiling_amount=BIG_CEILING)
    page = new_page(viewport=PHONE)

    for path, name in [
        ("/", "phone-home"),
        ("/tenders/", "phone-tenders"),
        (f"/tenders/{open_tender.pk}/", "phone-tender"),
        (f"/contracts/{contract.pk}/", "phone-contract"),
        (f"/providers/{contract.provider_id}/", "phone-provider"),
    ]:
        response = page.goto(path)
        assert response.status == 200, path
        assert_fits_a_phone(page, path)
        screenshot(page, name)

    page.goto("/tenders/")
    results = page.locator("#tender-results table")
    assert_shown_as_cards(page, results)
    title = page.get_by_role("link", name=LONG_TITLE + " 2", exact=True)
    ceiling = results.locator("tr", has=title).locator("td.govuk-table__cell--numeric")
    assert ceiling.inner_text() == "¥98,765,432.10"
    # The amount is on one line, the long title on several.
    assert ceiling.evaluate("e => e.getClientRects().length") == 1
    assert title.evaluate("e => e.getClientRects().length") > 1


def test_finance_and_the_provider_see_big_amounts_on_a_phone(new_page, live_server, big_budget, treasury):
    world = big_budget
    contract = flows.active_contract(world, title=LONG_TITLE, ceiling_amount=BIG_CEILING, prices=BIG_PRICES)

    finance = new_page(viewport=PHONE)
    sign_in(finance, live_server, world["finance"].username)
    finance.goto("/bureau/payments/")
    assert_fits_a_phone(finance, "payments")
    assert_shown_as_cards(finance, finance.locator("table[aria-labelledby=due]"))
    screenshot(finance, "phone-payments")

    provider_admin = next(
        admin
        for admin, org in zip(world["provider_admins"], world["providers"], strict=True)
        if org.pk == contract.provider_id
    )
    provider = new_page(viewport=PHONE)
    sign_in(provider, live_server, provider_admin.username)
    assert_fits_a_phone(provider, "provider home")
    provider.goto(f"/provider/contracts/{contract.pk}/")
    assert_fits_a_phone(provider, "provider contract")
    screenshot(provider, "phone-provider-contract")


def test_the_layout_check_finds_a_page_too_wide_and_a_broken_amount(new_page):
    """The check itself, on the page and through the report every page sends when it changes."""
    page = new_page(viewport=PHONE)
    page.goto("/")
    assert layout_report(page)["problems"] == []

    page.evaluate(
        """() => {
            const wide = document.createElement("div");
            wide.id = "too-wide";
            wide.style.width = "900px";
            wide.style.height = "10px";
            const amount = document.createElement("p");
            amount.id = "broken-amount";
            amount.style.width = "3em";
            amount.style.wordBreak = "break-all";
            amount.textContent = "¥98,765,432.10";
            document.querySelector("main").append(wide, amount);
        }"""
    )
    problems = layout_report(page)["problems"]
    page.evaluate("() => document.dispatchEvent(new Event('htmx:afterSettle'))")  # as after a swap

    def reported() -> list[str]:
        return [p for p in page.problems.problems if p.startswith("layout at 360px, /:")]

    for _ in range(40):  # the page reports on its next animation frame
        if reported():
            break
        page.wait_for_timeout(25)

    assert len(problems) == 2
    assert problems[0].startswith("the page is ") and "div (" in problems[0]
    assert problems[1].startswith('"¥98,765,432.10" in p is broken over')
    assert reported() == [f"layout at 360px, /: {problem}" for problem in problems]
    page.problems.allow("layout at 360px, /:")  # seen: this test's point
