"""Helpers for the browser tests: signing in through the real form, axe-core checks, screenshots,
the recorder of browser-side problems used by the ``page`` fixture, and the layout check it runs on
every page (nothing wider than the screen, no amount or date broken over two lines)."""

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
DIST_DIR = ROOT / "frontend" / "static" / "frontend" / "dist"
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS_DIR = ROOT / "docs" / "screenshots"

BROWSER_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str:
    return os.environ.get("CHROMIUM") or "/usr/bin/chromium"


def browser_required() -> bool:
    return os.environ.get("SHEQU_BROWSER_TESTS", "").lower() == "required"


def chromium_problem() -> str | None:
    """Why Chromium cannot be used, or None."""
    path = chromium_path()
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        return (
            f"no Chromium executable at {path} (set CHROMIUM=/path/to/chromium, or "
            "apt-get install chromium fonts-noto-cjk)"
        )
    return None


# --- What the browser reports --------------------------------------------------------------------


@dataclass
class BrowserProblems:
    """Console errors, uncaught exceptions and failed same-origin requests seen by one page."""

    origin: str
    problems: list[str] = field(default_factory=list)
    allowed: list[str] = field(default_factory=list)
    # Documents answered 4xx on purpose (the 404 page, a 403 page): Chromium logs each as a console
    # error "Failed to load resource", which is not a problem of the page itself.
    error_documents: set[str] = field(default_factory=set)
    # Pages (GET, 200) this page showed, in order: the fixture opens them again on a phone.
    visited: list[str] = field(default_factory=list)

    @classmethod
    def watch(cls, page, origin: str) -> "BrowserProblems":
        recorder = cls(origin=origin.rstrip("/"))
        page.on("console", recorder._on_console)
        page.on("pageerror", lambda error: recorder.problems.append(f"uncaught script error: {error}"))
        page.on("response", recorder._on_response)
        page.on("requestfailed", recorder._on_request_failed)
        return recorder

    def allow(self, text: str) -> None:
        """Do not fail on problems whose description contains ``text``."""
        self.allowed.append(text)

    def record_layout(self, report: dict) -> None:
        """Record what ``LAYOUT_CHECK_JS`` found wrong with one page (once per problem)."""
        where = f"at {report['width']}px, {_path_of(report['url'])}"
        for problem in report["problems"]:
            line = f"layout {where}: {problem}"
            if line not in self.problems:
                self.problems.append(line)

    def unexpected(self) -> list[str]:
        return [p for p in self.problems if not any(text in p for text in self.allowed)]

    def _same_origin(self, url: str) -> bool:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}" == self.origin

    def _on_console(self, message) -> None:
        if message.type != "error":
            return
        url = (message.location or {}).get("url", "")
        if message.text.startswith("Failed to load resource") and url in self.error_documents:
            return
        self.problems.append(f"console error: {message.text} ({url})")

    def _on_response(self, response) -> None:
        if not self._same_origin(response.url):
            return
        kind = response.request.resource_type
        if response.status >= 500 or (response.status >= 400 and kind != "document"):
            self.problems.append(
                f"HTTP {response.status} for {kind} {response.request.method} {response.url}"
            )
        elif response.status >= 400:
            self.error_documents.add(response.url)
        elif (
            kind == "document"
            and response.status == 200
            and response.request.method == "GET"
            and response.frame.parent_frame is None
            and response.url not in self.visited
        ):
            self.visited.append(response.url)

    def _on_request_failed(self, request) -> None:
        # ERR_ABORTED: a navigation or download cancelled by the next navigation — not an error.
        if self._same_origin(request.url) and "ERR_ABORTED" not in (request.failure or ""):
            self.problems.append(f"request failed: {request.method} {request.url} ({request.failure})")


# --- Helpers for tests ----------------------------------------------------------------------------


def sign_in(page, live_server, username: str, password: str = PASSWORD, next_path: str | None = None) -> None:
    """Sign in through the real form at /accounts/login/ (fields located by id, so it works in any
    language) and wait for the page that follows."""
    url = f"{live_server.url}/accounts/login/"
    if next_path:
        url += f"?next={quote(next_path)}"
    page.goto(url)
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()


def sign_out(page) -> None:
    """Press the layout's "Sign out" button (a POST form to /accounts/logout/)."""
    with page.expect_navigation():
        page.locator("form[action$='/accounts/logout/'] button[type=submit]").click()


def assert_accessible(
    page,
    *,
    impacts: tuple[str, ...] = ("serious", "critical"),
    label: str = "",
) -> None:
    """Run axe-core on the current page and fail on any violation of the given impacts, listing
    each rule, its help text and link, and the elements (CSS targets) at fault."""
    assert AXE_JS.exists(), f"{AXE_JS} is missing: run scripts/build-assets (make assets)"
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # Evaluated through the DevTools protocol, which the page's Content-Security-Policy does not
        # govern (add_script_tag would insert an inline <script>, which the policy refuses).
        page.evaluate(AXE_JS.read_text())
    violations = page.evaluate(
        """async () => {
            const results = await window.axe.run(document, {resultTypes: ["violations"]});
            return results.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map((n) => ({target: n.target, html: n.html, summary: n.failureSummary})),
            }));
        }"""
    )
    serious = [violation for violation in violations if violation["impact"] in impacts]
    if not serious:
        return
    lines = [f"axe-core: {len(serious)} {'/'.join(impacts)} violation(s) on {label or page.url}"]
    for violation in serious:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']} — {violation['helpUrl']}"
        )
        for node in violation["nodes"]:
            lines.append(f"    at {json.dumps(node['target'], ensure_ascii=False)}: {node['html'][:200]}")
            summary = " ".join((node["summary"] or "").split())
            if summary:
                lines.append(f"       {summary[:400]}")
    message = "\n".join(lines)
    print(message)
    raise AssertionError(message)


def screenshot(page, name: str, *, full_page: bool = True) -> Path | None:
    """Write docs/screenshots/<name>.png, only when SHEQU_SCREENSHOTS=1 (so ordinary runs leave the
    committed images alone). Returns the path written, or None."""
    if os.environ.get("SHEQU_SCREENSHOTS") != "1":
        return None
    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page, animations="disabled")
    return path


def has_no_horizontal_scroll(page) -> tuple[bool, int, int]:
    """(fits, scrollWidth, innerWidth) of the current page."""
    scroll_width, inner_width = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]"
    )
    return scroll_width <= inner_width, scroll_width, inner_width


# --- Layout: every page fits its screen, and no value breaks ----------------------------------------

# The width of the phone every page is checked at (the narrowest screen we design for).
PHONE = {"width": 360, "height": 740}

# A function of no arguments, run in the page: what is wrong with its layout, as sentences.
# - the page is wider than the window (it scrolls sideways): the outermost elements that stick out;
# - a value is broken over two lines: an amount (¥1,234.00, 1,234.00), a percentage, a date or a
#   date and time — found in the text and measured where the browser laid it out.
# The receipt (a 64-character fingerprint) may break anywhere on purpose.
LAYOUT_CHECK_JS = r"""() => {
    const problems = [];
    const width = window.innerWidth;
    const describe = (element) => {
        const classes = [...element.classList].filter((c) => !c.startsWith("govuk-!-")).slice(0, 3);
        return element.tagName.toLowerCase() + classes.map((c) => "." + c).join("");
    };
    if (document.documentElement.scrollWidth > width) {
        const elements = [...document.querySelectorAll("body *")];
        let sticking = elements
            .filter((e) => e.getBoundingClientRect().right > width + 1)
            .filter((e) => !(e.parentElement && e.parentElement.getBoundingClientRect().right > width + 1))
            .slice(0, 5)
            .map((e) => `${describe(e)} (${Math.round(e.getBoundingClientRect().right)}px)`);
        if (sticking.length === 0) {  // no box sticks out, but the content of one does: the widest
            sticking = elements
                .filter((e) => e.scrollWidth > width && getComputedStyle(e).overflowX === "visible")
                .sort((a, b) => b.scrollWidth - a.scrollWidth)
                .slice(0, 3)
                .map((e) => `the text of ${describe(e)} (${e.scrollWidth}px)`);
        }
        problems.push(
            `the page is ${document.documentElement.scrollWidth}px wide; sticking out: ${sticking.join(", ")}`
        );
    }
    const value = new RegExp([
        String.raw`¥\s?-?\d[\d,]*(?:\.\d+)?`,  // ¥1,234.00
        String.raw`\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?`,  // 2026-05-01 14:00
        String.raw`\d{1,3}(?:,\d{3})+(?:\.\d+)?`,  // 1,234.00
        String.raw`\d+(?:\.\d+)?%`,  // 12.5%
    ].join("|"), "g");
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const parent = node.parentElement;
        if (!parent || parent.closest("script, style, template, .shequ-receipt")) continue;
        for (const match of node.data.matchAll(value)) {
            range.setStart(node, match.index);
            range.setEnd(node, match.index + match[0].length);
            const tops = [];
            for (const rect of range.getClientRects()) {
                if (rect.width < 1 || rect.height < 1) continue;
                if (!tops.some((top) => Math.abs(top - rect.top) < rect.height / 2)) tops.push(rect.top);
            }
            if (tops.length > 1) {
                problems.push(`"${match[0]}" in ${describe(parent)} is broken over ${tops.length} lines`);
            }
        }
    }
    return {url: location.href, width, problems};
}"""

# Runs in every document of a browser context: reports the layout when the page has loaded (fonts
# included) and after every htmx swap, through the binding the ``new_page`` fixture exposes.
LAYOUT_REPORTER_JS = f"""(() => {{
    if (window.top !== window) return;
    const check = {LAYOUT_CHECK_JS};
    const report = () => document.fonts.ready.then(() => requestAnimationFrame(() => {{
        if (typeof window.__shequReportLayout === "function") window.__shequReportLayout(check());
    }}));
    window.addEventListener("load", report);
    document.addEventListener("htmx:afterSettle", report);
}})();"""


def layout_report(page) -> dict:
    """What is wrong with the current page's layout: {url, width, problems}."""
    return page.evaluate(LAYOUT_CHECK_JS)


def _path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")
