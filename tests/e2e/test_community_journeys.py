"""The community side (docs/rules.md §22, §23) in a real browser, every page reached by clicking from
the page the sign-in lands on, driven in English:

- community task admission: the bureau's officer sends a task without funding and not on the
  admission list; the committee's member refuses it in two clicks from its landing page ("Waiting
  for you", then "Refuse": the reason is already written); the public workload page counts the
  refusal as one of an unlisted or unfunded task — at 1280 px and on a 360 px phone;
- a resident follows their need: resident1 of the demo opens "you said, we did" from their home,
  follows the need they proposed last year from the council's decision to the tender, the contract
  and the satisfaction of those served (delivered), then rates, from their home, the home-care
  service that answers the need they proposed this spring.

Every page: one <h1>, no error summary, no serious or critical axe-core violation, not wider than
its window (and, by the ``new_page`` fixture, again at 360 px)."""

import pytest
from django.urls import reverse

from communitytasks.models import CommunityTask
from contracts.models import Contract
from demo.seed import NEED_SCAMS, NEED_VISITS, PASSWORD, seed
from evaluations.models import Rating
from needs.models import Need
from orgs.models import User

from .helpers import PHONE, sign_in
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
    open_menu_link,
    success_banner,
)

TASK = "Door-to-door check of shop licences"


def _workload_figures(page) -> dict[str, str]:
    rows = page.locator("main table tr").all()
    return {row.locator("th").inner_text().strip(): row.locator("td").inner_text().strip() for row in rows}


def test_the_committee_refuses_an_unfunded_task_in_two_clicks_and_the_public_sees_it(
    new_page, live_server, world
):
    from ..communitytasks.conftest import local_today

    # The bureau's officer sends the task from the bureau's pages, without funding or list item.
    desk = english_page(new_page, live_server, DESKTOP)
    enter(desk, live_server, world["officer"], "bureau home")
    open_menu_link(desk, "Tasks sent to communities", "the bureau's tasks")
    follow(desk, link(desk, "Send a task"), "send a task")
    desk.get_by_label("Community committee").select_option(label=world["community"].name)
    desk.get_by_label("Title").fill(TASK)
    desk.get_by_label("Scope of the work").fill("Check every shop's licence and report it.")
    desk.get_by_label("Starts").fill(local_today(5).isoformat())
    desk.get_by_label("Ends").fill(local_today(20).isoformat())
    desk.get_by_label("Funding in yuan").fill("0")
    desk.get_by_label("Budget line").select_option(value=str(world["budget_line"].pk))
    follow(desk, button(desk, "Send the task"), "the bureau's tasks, sent")
    task = CommunityTask.objects.get(title=TASK)
    assert (task.status, task.is_funded, task.is_listed) == ("proposed", False, False)
    leave(desk)

    # The committee's member: signed in, the community's landing page; click one, the waiting
    # item; click two, "Refuse" with the reason already written.
    enter(desk, live_server, world["community_member"], "community home")
    assert desk.url == f"{live_server.url}/community/"
    waiting = desk.locator("[data-testid=waiting]")
    follow(
        desk, waiting.get_by_role("link", name="Accept or refuse the tasks sent to the community"), "tasks"
    )
    card = desk.locator(f"[data-testid=task-{task.pk}]")
    assert "No funding" in card.inner_text() and "Not on the list" in card.inner_text()
    reason = card.get_by_label("Why does the community refuse this task?")
    preset = reason.input_value()
    assert preset == "The task is not on the community's admission list and comes without funding."
    follow(desk, card.get_by_role("button", name=f"Refuse – {TASK}"), "tasks, refused")
    assert "The refusal does not count against the community." in success_banner(desk)
    task.refresh_from_db()
    assert (task.status, task.reason, task.refusal_protected) == ("refused", preset, True)

    # The community's public workload page counts it, on a desktop and on a phone, signed out too.
    follow(desk, link(desk, "The community's workload"), "workload")
    workload_url = desk.url
    leave(desk)
    year = str(task.starts.year)
    for viewport in (DESKTOP, PHONE):
        public = english_page(new_page, live_server, viewport)
        public.goto(workload_url)
        check(public, f"workload at {viewport['width']} px")
        assert public.locator("[data-testid=signed-in-as]").count() == 0
        figures = _workload_figures(public)
        assert figures["Refused"] == "1"
        assert figures["of which not on the admission list or without funding"] == "1"
        chart = public.locator(f"[data-testid=workload-chart-{year}] title").text_content() or ""
        assert f"{year}: 1 sent, 0 accepted, 1 refused" in chart


@pytest.fixture
def demo(live_server):
    """The demo, loaded through the services as `make run` loads it."""
    seed()


def test_a_resident_follows_their_need_to_the_rating_of_the_service(new_page, live_server, demo):
    resident = User.objects.get(username="resident1")
    delivered = Need.objects.get(title=NEED_SCAMS)
    assert delivered.status == "delivered" and delivered.proposed_by == resident
    answered = Contract.objects.get(tender__needs=delivered)
    home_care = Contract.objects.get(tender__needs__title=NEED_VISITS)
    phone = english_page(new_page, live_server, PHONE)

    # From the resident's home to "you said, we did" of their community.
    sign_in(phone, live_server, resident.username, PASSWORD)  # the demo's password
    assert phone.locator("[data-testid=signed-in-as]").count() == 1
    check(phone, "home")
    open_menu_link(phone, "Your community's needs", "residents' needs")
    follow(phone, link(phone, "You said, we did: 玉林北路社区"), "you said, we did")
    card = phone.locator("[data-testid=need]").filter(has=phone.get_by_role("link", name=NEED_SCAMS))
    assert "Delivered" in card.inner_text()
    trace = card.locator("[data-testid=need-trace]").inner_text()
    assert answered.title in trace and "satisfied, of" in trace

    # The need: the council's decision, then the tender, the contract and its satisfaction.
    follow(phone, card.get_by_role("link", name=NEED_SCAMS), "the need")
    assert "11 for, 0 against" in main_text(phone)
    # (the contract has its tender's title: the links are told apart by where they lead)
    tender_url = reverse("public:tender", args=[answered.tender_id])
    follow(phone, phone.locator(f"[data-testid=need-trace] a[href='{tender_url}']"), "the tender")
    assert answered.tender.title in phone.locator("h1").inner_text()
    phone.go_back()
    contract_url = reverse("public:contract", args=[answered.pk])
    follow(phone, phone.locator(f"[data-testid=need-trace] a[href='{contract_url}']"), "the contract")
    assert "Completed" in main_text(phone) or "Closed" in main_text(phone)
    assert phone.locator("[data-testid=satisfaction-positive]").inner_text().endswith("%")
    assert int(phone.locator("[data-testid=satisfaction-count]").inner_text()) >= 5

    # The need proposed this spring is being delivered by home care: the resident rates it from home.
    open_menu_link(phone, "My ratings", "home")
    follow(
        phone,
        phone.locator(f"[data-testid=waiting] a[href='/resident/rate/{home_care.pk}/']"),
        "rate home care",
    )
    phone.locator("input[name=satisfaction][value='5']").check()
    follow(phone, phone.locator("main form button[type=submit]").first, "resolved?")
    phone.locator("input[name=resolved][value=yes]").check()
    follow(phone, phone.locator("main form button[type=submit]").first, "comment")
    phone.locator("textarea[name=comment]").fill("The visits help my neighbour a lot.")
    follow(phone, phone.locator("main form button[type=submit]").first, "check your answers")
    follow(phone, phone.locator("main form button[type=submit]").first, "rated")
    rating = Rating.objects.filter(contract=home_care, rater=resident).latest("created_at")
    assert (rating.satisfaction, rating.resolved) == (5, "yes")
