"""The pages of exclusions and evaluators (docs/rules.md §17.6, §17.7): the public list is one click
from every page's footer; an excluded provider is told before it writes a bid; the bureau lifts an
exclusion with a reason; the ranking shows each evaluator's scores with the outliers flagged in text."""

from decimal import Decimal

import pytest
from django.urls import reverse

from contracts import services as contract_services
from marketplace import services
from marketplace.models import Criterion, Exclusion

from .. import factories as f
from .. import flows
from .helpers import messages_of, page

pytestmark = pytest.mark.django_db


@pytest.fixture
def excluded(world):
    contract = flows.active_contract(world)
    contract_services.contract_terminate(actor=world["officer"], contract=contract, reason="Subcontracted")
    return Exclusion.objects.get()


def test_the_public_list_is_linked_from_the_footer_and_shows_the_exclusion(world, excluded, browse):
    client = browse()
    home = page(client.get("/"))
    url = reverse("public:exclusions")
    assert f'href="{url}"' in home
    html = page(client.get(url))
    assert world["providers"][0].name in html
    assert "Contract terminated" in html
    assert reverse("public:contract", args=[excluded.contract_ref]) in html
    assert excluded.ends.strftime("%Y") in html
    assert "Subcontracted" not in html
    assert world["officer"].username not in html
    # lifted ones are one click away
    services.exclusion_lift(actor=world["officer"], exclusion=excluded, reason="Terms met")
    assert world["providers"][0].name not in page(client.get(url))
    lifted = page(client.get(url, {"status": "lifted"}))
    assert world["providers"][0].name in lifted and "Terms met" in lifted
    assert client.get(url, {"status": "bogus"}).status_code == 200


def test_an_excluded_provider_is_told_before_writing_a_bid(world, excluded, browse):
    tender = flows.published_tender(world)
    client = browse(world["provider_admins"][0])
    home = page(client.get(reverse("provider:home")))
    assert "excluded from submitting bids until" in home
    detail = page(client.get(reverse("provider:tender", args=[tender.pk])))
    assert "excluded from submitting bids until" in detail
    assert reverse("provider:bid", args=[tender.pk]) not in detail
    # a rival sees the tender as usual
    rival = page(browse(world["provider_admins"][1]).get(reverse("provider:tender", args=[tender.pk])))
    assert "excluded from submitting bids" not in rival
    assert reverse("provider:bid", args=[tender.pk]) in rival


def test_the_bureau_lifts_an_exclusion_with_a_reason(world, excluded, browse):
    officer = browse(world["officer"])
    dashboard = page(officer.get(reverse("bureau:home")))
    assert reverse("bureau:exclusions") in dashboard
    contract_page = page(officer.get(reverse("casework:contract", args=[excluded.contract_ref])))
    assert reverse("bureau:exclusions") in contract_page
    listing = page(officer.get(reverse("bureau:exclusions")))
    lift_url = reverse("bureau:exclusion_lift", args=[excluded.pk])
    assert lift_url in listing
    response = officer.post(lift_url, {"reason": ""})
    assert response.status_code == 200 and "Enter the reason" in page(response)
    excluded.refresh_from_db()
    assert excluded.status == "active"
    response = officer.post(lift_url, {"reason": "The court annulled the termination"}, follow=True)
    assert "Exclusion lifted: the provider may submit bids again." in messages_of(response)
    excluded.refresh_from_db()
    assert (excluded.status, excluded.lift_reason) == ("lifted", "The court annulled the termination")
    # finance staff see the list without a Lift link; another bureau's officer does not see it
    finance_list = page(browse(world["finance"]).get(reverse("bureau:exclusions")))
    assert world["providers"][0].name in finance_list
    assert browse(world["other_officer"]).get(lift_url).status_code == 404


def test_the_ranking_page_flags_an_outlying_score_in_words(world, browse):
    third = f.member(world["bureau"], "evaluator", display_name="Evaluator Three")
    tender = flows.evaluating_tender(world)
    quality = list(tender.criteria.filter(kind=Criterion.Kind.QUALITY).order_by("id"))
    for evaluator, score in zip(
        [*world["evaluators"], third], [Decimal(80), Decimal(82), Decimal(30)], strict=True
    ):
        services.evaluator_declare(actor=evaluator, tender=tender, no_conflict=True)
        for bid in tender.bids.all():
            for criterion in quality:
                services.bid_score(actor=evaluator, bid=bid, criterion=criterion, score=score)
    html = page(browse(world["officer"]).get(reverse("bureau:ranking", args=[tender.pk])))
    assert "Each evaluator&#x27;s scores" in html or "Each evaluator's scores" in html
    assert "Outlier" in html and "Evaluator Three" in html
    assert "81.00" in html  # the others' mean it lies far from
    assert html.count('data-testid="outlier"') == 2 * len(quality)
