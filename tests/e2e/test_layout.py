"""The shared layout in a real browser: language switch, sign in and out, the sign-in redirect,
accessibility (axe-core) of the public pages, and a narrow screen."""

import pytest

from . import builders
from .helpers import (
    assert_accessible,
    has_no_horizontal_scroll,
    screenshot,
    sign_in,
    sign_out,
)


def too_wide(page, width: int) -> list[str]:
    """The outermost elements whose right edge passes ``width``."""
    return page.evaluate(
        """(width) => [...document.querySelectorAll("body *")]
            .filter((e) => e.getBoundingClientRect().right > width + 1)
            .filter((e) => !(e.parentElement && e.parentElement.getBoundingClientRect().right > width + 1))
            .slice(0, 10)
            .map((e) => `${e.tagName.toLowerCase()}.${[...e.classList].join(".")}`
                + ` (${Math.round(e.getBoundingClientRect().right)}px)`)""",
        width,
    )


def html_lang(page) -> str:
    return page.locator("html").get_attribute("lang")


def language_button(page):
    return page.locator("form[action$='/i18n/setlang/'] button[name=language]")


def test_language_switch_persists_across_pages(page):
    page.goto("/")
    assert html_lang(page) == "zh-Hans"
    assert language_button(page).inner_text().startswith("English")

    with page.expect_navigation():
        language_button(page).click()
    assert html_lang(page) == "en"
    assert language_button(page).inner_text().startswith("简体中文")
    assert any(c["name"] == "django_language" and c["value"] == "en" for c in page.context.cookies())

    page.goto("/tenders/")  # the choice is kept on the next page (language cookie)
    assert html_lang(page) == "en"
    screenshot(page, "layout-tenders-en")

    with page.expect_navigation():
        language_button(page).click()
    assert html_lang(page) == "zh-Hans"
    assert page.url.endswith("/tenders/")  # the switch returns to the same page
    page.goto("/help/")
    assert html_lang(page) == "zh-Hans"
    assert language_button(page).inner_text().startswith("English")


def test_sign_in_with_a_wrong_password_keeps_the_username(page, live_server):
    world = builders.bureau(username="officer_wang")

    sign_in(page, live_server, "officer_wang", "not-the-password")

    assert page.url.startswith(f"{live_server.url}/accounts/login/")
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert page.locator("#id_username").input_value() == world["officer"].username
    assert page.locator("#id_password").input_value() == ""
    assert page.title().startswith(("Error:", "错误"))
    assert_accessible(page, label="sign-in with an error")
    screenshot(page, "sign-in-error")


def test_sign_in_lands_in_the_users_area_and_sign_out_returns_home(page, live_server):
    builders.bureau(username="officer_li")

    sign_in(page, live_server, "officer_li")

    assert page.url == f"{live_server.url}/bureau/"
    assert page.locator("[data-testid=signed-in-as]").inner_text() == "officer_li"

    sign_out(page)
    assert page.url == f"{live_server.url}/"
    assert page.locator("[data-testid=signed-in-as]").count() == 0
    page.goto("/bureau/")  # the session is really gone
    assert page.url == f"{live_server.url}/accounts/login/?next=/bureau/"


def test_sign_in_follows_next(page, live_server):
    builders.bureau(username="officer_zhao")
    page.goto("/bureau/")
    assert page.url == f"{live_server.url}/accounts/login/?next=/bureau/"

    sign_in(page, live_server, "officer_zhao", next_path="/bureau/")
    assert page.url == f"{live_server.url}/bureau/"


def test_anonymous_visitor_of_the_bureau_area_is_sent_to_sign_in(page, live_server):
    response = page.goto("/bureau/")

    assert response.ok
    assert page.url == f"{live_server.url}/accounts/login/?next=/bureau/"
    assert page.locator("main #id_username").is_visible()


@pytest.mark.parametrize(
    ("path", "name"),
    [("/", "home"), ("/tenders/", "tenders"), ("/help/", "help"), ("/accounts/login/", "sign-in")],
)
def test_public_pages_are_accessible(page, path, name):
    builders.published_tender(builders.bureau())

    response = page.goto(path)

    assert response.status == 200
    assert page.locator("h1").count() == 1
    assert_accessible(page)
    screenshot(page, f"public-{name}")


def test_not_found_page_is_accessible(page):
    response = page.goto("/no-such-page/")

    assert response.status == 404
    assert page.locator("h1").count() == 1
    assert_accessible(page, label="the 404 page")


def assert_fits(page, width: int) -> None:
    fits, scroll_width, _inner = has_no_horizontal_scroll(page)
    assert fits, f"{page.url} is {scroll_width}px wide on a {width}px screen; too wide: " + ", ".join(
        too_wide(page, width)
    )
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width


def test_layout_fits_a_360px_screen(new_page):
    """The shared layout alone (home page with no tenders)."""
    page = new_page(viewport={"width": 360, "height": 740})
    page.goto("/")
    screenshot(page, "layout-360px")
    assert_fits(page, 360)


def test_home_with_open_tenders_fits_a_360px_screen(new_page):
    builders.published_tender(
        builders.bureau(), title="Home care, day centre meals and weekly visits for elderly residents"
    )
    page = new_page(viewport={"width": 360, "height": 740})
    page.goto("/")
    screenshot(page, "home-360px")
    assert_fits(page, 360)
