"""Due process in a real browser (docs/rules.md §17, README "Due process"), every page reached by
clicking from the page the sign-in lands on (or, signed out, from the landing page), driven in
English (the language cookie):

- the bureau's officer amends a published tender with a reason and publishes a document with it;
  the provider with a bid sees the amendment and the document;
- after the award notice the losing bidder challenges with its grounds and a document, the officer
  dismisses it, the bidder complains, the review body decides; the public tender page shows the
  reply and the decision without naming the challenger — at 1280 px and on a 360 px phone;
- on a running contract the officer proposes a variation and both parties sign it; the contract
  page shows it in effect and its timeline each step.

Every page: one <h1>, no error summary, no serious or critical axe-core violation, not wider than
its window (the ``page`` fixture checks the layout of every page, and again at 360 px).

The data are built through the real services (tests/flows.py). Pages are driven only while the test
thread leaves the database alone (SQLite's in-memory database is shared with the live server)."""

import re

import pytest
from playwright.sync_api import expect

from challenges.models import Challenge, Complaint
from contracts.models import Variation
from demo.files import tiny_pdf
from documents.models import Document
from marketplace.models import TenderAmendment

from .. import flows
from .helpers import PHONE, assert_accessible, has_no_horizontal_scroll, sign_in, sign_out

DESKTOP = {"width": 1280, "height": 900}


# --- Browser helpers ---------------------------------------------------------------------------------


def english_page(new_page, live_server, viewport=DESKTOP):
    page = new_page(viewport=viewport)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    return page


def check(page, label: str) -> None:
    """One <h1>, no error summary, no serious/critical axe violation, no sideways scrolling."""
    assert page.locator("html").get_attribute("lang") == "en", label
    assert page.locator("h1").count() == 1, f"{label}: {page.locator('h1').all_inner_texts()} at {page.url}"
    errors = page.locator(".govuk-error-summary")
    assert errors.count() == 0, f"{label}: {page.url} shows {errors.first.inner_text()!r}"
    fits, scroll_width, inner_width = has_no_horizontal_scroll(page)
    assert fits, f"{label}: {page.url} is {scroll_width}px wide in a {inner_width}px window"
    assert_accessible(page, label=f"{label} ({page.url})")


def follow(page, locator, label: str) -> None:
    """Click a link or button that loads a page; wait for it and check it."""
    with page.expect_navigation() as navigation:
        locator.click()
    response = navigation.value
    assert response is not None and response.status == 200, f"{label}: HTTP {response and response.status}"
    check(page, label)


def enter(page, live_server, user, label: str) -> None:
    sign_in(page, live_server, user.username)
    assert page.locator("[data-testid=signed-in-as]").count() == 1, f"{user.username} is not signed in"
    check(page, label)


def unfold_menu(page) -> None:
    """On a phone the header's navigation is folded behind its "Menu" button."""
    toggle = page.get_by_role("button", name="Menu", exact=True)
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()


def leave(page) -> None:
    unfold_menu(page)
    sign_out(page)


def button(page, name: str):
    """A button, or a link styled as one (``role="button"``)."""
    return page.get_by_role("button", name=name, exact=True)


def link(page, name):
    return page.get_by_role("link", name=name, exact=isinstance(name, str))


def main_text(page) -> str:
    return page.locator("main").inner_text()


def success_banner(page) -> str:
    return page.locator(".govuk-notification-banner--success").inner_text()


def open_menu_link(page, name: str, label: str) -> None:
    """A link of the header's navigation or of the area's home page; on a phone the header's menu
    is folded behind its "Menu" button."""
    unfold_menu(page)
    follow(page, page.get_by_role("link", name=name, exact=True).first, label)


def pdf(name: str, title: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": tiny_pdf(title)}


# --- (a) An amendment with a document --------------------------------------------------------------

AMENDMENT_REASON = "The day centre opens on Saturdays too; the attached schedule shows the hours."
NEW_DESCRIPTION = "Day care on weekdays and Saturdays, and a weekly home visit."


def test_the_officer_amends_a_published_tender_with_a_document_and_the_bidder_sees_it(
    new_page, live_server, world
):
    tender = flows.published_tender(world)
    flows.submitted_bid(world, tender, 0, 28_000_000)
    officer, bidder = world["officer"], world["provider_admins"][0]
    page = english_page(new_page, live_server)

    # The officer finds the tender from the dashboard and opens "Amend this tender".
    enter(page, live_server, officer, "bureau dashboard")
    open_menu_link(page, "Tenders of the bureau", "the bureau's tenders")
    follow(page, link(page, tender.title), "the bureau's tender")
    follow(page, button(page, "Amend this tender"), "amend the tender")
    page.get_by_label("What is changing, and why?").fill(AMENDMENT_REASON)
    page.get_by_label("Description (optional)").fill(NEW_DESCRIPTION)
    page.get_by_label(re.compile(r"^Publish a document with the amendment")).set_input_files(
        pdf("schedule.pdf", "Opening hours")
    )
    page.get_by_label(re.compile(r"^Document title")).fill("Opening hours of the day centre")
    follow(page, button(page, "Publish amendment"), "the tender, amended")
    assert "Amendment published" in success_banner(page)
    amendments = page.locator("[data-testid=amendment]")
    expect(amendments).to_have_count(1)
    assert AMENDMENT_REASON in amendments.inner_text()
    assert "Opening hours of the day centre" in main_text(page)
    leave(page)

    amendment = TenderAmendment.objects.get(tender=tender)
    assert amendment.reason == AMENDMENT_REASON and "description" in amendment.changes
    assert list(Document.objects.of(tender).values_list("title", flat=True)) == [
        "Opening hours of the day centre"
    ]

    # The bidder finds the tender from its home page: the amendment, what changed, the document.
    enter(page, live_server, bidder, "provider home")
    open_menu_link(page, "Open tenders", "open tenders")
    follow(page, link(page, tender.title), "the tender, for a provider")
    text = main_text(page)
    assert AMENDMENT_REASON in text and NEW_DESCRIPTION in text
    assert "Opening hours of the day centre" in text, "the amendment's document is not on the tender page"


# --- (b) A challenge, its reply, a complaint and its decision ----------------------------------------

GROUNDS = "Our quality score ignores the staffing plan we submitted; we ask the bureau to re-score it."
REPLY = "The panel scored the staffing plan under criterion 2; the ranking stands."
COMPLAINT = "The bureau's reply does not say why our staffing plan scored lower."
REASONING = "The scores are recorded and reasoned; the evaluation followed the tender's criteria."


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "360px"])
def test_a_losing_bidder_challenges_the_award_then_complains_and_the_public_sees_the_outcome(
    new_page, live_server, world, viewport
):
    tender = flows.award_proposed_tender(world)
    winner, loser = world["providers"][:2]
    challenger, officer, reviewer = world["provider_admins"][1], world["officer"], world["reviewer"]
    page = english_page(new_page, live_server, viewport)

    # The losing bidder opens its bid from its home page and challenges the award, with a document.
    enter(page, live_server, challenger, "provider home")
    follow(page, link(page, tender.title).first, "the losing bid")
    follow(page, button(page, "Challenge this award"), "challenge the award")
    page.get_by_label("Why do you challenge the award?").fill(GROUNDS)
    follow(page, button(page, "Send challenge"), "the challenge sent")
    assert "Challenge sent" in success_banner(page)
    follow(page, button(page, "Add a document"), "add a document to the challenge")
    page.get_by_label("Title").fill("Our staffing plan")
    page.get_by_label("Upload a file").set_input_files(pdf("staffing.pdf", "Staffing plan"))
    page.get_by_label("Evidence", exact=True).check()
    follow(page, button(page, "Add document"), "the challenge with its document")
    assert "Our staffing plan" in main_text(page)
    leave(page)

    challenge = Challenge.objects.get(tender=tender)
    assert (challenge.provider_id, challenge.status, challenge.grounds) == (loser.id, "submitted", GROUNDS)
    assert Document.objects.of(challenge).count() == 1

    # The officer is told on the dashboard, reads the evidence and dismisses the challenge.
    enter(page, live_server, officer, "bureau dashboard")
    follow(page, link(page, re.compile(r"^Reply to the challenge")), "the tender's challenges")
    assert "Our staffing plan" in main_text(page)
    page.get_by_label("Dismissed").check()
    page.get_by_label("Your reply").fill(REPLY)
    follow(page, button(page, "Send reply"), "the challenge replied")
    assert "Reply sent" in success_banner(page)
    leave(page)
    challenge.refresh_from_db()
    assert challenge.status == Challenge.Status.DISMISSED

    # The challenger is told it may complain, and complains to the finance department.
    enter(page, live_server, challenger, "provider home")
    follow(page, link(page, re.compile(r"^Your challenge of .* was dismissed")), "the dismissed challenge")
    assert REPLY in main_text(page)
    follow(page, button(page, "Complain to the finance department"), "complain")
    page.get_by_label("Why do you complain to the finance department?").fill(COMPLAINT)
    follow(page, button(page, "Send complaint"), "the complaint sent")
    assert "Complaint sent" in success_banner(page)
    leave(page)
    complaint = Complaint.objects.get(challenge=challenge)
    assert complaint.status == Complaint.Status.OPEN

    # The review body decides it from its list of complaints.
    enter(page, live_server, reviewer, "the review body's complaints")
    follow(page, link(page, re.compile(r"^Decide the complaint")), "the complaint")
    assert "Our staffing plan" in main_text(page)
    page.get_by_label("Dismissed").check()
    page.get_by_label("Your reasoning").fill(REASONING)
    follow(page, button(page, "Record decision"), "the complaint decided")
    assert "Decision recorded" in success_banner(page)
    leave(page)
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.DISMISSED

    # The public finds the tender from the landing page: the reply and the decision, no challenger.
    follow(page, link(page, "Shequ community services"), "the landing page")
    open_menu_link(page, "Tenders", "the public tenders")
    follow(page, link(page, tender.title), "the public tender")
    section = page.locator("[data-testid=public-challenges]")
    text = section.inner_text()
    assert GROUNDS in text and REPLY in text and COMPLAINT in text and REASONING in text
    assert loser.name not in text and winner.name not in text
    assert "Our staffing plan" not in main_text(page)  # the evidence is never public


# --- (c) A contract variation signed by both parties ---------------------------------------------------

VARIATION_REASON = "Forty more households joined the programme."


def test_the_officer_proposes_a_variation_and_both_parties_sign_it(new_page, live_server, world):
    contract = flows.active_contract(world)
    officer, provider_admin = world["officer"], world["provider_admins"][0]
    assert contract.provider_id == world["providers"][0].id
    page = english_page(new_page, live_server)

    # The officer opens the contract from the dashboard and proposes more money.
    enter(page, live_server, officer, "bureau dashboard")
    open_menu_link(page, "Contracts", "the bureau's contracts")
    follow(page, link(page, contract.title), "the bureau's contract")
    follow(page, button(page, "Propose a variation"), "propose a variation")
    page.get_by_label("Change of value", exact=True).check()
    page.get_by_label(re.compile(r"^Change of value in yuan")).fill("14000")
    page.get_by_label("Reason", exact=True).fill(VARIATION_REASON)
    follow(page, button(page, "Propose variation"), "the contract with its proposed variation")
    assert "Sign it for the bureau below" in success_banner(page)
    follow(page, button(page, "Sign variation No. 1"), "the bureau signs the variation")
    follow(page, button(page, "Sign variation"), "the contract, signed by the bureau")
    assert "takes effect when the provider signs" in success_banner(page)
    leave(page)

    # The provider is told on its home page and signs.
    enter(page, live_server, provider_admin, "provider home")
    follow(page, link(page, re.compile(r"^Sign variation No. 1 of the contract")), "the provider signs")
    follow(page, button(page, "Sign variation"), "the provider's contract, variation in effect")
    assert "It is now in effect" in success_banner(page)
    assert "In effect" in page.locator("#variations ~ table").first.inner_text()
    leave(page)

    # The public finds the contract through its tender: the variation in effect, with its reason.
    follow(page, link(page, "Shequ community services"), "the landing page")
    open_menu_link(page, "Tenders", "the public tenders")
    follow(page, link(page, contract.tender.title), "the public tender")
    follow(page, link(page, "View the contract"), "the public contract")
    variations = page.locator("#variations ~ table").first.inner_text()
    assert "In effect" in variations and VARIATION_REASON in variations and "+¥14,000.00" in variations

    variation = Variation.objects.get(contract=contract)
    assert variation.status == Variation.Status.EFFECTIVE
    contract.refresh_from_db()
    assert contract.value_amount == 28_000_000 + 1_400_000

    # The officer's contract page: in effect, and each step in the timeline, in order.
    enter(page, live_server, officer, "bureau dashboard")
    open_menu_link(page, "Contracts", "the bureau's contracts")
    follow(page, link(page, contract.title), "the bureau's contract")
    assert "In effect" in page.locator("#variations ~ table").first.inner_text()
    timeline = page.locator("[data-testid=contract-history] li").all_inner_texts()
    steps = [line.splitlines()[0] for line in timeline if "Variation No. 1" in line]
    assert steps == [
        "Variation No. 1 proposed",
        "Variation No. 1 signed by the bureau",
        "Variation No. 1 signed by the provider",
        "Variation No. 1 in effect: signed by both parties",
    ]
