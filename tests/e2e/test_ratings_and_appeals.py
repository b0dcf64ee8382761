"""Ratings people can trust and appeals (docs/rules.md §10.6, §11, README "Ratings and appeals") in a
real browser, every page reached by clicking from the page the sign-in lands on (or, signed out,
from the landing page), driven in English (the language cookie):

- (a) a collector of the assessor records a household's answers taken by phone, on a 360 px phone;
- (b) the provider appeals a published final evaluation with its grounds and a claimed score; the
  evaluation is confirmed (the disputed part held); the bureau's officer decides in part with
  reasons; the provider's appeal page, the public contract page and its "How this payment was
  computed" page show the decision and the money — the issue's worked example: H = ¥37,037.04,
  S = 74.50 releases ¥32,962.97 and holds ¥4,074.07 (S′ = 80.50); S″ = 77.00 releases ¥1,851.85 more
  and returns ¥2,222.22 to the budget;
- (c) anyone works out a payment with the simulator on the public tender page.

Every page: one <h1>, no error summary, no serious or critical axe-core violation, not wider than
its window (and, by the ``new_page`` fixture, again at 360 px). The data are built through the real
services (tests/flows.py), only while no page is being driven."""

import re
from decimal import Decimal

from playwright.sync_api import expect

from contracts.models import Instalment
from contracts.settlement import ledger_invariant_holds
from demo.seed import seed
from evaluations.models import Appeal, Evaluation, Rating
from evaluations.services import evaluation_confirm

from .. import flows
from .helpers import PHONE
from .test_due_process import (
    DESKTOP,
    button,
    check,
    english_page,
    enter,
    follow,
    leave,
    link,
    main_text,
    success_banner,
)

# --- (a) An assisted rating on a phone ---------------------------------------------------------------


def test_a_collector_records_a_households_answers_on_a_phone(new_page, live_server, world):
    objects = flows.delivering_contract(world, households=2)
    contract, evaluation = objects["contract"], objects["evaluation"]
    household = objects["residents"][0].household
    flows.rate(objects["residents"][1], contract, 5)  # one household rated online
    collector = world["assessor_member"]
    page = english_page(new_page, live_server, PHONE)

    enter(page, live_server, collector, "assessor home")
    follow(page, link(page, contract.title), "the assessor's contract")
    follow(page, link(page, re.compile(r"evaluation, round 1$")), "the assessor's evaluation")
    follow(page, link(page, "Record ratings"), "record ratings")
    expect(page.locator("[data-testid=assisted-count]")).to_have_text("0 assisted ratings counted so far.")

    page.get_by_label("Household code").fill(household.code.lower())  # capitals do not matter
    page.get_by_label("Satisfied", exact=True).check()
    page.get_by_label("Partly", exact=True).check()
    page.get_by_label("Phone call").check()
    page.get_by_label("What the household said").fill("The lunches came late twice.")
    follow(page, button(page, "Save and record the next household"), "the next household")
    assert f"Rating recorded for household {household.code}." in success_banner(page)
    expect(page.locator("[data-testid=assisted-count]")).to_have_text("1 assisted rating counted so far.")
    assert page.get_by_label("Household code").input_value() == ""  # empty for the next household

    # The same household again: refused, with what was typed kept.
    page.get_by_label("Household code").fill(household.code)
    page.get_by_label("Very satisfied", exact=True).check()
    page.get_by_label("Yes", exact=True).check()
    page.get_by_label("Home visit").check()
    with page.expect_navigation():
        button(page, "Save and record the next household").click()
    assert "already rated" in page.locator(".govuk-error-summary").inner_text()
    assert page.get_by_label("Home visit").is_checked()

    # The evaluation shows the online and the assisted ratings side by side.
    follow(page, link(page, "Back to the evaluation"), "the evaluation with its ratings")
    leave(page)

    rating = Rating.objects.get(household=household)
    assert (rating.channel, rating.method, rating.collector, rating.evaluation_id) == (
        "assisted",
        "phone",
        collector,
        evaluation.pk,
    )
    assert (rating.satisfaction, rating.resolved) == (Rating.Satisfaction.SATISFIED, "partly")
    assert Rating.objects.filter(evaluation=evaluation).count() == 2


# --- (b) An appeal, its decision and the money ----------------------------------------------------------

VALUE = 12_345_680  # its 30 % holdback is ¥37,037.04
PUBLISHED = {"t": "78.48", "b": "78.48", "c": "78.48"}  # with three dissatisfied answers, S = 74.50
GROUNDS = "The assessor visited on a public holiday, when the day centre was closed by order."
REASONING = "Half the visits fell on the holiday; those are scored again, the others stand."


def test_the_provider_appeals_the_bureau_decides_and_both_sides_and_the_public_see_the_money(
    new_page, live_server, world
):
    objects = flows.delivering_contract(world, prices=(VALUE, VALUE))
    flows.final_evaluation(world, objects, t="85", b="85", c="85")  # the midterm, confirmed
    objects["evaluation"] = Evaluation.objects.get(contract=objects["contract"], stage="final")
    evaluation = flows.published_evaluation(world, objects, satisfaction=2, **PUBLISHED)
    assert evaluation.composite == Decimal("74.50")
    contract = objects["contract"]
    provider_admin, officer = world["provider_admins"][0], world["officer"]
    page = english_page(new_page, live_server, DESKTOP)

    # The provider opens the contract from its home page and appeals, claiming T = 93.48.
    enter(page, live_server, provider_admin, "provider home")
    follow(page, page.locator(f"main a[href='/provider/contracts/{contract.pk}/']").first, "the contract")
    follow(page, button(page, "Appeal this evaluation"), "appeal the evaluation")
    page.get_by_label("Why do you appeal this evaluation?").fill(GROUNDS)
    page.get_by_label(re.compile(r"^Third-party")).fill("93.48")
    follow(page, button(page, "Send appeal"), "the appeal sent")
    assert "Appeal sent" in success_banner(page)
    expect(page.locator("[data-testid=appeal-s-claimed]")).to_contain_text("80.50")
    expect(page.locator("[data-testid=appeal-hold]")).to_have_text("¥4,074.07")
    leave(page)

    appeal = Appeal.objects.get(evaluation=evaluation)
    assert (appeal.status, appeal.grounds, appeal.claimed_composite) == ("open", GROUNDS, Decimal("80.50"))

    # The window closes; the scheduler confirms: the undisputed part paid, the disputed part held.
    flows.pass_appeal_window(evaluation)
    evaluation_confirm(actor=None, evaluation=evaluation)

    # The officer finds the appeal in the bureau's list and decides in part, with reasons.
    enter(page, live_server, officer, "bureau dashboard")
    follow(page, link(page, "Appeals of evaluations"), "the bureau's appeals")
    follow(page, link(page, contract.title).first, "the appeal, to decide")
    assert GROUNDS in main_text(page)
    expect(page.locator("[data-testid=appeal-release]")).to_have_text("¥32,962.97")
    expect(page.locator("[data-testid=appeal-hold]")).to_have_text("¥4,074.07")
    page.get_by_label("Partly upheld: give the scores below").check()
    page.get_by_label(re.compile(r"^Third-party")).fill("84.72")
    page.get_by_label("Your reasoning").fill(REASONING)
    follow(page, button(page, "Record decision"), "the appeal decided")
    assert "Decision recorded" in success_banner(page)
    leave(page)

    appeal.refresh_from_db()
    assert (appeal.status, appeal.final_composite) == ("partly", Decimal("77.00"))
    assert (appeal.released_on_decision, appeal.returned_on_decision) == (185_185, 222_222)
    assert ledger_invariant_holds(contract)
    held = Instalment.objects.get(contract=contract, split_from__isnull=False)
    assert (held.amount_payable, held.withheld_amount) == (185_185, 222_222)

    # The provider reads the decision, its reasons and the money on its appeal page.
    enter(page, live_server, provider_admin, "provider home")
    follow(page, page.locator(f"main a[href='/provider/contracts/{contract.pk}/']").first, "the contract")
    assert "decided S″ 77.00" in main_text(page)
    follow(page, link(page, "View the appeal"), "the provider's decided appeal")
    text = main_text(page)
    assert REASONING in text and "Partly upheld" in text
    expect(page.locator("[data-testid=appeal-s-final]")).to_contain_text("77.00")
    expect(page.locator("[data-testid=appeal-release]")).to_have_text("¥32,962.97")
    expect(page.locator("[data-testid=appeal-hold]")).to_have_text("¥4,074.07")
    expect(page.locator("[data-testid=appeal-decision-release]")).to_have_text("¥1,851.85")
    expect(page.locator("[data-testid=appeal-decision-withhold]")).to_have_text("¥2,222.22")
    leave(page)

    # Anyone, signed out: the landing page, the contract, the appeal's outcome, the computation.
    follow(page, link(page, re.compile(rf"^View contract.*{re.escape(contract.title)}")), "public contract")
    outcome = page.locator("[data-testid=appeal-outcome]")
    expect(outcome).to_contain_text("Partly upheld")
    expect(outcome).to_contain_text("Composite score after the appeal: 77.00 (published 74.50)")
    assert REASONING not in main_text(page) and GROUNDS not in main_text(page)  # the parties' own
    follow(page, link(page, re.compile(r"^See every input and step")).last, "how the payment was computed")
    expect(page.locator("[data-testid=appeal-summary]")).to_contain_text(
        "Published: S = 74.50, band C. After the appeal: S″ = 77.00, band C, 94.00% released"
    )
    money = page.locator("[data-testid=appeal-money]").inner_text()
    assert "¥34,814.82" in money and "¥1,851.85" in money and "¥2,222.22" in money


# --- (c) The payout simulator --------------------------------------------------------------------------


def test_anyone_works_out_a_payment_on_the_public_tender_page(new_page, live_server, world):
    tender = flows.published_tender(world)  # ceiling ¥300,000: its 30 % holdback is ¥90,000
    page = english_page(new_page, live_server, PHONE)

    page.goto("/")
    check(page, "the landing page")
    follow(page, link(page, tender.title).first, "the public tender")
    expect(page.locator("[data-testid=payout-bands]")).to_contain_text("¥90,000.00")

    # S = 0.4 × 80 + 0.2 × 80 + 0.3 × 80 + 0.1 × 75 = 79.50: band C, f = 0.80 + 0.02 × 9.5 = 0.99,
    # ¥90,000 × 0.99 = ¥89,100 paid and ¥900 withheld.
    for label, value in (("T", "80"), ("B", "80"), ("R", "80"), ("C", "75")):
        page.get_by_label(re.compile(rf"\({label}\)")).fill(value)
    button(page, "Work it out").click()  # htmx swaps the result in; without JavaScript a new page
    result = page.locator("[data-testid=payout-result]")
    expect(result).to_be_visible()
    check(page, "the tender with a payment worked out")
    expect(page.locator("[data-testid=payout-composite]")).to_have_text("79.50")
    expect(result).to_contain_text("Band C (合格)")
    expect(result).to_contain_text("99.00%")
    expect(page.locator("[data-testid=payout-release]")).to_have_text("¥89,100.00")
    expect(page.locator("[data-testid=payout-withheld]")).to_have_text("¥900.00")

    # A score out of range is explained by its field, and nothing is worked out.
    page.get_by_label(re.compile(r"\(C\)")).fill("101")
    button(page, "Work it out").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The score must be 100 or less")
    expect(result).to_have_count(0)


def test_the_simulator_on_the_demos_tender_gives_the_readmes_figures(new_page, live_server):
    """The README's example on the demo (make run): 社区老年人健康管理服务, ceiling ¥50,000, holdback
    30 % = ¥15,000; T = B = R = 80, C = 75 → S = 79.50, band C, f = 0.99: ¥14,850 paid, ¥150 withheld."""
    seed()
    title = "社区老年人健康管理服务"
    page = english_page(new_page, live_server, PHONE)

    page.goto("/")
    check(page, "the demo's landing page")
    follow(page, link(page, title).first, "the demo's tender")
    expect(page.locator("[data-testid=payout-bands]")).to_contain_text("¥15,000.00")
    for label, value in (("T", "80"), ("B", "80"), ("R", "80"), ("C", "75")):
        page.get_by_label(re.compile(rf"\({label}\)")).fill(value)
    button(page, "Work it out").click()
    result = page.locator("[data-testid=payout-result]")
    expect(result).to_be_visible()
    check(page, "the demo's tender with a payment worked out")
    expect(page.locator("[data-testid=payout-composite]")).to_have_text("79.50")
    expect(result).to_contain_text("Band C (合格)")
    expect(result).to_contain_text("99.00%")
    expect(page.locator("[data-testid=payout-release]")).to_have_text("¥14,850.00")
    expect(page.locator("[data-testid=payout-withheld]")).to_have_text("¥150.00")
