"""Residents' needs (docs/rules.md §22) in a real browser, every page reached by clicking from the
page the sign-in lands on (signed out: from the landing page), driven in English: a resident proposes
a need on a 360 px phone, a neighbour supports it, the committee records the council's decision on
a desktop, and anyone follows it on the community's "you said, we did" page, which never names who
asked. Every page: one <h1>, no error summary, no serious or critical axe-core violation, not wider
than its window (and, by the ``new_page`` fixture, again at 360 px)."""

from django.utils import timezone

from needs.models import Need

from .. import factories as f
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

TITLE = "A lunch table for older residents"


def test_a_need_goes_from_a_residents_phone_to_the_council_and_the_public_page(new_page, live_server, world):
    compound = world["areas"]["compound"]
    proposer = f.ResidentFactory(household=f.HouseholdFactory(area=compound)).user
    neighbour = f.ResidentFactory(household=f.HouseholdFactory(area=compound)).user
    phone = english_page(new_page, live_server, PHONE)

    # The resident proposes from "Your work" on the home page.
    enter(phone, live_server, proposer, "home")
    follow(phone, link(phone, "Propose a need"), "propose a need")
    phone.get_by_label("What does your community need?").fill(TITLE)
    phone.get_by_label("Describe the need").fill("Hot lunches near the compound, five days a week.")
    follow(phone, button(phone, "Send to the council"), "the need")
    assert "Your need is sent to your community" in success_banner(phone)
    assert "Awaiting the council" in main_text(phone)
    leave(phone)

    # A neighbour finds it among the community's needs and supports it.
    enter(phone, live_server, neighbour, "home")
    follow(phone, link(phone, "Your community's needs"), "residents' needs")
    follow(phone, link(phone, TITLE), "the need")
    follow(phone, button(phone, "Support this need"), "the need, supported")
    assert "Your household supports this need." in success_banner(phone)
    assert phone.locator("[data-testid=supporters]").inner_text().startswith("2")
    leave(phone)

    # The committee's member records the council's decision from the community area.
    desk = english_page(new_page, live_server, DESKTOP)
    enter(desk, live_server, world["community_member"], "community home")
    assert desk.url == f"{live_server.url}/community/"
    follow(desk, link(desk, "Needs for the council"), "the council's needs")
    follow(desk, desk.locator("[data-testid=need-waiting] a").first, "record the decision")
    proposed_on = timezone.localdate(Need.objects.get(title=TITLE).submitted_at)  # Asia/Shanghai
    desk.get_by_label("Date of the council meeting").fill(proposed_on.isoformat())
    desk.get_by_label("Minutes").fill("Nine representatives met; the proposal was read and discussed.")
    desk.get_by_label("Votes for").fill("8")
    desk.get_by_label("Votes against").fill("1")
    desk.get_by_label("Accepted by the council", exact=True).check()
    follow(desk, button(desk, "Record the decision"), "the council's needs, decided")
    assert "The council's decision is recorded." in success_banner(desk)
    leave(desk)

    # Anyone follows it from the landing page, without learning who asked.
    public = english_page(new_page, live_server, PHONE)
    public.goto(live_server.url + "/")
    check(public, "landing page")
    follow(public, link(public, "What residents asked for, and what was done"), "residents' needs")
    follow(public, link(public, TITLE), "the need, public")
    assert "8 for, 1 against" in main_text(public)
    assert "Nine representatives met" not in main_text(public)
    follow(public, link(public, f"You said, we did: {compound.parent.name}"), "you said, we did")
    text = main_text(public)
    assert TITLE in text and proposer.username not in text and neighbour.username not in text
    assert Need.objects.get(title=TITLE).status == "accepted"
