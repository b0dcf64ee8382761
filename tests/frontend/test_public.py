"""The public pages: home, tender search (filters, htmx partial, pagination, query counts), a
tender's terms and award, contract summaries with published evaluations and satisfaction, provider
profiles, and help with the feedback form. The public sees what the API shows the public."""

import re
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contracts.models import Contract
from marketplace import services
from marketplace.models import Tender
from orgs.models import Organization

from .. import factories as f
from .. import flows
from .helpers import page

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client, settings):
    """The assertions read the English text; the pages default to Simplified Chinese."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def sign_in(client, user):
    client.force_login(user)
    client.cookies["django_language"] = "en"  # logout() drops every cookie
    return client


def other_bureau_tender(world, **fields) -> Tender:
    """A published tender of the other bureau, serving the other district."""
    bureau = world["other_bureau"]
    tender = f.TenderFactory(
        bureau=bureau,
        budget_line=f.BudgetLineFactory(bureau=bureau),
        catalogue_item=world["catalogue_item"],
        **fields,
    )
    return services.tender_publish(actor=world["other_officer"], tender=tender)


# --- Home ------------------------------------------------------------------------------------------


def test_home_shows_open_tenders_awards_and_figures(world, client):
    published = flows.published_tender(world, title="Open lunch club")
    flows.draft_tender(world, title="Secret draft")
    closed = flows.published_tender(world, title="Deadline passed tender")
    flows.pass_deadline(closed)
    contract = flows.active_contract(world, title="Awarded day care")

    response = client.get("/")

    assert response.status_code == 200
    html = page(response)
    assert published.title in html and "Secret draft" not in html
    assert "Deadline passed tender" not in html  # open means the deadline is still ahead
    assert "Awarded day care" in html and f"/contracts/{contract.pk}/" in html
    assert f"/providers/{contract.provider_id}/" in html
    assert 'data-testid="open-count">1<' in html
    assert 'data-testid="active-count">1<' in html
    assert "/accounts/signup/" in html  # anonymous: how to take part


def test_home_links_a_signed_in_user_to_their_area(world, client):
    response = sign_in(client, world["officer"]).get("/")
    assert 'href="/bureau/"' in page(response)


# --- Tender search ---------------------------------------------------------------------------------


def test_tender_list_shows_public_tenders_only(world, client):
    flows.published_tender(world, title="Published one")
    flows.draft_tender(world, title="Draft one")
    html = page(client.get("/tenders/"))
    assert "Published one" in html and "Draft one" not in html
    assert "¥300,000.00" in html and "Published" in html


def test_own_bureau_sees_its_draft_in_the_list_like_the_api(world, client):
    flows.draft_tender(world, title="Draft one")
    assert "Draft one" in page(sign_in(client, world["officer"]).get("/tenders/"))
    client.logout()
    assert "Draft one" not in page(sign_in(client, world["other_officer"]).get("/tenders/"))


def test_free_text_filter_narrows_the_list(world, client):
    flows.published_tender(world, title="Elderly lunch club")
    flows.published_tender(world, title="Youth football", description="Sport after school")
    html = page(client.get("/tenders/", {"q": "lunch"}))
    assert "Elderly lunch club" in html and "Youth football" not in html
    html = page(client.get("/tenders/", {"q": "after school"}))  # the description counts too
    assert "Youth football" in html and "Elderly lunch club" not in html


def test_category_filter_narrows_the_list(world, client):
    other_item = f.CatalogueItemFactory(name="Child care")
    flows.published_tender(world, title="Elderly tender")
    flows.published_tender(world, title="Child tender", catalogue_item=other_item)
    html = page(client.get("/tenders/", {"catalogue_item": other_item.pk}))
    assert "Child tender" in html and "Elderly tender" not in html


def test_area_filter_takes_the_subtree(world, client):
    flows.published_tender(world, title="Wuhou tender")
    other_bureau_tender(world, title="Jinjiang tender")
    areas = world["areas"]

    html = page(client.get("/tenders/", {"area": areas["other_district"].pk}))
    assert "Jinjiang tender" in html and "Wuhou tender" not in html
    # a community inside Wuhou: the tender serving all of Wuhou serves it too
    html = page(client.get("/tenders/", {"area": areas["community"].pk}))
    assert "Wuhou tender" in html and "Jinjiang tender" not in html


def test_status_filter_narrows_the_list(world, client):
    flows.published_tender(world, title="Still open")
    cancelled = flows.published_tender(world, title="Called off")
    services.tender_cancel(actor=world["officer"], tender=cancelled, reason="No longer needed")

    html = page(client.get("/tenders/", {"status": "cancelled"}))
    assert "Called off" in html and "Still open" not in html
    html = page(client.get("/tenders/", {"status": ["cancelled", "published"]}))
    assert "Called off" in html and "Still open" in html


def test_an_invalid_filter_value_is_reported_not_a_crash(world, client):
    flows.published_tender(world, title="Still open")
    response = client.get("/tenders/", {"catalogue_item": "999999", "q": "open"})
    assert response.status_code == 200
    html = page(response)
    assert "There is a problem" in html and "Still open" in html
    assert 'value="open"' in html  # the other values are kept


def test_htmx_request_gets_the_results_partial(world, client):
    flows.published_tender(world, title="Elderly lunch club")
    flows.published_tender(world, title="Youth football")

    response = client.get("/tenders/", {"q": "lunch"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    html = page(response)
    assert "<html" not in html and "<h1" not in html
    assert "Elderly lunch club" in html and "Youth football" not in html
    assert 'data-testid="result-count"' in html
    assert "HX-Request" in response["Vary"]


def test_full_page_has_the_form_wired_for_htmx(world, client):
    html = page(client.get("/tenders/"))
    assert 'hx-get="/tenders/"' in html and 'hx-target="#tender-results"' in html
    assert 'hx-push-url="true"' in html and 'id="tender-results"' in html
    assert 'method="get"' in html


def test_the_filter_form_drawn_once_is_the_form_drawn_afresh_and_follows_new_choices(world, client):
    from frontend.public import views

    flows.published_tender(world, title="Lunch club")

    def without_tokens(html: str) -> str:  # the CSRF token is masked afresh for every answer
        html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
        return re.sub(r'"X-CSRFToken": "[^"]+"', "", html)

    views._FILTER_FIELDS.clear()
    fresh = without_tokens(page(client.get("/tenders/")))
    assert len(views._FILTER_FIELDS) == 1
    assert without_tokens(page(client.get("/tenders/"))) == fresh  # from the memo: the same page
    item = f.CatalogueItemFactory(name="Hairdressing at home")
    area = f.AreaFactory(parent=world["areas"]["district"], level="street", name="Riverside street")
    html = page(client.get("/tenders/"))
    assert "Hairdressing at home" in html and "Riverside street" in html
    assert f'value="{item.pk}"' in html and f'value="{area.pk}"' in html
    # and a signed-in user, or a bound form, is drawn with their values, never the memo's
    chosen = page(client.get("/tenders/", {"q": "lunch", "catalogue_item": item.pk}))
    assert 'value="lunch"' in chosen and f'value="{item.pk}" selected' in chosen


def test_the_list_is_paginated(world, client):
    line = f.BudgetLineFactory(bureau=world["bureau"], amount=1_000_000_000)
    for index in range(23):
        flows.published_tender(world, title=f"Tender number {index:02d}", budget_line=line)
    first = page(client.get("/tenders/", {"q": "number"}))
    assert "Tender number 22" in first and "Tender number 02" not in first
    assert "govuk-pagination" in first and "page=2" in first and "q=number" in first
    second = page(client.get("/tenders/", {"q": "number", "page": 2}))
    assert "Tender number 02" in second and "Tender number 22" not in second


def _count_list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/tenders/")
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("who", ["anonymous", "officer"])
def test_tender_list_queries_do_not_grow_with_rows(world, client, who):
    if who != "anonymous":
        sign_in(client, world[who])
    line = f.BudgetLineFactory(bureau=world["bureau"], amount=1_000_000_000)
    for _ in range(2):
        flows.published_tender(world, budget_line=line, catalogue_item=f.CatalogueItemFactory())
    few = _count_list_queries(client)
    for index in range(8):
        tender = flows.published_tender(world, budget_line=line, catalogue_item=f.CatalogueItemFactory())
        if index % 2:
            services.tender_cancel(actor=world["officer"], tender=tender, reason="Test")
    flows.active_contract(world, budget_line=line)
    many = _count_list_queries(client)
    assert few == many
    assert many <= 12


# --- One tender ------------------------------------------------------------------------------------


def test_a_draft_tender_is_404_to_the_public_and_other_bureaus(world, client):
    draft = flows.draft_tender(world)
    assert client.get(f"/tenders/{draft.pk}/").status_code == 404
    assert sign_in(client, world["other_officer"]).get(f"/tenders/{draft.pk}/").status_code == 404
    client.logout()
    assert sign_in(client, world["officer"]).get(f"/tenders/{draft.pk}/").status_code == 200


def test_tender_page_shows_the_terms_and_published_answers_only(world, client):
    tender = flows.published_tender(world, title="Elderly lunch club", beneficiaries="Residents over 70")
    asker = world["provider_admins"][0]
    answered = services.question_ask(actor=asker, tender=tender, text="Are meals halal?")
    services.question_answer(actor=world["officer"], question=answered, answer="Yes, on request.")
    services.question_ask(actor=asker, tender=tender, text="Is parking free?")

    response = client.get(f"/tenders/{tender.pk}/")

    assert response.status_code == 200
    html = page(response)
    for text in ("Elderly lunch club", "Residents over 70", "¥300,000.00", "Service plan", "Visits", "40%"):
        assert text in html, text
    assert "Performance holdback" in html and "Third-party score (T)" in html
    assert "Are meals halal?" in html and "Yes, on request." in html
    assert "Is parking free?" not in html
    assert asker.username not in html and world["providers"][0].name not in html


def test_signed_in_provider_sees_bid_and_question_links(world, client):
    tender = flows.published_tender(world)
    anonymous = page(client.get(f"/tenders/{tender.pk}/"))
    assert "Prepare a bid" not in anonymous and "Ask a question" not in anonymous

    html = page(sign_in(client, world["provider_admins"][0]).get(f"/tenders/{tender.pk}/"))
    assert f'href="/provider/tenders/{tender.pk}/bid/"' in html
    assert f'href="/provider/tenders/{tender.pk}/questions/new/"' in html


def test_pending_provider_sees_no_bid_link(world, client):
    pending = f.OrganizationFactory(kind=Organization.Kind.PROVIDER, status=Organization.Status.PENDING)
    tender = flows.published_tender(world)
    html = page(sign_in(client, f.member(pending, "admin")).get(f"/tenders/{tender.pk}/"))
    assert "Prepare a bid" not in html


def test_awarded_tender_shows_the_winner_and_links_the_contract(world, client):
    contract = flows.active_contract(world)
    html = page(client.get(f"/tenders/{contract.tender_id}/"))
    assert contract.provider.name in html
    assert f'href="/providers/{contract.provider_id}/"' in html
    assert f'href="/contracts/{contract.pk}/"' in html
    assert "¥280,000.00" in html


def test_award_with_a_draft_contract_does_not_link_the_contract(world, client):
    contract = flows.draft_contract(world)
    html = page(client.get(f"/tenders/{contract.tender_id}/"))
    assert contract.provider.name in html
    assert f"/contracts/{contract.pk}/" not in html


# --- Contracts -------------------------------------------------------------------------------------


def test_a_draft_contract_is_404_to_the_public_but_not_to_its_parties(world, client):
    contract = flows.draft_contract(world)
    assert client.get(f"/contracts/{contract.pk}/").status_code == 404
    assert sign_in(client, world["stranger"]).get(f"/contracts/{contract.pk}/").status_code == 404
    client.logout()
    response = sign_in(client, world["officer"]).get(f"/contracts/{contract.pk}/")
    assert response.status_code == 200
    assert "See the full contract in your area" in page(response)


def test_contract_page_shows_the_summary_and_instalments(world, client):
    contract = flows.active_contract(world)
    response = client.get(f"/contracts/{contract.pk}/")
    assert response.status_code == 200
    html = page(response)
    assert contract.provider.name in html and world["bureau"].name in html
    assert "¥280,000.00" in html  # value
    # the API shows the instalments to parties only; the public sees what the holdback (¥84,000) pays
    assert "Instalments" not in html and "¥112,000.00" not in html
    assert 'data-testid="payout-bands"' in html and "¥84,000.00" in html
    party = sign_in(client, world["officer"]).get(f"/contracts/{contract.pk}/").content.decode()
    assert "¥84,000.00" in party and "¥112,000.00" in party  # advance 30 %, interim 40 %
    assert "Advance" in party and "Payable" in party and "Scheduled" in party
    client.logout()
    assert "See the full contract in your area" not in html
    assert "No evaluation has been published yet." in html


def test_satisfaction_is_hidden_below_five_ratings(world, client):
    objects = flows.delivering_contract(world, households=4)
    for resident in objects["residents"]:
        flows.rate(resident, objects["contract"], 5)
    html = page(client.get(f"/contracts/{objects['contract'].pk}/"))
    assert 'data-testid="satisfaction-hidden"' in html and "Not enough ratings yet" in html
    assert 'data-testid="satisfaction-positive"' not in html


def test_satisfaction_is_shown_from_five_ratings_with_a_chart(world, client):
    objects = flows.delivering_contract(world, households=5)
    for index, resident in enumerate(objects["residents"]):
        flows.rate(resident, objects["contract"], 5 if index < 4 else 2)
    html = page(client.get(f"/contracts/{objects['contract'].pk}/"))
    assert "Not enough ratings yet" not in html
    assert 'data-testid="satisfaction-positive">80.00%<' in html
    assert 'data-testid="satisfaction-count">5<' in html
    assert "How satisfied residents were" in html and "data-chart=" in html
    assert "chart.umd.min.js" in html


def test_open_evaluation_scores_stay_private(world, client):
    objects = flows.delivering_contract(world, households=5)
    flows.score_components(world, objects["evaluation"], t="82.5", b="88", c="90")
    html = page(client.get(f"/contracts/{objects['contract'].pk}/"))
    assert "No evaluation has been published yet." in html
    assert "82.50" not in html


def test_published_evaluation_figures_are_shown(world, client):
    objects = flows.delivering_contract(world, households=5)
    evaluation = flows.published_evaluation(world, objects, satisfaction=5, t="82", b="88", c="90")
    # R = 100 × (5 + 20 × 0.75) / (5 + 20) = 80.00; S = 32.8 + 17.6 + 24 + 9 = 83.40 → band B
    assert evaluation.composite == Decimal("83.40") and evaluation.band == "B"

    html = page(client.get(f"/contracts/{objects['contract'].pk}/"))

    card = html.split(f'data-testid="evaluation-{evaluation.pk}"')[1]
    for figure in ("83.40", "82.00", "88.00", "80.00", "90.00", "100.00%", "<strong>B</strong>", "良好"):
        assert figure in card, figure
    assert "From 5 ratings (Online ratings)" in card
    assert "Composite score S by evaluation" in html  # the chart, with its table


# --- Providers -------------------------------------------------------------------------------------


def test_unverified_and_suspended_providers_are_404(world, client):
    pending = f.OrganizationFactory(kind=Organization.Kind.PROVIDER, status=Organization.Status.PENDING)
    suspended = f.OrganizationFactory(kind=Organization.Kind.PROVIDER, status=Organization.Status.SUSPENDED)
    assert client.get(f"/providers/{pending.pk}/").status_code == 404
    assert client.get(f"/providers/{suspended.pk}/").status_code == 404
    assert client.get(f"/providers/{world['bureau'].pk}/").status_code == 404  # not a provider


def test_provider_profile_shows_contracts_bands_and_satisfaction(world, client):
    objects = flows.delivering_contract(world, households=5)
    flows.published_evaluation(world, objects, satisfaction=5, t="82", b="88", c="90")
    flows.draft_contract(world, budget_line=f.BudgetLineFactory(bureau=world["bureau"]), title="Draft deal")
    provider = world["providers"][0]

    response = client.get(f"/providers/{provider.pk}/")

    assert response.status_code == 200
    html = page(response)
    assert provider.name in html and "Verified" in html
    assert objects["contract"].title in html and "Draft deal" not in html
    assert "83.40" in html and "<strong>B</strong>" in html
    assert "100.00% of 5" in html
    assert "Latest composite score S by contract" in html and "Contracts by latest band" in html


def test_provider_profile_without_contracts(world, client):
    response = client.get(f"/providers/{world['providers'][2].pk}/")
    assert response.status_code == 200
    assert "This provider has no contracts yet." in page(response)


# --- Help and feedback -----------------------------------------------------------------------------


def test_help_page_has_help_and_the_feedback_form(client):
    response = client.get("/help/")
    assert response.status_code == 200
    html = page(response)
    assert 'id="feedback"' in html and "How the marketplace works" in html
    assert 'data-module="govuk-character-count"' in html and 'data-maxlength="1200"' in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"feedback": "", "email": ""}, "Enter your feedback"),
        ({"feedback": "   ", "email": ""}, "Enter your feedback"),
        ({"feedback": "x" * 1201, "email": ""}, "Your feedback must be 1200 characters or fewer"),
        (
            {"feedback": "The search is great", "email": "not-an-address"},
            "Enter an email address in the correct format, like name@example.com",
        ),
    ],
)
def test_feedback_is_validated_on_the_server(client, data, message):
    response = client.post("/help/", data)
    assert response.status_code == 200
    html = page(response)
    assert "There is a problem" in html and message in html
    assert "<title>Error:" in html
    if data["email"]:
        assert data["email"] in html and data["feedback"] in html  # values are kept
    assert mail.outbox == []


def test_feedback_is_emailed_to_the_admins(client, settings):
    settings.ADMINS = [("Ops", "ops@example.org")]
    response = client.post("/help/", {"feedback": "The tender search is slow.", "email": "me@example.com"})
    assert response.status_code == 302 and response["Location"] == "/help/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ops@example.org"] and message.reply_to == ["me@example.com"]
    assert "The tender search is slow." in message.body
    banner = page(client.get("/help/"))
    assert "govuk-notification-banner--success" in banner and "Thank you for your feedback" in banner


def test_feedback_without_admins_goes_to_the_service_address(client, settings):
    settings.ADMINS = []
    client.post("/help/", {"feedback": "Nice.", "email": ""})
    assert mail.outbox[0].to == [settings.DEFAULT_FROM_EMAIL] and mail.outbox[0].reply_to == []


def test_contract_value_is_what_the_api_shows(world, client, api):
    """The page and the public API agree on what the public sees of a contract."""
    contract = flows.active_contract(world)
    body = api().get(f"contracts/{contract.pk}/").json()
    assert body["value_amount"] == contract.value_amount
    assert Contract.objects.get(pk=contract.pk).status == body["status"] == "active"
    assert client.get(f"/contracts/{contract.pk}/").status_code == 200


def test_provider_profile_queries_do_not_grow_with_its_contracts(world, client):
    provider = world["providers"][0]

    def queries_for_profile() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/providers/{provider.pk}/").status_code == 200
        return len(captured)

    flows.active_contract(world, budget_line=f.BudgetLineFactory(bureau=world["bureau"]))
    one = queries_for_profile()
    for _ in range(3):
        flows.active_contract(world, budget_line=f.BudgetLineFactory(bureau=world["bureau"]))
    assert Contract.objects.filter(provider=provider).count() == 4
    assert queries_for_profile() == one
