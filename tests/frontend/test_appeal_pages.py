"""The appeal pages (docs/rules.md §11.7): the provider appeals from its contract page while the window
is open; the bureau's officer finds it in the queue (and on the dashboard), sees S, S' and the money
and decides; the review body decides from its own area; the public contract page shows the outcome
without names or grounds."""

import pytest
from django.utils import translation

from evaluations.models import Appeal, Evaluation
from evaluations.services import evaluation_confirm

from .. import flows
from ..evaluations.test_appeals import PUBLISHED, VALUE, provider_admin
from .helpers import page

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def published(world):
    objects = flows.delivering_contract(world, prices=(VALUE, VALUE))
    flows.final_evaluation(world, objects, t="85", b="85", c="85")
    objects["evaluation"] = Evaluation.objects.get(contract=objects["contract"], stage="final")
    return {**objects, "evaluation": flows.published_evaluation(world, objects, satisfaction=2, **PUBLISHED)}


def test_the_provider_appeals_and_the_officer_decides_with_the_money_shown(world, as_user, published):
    contract, evaluation = published["contract"], published["evaluation"]
    provider = as_user(provider_admin(world, contract))
    contract_page = page(provider.get(f"/provider/contracts/{contract.pk}/"))
    assert "Appeal this evaluation" in contract_page
    url = f"/provider/evaluations/{evaluation.pk}/appeal/"
    assert url in contract_page

    empty = provider.post(url, {"grounds": "Wrong."})
    assert empty.status_code == 400 and "Claim at least one component score" in page(empty)
    lower = provider.post(url, {"grounds": "Wrong.", "third_party": "50"})
    assert lower.status_code == 400 and "higher than the published" in page(lower)
    sent = provider.post(url, {"grounds": "The assessor came on a holiday.", "third_party": "93.48"})
    appeal = Appeal.objects.get()
    assert sent.status_code == 302 and sent.url == f"/provider/appeals/{appeal.pk}/"
    detail = page(provider.get(sent.url))
    assert "The assessor came on a holiday." in detail and "80.50" in detail
    assert "3,296,297" not in detail  # fen: shown in yuan
    assert "32,962.97" in detail and "4,074.07" in detail  # release now and hold, before confirmation
    assert "Appeal this evaluation" not in page(provider.get(f"/provider/contracts/{contract.pk}/"))

    flows.pass_appeal_window(evaluation)
    officer = as_user(world["officer"])
    confirm_page = page(officer.get(f"/bureau/evaluations/{evaluation.pk}/confirm/"))
    assert "still open" in confirm_page and "4,074.07" in confirm_page
    evaluation_confirm(actor=world["officer"], evaluation=evaluation)

    assert f"/bureau/appeals/{appeal.pk}/" in page(officer.get("/bureau/"))  # waiting on the dashboard
    queue = page(officer.get("/bureau/appeals/"))
    assert contract.title in queue and "74.50 → 80.50" in queue
    decide = officer.post(
        f"/bureau/appeals/{appeal.pk}/",
        {"decision": "partly", "score_third_party": "95", "reasoning": "Half the visits count."},
    )
    assert decide.status_code == 400 and "Between the published and the claimed score" in page(decide)
    decided = officer.post(
        f"/bureau/appeals/{appeal.pk}/",
        {"decision": "partly", "score_third_party": "84.72", "reasoning": "Half the visits count."},
    )
    assert decided.status_code == 302
    shown = page(officer.get(f"/bureau/appeals/{appeal.pk}/"))
    assert "77.00" in shown and "1,851.85" in shown and "2,222.22" in shown
    assert "Record decision" not in shown

    public = page(as_user(None).get(f"/contracts/{contract.pk}/"))
    assert "Composite score after the appeal: 77.00" in public
    assert "holiday" not in public and provider_admin(world, contract).username not in public


def test_the_review_body_decides_from_its_area_and_others_cannot(world, as_user, published):
    contract, evaluation = published["contract"], published["evaluation"]
    as_user(provider_admin(world, contract)).post(
        f"/provider/evaluations/{evaluation.pk}/appeal/", {"grounds": "Too low.", "buyer": "90"}
    )
    appeal = Appeal.objects.get()
    reviewer = as_user(world["reviewer"])
    assert f"/review/appeals/{appeal.pk}/" in page(reviewer.get("/review/"))
    assert "Record decision" in page(reviewer.get(f"/review/appeals/{appeal.pk}/"))
    assert as_user(world["other_reviewer"]).get(f"/review/appeals/{appeal.pk}/").status_code == 404
    assert as_user(world["provider_admins"][2]).get(f"/provider/appeals/{appeal.pk}/").status_code == 404
    response = as_user(world["reviewer"]).post(
        f"/review/appeals/{appeal.pk}/", {"decision": "dismissed", "reasoning": "The scores stand."}
    )
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert (appeal.status, appeal.decided_by) == ("dismissed", world["reviewer"])
    assert "The scores stand." in page(
        as_user(provider_admin(world, contract)).get(f"/provider/appeals/{appeal.pk}/")
    )
    review_home = page(as_user(world["reviewer"]).get("/review/"))
    assert (
        f"/review/appeals/{appeal.pk}/" in review_home and "Dismissed" in review_home
    )  # decided, still listed


def test_the_page_refuses_a_second_appeal_once_the_first_is_decided(world, as_user, published):
    contract, evaluation = published["contract"], published["evaluation"]
    provider = as_user(provider_admin(world, contract))
    url = f"/provider/evaluations/{evaluation.pk}/appeal/"
    provider.post(url, {"grounds": "The assessor came on a holiday.", "third_party": "93.48"})
    appeal = Appeal.objects.get()
    as_user(world["officer"]).post(
        f"/bureau/appeals/{appeal.pk}/", {"decision": "dismissed", "reasoning": "The scores stand."}
    )
    provider = as_user(provider_admin(world, contract))  # one test client: sign the provider in again

    assert "Appeal this evaluation" not in page(provider.get(f"/provider/contracts/{contract.pk}/"))
    refused = provider.post(url, {"grounds": "Again.", "buyer": "90"}, follow=True)
    assert "already been appealed" in page(refused)
    assert Appeal.objects.count() == 1 and Appeal.objects.get().status == "dismissed"
