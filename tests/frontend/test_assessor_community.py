"""The assessor's and the residents' committee's pages: the contracts assigned to their
organisation, the third-party score T and the sample survey, the community score C."""

import pytest

from evaluations.models import Evaluation
from orgs.models import Organization
from tests import factories as f
from tests import flows

from .helpers import messages_of, page

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_are_sent_to_sign_in(world, as_user):
    objects = flows.delivering_contract(world)
    client = as_user(None)
    for path in (
        "/assessor/",
        f"/assessor/evaluations/{objects['evaluation'].pk}/",
        "/community/",
        f"/community/contracts/{objects['contract'].pk}/",
    ):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), path


def test_other_roles_get_403(world, as_user):
    objects = flows.delivering_contract(world)
    client = as_user(world["provider_admins"][0])
    assert client.get("/assessor/").status_code == 403
    assert client.get("/community/").status_code == 403
    client = as_user(world["officer"])
    assert client.get(f"/assessor/evaluations/{objects['evaluation'].pk}/").status_code == 403
    assert as_user(world["assessor_member"]).get("/community/").status_code == 403


def test_an_assessor_not_assigned_gets_404(world, as_user):
    objects = flows.delivering_contract(world)
    other_assessor = f.OrganizationFactory(kind=Organization.Kind.ASSESSOR, legal_type="enterprise")
    client = as_user(f.member(other_assessor, "member"))
    assert objects["contract"].title not in page(client.get("/assessor/"))
    assert client.get(f"/assessor/contracts/{objects['contract'].pk}/").status_code == 404
    assert client.get(f"/assessor/evaluations/{objects['evaluation'].pk}/").status_code == 404
    response = client.post(
        f"/assessor/evaluations/{objects['evaluation'].pk}/score/", {"third_party-score": "80"}
    )
    assert response.status_code == 404


def test_assessor_sees_assigned_contracts_and_opens_the_evaluation(world, as_user):
    objects = flows.delivering_contract(world)
    unassigned = flows.active_contract(world, title="Unassigned contract")
    client = as_user(world["assessor_member"])
    home = page(client.get("/assessor/"))
    assert objects["contract"].title in home and unassigned.title not in home
    contract_page = page(client.get(f"/assessor/contracts/{objects['contract'].pk}/"))
    assert f"/assessor/evaluations/{objects['evaluation'].pk}/" in contract_page


def test_assessor_enters_t_with_validation(world, as_user):
    objects = flows.delivering_contract(world)
    evaluation = objects["evaluation"]
    client = as_user(world["assessor_member"])
    html = page(client.get(f"/assessor/evaluations/{evaluation.pk}/"))
    assert "Save third-party score" in html and "Save sample survey" in html
    assert "Save community score" not in html and "Finalize" not in html

    bad = client.post(f"/assessor/evaluations/{evaluation.pk}/score/", {"third_party-score": "eighty"})
    assert (
        bad.status_code == 200
        and "Enter the score as a number" in page(bad)
        and 'value="eighty"' in page(bad)
    )
    assert page(bad).count("<title>Error:") == 1
    evaluation.refresh_from_db()
    assert evaluation.third_party is None

    done = client.post(
        f"/assessor/evaluations/{evaluation.pk}/score/", {"third_party-score": "82"}, follow=True
    )
    evaluation.refresh_from_db()
    assert str(evaluation.third_party) == "82.00"
    assert "Third-party score (T) saved: 82" in messages_of(done)[0]


def test_assessor_enters_the_survey_and_sees_the_services_refusal(world, as_user):
    objects = flows.delivering_contract(world)
    evaluation = objects["evaluation"]
    client = as_user(world["assessor_member"])
    url = f"/assessor/evaluations/{evaluation.pk}/survey/"

    refused = client.post(url, {"survey-n": "10", "survey-n_pos": "12"})
    assert refused.status_code == 200
    assert "Positive answers cannot exceed the sample." in page(refused)
    assert 'value="12"' in page(refused)
    evaluation.refresh_from_db()
    assert evaluation.survey_n is None

    client.post(url, {"survey-n": "60", "survey-n_pos": "51"})
    evaluation.refresh_from_db()
    assert (evaluation.survey_n, evaluation.survey_n_pos) == (60, 51)


def test_no_score_forms_once_the_evaluation_is_published(world, as_user):
    objects = flows.delivering_contract(world)
    evaluation = flows.published_evaluation(world, objects)
    html = page(as_user(world["assessor_member"]).get(f"/assessor/evaluations/{evaluation.pk}/"))
    assert "Save third-party score" not in html and str(evaluation.composite) in html
    response = as_user(world["assessor_member"]).post(
        f"/assessor/evaluations/{evaluation.pk}/score/", {"third_party-score": "10"}
    )
    assert "Scores are entered while the evaluation is open." in page(response)
    evaluation.refresh_from_db()
    assert evaluation.status == Evaluation.Status.PUBLISHED and str(evaluation.third_party) == "80.00"


def test_community_member_enters_c(world, as_user):
    objects = flows.delivering_contract(world)
    evaluation = objects["evaluation"]
    client = as_user(world["community_member"])
    assert objects["contract"].title in page(client.get("/community/"))
    assert f"/community/evaluations/{evaluation.pk}/" in page(
        client.get(f"/community/contracts/{objects['contract'].pk}/")
    )
    html = page(client.get(f"/community/evaluations/{evaluation.pk}/"))
    assert "Save community score" in html and "Save third-party score" not in html

    empty = client.post(f"/community/evaluations/{evaluation.pk}/score/", {"community-score": ""})
    assert empty.status_code == 200 and "Enter the score" in page(empty)

    client.post(f"/community/evaluations/{evaluation.pk}/score/", {"community-score": "90"})
    evaluation.refresh_from_db()
    assert str(evaluation.community) == "90.00"


def test_a_committee_not_assigned_gets_404(world, as_user):
    objects = flows.delivering_contract(world)
    other = f.OrganizationFactory(
        kind=Organization.Kind.COMMUNITY,
        legal_type="grassroots_autonomous",
        jurisdiction=world["areas"]["community"],
    )
    client = as_user(f.member(other, "member"))
    assert client.get(f"/community/evaluations/{objects['evaluation'].pk}/").status_code == 404
    assert client.get(f"/community/contracts/{objects['contract'].pk}/").status_code == 404
