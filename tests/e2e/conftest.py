"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's ``live_server``.

Every test here uses the ``page`` fixture (or ``new_page`` for another viewport or locale), which
starts the live server and so makes the test transactional: data built in the test is committed
and visible to the server thread, and every table is emptied after the test.

Without a Chromium executable (``$CHROMIUM``, else /usr/bin/chromium) these tests are skipped,
unless ``SHEQU_BROWSER_TESTS=required`` (CI), where they fail.
"""

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path

# Playwright's sync API runs an event loop in the test thread; without this Django refuses every
# ORM call made by the test itself ("You cannot call this from an async context").
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest

from .helpers import (
    BROWSER_ARGS,
    DIST_DIR,
    LAYOUT_REPORTER_JS,
    PHONE,
    BrowserProblems,
    browser_required,
    chromium_path,
    chromium_problem,
    layout_report,
)

HERE = Path(__file__).resolve().parent


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "e2e: browser test (Playwright + Chromium + live_server)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test under tests/e2e ``e2e``; skip them all up front (before any database or live
    server is set up) when Chromium is missing and the browser tests are not required."""
    problem = chromium_problem()
    skip = pytest.mark.skip(reason=f"browser tests skipped: {problem}") if problem else None
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.e2e)
            if skip is not None and not browser_required():
                item.add_marker(skip)


@pytest.fixture(scope="session")
def browser() -> Iterator:
    """One Chromium per test session (per xdist worker); each test gets its own context, i.e. its
    own cookies and storage."""
    problem = chromium_problem()
    if problem:
        if browser_required():
            pytest.fail(f"SHEQU_BROWSER_TESTS=required but {problem}", pytrace=False)
        pytest.skip(f"browser tests skipped: {problem}")
    if not (DIST_DIR / "shequ.css").exists():
        pytest.fail(f"{DIST_DIR} is not built: run scripts/build-assets (make assets)", pytrace=False)

    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=BROWSER_ARGS
        )
    except Exception as error:
        playwright.stop()
        pytest.fail(f"Chromium at {chromium_path()} did not start: {error}", pytrace=False)
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def new_page(browser, live_server) -> Iterator[Callable]:
    """``new_page(**context_options)``: a page in a fresh browser context (default locale zh-CN,
    viewport 1280x900; pass e.g. ``viewport={"width": 360, "height": 740}`` or ``locale="en-GB"``).
    Console errors, uncaught script errors, same-origin requests that fail, sub-resources (CSS, JS,
    images, htmx calls) answered 4xx and any 5xx fail the test at teardown; allow an expected one
    with ``page.problems.allow("substring")``.

    Every page is also checked for its layout (helpers.LAYOUT_CHECK_JS: not wider than the window,
    no amount or date broken over two lines): each time it loads and after each htmx swap, at its
    own width; and, for a page wider than a phone, every page it showed (GET, 200) is opened again
    at 360 px at teardown, in the same browser context (the same user), after the test."""
    contexts = []
    pages = []

    def report_layout(source, report) -> None:
        recorder = getattr(source["page"], "problems", None)
        if recorder is not None:
            recorder.record_layout(report)

    def make(**options):
        options = {"locale": "zh-CN", "viewport": {"width": 1280, "height": 900}, **options}
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(10_000)
        context.expose_binding("__shequReportLayout", report_layout)
        context.add_init_script(LAYOUT_REPORTER_JS)
        contexts.append(context)
        page = context.new_page()
        page.problems = BrowserProblems.watch(page, live_server.url)
        pages.append(page)
        return page

    yield make
    for page in pages:
        check_layout_on_a_phone(page)
    for context in contexts:
        context.close()
    problems = [line for page in pages for line in page.problems.unexpected()]
    if problems:
        pytest.fail("the browser reported problems:\n  " + "\n  ".join(problems), pytrace=False)


@pytest.fixture
def page(new_page):
    """A page (locale zh-CN, 1280x900) in a fresh browser context whose ``base_url`` is the live
    server, so ``page.goto("/tenders/")`` works."""
    return new_page()


def check_layout_on_a_phone(page) -> None:
    """The page as the test left it, then (for a page wider than a phone) every page it showed,
    opened again at 360 px; what is wrong goes to ``page.problems``."""
    if page.is_closed():
        return
    from playwright.sync_api import Error as PlaywrightError

    # A page left mid-navigation has nothing to measure; its next page is checked when it loads.
    with contextlib.suppress(PlaywrightError):
        page.problems.record_layout(layout_report(page))
    viewport = page.viewport_size or PHONE
    if viewport["width"] <= PHONE["width"] or not page.problems.visited:
        return
    phone = page.context.new_page()
    phone.set_viewport_size(PHONE)
    try:
        for url in page.problems.visited:
            try:
                phone.goto(url, wait_until="load")
                phone.evaluate("() => document.fonts.ready")
                page.problems.record_layout(layout_report(phone))
            except PlaywrightError:  # a page that no longer opens (a download, say): not a layout
                continue
    finally:
        phone.close()
