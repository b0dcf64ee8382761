"""The bureau's procurement pages: dashboard, tenders, the task list that creates a tender, questions,
bids, the evaluators' declarations and scores, the ranking and the award. Every write goes through
the marketplace services; these tests drive the pages as the bureau's members would."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone

from contracts.models import Contract
from marketplace import services
from marketplace.models import Bid, BidScore, Criterion, EvaluatorDeclaration, Tender
from marketplace.selectors import ranking_of
from tests import factories as f
from tests import flows

from .helpers import messages_of, page

pytestmark = pytest.mark.django_db


def section_answers(world) -> dict[str, dict]:
    """Complete answers for every section of the task list, as the officer would type them."""
    deadline = timezone.localdate() + datetime.timedelta(days=14)
    start = deadline + datetime.timedelta(days=7)
    return {
        "service": {
            "title": "Elderly day care 2027",
            "description": "Day care for residents over 80.",
            "catalogue_item": world["catalogue_item"].pk,
            "beneficiaries": "Residents over 80 living alone",
            "initiative_reason": "The district plan for elderly care.",
        },
        "areas-budget": {
            "areas": [world["areas"]["street"].pk],
            "budget_line": world["budget_line"].pk,
            "ceiling": "300000.00",
        },
        "timetable": {
            "deadline_date": deadline.isoformat(),
            "deadline_time": "17:00",
            "service_start": start.isoformat(),
            "service_end": (start + datetime.timedelta(days=300)).isoformat(),
            "multi_year_justification": "",
        },
        "criteria": {
            "price_weight": "30",
            "quality_1_name": "Service plan",
            "quality_1_weight": "40",
            "quality_2_name": "Team",
            "quality_2_weight": "30",
        },
        "kpis": {"kpi_1_name": "Home visits", "kpi_1_target": "1200", "kpi_1_unit": "visits"},
        "payment-scoring": {
            "advance_share": "30",
            "interim_share": "40",
            "holdback_share": "30",
            "weight_third_party": "0.40",
            "weight_buyer": "0.20",
            "weight_residents": "0.30",
            "weight_community": "0.10",
            "min_bids": "2",
            "standstill_days": "7",
        },
    }


def answer_every_section(client, world, base="/bureau/tenders/new/", **overrides) -> None:
    for slug, answers in section_answers(world).items():
        data = {**answers, **overrides.get(slug, {}), "completed": "yes"}
        response = client.post(f"{base}{slug}/", data)
        assert response.status_code == 302, (slug, response.context and response.context["form"].errors)


# --- Access -------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(world, as_user):
    tender = flows.draft_tender(world)
    client = as_user(None)
    for path in (
        "/bureau/",
        "/bureau/tenders/",
        "/bureau/tenders/new/",
        "/bureau/tenders/new/service/",
        f"/bureau/tenders/{tender.pk}/",
        f"/bureau/tenders/{tender.pk}/bids/",
        f"/bureau/tenders/{tender.pk}/ranking/",
    ):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/login/?next="), path


def test_providers_and_wrong_roles_get_403(world, as_user):
    tender = flows.published_tender(world)
    client = as_user(world["provider_admins"][0])
    for path in ("/bureau/", "/bureau/tenders/", f"/bureau/tenders/{tender.pk}/", "/bureau/tenders/new/"):
        assert client.get(path).status_code == 403, path
    # Creating tenders is the officers' work; finance reads.
    client = as_user(world["finance"])
    assert client.get("/bureau/tenders/new/").status_code == 403
    assert client.get("/bureau/").status_code == 200


def test_another_bureaus_tender_is_not_found(world, as_user):
    ours = flows.published_tender(world)
    client = as_user(world["other_officer"])
    for path in (
        f"/bureau/tenders/{ours.pk}/",
        f"/bureau/tenders/{ours.pk}/questions/",
        f"/bureau/tenders/{ours.pk}/bids/",
        f"/bureau/tenders/{ours.pk}/ranking/",
        f"/bureau/tenders/{ours.pk}/edit/",
    ):
        assert client.get(path).status_code == 404, path
    response = client.post(f"/bureau/tenders/{ours.pk}/cancel/", {"reason": "Mine now"})
    assert response.status_code == 404
    ours.refresh_from_db()
    assert ours.status == Tender.Status.PUBLISHED


# --- Dashboard and list ---------------------------------------------------------------------------


def test_dashboard_shows_budget_states_and_what_waits(world, as_user):
    published = flows.published_tender(world, title="Meals on wheels")
    services.question_ask(actor=world["provider_admins"][0], tender=published, text="Are meals halal?")
    flows.pass_deadline(flows.published_tender(world, title="Past deadline tender"))
    response = as_user(world["officer"]).get("/bureau/")
    assert response.status_code == 200
    html = page(response)
    assert "Budget use" in html and "¥1,000,000.00" in html  # the budget line's amount
    assert "¥600,000.00" in html  # committed by the two published ceilings
    assert "Tenders by state" in html and "data-chart" in html
    assert "Answer the questions on “Meals on wheels”" in html
    assert f"/bureau/tenders/{published.pk}/questions/" in html
    assert "Close bidding on “Past deadline tender”" in html
    assert "Create a tender" in html


def test_dashboard_asks_evaluators_to_declare_and_score(world, as_user):
    tender = flows.evaluating_tender(world, title="Home care")
    client = as_user(world["evaluators"][0])
    html = page(client.get("/bureau/"))
    assert "Declare any conflict of interest on “Home care”" in html
    assert "Create a tender" not in html
    services.evaluator_declare(actor=world["evaluators"][0], tender=tender, no_conflict=True)
    html = page(client.get("/bureau/"))
    assert "Score the bids on “Home care”" in html


def test_dashboard_lists_contracts_at_risk(world, as_user):
    from contracts import services as contract_services

    contract = flows.active_contract(world)
    contract_services.contract_suspend(actor=world["officer"], contract=contract, reason="Audit")
    html = page(as_user(world["bureau_admin"]).get("/bureau/"))
    assert "Contracts at risk" in html
    assert contract.title in html and f"/bureau/contracts/{contract.pk}/" in html


def test_tender_list_filters_by_status(world, as_user):
    flows.draft_tender(world, title="A draft one")
    flows.published_tender(world, title="A published one")
    flows.draft_tender(
        world,
        title="Elsewhere",
        bureau=world["other_bureau"],
        budget_line=f.BudgetLineFactory(bureau=world["other_bureau"]),
    )
    client = as_user(world["officer"])
    html = page(client.get("/bureau/tenders/"))
    assert "A draft one" in html and "A published one" in html and "Elsewhere" not in html
    html = page(client.get("/bureau/tenders/?status=published"))
    assert "A published one" in html and "A draft one" not in html


# --- Task list ------------------------------------------------------------------------------------


def test_task_list_statuses_follow_the_answers(world, as_user):
    client = as_user(world["officer"])
    html = page(client.get("/bureau/tenders/new/"))
    assert html.count("Not yet started") == 6
    assert "Cannot start yet" in html and 'href="/bureau/tenders/new/check/"' not in html

    answers = section_answers(world)
    client.post("/bureau/tenders/new/service/", {"title": "Half done", "completed": "no"})
    client.post("/bureau/tenders/new/timetable/", {**answers["timetable"], "completed": "yes"})
    response = client.get("/bureau/tenders/new/")
    html = page(response)
    assert html.count("Not yet started") == 4
    assert "In progress" in html and "Completed" in html
    assert "You have completed 1 of 6 sections." in html
    # Returning to a section finds the answers pre-filled.
    html = page(client.get("/bureau/tenders/new/service/"))
    assert 'value="Half done"' in html

    answer_every_section(client, world)
    html = page(client.get("/bureau/tenders/new/"))
    assert "Cannot start yet" not in html and 'href="/bureau/tenders/new/check/"' in html


def test_payment_section_is_pre_filled_with_the_defaults(world, as_user):
    html = page(as_user(world["officer"]).get("/bureau/tenders/new/payment-scoring/"))
    assert 'name="advance_share" value="30"' in html
    assert 'name="weight_residents" value="0.30"' in html
    assert f'name="standstill_days" value="{settings.MARKETPLACE_STANDSTILL_DAYS}"' in html


def test_a_section_with_errors_keeps_the_values_and_saves_nothing(world, as_user):
    client = as_user(world["officer"])
    response = client.post(
        "/bureau/tenders/new/service/",
        {
            "title": "",
            "description": "Keep me",
            "catalogue_item": world["catalogue_item"].pk,
            "completed": "yes",
        },
    )
    assert response.status_code == 200
    html = page(response)
    assert "govuk-error-summary" in html and "<title>Error:" in html
    assert "Keep me" in html
    assert "bureau:tender-draft:new" not in client.session

    response = client.post(
        "/bureau/tenders/new/timetable/",
        {**section_answers(world)["timetable"], "deadline_date": "30/09/2026", "completed": "yes"},
    )
    assert response.status_code == 200
    assert 'value="30/09/2026"' in page(response)


def test_check_answers_then_create_a_draft_tender(world, as_user):
    client = as_user(world["officer"])
    assert client.get("/bureau/tenders/new/check/").status_code == 302  # not before every section
    answer_every_section(client, world)
    response = client.get("/bureau/tenders/new/check/")
    html = page(response)
    assert "Check your answers" in html
    assert "Elderly day care 2027" in html and "¥300,000.00" in html and "Service plan" in html
    assert 'Change<span class="govuk-visually-hidden"> title</span>' in html
    assert 'href="/bureau/tenders/new/service/?return=check"' in html
    assert "Create draft tender" in html

    # A Change link goes back to the section, then straight back to the check page.
    response = client.post(
        "/bureau/tenders/new/service/?return=check",
        {**section_answers(world)["service"], "title": "Elderly day care 2027 (revised)", "completed": "yes"},
    )
    assert response["Location"] == "/bureau/tenders/new/check/"

    response = client.post("/bureau/tenders/new/check/")
    tender = Tender.objects.get(title="Elderly day care 2027 (revised)")
    assert response["Location"] == f"/bureau/tenders/{tender.pk}/"
    assert tender.status == Tender.Status.DRAFT and tender.bureau == world["bureau"]
    assert tender.ceiling_amount == 30_000_000
    assert [(c.kind, c.weight) for c in tender.criteria.all()] == [
        ("price", 30),
        ("quality", 40),
        ("quality", 30),
    ]
    assert [(k.name, k.target) for k in tender.kpis.all()] == [("Home visits", Decimal(1200))]
    assert [(p.kind, p.share_pct) for p in tender.payment_schedule.all()] == [
        ("advance", Decimal(30)),
        ("interim", Decimal(40)),
        ("holdback", Decimal(30)),
    ]
    assert list(tender.areas.all()) == [world["areas"]["street"]]
    assert timezone.localtime(tender.bid_deadline).strftime("%H:%M") == "17:00"
    assert "bureau:tender-draft:new" not in client.session

    html = page(client.get(response["Location"]))
    assert "Publish tender" in html and "Draft tender created" in html


def test_service_errors_show_against_their_section(world, as_user):
    client = as_user(world["officer"])
    answer_every_section(client, world)
    # Every section was valid when saved; the catalogue item is retired before the officer confirms.
    world["catalogue_item"].is_active = False
    world["catalogue_item"].save(update_fields=["is_active"])
    response = client.post("/bureau/tenders/new/check/")
    assert response["Location"] == "/bureau/tenders/new/"
    assert not Tender.objects.exists()
    html = page(client.get("/bureau/tenders/new/"))
    assert "There is a problem" in html and "This catalogue item is no longer in use." in html
    assert 'href="#task-service"' in html
    assert '<strong class="govuk-tag govuk-tag--red">There is a problem</strong>' in html
    # The section shows the error on its field, with the answers kept.
    html = page(client.get("/bureau/tenders/new/service/"))
    assert "This catalogue item is no longer in use." in html and 'value="Elderly day care 2027"' in html
    # Fixing the section clears the problem and the tender can be created.
    world["catalogue_item"].is_active = True
    world["catalogue_item"].save(update_fields=["is_active"])
    client.post("/bureau/tenders/new/service/", {**section_answers(world)["service"], "completed": "yes"})
    assert "There is a problem" not in page(client.get("/bureau/tenders/new/"))
    client.post("/bureau/tenders/new/check/")
    assert Tender.objects.filter(status=Tender.Status.DRAFT).count() == 1


def test_edit_a_draft_through_the_same_task_list(world, as_user):
    tender = flows.draft_tender(world, title="Old title")
    client = as_user(world["officer"])
    html = page(client.get(f"/bureau/tenders/{tender.pk}/"))
    assert "Edit draft tender" in html
    html = page(client.get(f"/bureau/tenders/{tender.pk}/edit/"))
    assert html.count("Completed") >= 6
    html = page(client.get(f"/bureau/tenders/{tender.pk}/edit/service/"))
    assert 'value="Old title"' in html
    form = {
        "title": "New title",
        "catalogue_item": tender.catalogue_item_id,
        "initiative_reason": tender.initiative_reason,
        "completed": "yes",
    }
    client.post(f"/bureau/tenders/{tender.pk}/edit/service/?return=check", form)
    response = client.post(f"/bureau/tenders/{tender.pk}/edit/check/")
    assert response["Location"] == f"/bureau/tenders/{tender.pk}/"
    tender.refresh_from_db()
    assert tender.title == "New title"
    assert tender.criteria.count() == 3 and tender.kpis.count() == 1
    # A published tender is no longer edited.
    services.tender_publish(actor=world["officer"], tender=tender)
    assert client.get(f"/bureau/tenders/{tender.pk}/edit/").status_code == 404


# --- Tender page and transitions -------------------------------------------------------------------


def test_only_available_transitions_are_shown(world, as_user):
    draft = flows.draft_tender(world)
    officer = as_user(world["officer"])
    html = page(officer.get(f"/bureau/tenders/{draft.pk}/"))
    assert "Publish tender" in html and "Cancel tender" in html
    assert (
        "Close bidding" not in html
        and "Finalize award" not in html
        and "See the ranking and award" not in html
    )

    published = flows.published_tender(world)
    html = page(officer.get(f"/bureau/tenders/{published.pk}/"))
    assert "Publish tender" not in html and "Close bidding" not in html and "Cancel tender" in html
    flows.pass_deadline(published)
    assert "Close bidding and open bids" in page(officer.get(f"/bureau/tenders/{published.pk}/"))

    # Finance reads: no buttons at all.
    html = page(as_user(world["finance"]).get(f"/bureau/tenders/{draft.pk}/"))
    assert "Publish tender" not in html and "Cancel tender" not in html and "Edit draft tender" not in html


def test_publish_through_the_page(world, as_user):
    tender = flows.draft_tender(world)
    response = as_user(world["officer"]).post(f"/bureau/tenders/{tender.pk}/publish/", follow=True)
    tender.refresh_from_db()
    assert tender.status == Tender.Status.PUBLISHED and tender.committed_amount == tender.ceiling_amount
    assert "Tender published" in " ".join(messages_of(response))
    html = page(response)
    assert "Published" in html and "History" in html


def test_publish_refusal_is_shown_and_changes_nothing(world, as_user):
    tender = flows.draft_tender(world, bid_deadline=f.in_days(2))
    response = as_user(world["officer"]).post(f"/bureau/tenders/{tender.pk}/publish/", follow=True)
    tender.refresh_from_db()
    assert tender.status == Tender.Status.DRAFT
    assert "at least 10 days after publication" in page(response)


def test_cancel_needs_a_reason(world, as_user):
    tender = flows.published_tender(world)
    client = as_user(world["officer"])
    response = client.post(f"/bureau/tenders/{tender.pk}/cancel/", {"reason": ""})
    assert response.status_code == 200 and "govuk-error-summary" in page(response)
    tender.refresh_from_db()
    assert tender.status == Tender.Status.PUBLISHED
    response = client.post(f"/bureau/tenders/{tender.pk}/cancel/", {"reason": "Funding withdrawn"})
    tender.refresh_from_db()
    assert tender.status == Tender.Status.CANCELLED and tender.cancel_reason == "Funding withdrawn"
    assert tender.committed_amount == 0


def test_answer_a_question(world, as_user):
    tender = flows.published_tender(world)
    question = services.question_ask(
        actor=world["provider_admins"][0], tender=tender, text="Is lunch included?"
    )
    client = as_user(world["officer"])
    html = page(client.get(f"/bureau/tenders/{tender.pk}/questions/"))
    assert "Is lunch included?" in html and "Publish answer" in html
    url = f"/bureau/tenders/{tender.pk}/questions/{question.pk}/answer/"
    response = client.post(url, {f"q{question.pk}-answer": ""})
    assert response.status_code == 200 and "govuk-error-summary" in page(response)
    client.post(url, {f"q{question.pk}-answer": "Yes, a hot lunch."})
    question.refresh_from_db()
    assert question.answer == "Yes, a hot lunch." and question.is_answered
    # Evaluators read questions but do not answer them.
    html = page(as_user(world["evaluators"][0]).get(f"/bureau/tenders/{tender.pk}/questions/"))
    assert "Yes, a hot lunch." in html and "Publish answer" not in html


# --- Bids, scoring, ranking, award ---------------------------------------------------------------------


def test_bids_stay_sealed_before_the_deadline(world, as_user):
    tender = flows.published_tender(world)
    flows.submitted_bid(world, tender, 0, 28_000_000)
    for user in (world["officer"], world["evaluators"][0]):
        client = as_user(user)
        for path in (f"/bureau/tenders/{tender.pk}/bids/", f"/bureau/tenders/{tender.pk}/ranking/"):
            response = client.get(path)
            assert response.status_code == 200
            html = page(response)
            assert "Bids stay sealed until the deadline" in html
            assert world["providers"][0].name not in html and "280,000.00" not in html


def test_close_then_list_bids_and_disqualify(world, as_user):
    tender = flows.published_tender(world)
    bid = flows.submitted_bid(world, tender, 0, 28_000_000)
    flows.submitted_bid(world, tender, 1, 30_000_000)
    flows.pass_deadline(tender)
    client = as_user(world["officer"])
    client.post(f"/bureau/tenders/{tender.pk}/close/")
    tender.refresh_from_db()
    assert tender.status == Tender.Status.EVALUATING
    html = page(client.get(f"/bureau/tenders/{tender.pk}/bids/"))
    assert world["providers"][0].name in html and "¥280,000.00" in html
    html = page(client.get(f"/bureau/tenders/{tender.pk}/bids/{bid.pk}/"))
    assert "Disqualify bid" in html
    url = f"/bureau/tenders/{tender.pk}/bids/{bid.pk}/disqualify/"
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200 and "govuk-error-summary" in page(response)
    client.post(url, {"reason": "Forged licence"})
    bid.refresh_from_db()
    assert bid.status == Bid.Status.DISQUALIFIED and bid.disqualification_reason == "Forged licence"


def test_evaluator_declares_then_scores_each_bid(world, as_user):
    tender = flows.evaluating_tender(world)
    evaluator = world["evaluators"][0]
    client = as_user(evaluator)
    assert "Declare and score bids" in page(client.get(f"/bureau/tenders/{tender.pk}/"))
    # Scoring waits for the declaration.
    assert (
        client.get(f"/bureau/tenders/{tender.pk}/scores/")["Location"]
        == f"/bureau/tenders/{tender.pk}/declaration/"
    )
    response = client.post(f"/bureau/tenders/{tender.pk}/declaration/", {})
    assert response.status_code == 200 and "Confirm that you have no conflict of interest" in page(response)
    assert not EvaluatorDeclaration.objects.exists()
    response = client.post(f"/bureau/tenders/{tender.pk}/declaration/", {"no_conflict": "on"})
    assert response["Location"] == f"/bureau/tenders/{tender.pk}/scores/"

    html = page(client.get(f"/bureau/tenders/{tender.pk}/scores/"))
    bids = list(tender.bids.order_by("id"))
    criteria = list(tender.criteria.filter(kind=Criterion.Kind.QUALITY))
    assert f"Save scores for {bids[0].provider.name}" in html
    # A score out of range is refused by the form, values kept, nothing saved.
    bad = {f"bid{bids[0].pk}-criterion_{c.pk}": "150" for c in criteria}
    response = client.post(f"/bureau/tenders/{tender.pk}/scores/{bids[0].pk}/", bad)
    assert response.status_code == 200 and 'value="150"' in page(response)
    assert not BidScore.objects.exists()
    # The htmx save answers with the card alone.
    good = {f"bid{bids[0].pk}-criterion_{c.pk}": "85" for c in criteria}
    response = client.post(f"/bureau/tenders/{tender.pk}/scores/{bids[0].pk}/", good, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Scores saved." in page(response) and "<html" not in page(response)
    assert BidScore.objects.filter(evaluator=evaluator, bid=bids[0]).count() == len(criteria)
    # Without JavaScript the form posts and comes back to the page.
    good = {f"bid{bids[1].pk}-criterion_{c.pk}": "70" for c in criteria}
    response = client.post(f"/bureau/tenders/{tender.pk}/scores/{bids[1].pk}/", good)
    assert response["Location"] == f"/bureau/tenders/{tender.pk}/scores/"
    assert BidScore.objects.filter(evaluator=evaluator).count() == 2 * len(criteria)


def test_officers_do_not_score(world, as_user):
    tender = flows.evaluating_tender(world)
    client = as_user(world["officer"])
    assert "Declare and score bids" not in page(client.get(f"/bureau/tenders/{tender.pk}/"))
    assert client.get(f"/bureau/tenders/{tender.pk}/scores/").status_code == 403


def test_ranking_then_award_to_the_top_bid(world, as_user):
    tender = flows.evaluating_tender(world)
    client = as_user(world["officer"])
    html = page(client.get(f"/bureau/tenders/{tender.pk}/ranking/"))
    assert "Scoring incomplete" in html
    flows.score_all(world, tender)
    top, other = (row.bid for row in ranking_of(tender))
    html = page(client.get(f"/bureau/tenders/{tender.pk}/ranking/"))
    assert f"Award to {top.provider.name}" in html and f"Award to {other.provider.name}" not in html
    html = page(client.get(f"/bureau/tenders/{tender.pk}/award/{top.pk}/"))
    assert f"Award the tender to {top.provider.name}?" in html and "Confirm award" in html
    tender.refresh_from_db()
    assert tender.status == Tender.Status.EVALUATING  # the confirmation page changes nothing

    response = client.post(f"/bureau/tenders/{tender.pk}/award/{top.pk}/", follow=True)
    tender.refresh_from_db()
    assert tender.status == Tender.Status.AWARD_PROPOSED and tender.proposed_bid == top
    html = page(response)
    assert "Award proposed" in html and "Finalize award" not in html
    # Evaluators see the ranking but cannot award.
    html = page(as_user(world["evaluators"][0]).get(f"/bureau/tenders/{tender.pk}/ranking/"))
    assert "Award to" not in html


def test_award_to_a_lower_ranked_bid_is_refused(world, as_user):
    tender = flows.evaluating_tender(world)
    flows.score_all(world, tender)
    other = ranking_of(tender)[1].bid
    response = as_user(world["officer"]).post(f"/bureau/tenders/{tender.pk}/award/{other.pk}/", follow=True)
    tender.refresh_from_db()
    assert tender.status == Tender.Status.EVALUATING
    assert "Only the top-ranked bid can be awarded." in page(response)


def test_finalize_award_after_the_standstill(world, as_user):
    tender = flows.pass_standstill(flows.award_proposed_tender(world))
    client = as_user(world["officer"])
    assert "Finalize award" in page(client.get(f"/bureau/tenders/{tender.pk}/"))
    response = client.post(f"/bureau/tenders/{tender.pk}/finalize-award/", follow=True)
    tender.refresh_from_db()
    assert tender.status == Tender.Status.AWARDED
    contract = Contract.objects.get(tender=tender)
    assert f"/bureau/contracts/{contract.pk}/" in page(response)


def test_the_whole_journey_through_the_pages(world, as_user):
    """Officer creates via the task list and publishes; two providers bid; the deadline passes;
    the officer closes; both evaluators declare and score; the officer awards the top bid."""
    officer = as_user(world["officer"])
    answer_every_section(officer, world)
    officer.post("/bureau/tenders/new/check/")
    tender = Tender.objects.get()
    officer.post(f"/bureau/tenders/{tender.pk}/publish/")
    tender.refresh_from_db()
    assert tender.status == Tender.Status.PUBLISHED
    flows.submitted_bid(world, tender, 0, 28_000_000)
    flows.submitted_bid(world, tender, 1, 30_000_000)
    flows.pass_deadline(tender)
    officer.post(f"/bureau/tenders/{tender.pk}/close/")
    tender.refresh_from_db()
    assert tender.status == Tender.Status.EVALUATING
    criteria = list(tender.criteria.filter(kind=Criterion.Kind.QUALITY))
    for evaluator in world["evaluators"]:
        client = as_user(evaluator)
        client.post(f"/bureau/tenders/{tender.pk}/declaration/", {"no_conflict": "on"})
        for bid in tender.bids.all():
            client.post(
                f"/bureau/tenders/{tender.pk}/scores/{bid.pk}/",
                {f"bid{bid.pk}-criterion_{c.pk}": "80" for c in criteria},
            )
    officer = as_user(world["officer"])
    top = ranking_of(tender)[0].bid
    assert top.provider == world["providers"][0]
    assert f"Award to {top.provider.name}" in page(officer.get(f"/bureau/tenders/{tender.pk}/ranking/"))
    officer.post(f"/bureau/tenders/{tender.pk}/award/{top.pk}/")
    tender.refresh_from_db()
    assert tender.status == Tender.Status.AWARD_PROPOSED


def test_dashboard_lists_the_case_work_waiting(world, as_user):
    objects = flows.delivering_contract(world)
    contract = objects["contract"]
    flows.quarantined_rating(objects["residents"][0], contract)
    html = page(as_user(world["officer"]).get("/bureau/"))
    assert f"Enter the buyer score B of the midterm evaluation of “{contract.title}”" in html
    assert f"/bureau/evaluations/{objects['evaluation'].pk}/" in html
    assert "Finalize the" not in html  # not before every score and the report are in
    assert "Review the quarantined ratings" in html and "/bureau/ratings/" in html
    assert "Pay the" not in html  # paying is finance's work
    html = page(as_user(world["finance"]).get("/bureau/"))
    assert (
        f'Pay the advance instalment of “{contract.title}”: <span class="shequ-value">¥84,000.00</span>'
        in html
    )
    assert "Finalize the" not in html


def test_dashboard_asks_the_officer_to_sign_a_draft_contract(world, as_user):
    contract = flows.draft_contract(world)
    html = page(as_user(world["officer"]).get("/bureau/"))
    assert (
        f"Sign the contract “{contract.title}”" in html and f"/bureau/contracts/{contract.pk}/sign/" in html
    )
