"""A resident rating: a resident whose household received a service rates it on a 360-pixel-wide
phone, in Simplified Chinese (the default), with and without JavaScript — one question per page,
check answers, send, confirmation with a reference number. Every page of the journey is checked
for horizontal scrolling at 360px, for axe-core violations and for one <h1>."""

import re
from pathlib import Path

import pytest

from evaluations.models import Rating
from tests import flows

from .helpers import AXE_JS, assert_accessible, has_no_horizontal_scroll, screenshot, sign_in

PHONE = {"width": 360, "height": 740}
COMMENT = "送餐很准时，工作人员很耐心。"

# With JavaScript disabled the page runs no script, and timers never fire: axe-core (which waits
# on setTimeout) would hang. Evaluated by Playwright (which still may evaluate in the page), these
# shims run timer callbacks as microtasks, and axe is injected as source, not as a <script> tag.
TIMER_SHIMS = """() => {
    window.setTimeout = (fn, _ms, ...args) => { Promise.resolve().then(() => fn(...args)); return 0; };
    window.clearTimeout = () => {};
    window.requestAnimationFrame = (fn) => { Promise.resolve().then(() => fn(0)); return 0; };
    window.cancelAnimationFrame = () => {};
}"""


def axe(page, *, javascript: bool, label: str) -> None:
    if not javascript and not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(TIMER_SHIMS)
        page.evaluate(Path(AXE_JS).read_text(encoding="utf-8"))
    assert_accessible(page, label=label)


def check_page(page, *, javascript: bool, label: str, shot: str | None = None) -> None:
    """What every page of the journey must be: Chinese, one <h1>, no horizontal scroll at 360px,
    no serious or critical axe-core violation."""
    assert page.locator("html").get_attribute("lang") == "zh-Hans", label
    assert page.locator("h1").count() == 1, f"{label}: {page.locator('h1').all_inner_texts()}"
    fits, scroll_width, inner_width = has_no_horizontal_scroll(page)
    assert fits, f"{label} ({page.url}) is {scroll_width}px wide on a {inner_width}px screen"
    axe(page, javascript=javascript, label=label)
    if shot:
        screenshot(page, shot)


def press(page, name: str) -> None:
    """Press the page's button ``name`` (exact) and wait for the page that follows."""
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_resident_rates_a_service_on_a_phone(new_page, live_server, world, javascript):
    world["providers"][0].name = "成都市武侯区乐龄社会工作服务中心"
    world["providers"][0].save(update_fields=["name"])
    objects = flows.delivering_contract(world, households=1, title="武侯区居家养老助餐服务")
    contract, resident = objects["contract"], objects["residents"][0]
    shots = javascript  # the README's screenshots are of the ordinary (JavaScript) journey

    page = new_page(viewport=PHONE, java_script_enabled=javascript)
    sign_in(page, live_server, resident.user.username)

    # Home: the service the household received, to rate.
    assert page.url == f"{live_server.url}/resident/"
    check_page(page, javascript=javascript, label="resident home", shot="resident-home" if shots else None)
    card = page.locator("[data-testid=rateable-contract]").filter(has_text=contract.title)
    assert card.count() == 1
    with page.expect_navigation():
        card.get_by_role("link", name=re.compile(r"^评价这项服务")).click()
    assert page.url == f"{live_server.url}/resident/rate/{contract.pk}/"

    # Question 1, first without an answer: the error summary points at the first radio.
    check_page(page, javascript=javascript, label="satisfaction question")
    press(page, "继续")
    assert page.title().startswith("错误：")
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert "请选择您的满意程度" in summary.inner_text()
    first_radio = page.locator("input[type=radio][name=satisfaction]").first
    first_radio_id = first_radio.get_attribute("id")
    link = summary.locator(".govuk-error-summary__list a").first
    assert link.get_attribute("href") == f"#{first_radio_id}"
    check_page(page, javascript=javascript, label="satisfaction question with an error")
    if javascript:  # GOV.UK Frontend moves focus to the summary, then its link to the field
        assert page.evaluate("() => document.activeElement.classList.contains('govuk-error-summary')")
        link.click()
        assert page.evaluate("() => document.activeElement.id") == first_radio_id
    assert Rating.objects.count() == 0

    page.get_by_label("满意", exact=True).check()  # exact: 满意 is also part of 非常满意
    assert not page.get_by_label("非常满意", exact=True).is_checked()
    if shots:
        screenshot(page, "resident-question")
    press(page, "继续")

    # Question 2: was the problem resolved?
    assert page.url == f"{live_server.url}/resident/rate/{contract.pk}/resolved/"
    check_page(page, javascript=javascript, label="resolved question")
    assert page.locator("h1").inner_text().strip() == "您的问题解决了吗？"
    page.get_by_label("是", exact=True).check()
    press(page, "继续")

    # Question 3: comments (optional).
    assert page.url == f"{live_server.url}/resident/rate/{contract.pk}/comment/"
    check_page(page, javascript=javascript, label="comment question")
    page.locator("textarea[name=comment]").fill(COMMENT)
    press(page, "继续")

    # Check answers.
    assert page.url == f"{live_server.url}/resident/rate/{contract.pk}/check/"
    check_page(
        page, javascript=javascript, label="check answers", shot="resident-check-answers" if shots else None
    )
    assert page.locator("h1").inner_text().strip() == "提交评价前请核对您的回答"
    answers = page.locator(".govuk-summary-list__value").all_inner_texts()
    assert [answer.strip() for answer in answers] == ["满意", "是", COMMENT]
    assert Rating.objects.count() == 0  # nothing is sent before the resident presses the button
    press(page, "提交评价")

    # Confirmation with the reference number.
    rating = Rating.objects.get()
    assert page.url == f"{live_server.url}/resident/ratings/{rating.pk}/"
    check_page(
        page, javascript=javascript, label="confirmation", shot="resident-confirmation" if shots else None
    )
    assert page.locator(".govuk-panel--confirmation h1").inner_text().strip() == "评价已提交"
    reference = page.locator("[data-testid=rating-reference]").inner_text().strip()
    assert reference == f"R-{rating.pk:06d}"

    assert Rating.objects.count() == 1
    assert rating.contract_id == contract.pk
    assert rating.household_id == resident.household_id
    assert rating.rater_id == resident.user_id
    assert rating.evaluation_id == objects["evaluation"].pk
    assert rating.satisfaction == Rating.Satisfaction.SATISFIED
    assert rating.resolved == Rating.Resolved.YES
    assert rating.comment == COMMENT
    assert rating.channel == Rating.Channel.WEB
    assert rating.status == Rating.Status.VALID

    # The home page now lists the rating, and the service is no longer offered for rating.
    page.goto("/resident/")
    assert page.locator("[data-testid=my-rating]").filter(has_text=reference).count() == 1
    assert page.locator("[data-testid=rateable-contract]").filter(has_text=contract.title).count() == 0
    check_page(page, javascript=javascript, label="resident home after rating")
