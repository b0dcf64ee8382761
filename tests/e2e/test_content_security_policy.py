"""The Content-Security-Policy in a real browser: it refuses an inline script and the refusal fails
a test (the ``page`` fixture fails on the console error Chromium logs), while our own scripts —
GOV.UK Frontend's start-up, the charts, the print link and Swagger UI — run under it."""

from tests import flows

from .helpers import sign_in

CSP_REFUSAL = "Content Security Policy"


def test_an_inline_script_is_refused_and_reported(page):
    page.goto("/")

    ran = page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.injected = true";
            document.body.append(script);
            return window.injected === true;
        }"""
    )

    assert ran is False
    assert any(CSP_REFUSAL in problem for problem in page.problems.unexpected())
    page.problems.allow(CSP_REFUSAL)  # seen: the refusal above is this test's point


def test_our_scripts_run_under_the_policy(page, live_server, world):
    objects = flows.delivering_contract(world, households=5)
    flows.published_evaluation(world, objects)

    page.goto(f"/contracts/{objects['contract'].pk}/")

    body_classes = page.locator("body").get_attribute("class").split()
    assert {"js-enabled", "govuk-frontend-supported"} <= set(body_classes)  # frontend/js-enabled.js
    charts = page.locator("canvas[data-chart]")
    assert charts.count() >= 2
    for index in range(charts.count()):
        assert charts.nth(index).get_attribute("data-drawn") == "1"  # Chart.js drew it


def test_the_bid_receipt_print_link_prints(page, live_server, world):
    tender = flows.published_tender(world)
    bid = flows.submitted_bid(world, tender, 0, 25_000_000)
    sign_in(page, live_server, world["provider_admins"][0].username)
    page.goto(f"/provider/bids/{bid.pk}/confirmation/")
    page.evaluate("() => { window.print = () => { window.printed = true; }; }")

    page.locator("[data-shequ-print]").click()

    assert page.evaluate("() => window.printed === true")
    assert page.url.endswith("/confirmation/")  # the link's href="#" did not navigate


def test_swagger_ui_runs_under_the_policy(page):
    page.goto("/api/docs/")

    page.locator(".swagger-ui .info .title").wait_for()
    assert "Shequ API" in page.locator(".swagger-ui .info .title").inner_text()
    page.locator(".swagger-ui .opblock").first.wait_for()  # the schema was fetched and drawn
