"""The grid (docs/rules.md §25) in a real browser, on the demo: the committee's member opens the
landing page, signs in through the menu, clicks from the community's home page to "Your community"
and finds the tree of 玉林北路社区 with who is responsible at each node — on a desktop and on a
360 px phone. Every page: one <h1>, no error summary, no serious or critical axe-core violation,
not wider than its window."""

import pytest

from demo.seed import PASSWORD, seed

from .helpers import PHONE
from .test_due_process import DESKTOP, check, english_page, follow, main_text, unfold_menu


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_committee_member_finds_who_is_responsible_in_the_grid(new_page, live_server, viewport):
    seed()
    page = english_page(new_page, live_server, viewport)
    page.goto(live_server.url + "/")
    check(page, "landing page")
    unfold_menu(page)
    follow(page, page.locator("a.govuk-service-navigation__link[href^='/accounts/login/']"), "sign in")
    page.locator("#id_username").fill("community")
    page.locator("#id_password").fill(PASSWORD)
    follow(page, page.locator("main form button[type=submit]"), "signed in")
    if not page.url.endswith("/community/"):
        unfold_menu(page)
        follow(page, page.get_by_role("link", name="Community", exact=True).first, "community home")
    follow(page, page.locator("[data-testid=grid-link]"), "your community")
    assert page.url == f"{live_server.url}/community/grid/"
    text = main_text(page)
    assert "玉林北路社区东片区" in text  # the zone, with the committee member responsible
    assert "社区书记" in text and "Committee member responsible" in text
    assert "网格员刘" in text and "Grid worker (网格员)" in text
    assert "employed by 成都同行社会工作服务中心" in text
    assert "居民1" in text and "Central household head (中心户长)" in text
    compound = page.locator("[data-testid^=grid-node-][data-testid$=-YLBL-Y1]")
    assert compound.locator("[data-testid=grid-households]").inner_text().strip() != "0"
    # A member who is not the committee's admin reads; the admin names people.
    assert "Name someone responsible" not in text
