"""A full tender in a real browser, from creation to award, by a bureau (an officer and two
evaluators) and two providers, driven through the pages in English (``django_language=en``).

axe-core runs on every page visited (``check``): no serious or critical violations. The database
is checked after every step as well as what the page shows. Time passing (the bid deadline, the
end of the standstill period) is simulated by moving the date into the past with
``QuerySet.update``, as tests/flows.py does: it is not a state change.

Pages are only driven while the test thread leaves the database alone: every ORM call here happens
between navigations, never while one is pending (SQLite's in-memory test database is shared with
the live server's thread)."""

import datetime
import os
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from contracts.models import Contract
from marketplace.models import Bid, BidScore, Criterion, EvaluatorDeclaration, Question, Tender
from marketplace.selectors import ranking_of
from orgs.models import Area, Membership, Organization

from .. import factories as f
from .. import flows
from . import builders
from .helpers import assert_accessible, screenshot, sign_in

# What people type is in Chinese (the users' language); the pages are driven in English.
TITLE = "武侯区高龄独居老人日间照料与上门探访服务"
CEILING_YUAN = "300000.00"
CEILING_FEN = 30_000_000
QUALITY_NAME = "服务方案"
QUESTION = "日间照料中心可以周六开放、周一休息吗？"
ANSWER = "可以：每周开放五天即可，但须达到绩效指标。"


# --- Data ----------------------------------------------------------------------------------------


@dataclass
class Cast:
    """Everyone in the journey, built through the factories (tests/e2e/builders.py)."""

    bureau: Organization
    officer: object
    evaluators: list
    budget_line: object
    catalogue_item: object
    street: Area
    community: Area
    providers: list[Organization] = field(default_factory=list)
    provider_admins: list = field(default_factory=list)


def build_cast() -> Cast:
    world = builders.bureau(username="officer_chen")
    bureau = world["bureau"]
    bureau.name = "成都市武侯区民政局"
    bureau.save(update_fields=["name"])
    world["budget_line"].name = "社区养老服务专项"
    world["budget_line"].save(update_fields=["name"])
    world["catalogue_item"].name = "居家和社区养老服务"
    world["catalogue_item"].save(update_fields=["name"])
    street = f.AreaFactory(level=Area.Level.STREET, parent=bureau.jurisdiction, name="玉林街道")
    community = f.AreaFactory(level=Area.Level.COMMUNITY, parent=street, name="玉林北路社区")
    cast = Cast(
        bureau=bureau,
        officer=world["officer"],
        evaluators=[
            f.member(bureau, Membership.Role.EVALUATOR, username=f"evaluator_{n}") for n in ("li", "zhao")
        ],
        budget_line=world["budget_line"],
        catalogue_item=world["catalogue_item"],
        street=street,
        community=community,
    )
    for name, username in (
        ("武侯区阳光养老服务中心", "provider_sunshine"),
        ("成都和谐社会工作服务社", "provider_harmony"),
    ):
        provider = f.OrganizationFactory(
            kind=Organization.Kind.PROVIDER, name=name, status=Organization.Status.VERIFIED
        )
        cast.providers.append(provider)
        cast.provider_admins.append(f.member(provider, Membership.Role.ADMIN, username=username))
    return cast


# --- Browser helpers -----------------------------------------------------------------------------


def set_language(page, live_server, language: str) -> None:
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])


def english_page(new_page, live_server):
    """A page in a fresh browser context, with the language cookie set to English."""
    page = new_page()
    set_language(page, live_server, "en")
    return page


def shot(page, live_server, name: str) -> None:
    """With SHEQU_SCREENSHOTS=1 only: show the current page in Chinese (the service's default
    language, like the other images in docs/screenshots), check it with axe too, write
    docs/screenshots/<name>.png, and return to English. Every page shown here is a GET."""
    if os.environ.get("SHEQU_SCREENSHOTS") != "1":
        return
    set_language(page, live_server, "zh-hans")
    page.reload()
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    check(page, f"{name} in Chinese")
    screenshot(page, name)
    set_language(page, live_server, "en")
    page.reload()


def check(page, label: str) -> None:
    """Every page visited: exactly one <h1>, no error summary (this journey makes no mistakes, so a
    form sent back with errors fails here, with its messages), no serious/critical axe violation."""
    assert page.locator("h1").count() == 1, f"{label}: expected one <h1> at {page.url}"
    errors = page.locator(".govuk-error-summary")
    assert errors.count() == 0, f"{label}: {page.url} shows {errors.first.inner_text()!r}"
    assert_accessible(page, label=f"{label} ({page.url})")


def follow(page, locator, label: str) -> None:
    """Click a link or a button that loads a new page, wait for it and check it."""
    with page.expect_navigation() as navigation:
        locator.click()
    response = navigation.value
    assert response is not None and response.status == 200, f"{label}: HTTP {response and response.status}"
    check(page, label)


def visit(page, path: str, label: str) -> None:
    response = page.goto(path)
    assert response is not None and response.status == 200, f"{label}: HTTP {response and response.status}"
    check(page, label)


def enter(page, live_server, username: str, label: str) -> None:
    sign_in(page, live_server, username)
    assert page.locator("[data-testid=signed-in-as]").inner_text() == username
    check(page, label)


def button(page, name: str):
    """A button, or a link styled as one (``role="button"``, GOV.UK start and action links)."""
    return page.get_by_role("button", name=name, exact=True)


def link(page, name: str):
    return page.get_by_role("link", name=name, exact=True)


def complete_section(page, label: str, submit: str = "Continue") -> None:
    """Answer "Yes, I've completed this section" and continue back to the task list (the bid's
    sections say "Save and continue")."""
    page.get_by_label("Yes, I've completed this section", exact=True).check()
    follow(page, button(page, submit), f"task list after {label}")


def task_status(page, slug: str) -> str:
    return page.locator(f"#task-{slug}-status").inner_text().strip()


def success_banner(page) -> str:
    return page.locator(".govuk-notification-banner--success").inner_text()


def tender_status(page) -> str:
    return page.locator("[data-testid=tender-status]").inner_text()


# --- The journey ---------------------------------------------------------------------------------


def create_and_publish(page, live_server, cast: Cast) -> Tender:
    """The officer creates the tender through the task list and publishes it."""
    visit(page, "/accounts/login/", "sign-in")
    enter(page, live_server, "officer_chen", "bureau dashboard")
    assert page.url == f"{live_server.url}/bureau/"
    assert page.get_by_role("heading", level=1).inner_text() == "Bureau dashboard"
    shot(page, live_server, "bureau-dashboard")

    follow(page, button(page, "Create a tender"), "tender task list")
    assert page.url.endswith("/bureau/tenders/new/")
    assert task_status(page, "service") == "Not yet started"
    assert page.locator("#task-check-status").inner_text().strip() == "Cannot start yet"

    # Service details
    follow(page, link(page, "Service details"), "service details")
    page.get_by_label("Title", exact=True).fill(TITLE)
    page.get_by_label("Description (optional)").fill("工作日日间照料，每周上门探访一次。")
    page.get_by_label("Catalogue item", exact=True).select_option(str(cast.catalogue_item.pk))
    page.get_by_label("Beneficiaries (optional)").fill("80 岁及以上独居老人。")
    page.get_by_label("Why the bureau initiates it (optional)").fill("区民政局年度养老服务计划。")
    complete_section(page, "service details")
    assert task_status(page, "service") == "Completed"

    # Areas and budget
    follow(page, link(page, "Areas and budget"), "areas and budget")
    page.locator(f"input[name=areas][value='{cast.street.pk}']").check()
    page.locator(f"input[name=areas][value='{cast.community.pk}']").check()
    page.get_by_label("Budget line", exact=True).select_option(str(cast.budget_line.pk))
    page.get_by_label("Ceiling amount in yuan", exact=True).fill(CEILING_YUAN)
    complete_section(page, "areas and budget")

    # Timetable: the bid deadline at least 10 days away (publish refuses a sooner one).
    deadline = timezone.localtime(f.in_days(14)).date()
    start = deadline + datetime.timedelta(days=20)
    follow(page, link(page, "Timetable"), "timetable")
    page.get_by_label("Bid deadline date", exact=True).fill(deadline.isoformat())
    page.get_by_label("Bid deadline time", exact=True).fill("17:00")
    page.get_by_label("Service start date", exact=True).fill(start.isoformat())
    page.get_by_label("Service end date", exact=True).fill((start + datetime.timedelta(days=300)).isoformat())
    complete_section(page, "timetable")

    # Scoring criteria: price 30, one quality criterion 70.
    follow(page, link(page, "Scoring criteria"), "scoring criteria")
    page.get_by_label("Price weight", exact=True).fill("30")
    page.get_by_label("Name of quality criterion 1 (optional)", exact=True).fill(QUALITY_NAME)
    page.get_by_label("Weight of quality criterion 1 (optional)", exact=True).fill("70")
    complete_section(page, "evaluation criteria")

    # KPIs
    follow(page, link(page, "KPIs"), "KPIs")
    page.get_by_label("KPI 1 name (optional)", exact=True).fill("上门探访")
    page.get_by_label("KPI 1 target (optional)", exact=True).fill("1200")
    page.get_by_label("KPI 1 unit (optional)", exact=True).fill("次")
    complete_section(page, "KPIs")

    # Payment and scoring: pre-filled with the defaults.
    follow(page, link(page, "Payment and scoring"), "payment and scoring")
    assert page.get_by_label("Advance share in per cent (optional)", exact=True).input_value() == "30"
    assert page.get_by_label("Minimum number of bids", exact=True).input_value() == "2"
    complete_section(page, "payment and scoring")

    for slug in ("service", "areas-budget", "timetable", "criteria", "kpis", "payment-scoring"):
        assert task_status(page, slug) == "Completed", slug
    assert "You have completed 6 of 6 sections." in page.locator("main").inner_text()
    shot(page, live_server, "bureau-tender-task-list")
    assert not Tender.objects.exists()  # nothing is saved before check answers

    follow(page, link(page, "Check answers"), "check answers")
    main = page.locator("main").inner_text()
    assert TITLE in main and "¥300,000.00" in main
    assert QUALITY_NAME in main and "上门探访" in main
    shot(page, live_server, "bureau-tender-check-answers")

    follow(page, button(page, "Create draft tender"), "draft tender page")
    tender = Tender.objects.get()
    assert page.url == f"{live_server.url}/bureau/tenders/{tender.pk}/"
    assert "Draft tender created." in success_banner(page)
    assert "Draft" in tender_status(page)
    assert tender.status == Tender.Status.DRAFT
    assert tender.bureau == cast.bureau and tender.title == TITLE
    assert tender.ceiling_amount == CEILING_FEN and tender.budget_line == cast.budget_line
    assert set(tender.areas.all()) == {cast.street, cast.community}
    assert timezone.localtime(tender.bid_deadline).date() == deadline
    assert sorted(tender.criteria.values_list("kind", "name", "weight")) == [
        (Criterion.Kind.PRICE, "Price", 30),
        (Criterion.Kind.QUALITY, QUALITY_NAME, 70),
    ]
    assert list(tender.kpis.values_list("name", "target", "unit")) == [("上门探访", Decimal(1200), "次")]
    assert tender.payment_schedule.count() == 3

    follow(page, button(page, "Publish tender"), "published tender page")
    assert "Tender published" in success_banner(page)
    assert "Published" in tender_status(page)
    tender.refresh_from_db()
    assert tender.status == Tender.Status.PUBLISHED
    assert tender.published_at is not None
    assert tender.committed_amount == CEILING_FEN
    assert button(page, "Publish tender").count() == 0
    return tender


def ask_question(page, tender: Tender) -> None:
    follow(page, link(page, "Ask a question about this tender"), "ask a question")
    page.get_by_label("What is your question?", exact=True).fill(QUESTION)
    follow(page, button(page, "Send question"), "provider tender page after the question")
    assert "Your question has been sent." in success_banner(page)
    question = Question.objects.get(tender=tender)
    assert question.text == QUESTION and not question.is_answered


def submit_bid(page, live_server, cast: Cast, index: int, tender: Tender, price: str, shots: bool) -> Bid:
    """A provider finds the tender, prepares its bid through the task list and submits it."""
    provider, username = cast.providers[index], cast.provider_admins[index].username
    enter(page, live_server, username, f"provider home of {provider.name}")
    assert page.url == f"{live_server.url}/provider/"

    visit(page, "/provider/tenders/", "open tenders")
    follow(page, link(page, TITLE), "provider tender page")
    assert page.get_by_role("heading", level=1).inner_text() == TITLE
    if shots:
        shot(page, live_server, "provider-tender")
    if index == 0:
        ask_question(page, tender)

    follow(page, button(page, "Prepare a bid"), "bid task list")
    assert page.get_by_role("heading", level=1).inner_text() == "Prepare your bid"
    assert page.locator("#task-price-status").inner_text().strip() == "Not yet started"
    assert page.locator("#task-declarations-status").inner_text().strip() == "Cannot start yet"

    follow(page, link(page, "Price"), "bid price")
    page.get_by_label("Your price in yuan", exact=True).fill(price)
    complete_section(page, "bid price", "Save and continue")
    bid = Bid.objects.get(tender=tender, provider=provider)
    assert bid.status == Bid.Status.DRAFT
    assert bid.price_amount == int(Decimal(price) * 100)

    follow(page, link(page, "Technical proposal"), "technical proposal")
    page.get_by_label("Technical proposal", exact=True).fill(
        "日间照料中心每周开放五天；每周上门探访一次；每月健康检查一次。"
    )
    complete_section(page, "technical proposal", "Save and continue")

    follow(page, link(page, "Staffing plan"), "staffing plan")
    page.get_by_label("Staffing plan", exact=True).fill("两名持证社会工作者和四名护理员。")
    complete_section(page, "staffing plan", "Save and continue")

    follow(page, link(page, "Declarations"), "declarations")
    for label in (
        "My organisation meets the eligibility conditions of this tender",
        "The services in this bid are not funded from any other source",
        "My organisation has no conflict of interest with the buying bureau",
    ):
        page.get_by_label(label, exact=True).check()
    complete_section(page, "declarations", "Save and continue")

    for slug in ("price", "technical-proposal", "staffing-plan", "declarations"):
        assert page.locator(f"#task-{slug}-status").inner_text().strip() == "Completed", slug
    if shots:
        shot(page, live_server, "provider-bid-task-list")
    bid.refresh_from_db()
    assert bid.declaration_eligibility and bid.declaration_no_double_funding and bid.declaration_no_conflict
    assert bid.staffing_plan and bid.technical_proposal

    follow(page, link(page, "Check answers and submit your bid"), "bid check answers")
    assert (
        page.get_by_role("heading", level=1).inner_text() == "Check your answers before submitting your bid"
    )
    follow(page, button(page, "Submit bid"), "bid confirmation")
    bid.refresh_from_db()
    assert bid.status == Bid.Status.SUBMITTED
    assert re.fullmatch(r"[0-9a-f]{64}", bid.receipt)
    assert page.url == f"{live_server.url}/provider/bids/{bid.pk}/confirmation/"
    assert page.locator(".govuk-panel__title").inner_text() == "Bid submitted"
    assert page.locator("[data-testid=bid-receipt]").inner_text().strip() == bid.receipt
    if shots:
        shot(page, live_server, "provider-bid-confirmation")
    return bid


def answer_question(page, tender: Tender) -> None:
    follow(page, link(page, "Questions"), "bureau questions")
    question = Question.objects.get(tender=tender)
    page.locator(f"#id_q{question.pk}-answer").fill(ANSWER)
    follow(page, button(page, "Publish answer to question 1"), "bureau questions after answering")
    assert "Answer published" in success_banner(page)
    question.refresh_from_db()
    assert question.is_answered and question.answer == ANSWER
    follow(page, link(page, "Summary"), "tender page")


def score_bids(
    page, live_server, evaluator, tender: Tender, scores: dict[int, str], via_dashboard: bool
) -> None:
    """An evaluator declares no conflict of interest and scores the quality of every bid, coming
    from the task on the dashboard or from "Declare and score bids" on the tender page."""
    enter(page, live_server, evaluator.username, "evaluator dashboard")
    if via_dashboard:
        task = link(page, f"Declare any conflict of interest on “{TITLE}”")
        follow(page, task, "evaluator declaration")
    else:
        visit(page, f"/bureau/tenders/{tender.pk}/", "tender page for the evaluator")
        assert button(page, "Cancel tender").count() == 0  # an officer's action, not an evaluator's
        follow(page, button(page, "Declare and score bids"), "evaluator declaration")
    assert page.get_by_role("heading", level=1).inner_text() == "Declare any conflict of interest"
    page.get_by_label("I have no conflict of interest with any bidder", exact=True).check()
    follow(page, button(page, "Confirm declaration"), "score the bids")
    declaration = EvaluatorDeclaration.objects.get(tender=tender, evaluator=evaluator)
    assert declaration.no_conflict
    assert page.get_by_role("heading", level=1).inner_text() == "Score the bids"

    criterion = tender.criteria.get(kind=Criterion.Kind.QUALITY)
    for bid in tender.bids.select_related("provider").order_by("id"):
        card = page.locator(f"#score-card-{bid.pk}")
        card.locator(f"#id_bid{bid.pk}-criterion_{criterion.pk}").fill(scores[bid.pk])
        with page.expect_response(lambda r, pk=bid.pk: r.url.endswith(f"/scores/{pk}/")):
            button(page, f"Save scores for {bid.provider.name}").click()
        # htmx swaps the card in place (no navigation): the new card says it is saved.
        card = page.locator(f"#score-card-{bid.pk}")
        card.locator("[role=status]").wait_for()
        assert card.locator("[role=status]").inner_text() == "Scores saved."
        assert card.locator(".govuk-tag").inner_text() == "Scored"
        check(page, f"score the bids after saving {bid.provider.name}")
        saved = BidScore.objects.get(bid=bid, criterion=criterion, evaluator=evaluator)
        assert saved.score == Decimal(scores[bid.pk])


def test_a_tender_from_creation_to_award(new_page, live_server):
    cast = build_cast()
    officer = english_page(new_page, live_server)

    # 1. The officer creates and publishes the tender.
    tender = create_and_publish(officer, live_server, cast)

    # 2. Two providers bid, each in its own browser context; the first asks a question.
    provider_pages = [english_page(new_page, live_server) for _provider in cast.providers]
    bids = [
        submit_bid(provider_pages[index], live_server, cast, index, tender, price, shots=index == 0)
        for index, price in enumerate(("280000.00", "295000.00"))
    ]
    assert Bid.objects.filter(tender=tender, status=Bid.Status.SUBMITTED).count() == 2

    # The officer answers the question; the provider sees the answer on the tender.
    officer.reload()
    check(officer, "tender page")
    answer_question(officer, tender)
    visit(provider_pages[0], f"/provider/tenders/{tender.pk}/", "provider tender page with the answer")
    assert ANSWER in provider_pages[0].locator("main").inner_text()

    # Bids stay sealed before the deadline.
    follow(officer, link(officer, "Bids"), "sealed bids")
    assert officer.locator("[data-testid=bids-sealed]").is_visible()
    follow(officer, link(officer, "Summary"), "tender page")
    assert button(officer, "Close bidding and open bids").count() == 0

    # 3. The deadline passes (time passing, not a state change); the officer opens the bids.
    flows.pass_deadline(tender)
    officer.reload()
    check(officer, "tender page after the deadline")
    follow(officer, button(officer, "Close bidding and open bids"), "tender page after closing")
    assert "Bidding is closed." in success_banner(officer)
    tender.refresh_from_db()
    assert tender.status == Tender.Status.EVALUATING and tender.closed_at is not None
    assert set(tender.bids.values_list("status", flat=True)) == {Bid.Status.OPENED}
    assert "Evaluating" in tender_status(officer)
    follow(officer, link(officer, "Bids"), "opened bids")
    rows = officer.locator("table.govuk-table tbody tr")
    assert rows.count() == 2
    for row, provider in zip(rows.all(), cast.providers, strict=True):
        assert provider.name in row.inner_text()
    assert "280,000.00" in rows.nth(0).inner_text()

    # 4. Each evaluator declares and scores the quality criterion of every bid: the first
    # provider (lower price) also scores higher on quality.
    first, second = bids
    for index, scores in enumerate(({first.pk: "90", second.pk: "70"}, {first.pk: "86", second.pk: "74"})):
        evaluator_page = english_page(new_page, live_server)
        score_bids(
            evaluator_page, live_server, cast.evaluators[index], tender, scores, via_dashboard=index == 0
        )
    assert EvaluatorDeclaration.objects.filter(tender=tender, no_conflict=True).count() == 2
    assert BidScore.objects.filter(bid__tender=tender).count() == 4

    # 5. The officer sees the ranking and proposes the award to the top bid.
    follow(officer, link(officer, "Summary"), "tender page")
    follow(officer, button(officer, "See the ranking and award"), "ranking")
    ranking_rows = officer.locator("table[data-testid=ranking] tbody tr")
    assert ranking_rows.count() == 2
    assert cast.providers[0].name in ranking_rows.nth(0).inner_text()
    assert cast.providers[1].name in ranking_rows.nth(1).inner_text()
    assert officer.locator("table.govuk-table tbody .govuk-tag--green").count() == 2  # fully scored
    ranked = ranking_of(tender)
    assert [str(row.total) for row in ranked] == ["91.60", "78.87"]
    for row, expected in zip(ranking_rows.all(), ranked, strict=True):
        assert str(expected.total) in row.inner_text()  # the page shows the selector's totals
    shot(officer, live_server, "bureau-ranking")

    winner = cast.providers[0]
    follow(officer, button(officer, f"Award to {winner.name}"), "confirm the award")
    assert officer.get_by_role("heading", level=1).inner_text() == f"Award the tender to {winner.name}?"
    follow(officer, button(officer, "Confirm award"), "tender page after the award")
    assert f"Award proposed to {winner.name}" in success_banner(officer)
    tender.refresh_from_db()
    assert tender.status == Tender.Status.AWARD_PROPOSED
    assert tender.proposed_bid_id == first.pk
    assert tender.standstill_until is not None and tender.standstill_until > timezone.now()
    assert "Award proposed" in tender_status(officer)
    assert button(officer, "Finalize award").count() == 0  # not during the standstill period
    assert not Contract.objects.exists()

    # The standstill period ends (time passing); the officer makes the award final.
    flows.pass_standstill(tender)
    officer.reload()
    check(officer, "tender page after the standstill period")
    follow(officer, button(officer, "Finalize award"), "tender page after finalizing")
    assert "The award is final and the contract has been drafted." in success_banner(officer)
    tender.refresh_from_db()
    assert tender.status == Tender.Status.AWARDED and tender.awarded_at is not None
    contract = Contract.objects.get(tender=tender)
    assert contract.bid_id == first.pk and contract.provider_id == winner.pk
    assert contract.value_amount == first.price_amount
    assert contract.status == Contract.Status.DRAFT
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (Bid.Status.AWARDED, Bid.Status.NOT_AWARDED)
    assert "Awarded" in tender_status(officer)

    follow(officer, link(officer, "Open the contract"), "contract page")
    assert officer.url == f"{live_server.url}/bureau/contracts/{contract.pk}/"
    main = officer.locator("main").inner_text()
    assert contract.title in main and winner.name in main and "280,000.00" in main

    # Each provider sees the outcome of its bid on its home page.
    for page, status in zip(provider_pages, ("Awarded", "Not awarded"), strict=True):
        visit(page, "/provider/", "provider home after the award")
        your_bids = page.locator("table", has=page.locator("caption", has_text="Your bids"))
        bid_row = your_bids.locator("tbody tr", has_text=TITLE)
        assert status in bid_row.locator(".govuk-tag").inner_text()
