"""The collector's "Record ratings" page (docs/rules.md §10.6) and the ratings by channel, delivery
signals and flags on the evaluation pages of the bureau, the assessor and the community (§11.10)."""

import re

import pytest

from evaluations.models import Rating
from tests import flows

from .helpers import messages_of, page

pytestmark = pytest.mark.django_db


def _answers(household, **overrides):
    return {
        "household_code": household.code.lower(),
        "satisfaction": "4",
        "resolved": "yes",
        "method": "phone",
        "comment": "",
        **overrides,
    }


@pytest.mark.parametrize(
    ("area", "member"), [("assessor", "assessor_member"), ("community", "community_member")]
)
def test_a_collector_clicks_through_to_the_form_and_records_households(world, as_user, area, member):
    objects = flows.delivering_contract(world, households=2)
    evaluation = objects["evaluation"]
    client = as_user(world[member])
    contract_page = page(client.get(f"/{area}/contracts/{objects['contract'].pk}/"))
    assert f"/{area}/evaluations/{evaluation.pk}/" in contract_page
    evaluation_page = page(client.get(f"/{area}/evaluations/{evaluation.pk}/"))
    assert (
        f"/{area}/evaluations/{evaluation.pk}/ratings/" in evaluation_page
        and "Record ratings" in evaluation_page
    )

    form = page(client.get(f"/{area}/evaluations/{evaluation.pk}/ratings/"))
    assert 'name="household_code"' in form and 'name="method"' in form
    first = objects["residents"][0].household
    done = client.post(f"/{area}/evaluations/{evaluation.pk}/ratings/", _answers(first), follow=True)
    assert f"Rating recorded for household {first.code}." in " ".join(messages_of(done))
    assert 'name="household_code" value' not in page(done)  # empty for the next household
    assert "1 assisted rating counted so far." in page(done)
    rating = Rating.objects.get()
    assert (rating.household, rating.channel, rating.method) == (first, "assisted", "phone")
    assert rating.collector == world[member]


def test_a_refusal_keeps_what_was_typed(world, as_user):
    objects = flows.delivering_contract(world, households=1)
    household = objects["residents"][0].household
    flows.rate(objects["residents"][0], objects["contract"], 5)
    client = as_user(world["assessor_member"])
    path = f"/assessor/evaluations/{objects['evaluation'].pk}/ratings/"
    refused = client.post(path, _answers(household, comment="说不清楚", method="visit"))
    html = page(refused)
    assert refused.status_code == 200 and "already rated" in html
    assert f'value="{household.code.lower()}"' in html and "说不清楚" in html
    assert re.search(r'value="visit"[^>]*checked', html)
    missing = page(client.post(path, {"household_code": "NO-SUCH"}))
    assert "No household has this code." not in missing  # the form stops at the missing answers first
    assert "Select how you collected the answer" in missing
    unknown = page(client.post(path, _answers(household, household_code="NO-SUCH")))
    assert "No household has this code." in unknown
    assert Rating.objects.count() == 1


def test_the_provider_and_the_bureau_cannot_record(world, as_user):
    objects = flows.delivering_contract(world, households=1)
    path = f"/assessor/evaluations/{objects['evaluation'].pk}/ratings/"
    assert as_user(world["provider_admins"][0]).get(path).status_code == 403
    assert (
        as_user(world["officer"]).post(path, _answers(objects["residents"][0].household)).status_code == 403
    )
    assert not Rating.objects.exists()


def test_a_closed_evaluation_offers_no_form(world, as_user):
    objects = flows.delivering_contract(world, households=3)
    flows.published_evaluation(world, objects)
    client = as_user(world["community_member"])
    html = page(client.get(f"/community/evaluations/{objects['evaluation'].pk}/"))
    assert "Record ratings" not in html
    html = page(client.get(f"/community/evaluations/{objects['evaluation'].pk}/ratings/"))
    assert "This evaluation no longer takes ratings." in html and 'name="household_code"' not in html


def test_the_pages_show_channels_signals_and_flags_to_whom_they_belong(world, as_user):
    objects = flows.delivering_contract(world, households=3)
    residents = objects["residents"]
    flows.log_service(world, objects["contract"], [residents[1].household, residents[2].household])
    flows.rate(residents[0], objects["contract"], 5)
    flows.rate(residents[1], objects["contract"], Rating.NOT_RECEIVED)
    flows.rate(residents[2], objects["contract"], Rating.NOT_RECEIVED)
    pk = objects["evaluation"].pk

    bureau = page(as_user(world["officer"]).get(f"/bureau/evaluations/{pk}/"))
    for text in ("Residents' ratings by channel", "Delivery signals", "Delivery flags", "Community lunch"):
        assert text in bureau, text
    assert "2 (66.67%)" in bureau and 'data-testid="flagged-events"' in bureau

    assessor = page(as_user(world["assessor_member"]).get(f"/assessor/evaluations/{pk}/"))
    assert "Delivery signals" in assessor and "Delivery flags" not in assessor
    community = page(as_user(world["community_member"]).get(f"/community/evaluations/{pk}/"))
    assert "ratings by channel" in community and "Delivery signals" not in community


def test_the_collector_page_works_at_360_px(world, as_user):
    """Nothing on the form is wider than a phone: inputs use the GOV.UK width classes, no tables."""
    objects = flows.delivering_contract(world, households=1)
    html = page(
        as_user(world["assessor_member"]).get(f"/assessor/evaluations/{objects['evaluation'].pk}/ratings/")
    )
    assert "<table" not in html
    assert 'name="viewport"' in html
    assert "govuk-radios__item" in html and "govuk-input--width-10" in html


def test_a_collector_who_also_works_for_the_provider_gets_no_form(world, as_user):
    from tests import factories as f

    objects = flows.delivering_contract(world, households=1)
    double = f.member(world["assessor"], "member")
    f.MembershipFactory(user=double, organization=world["providers"][0], role="staff")
    client = as_user(double)
    path = f"/assessor/evaluations/{objects['evaluation'].pk}/ratings/"
    html = page(client.get(path))
    assert "members of its provider never collect them" in html and 'name="household_code"' not in html
    refused = page(client.post(path, _answers(objects["residents"][0].household)))
    assert "Members of the provider, and grid workers it employs, may not collect its ratings." in refused
    assert not Rating.objects.exists()
