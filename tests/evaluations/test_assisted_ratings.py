"""Assisted ratings (docs/rules.md §10.6) and the delivery signals (§11.10): a collector of the assessor
or the community records a recipient household's rating, under the rules of a resident's own; the
not_received answers are counted, and above the threshold finalizing needs the sample survey."""

from decimal import Decimal

import pytest
from django.test import override_settings

from common.errors import Conflict, Forbidden
from evaluations import scoring, services
from evaluations.models import Evaluation, Rating
from evaluations.selectors import delivery_flags, tallies_of

from .. import factories as f
from .. import flows

pytestmark = pytest.mark.django_db


def _record(world, objects, household, *, actor=None, satisfaction=4, method="paper", address=None):
    return services.rating_record_assisted(
        actor=actor or world["assessor_member"],
        evaluation=objects["evaluation"],
        household_code=household.code,
        satisfaction=satisfaction,
        resolved="yes",
        comment="",
        method=method,
        client_address=address,
    )


def _body(household, **overrides):
    return {
        "household_code": household.code,
        "satisfaction": 5,
        "resolved": "yes",
        "method": "phone",
        **overrides,
    }


# --- Recording ----------------------------------------------------------------------------------


def test_a_collector_of_the_assessor_records_a_households_rating(world, api):
    objects = flows.delivering_contract(world, households=2)
    household = objects["residents"][0].household
    response = api(world["assessor_member"]).post(
        f"evaluations/{objects['evaluation'].id}/assisted-ratings/", _body(household, comment="纸质问卷")
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["channel"], body["method"], body["household"]) == ("assisted", "phone", household.code)
    rating = Rating.objects.get()
    assert rating.collector == world["assessor_member"] and rating.rater == world["assessor_member"]
    assert (rating.evaluation, rating.satisfaction, rating.comment) == (objects["evaluation"], 5, "纸质问卷")


def test_a_collector_of_the_community_records_one_too(world):
    objects = flows.delivering_contract(world, households=1)
    rating = _record(world, objects, objects["residents"][0].household, actor=world["community_member"])
    assert rating.channel == Rating.Channel.ASSISTED and rating.method == "paper"


def test_household_codes_compare_case_insensitively(world, api):
    objects = flows.delivering_contract(world, households=1)
    household = objects["residents"][0].household
    code = f"  {household.code.lower()} "
    response = api(world["assessor_member"]).post(
        f"evaluations/{objects['evaluation'].id}/assisted-ratings/", _body(household, household_code=code)
    )
    assert response.status_code == 201, response.json()
    assert Rating.objects.get().household == household


def test_one_rating_per_household_across_online_and_assisted(world):
    objects = flows.delivering_contract(world, households=2)
    online, assisted = objects["residents"]
    flows.rate(online, objects["contract"], 5)
    with pytest.raises(Conflict) as refused:
        _record(world, objects, online.household)
    assert refused.value.code == "already_rated"

    _record(world, objects, assisted.household)
    with pytest.raises(Conflict) as refused:
        flows.rate(assisted, objects["contract"], 5)
    assert refused.value.code == "already_rated"
    with pytest.raises(Conflict) as refused:
        _record(world, objects, assisted.household, actor=world["community_member"])
    assert refused.value.code == "already_rated"
    assert Rating.objects.count() == 2


def test_a_household_that_received_nothing_is_refused(world):
    objects = flows.delivering_contract(world, households=1)
    stranger_household = f.HouseholdFactory(area=world["areas"]["compound"])
    with pytest.raises(Forbidden) as refused:
        _record(world, objects, stranger_household)
    assert refused.value.code == "not_a_recipient"
    assert not Rating.objects.exists()


def test_an_unknown_household_code_is_a_field_error(world, api):
    objects = flows.delivering_contract(world, households=1)
    response = api(world["assessor_member"]).post(
        f"evaluations/{objects['evaluation'].id}/assisted-ratings/",
        {"household_code": "NO-SUCH-HOME", "satisfaction": 4, "resolved": "yes", "method": "visit"},
    )
    assert response.status_code == 400
    assert "household_code" in response.json()["extra"]["fields"]
    assert not Rating.objects.exists()


def test_a_member_of_both_the_assessor_and_the_provider_is_refused(world):
    objects = flows.delivering_contract(world, households=1)
    double = f.member(world["assessor"], "member")
    f.MembershipFactory(user=double, organization=world["providers"][0], role="staff")
    with pytest.raises(Forbidden) as refused:
        _record(world, objects, objects["residents"][0].household, actor=double)
    assert refused.value.code == "conflict_of_interest"
    assert not Rating.objects.exists()


def test_a_committee_member_who_is_a_grid_worker_paid_by_the_provider_is_refused(world):
    """FR-1.7 (docs/rules.md §25): the provider's grid worker is affiliated with it, though not its
    member; once the post ends, they collect like any member of the committee."""
    from orgs import services as orgs_services

    objects = flows.delivering_contract(world, households=2)
    collector = world["community_member"]
    post = orgs_services.grid_post_create(
        actor=world["officer"],
        area=world["areas"]["compound"],
        username=collector.username,
        role="grid_worker",
        employer=objects["contract"].provider,
    )
    first, second = (resident.household for resident in objects["residents"])
    with pytest.raises(Forbidden) as refused:
        _record(world, objects, first, actor=collector)
    assert refused.value.code == "conflict_of_interest"
    assert not Rating.objects.exists()

    orgs_services.grid_post_end(actor=world["officer"], post=post)
    assert _record(world, objects, second, actor=collector).collector == collector


def test_no_assisted_rating_once_the_evaluation_is_published(world):
    objects = flows.delivering_contract(world, households=3)
    extra = f.ResidentFactory(household=f.HouseholdFactory(area=world["areas"]["compound"]))
    flows.published_evaluation(world, objects)
    flows.log_service(world, objects["contract"], [extra.household])
    with pytest.raises(Conflict) as refused:
        _record(world, objects, extra.household)
    assert refused.value.code == "rating_window_closed"


def test_assisted_ratings_in_a_burst_are_quarantined(world):
    objects = flows.delivering_contract(world, households=2)
    with override_settings(RATING_IP_BURST=1):
        first = _record(world, objects, objects["residents"][0].household, address="10.1.1.1")
        second = _record(world, objects, objects["residents"][1].household, address="10.1.1.1")
    assert first.status == Rating.Status.VALID
    assert Rating.objects.get(pk=second.pk).status == Rating.Status.QUARANTINED


def test_a_bad_method_is_refused(world, api):
    objects = flows.delivering_contract(world, households=1)
    response = api(world["assessor_member"]).post(
        f"evaluations/{objects['evaluation'].id}/assisted-ratings/",
        _body(objects["residents"][0].household, method="email"),
    )
    assert response.status_code == 400
    assert not Rating.objects.exists()


# --- Side by side -------------------------------------------------------------------------------


def test_the_evaluation_shows_online_and_assisted_side_by_side(world, api):
    objects = flows.delivering_contract(world, households=5)
    residents = objects["residents"]
    flows.rate(residents[0], objects["contract"], 5)
    flows.rate(residents[1], objects["contract"], 2)
    _record(world, objects, residents[2].household, satisfaction=4)
    _record(world, objects, residents[3].household, satisfaction=4)
    _record(world, objects, residents[4].household, satisfaction=Rating.NOT_RECEIVED)

    for user in (world["officer"], world["provider_admins"][0]):
        body = api(user).get(f"evaluations/{objects['evaluation'].id}/").json()["residents"]
        assert body["by_channel"] == {
            "online": {"n": 2, "n_pos": 1, "positive_pct": "50.00"},
            "assisted": {"n": 2, "n_pos": 2, "positive_pct": "100.00"},
        }
    officer = api(world["officer"]).get(f"evaluations/{objects['evaluation'].id}/").json()["residents"]
    assert (officer["answered"], officer["not_received"], officer["not_received_pct"]) == (5, 1, "20.00")
    provider = api(world["provider_admins"][0]).get(f"evaluations/{objects['evaluation'].id}/").json()
    assert provider["residents"]["not_received"] is None and provider["delivery_flags"] is None
    assessor = api(world["assessor_member"]).get(f"evaluations/{objects['evaluation'].id}/").json()
    assert assessor["residents"]["not_received"] == 1 and assessor["delivery_flags"] is None


# --- Delivery check -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answered", "not_received", "required"),
    [
        (9, 9, False),  # fewer than 10 households: never
        (10, 0, False),
        (10, 1, True),  # exactly 10 %
        (1000, 99, False),  # 9.9 %
        (1000, 100, True),  # 10 %
        (11, 1, False),  # 9.09 %
        (20, 2, True),
    ],
)
def test_the_delivery_check_threshold(answered, not_received, required):
    assert scoring.delivery_check_required(answered=answered, not_received=not_received) is required


def _ready_to_finalize(world, households, not_received):
    objects = flows.delivering_contract(world, households=households)
    for index, resident in enumerate(objects["residents"]):
        satisfaction = Rating.NOT_RECEIVED if index < not_received else 5
        flows.rate(resident, objects["contract"], satisfaction, address=f"10.2.0.{index}")
    flows.score_components(world, objects["evaluation"])
    flows.submit_report(world, objects["contract"], "midterm")
    return objects


@pytest.mark.parametrize(("households", "not_received"), [(10, 1), (20, 2), (10, 10)])
def test_finalizing_needs_the_survey_at_the_threshold(world, api, households, not_received):
    objects = _ready_to_finalize(world, households, not_received)
    evaluation = objects["evaluation"]
    response = api(world["officer"]).post(f"evaluations/{evaluation.id}/finalize/")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "delivery_check_required"
    assert body["extra"] == {"answered": households, "not_received": not_received}
    assert Evaluation.objects.get(pk=evaluation.pk).status == Evaluation.Status.OPEN

    services.evaluation_survey(actor=world["assessor_member"], evaluation=evaluation, n=30, n_pos=24)
    response = api(world["officer"]).post(f"evaluations/{evaluation.id}/finalize/")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "published"


@pytest.mark.parametrize(("households", "not_received"), [(9, 1), (9, 9), (11, 1)])
def test_below_the_threshold_no_survey_is_needed(world, households, not_received):
    objects = _ready_to_finalize(world, households, not_received)
    with pytest.raises(Conflict) as refused:  # the delivery check passes; n < n_min needs a survey
        services.evaluation_finalize(actor=world["officer"], evaluation=objects["evaluation"])
    assert refused.value.code == "insufficient_ratings"
    services.evaluation_survey(
        actor=world["assessor_member"], evaluation=objects["evaluation"], n=30, n_pos=24
    )
    evaluation = services.evaluation_finalize(actor=world["officer"], evaluation=objects["evaluation"])
    assert evaluation.status == Evaluation.Status.PUBLISHED
    assert tallies_of(evaluation)["not_received"] == not_received


def test_quarantined_answers_do_not_count_towards_the_threshold(world):
    objects = flows.delivering_contract(world, households=10)
    residents = objects["residents"]
    flows.quarantined_rating(residents[0], objects["contract"])  # 5, then we look at not_received
    Rating.objects.filter(household=residents[0].household).update(satisfaction=Rating.NOT_RECEIVED)
    for resident in residents[1:]:
        flows.rate(resident, objects["contract"], 5)
    tallies = tallies_of(objects["evaluation"])
    assert (tallies["answered"], tallies["not_received"], tallies["delivery_check_required"]) == (9, 0, False)


# --- Flags --------------------------------------------------------------------------------------


def test_flags_a_household_alone_on_many_events(world, settings):
    settings.DELIVERY_FLAG_SOLE_RECIPIENT_EVENTS = 3
    objects = flows.delivering_contract(world, households=3)
    lonely, other, _third = objects["residents"]
    for _ in range(3):
        flows.log_service(world, objects["contract"], [lonely.household])
    for _ in range(2):
        flows.log_service(world, objects["contract"], [other.household])
    flags = delivery_flags(objects["evaluation"])
    assert flags["sole_recipient_households"] == [{"code": lonely.household.code, "events": 3}]

    settings.DELIVERY_FLAG_SOLE_RECIPIENT_EVENTS = 2
    flags = delivery_flags(objects["evaluation"])
    assert flags["sole_recipient_households"] == [
        {"code": lonely.household.code, "events": 3},
        {"code": other.household.code, "events": 2},
    ]


def test_flags_an_event_whose_recipients_all_said_not_received(world):
    objects = flows.delivering_contract(world, households=3)
    first, second, third = objects["residents"]
    both = flows.log_service(world, objects["contract"], [first.household, second.household])
    flows.log_service(world, objects["contract"], [second.household, third.household])
    flows.rate(first, objects["contract"], Rating.NOT_RECEIVED)
    _record(world, objects, second.household, satisfaction=Rating.NOT_RECEIVED)
    flows.rate(third, objects["contract"], 4)
    flags = delivery_flags(objects["evaluation"])
    assert [event["id"] for event in flags["all_not_received_events"]] == [both.id]
    assert flags["all_not_received_events"][0]["recipients_n"] == 2


def test_the_flags_are_for_the_bureau_only(world, api):
    objects = flows.delivering_contract(world, households=1)
    flows.rate(objects["residents"][0], objects["contract"], Rating.NOT_RECEIVED)
    path = f"evaluations/{objects['evaluation'].id}/"
    flags = api(world["officer"]).get(path).json()["delivery_flags"]
    assert [event["id"] for event in flags["all_not_received_events"]] == [objects["event"].id]
    for user in (world["assessor_member"], world["community_member"], world["provider_staff"][0]):
        assert api(user).get(path).json()["delivery_flags"] is None


def test_the_share_is_exact():
    assert Decimal("0.10") == scoring.DELIVERY_CHECK_SHARE
