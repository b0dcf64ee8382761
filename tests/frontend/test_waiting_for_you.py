"""Every role's landing page says what waits for the signed-in person — each item with how many
and a link to the page where it is done — and links to every page of the role's areas. State is
built through the real services (tests/flows.py); the lists are reads in a bounded number of
queries (frontend/waiting/)."""

import re
from decimal import Decimal
from html import unescape as html_unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from communitytasks import services as community_tasks
from evaluations import services as evaluation_services
from evaluations.models import Rating
from frontend.waiting import tasks_for
from marketplace import services
from marketplace.models import Bid, Criterion
from needs import services as need_services
from orgs.models import Resident, User
from payments import services as payment_services

from .. import factories as f
from .. import flows
from ..communitytasks.conftest import send_task
from .helpers import english_client, page

pytestmark = pytest.mark.django_db


def sign_text(contract) -> str:
    """The line of a contract to sign: its title and its signing deadline (docs/rules.md §17.8)."""
    from django.utils import timezone

    from contracts.selectors import sign_by

    return f"Sign the contract “Day centre” by {timezone.localdate(sign_by(contract)).isoformat()}"


def waiting(html: str) -> list[tuple[str, str, int]]:
    """(text, link, count) of each item of the page's "Waiting for you" list."""
    block = html.split('data-testid="waiting"', 1)
    if len(block) == 1:
        return []
    items = re.findall(
        r'<a class="govuk-link govuk-task-list__link" href="([^"]+)"[^>]*>(.+?)</a>.*?'
        r'<strong class="govuk-tag govuk-tag--blue">'
        r'<span class="govuk-visually-hidden">[^<]*</span>(\d+)</strong>',
        block[1].split("</ul>", 1)[0],
        re.S,
    )
    return [(html_unescape(re.sub(r"<[^>]+>", "", text)), url, int(count)) for url, text, count in items]


def home_of(user, path: str) -> str:
    response = english_client(user).get(path)
    assert response.status_code == 200
    return page(response)


def fresh(user) -> User:
    """The user as a new request loads it (roles are cached per user object)."""
    return User.objects.get(pk=user.pk)


# --- Finance ---------------------------------------------------------------------------------------


def test_finance_is_told_of_the_instalment_to_pay_then_of_the_voucher_to_enter(world):
    contract = flows.active_contract(world, title="Bathing for the elderly")
    advance = contract.instalments.get(kind="advance")

    items = waiting(home_of(world["finance"], "/bureau/"))
    assert items == [
        (
            "Pay the advance instalment of “Bathing for the elderly”: ¥84,000.00",
            f"/bureau/instalments/{advance.pk}/pay/",
            1,
        )
    ]

    payment = payment_services.instalment_pay(actor=world["finance"], instalment=advance)
    items = waiting(home_of(world["finance"], "/bureau/"))
    assert items == [
        (
            "Confirm the payment of ¥84,000.00 for “Bathing for the elderly” with its bank voucher number",
            f"/bureau/payments/{payment.pk}/confirm/",
            1,
        )
    ]

    payment_services.payment_confirm(actor=world["finance"], payment=payment, voucher_number="V-1")
    assert "Nothing is waiting for you." in home_of(world["finance"], "/bureau/")


def test_finance_finds_payments_from_every_landing_page(world):
    dashboard = home_of(world["finance"], "/bureau/")
    assert 'data-testid="area-links"' in dashboard and 'href="/bureau/payments/"' in dashboard
    assert 'class="govuk-service-navigation__link" href="/bureau/payments/"' in dashboard  # the menu
    home = home_of(world["finance"], "/")
    assert 'href="/bureau/payments/"' in home and 'href="/bureau/contracts/"' in home
    assert "/bureau/ratings/" not in dashboard  # reviewing ratings is the officers'


def test_the_officer_has_links_to_the_contracts_and_every_officer_page(world):
    dashboard = home_of(world["officer"], "/bureau/")
    for url in ("/bureau/tenders/", "/bureau/contracts/", "/bureau/ratings/", "/bureau/residents/"):
        assert f'href="{url}"' in dashboard, url
    assert 'class="govuk-service-navigation__link" href="/bureau/contracts/"' in dashboard
    assert 'href="/bureau/payments/"' not in dashboard  # paying is finance's
    contracts = home_of(world["officer"], "/bureau/contracts/")
    assert (
        'aria-current="true"><strong class="govuk-service-navigation__active-fallback">Contracts' in contracts
    )


# --- Officer ---------------------------------------------------------------------------------------


def test_the_officer_is_told_of_questions_awards_and_signatures(world):
    published = flows.published_tender(world, title="Meals on wheels")
    for text in ("Are meals halal?", "Is there a vegetarian menu?"):
        services.question_ask(actor=world["provider_admins"][0], tender=published, text=text)
    proposed = flows.award_proposed_tender(world, title="Home care")
    draft = flows.draft_contract(world, title="Day centre")

    items = waiting(home_of(world["officer"], "/bureau/"))

    assert (
        "Answer the questions on “Meals on wheels”",
        f"/bureau/tenders/{published.pk}/questions/",
        2,
    ) in items
    assert (sign_text(draft), f"/bureau/contracts/{draft.pk}/sign/", 1) in items
    assert not any("Home care" in text for text, _url, _n in items)  # the standstill is not over

    flows.pass_standstill(proposed)
    items = waiting(home_of(world["officer"], "/bureau/"))
    assert (
        "Finalize the award of “Home care”: the standstill is over",
        f"/bureau/tenders/{proposed.pk}/",
        1,
    ) in items


def test_the_officer_is_told_to_award_only_once_every_bid_is_scored(world):
    tender = flows.evaluating_tender(world, title="Home care")
    texts = [text for text, _url, _n in waiting(home_of(world["officer"], "/bureau/"))]
    assert not any("award it" in text for text in texts)
    flows.score_all(world, tender)
    items = waiting(home_of(world["officer"], "/bureau/"))
    assert (
        "Check the ranking of “Home care” and award it",
        f"/bureau/tenders/{tender.pk}/ranking/",
        1,
    ) in items


def test_the_officer_is_told_of_the_evaluation_work_in_order(world):
    objects = flows.delivering_contract(world, title="Lunch club")
    evaluation = objects["evaluation"]
    flows.quarantined_rating(objects["residents"][0], objects["contract"])

    items = waiting(home_of(world["officer"], "/bureau/"))
    assert (
        "Enter the buyer score B of the midterm evaluation of “Lunch club”",
        f"/bureau/evaluations/{evaluation.pk}/",
        1,
    ) in items
    assert ("Review the quarantined ratings", "/bureau/ratings/", 1) in items
    assert not any(text.startswith("Finalize") for text, _url, _n in items)

    for resident in objects["residents"][1:]:
        flows.rate(resident, objects["contract"])
    flows.score_components(world, evaluation)
    flows.submit_report(world, objects["contract"], evaluation.stage)
    items = waiting(home_of(world["officer"], "/bureau/"))
    # two of three recipients counted (one rating quarantined): R cannot be computed yet
    assert not any(text.startswith("Finalize") for text, _url, _n in items)
    rating = Rating.objects.get(status=Rating.Status.QUARANTINED)
    evaluation_services.rating_review(
        actor=world["officer"], rating=rating, decision="restore", reason="A neighbour"
    )
    items = waiting(home_of(world["officer"], "/bureau/"))
    assert (
        "Finalize the midterm evaluation of “Lunch club”: every score is in",
        f"/bureau/evaluations/{evaluation.pk}/finalize/",
        1,
    ) in items
    assert not any(text.startswith("Enter the buyer") for text, _url, _n in items)

    evaluation_services.evaluation_finalize(actor=world["officer"], evaluation=evaluation)
    assert not any(
        text.startswith("Confirm the") for text, _u, _n in waiting(home_of(world["officer"], "/bureau/"))
    )
    flows.pass_appeal_window(evaluation)
    items = waiting(home_of(world["officer"], "/bureau/"))
    assert (
        "Confirm the midterm evaluation of “Lunch club”: the appeal window is over",
        f"/bureau/evaluations/{evaluation.pk}/confirm/",
        1,
    ) in items
    # finance has none of this
    assert not any("evaluation" in text for text, _u, _n in waiting(home_of(world["finance"], "/bureau/")))


def test_the_officer_and_the_committee_are_told_of_residents_to_confirm(world):
    household = f.HouseholdFactory(area=world["areas"]["compound"])
    f.ResidentFactory(household=household, status=Resident.Status.PENDING)
    item = ("Confirm the residents who registered with a household", "/bureau/residents/", 1)
    assert item in waiting(home_of(world["officer"], "/bureau/"))
    assert not any("residents" in text for text, _u, _n in waiting(home_of(world["finance"], "/bureau/")))
    community = waiting(home_of(world["community_member"], "/community/"))
    assert ("Confirm the residents who registered with a household", "/community/residents/", 1) in community


def test_the_committee_is_told_of_needs_for_the_council_and_tasks_to_answer(world):
    """The community side (docs/rules.md §22, §23): each item counts what waits and links to the page
    where it is done; a decided need and an answered task leave the list."""

    def propose(title):
        resident = f.ResidentFactory(household=f.HouseholdFactory(area=world["areas"]["compound"]))
        return need_services.need_propose(actor=resident.user, title=title, description="For the elderly.")

    first, _second = propose("A lunch table"), propose("A reading corner")
    funded, unfunded = send_task(world), send_task(world, funding=0, listed=False)
    assert waiting(home_of(world["community_member"], "/community/")) == [
        ("Record the council's decision on the residents' needs", "/community/needs/", 2),
        ("Accept or refuse the tasks sent to the community", "/community/tasks/", 2),
    ]
    # neither the bureau nor a resident is told of the committee's work
    assert not any("council" in text for text, _u, _n in waiting(home_of(world["officer"], "/bureau/")))

    need_services.need_deliberate(
        actor=world["community_member"],
        need=first,
        held_on=timezone.localdate(),
        minutes="Nine representatives met.",
        votes_for=7,
        votes_against=2,
        decision="accepted",
    )
    community_tasks.community_task_accept(actor=world["community_member"], task=funded)
    assert waiting(home_of(world["community_member"], "/community/")) == [
        ("Record the council's decision on the residents' needs", "/community/needs/", 1),
        ("Accept or refuse the tasks sent to the community", "/community/tasks/", 1),
    ]
    community_tasks.community_task_refuse(actor=world["community_member"], task=unfunded, reason="No money.")
    assert [text for text, _u, _n in waiting(home_of(world["community_member"], "/community/"))] == [
        "Record the council's decision on the residents' needs"
    ]


# --- Evaluators ------------------------------------------------------------------------------------


def test_an_evaluator_is_told_to_declare_then_how_many_bids_are_left_to_score(world):
    tender = flows.evaluating_tender(world, title="Home care")
    evaluator = world["evaluators"][0]
    assert waiting(home_of(evaluator, "/bureau/")) == [
        ("Declare any conflict of interest on “Home care”", f"/bureau/tenders/{tender.pk}/declaration/", 1)
    ]
    services.evaluator_declare(actor=evaluator, tender=tender, no_conflict=True)
    assert waiting(home_of(evaluator, "/bureau/")) == [
        ("Score the bids on “Home care”", f"/bureau/tenders/{tender.pk}/scores/", 2)
    ]
    first = tender.bids.filter(status=Bid.Status.OPENED).order_by("id").first()
    for criterion in tender.criteria.filter(kind=Criterion.Kind.QUALITY):
        services.bid_score(actor=evaluator, bid=first, criterion=criterion, score=Decimal(70))
    assert waiting(home_of(evaluator, "/bureau/")) == [
        ("Score the bids on “Home care”", f"/bureau/tenders/{tender.pk}/scores/", 1)
    ]
    # another evaluator's scores do not count as this one's
    assert waiting(home_of(world["evaluators"][1], "/bureau/"))[0][0].startswith("Declare")


# --- Assessor and committee ------------------------------------------------------------------------


def test_the_assessor_is_told_of_the_score_and_the_survey_the_committee_of_its_score(world):
    objects = flows.delivering_contract(world, title="Lunch club")
    evaluation = objects["evaluation"]
    url = f"/assessor/evaluations/{evaluation.pk}/"
    assert waiting(home_of(world["assessor_member"], "/assessor/")) == [
        ("Enter the third-party score T of the midterm evaluation of “Lunch club”", url, 1),
        (
            "Enter the sample survey of the midterm evaluation of “Lunch club”: "
            "too few residents rated online",
            url,
            1,
        ),
    ]
    for resident in objects["residents"]:  # every recipient rated: no survey is needed
        flows.rate(resident, objects["contract"])
    assert [text for text, _u, _n in waiting(home_of(world["assessor_member"], "/assessor/"))] == [
        "Enter the third-party score T of the midterm evaluation of “Lunch club”"
    ]
    assert waiting(home_of(world["community_member"], "/community/")) == [
        (
            "Enter the community score C of the midterm evaluation of “Lunch club”",
            f"/community/evaluations/{evaluation.pk}/",
            1,
        )
    ]
    flows.score_components(world, evaluation)
    assert "Nothing is waiting for you." in home_of(world["assessor_member"], "/assessor/")
    assert "Nothing is waiting for you." in home_of(world["community_member"], "/community/")


# --- Providers -------------------------------------------------------------------------------------


def test_a_provider_is_told_of_contracts_to_sign_reports_services_bids_and_answers(world):
    admin = world["provider_admins"][0]
    draft = flows.draft_contract(world, title="Day centre")
    items = waiting(home_of(admin, "/provider/"))
    assert (sign_text(draft), f"/provider/contracts/{draft.pk}/sign/", 1) in items

    objects = flows.delivering_contract(world, title="Lunch club")
    contract = objects["contract"]
    tender = flows.published_tender(world, title="Meals on wheels")
    question = services.question_ask(actor=admin, tender=tender, text="Halal?")
    services.bid_create(
        actor=admin, tender=tender, provider=world["providers"][0], data={"price_amount": 10_000_000}
    )
    items = waiting(home_of(admin, "/provider/"))
    assert (
        "Submit the midterm report on “Lunch club”",
        f"/provider/contracts/{contract.pk}/reports/new/",
        1,
    ) in items
    assert (
        "Log the services you deliver under “Lunch club”",
        f"/provider/contracts/{contract.pk}/events/new/",
        1,
    ) in items
    assert any(
        text.startswith("Finish and submit your bid on “Meals on wheels” before")
        and url == f"/provider/tenders/{tender.pk}/bid/"
        for text, url, _n in items
    )
    assert not any(text.startswith("Read the answers") for text, _u, _n in items)

    services.question_answer(actor=world["officer"], question=question, answer="Yes.")
    flows.submit_report(world, contract, "midterm")
    items = waiting(home_of(admin, "/provider/"))
    assert (
        "Read the answers to your questions on “Meals on wheels”",
        f"/provider/tenders/{tender.pk}/",
        1,
    ) in items
    assert not any(text.startswith("Submit the") for text, _u, _n in items)
    # the staff log services but do not sign for the organisation
    staff_items = waiting(home_of(world["provider_staff"][0], "/provider/"))
    assert not any(text.startswith("Sign") for text, _u, _n in staff_items)
    assert any(text.startswith("Log the services") for text, _u, _n in staff_items)
    # another provider has none of it
    assert "Nothing is waiting for you." in home_of(world["provider_admins"][1], "/provider/")


def test_the_provider_home_links_to_its_pages(world):
    html = home_of(world["provider_admins"][0], "/provider/")
    assert 'href="/provider/tenders/"' in html and 'href="/provider/contracts/"' in html


# --- Residents -------------------------------------------------------------------------------------


def test_a_resident_is_told_what_to_rate_then_until_when_the_rating_may_change(world):
    objects = flows.delivering_contract(world, title="Lunch club")
    resident = objects["residents"][0]
    contract = objects["contract"]
    assert waiting(home_of(resident.user, "/resident/")) == [
        ("Rate “Lunch club”", f"/resident/rate/{contract.pk}/", 1)
    ]
    rating = flows.rate(resident, contract)
    items = waiting(home_of(resident.user, "/resident/"))
    assert len(items) == 1
    text, url, count = items[0]
    assert text.startswith("You may change your rating of “Lunch club” until ")
    assert url == f"/resident/ratings/{rating.pk}/change/" and count == 1


def test_the_home_page_lists_each_area_with_what_waits_there(world):
    flows.active_contract(world)
    html = home_of(world["finance"], "/")
    area = html.split('data-testid="area-bureau"', 1)[1].split("</li>\n", 1)[0]
    assert 'href="/bureau/"' in area and "1 item waiting" in area


# --- Bounded queries ---------------------------------------------------------------------------------


def _queries(user, area: str) -> int:
    user = fresh(user)
    with CaptureQueriesContext(connection) as captured:
        tasks_for(user, area)
    return len(captured)


@pytest.mark.parametrize(
    ("role", "area"),
    [
        ("officer", "bureau"),
        ("finance", "bureau"),
        ("assessor_member", "assessor"),
        ("community_member", "community"),
        ("provider_admin", "provider"),
    ],
)
def test_the_waiting_lists_take_the_same_queries_for_one_item_or_many(world, role, area):
    user = world["provider_admins"][0] if role == "provider_admin" else world[role]

    def more_work():
        line = f.BudgetLineFactory(bureau=world["bureau"], amount=100_000_000)
        objects = flows.delivering_contract(world, budget_line=line)
        flows.quarantined_rating(objects["residents"][0], objects["contract"])
        flows.draft_contract(
            world, budget_line=f.BudgetLineFactory(bureau=world["bureau"], amount=100_000_000)
        )
        if area == "community":  # the community side: a need for the council, a task to answer
            resident = f.ResidentFactory(household=f.HouseholdFactory(area=world["areas"]["compound"]))
            need_services.need_propose(actor=resident.user, title="A need", description="For the elderly.")
            send_task(world, funding=0, listed=False)

    more_work()
    one = _queries(user, area)
    for _ in range(2):
        more_work()
    assert len(tasks_for(fresh(user), area)) > 1
    assert _queries(user, area) == one


def test_a_residents_waiting_list_takes_the_same_queries_for_one_service_or_many(world):
    """Whether the resident may rate each contract (not a party's member) is one query for all."""
    resident = flows.delivering_contract(world, households=1)["residents"][0]
    one = _queries(resident.user, "resident")
    for _ in range(2):
        line = f.BudgetLineFactory(bureau=world["bureau"], amount=100_000_000)
        contract = flows.delivering_contract(world, households=1, budget_line=line)["contract"]
        flows.log_service(world, contract, [resident.household])
    assert len(tasks_for(fresh(resident.user), "resident")) == 3
    assert _queries(resident.user, "resident") == one
