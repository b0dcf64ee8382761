"""Only real households rate (docs/rules.md §12.2): a registration with a household code starts pending; the
community committee or a bureau officer with jurisdiction confirms or rejects it, or the resident
enters the code sent to the phone on the household register; at most HOUSEHOLD_MAX_RESIDENTS
accounts per household; codes compare case-insensitively."""

import datetime
import re

import pytest
import time_machine
from django.utils import timezone
from django_fsm_log.models import StateLog

from evaluations.models import Rating
from orgs.models import Household, Resident, User

from .. import factories as f
from .. import flows

pytestmark = pytest.mark.django_db


def register(api, household_code: str, username: str = "li-na", phone: str = "13800000001"):
    return api().post(
        "residents/register/",
        {"username": username, "password": f.PASSWORD, "phone": phone, "household_code": household_code},
    )


@pytest.fixture
def delivering(world):
    """A contract in delivery whose recipients include a household nobody has registered for."""
    objects = flows.delivering_contract(world, households=2)
    household = f.HouseholdFactory(area=world["areas"]["compound"], code="WH0007", phone="13900000007")
    flows.log_service(world, objects["contract"], [household])
    return {**objects, "household": household}


def rate(api, user, contract):
    return api(user).post("ratings/", {"contract": contract.id, "satisfaction": 5, "resolved": "yes"})


# --- registration ---------------------------------------------------------------------------------


def test_a_registration_starts_pending_and_may_not_rate(world, api, delivering):
    response = register(api, "WH0007")

    assert response.status_code == 201, response.json()
    body = response.json()
    resident = Resident.objects.get(user__username="li-na")
    assert body == {"id": resident.id, "username": "li-na", "household": "WH0007", "status": "pending"}
    me = api(resident.user).get("me/").json()
    assert me["resident"]["status"] == "pending" and me["resident"]["id"] == resident.id

    refused = rate(api, resident.user, delivering["contract"])
    assert refused.status_code == 403 and refused.json()["code"] == "resident_unconfirmed"
    assert not Rating.objects.filter(household=delivering["household"]).exists()
    assert api(resident.user).get("me/rateable/").json() == []


def test_household_codes_compare_case_insensitively(world, api):
    f.HouseholdFactory(area=world["areas"]["compound"], code="WH0001")

    assert register(api, " wh0001 ").status_code == 201
    duplicate = api(world["officer"]).post(
        "households/", {"area": world["areas"]["compound"].id, "code": "wh0001"}
    )
    assert duplicate.status_code == 400 and "code" in duplicate.json()["extra"]["fields"]
    assert Household.objects.count() == 1


def test_a_recipient_code_in_any_case_is_the_household(world, delivering):
    event = flows.log_service(world, delivering["contract"], [])
    assert event is not None
    from contracts import delivery

    lower = delivery.service_event_create(
        actor=world["provider_staff"][0],
        contract=delivering["contract"],
        date=timezone.localdate(),
        area=world["areas"]["compound"],
        title="Visit",
        description="",
        recipient_codes=["wh0007"],
    )
    assert list(lower.recipients.all()) == [delivering["household"]]


def test_at_most_the_allowed_accounts_per_household(world, api, settings):
    settings.HOUSEHOLD_MAX_RESIDENTS = 2
    household = f.HouseholdFactory(area=world["areas"]["compound"], code="WH0002")
    f.ResidentFactory(household=household)
    f.ResidentFactory(household=household, status=Resident.Status.REJECTED)  # does not count
    assert register(api, "WH0002", "first").status_code == 201
    users = User.objects.count()

    refused = register(api, "WH0002", "second")

    assert refused.status_code == 409 and refused.json()["code"] == "household_full"
    assert User.objects.count() == users
    assert household.residents.count() == 3


# --- confirmation by the community or bureau ----------------------------------------------------


def test_the_community_confirms_from_its_queue_and_then_the_resident_rates(world, api, delivering):
    resident_id = register(api, "WH0007").json()["id"]
    community = api(world["community_member"])

    queue = community.get("residents/", status="pending").json()
    assert [row["id"] for row in queue["results"]] == [resident_id]
    assert queue["results"][0]["available_transitions"] == ["confirm", "reject"]

    confirmed = community.post(f"residents/{resident_id}/confirm/")

    assert confirmed.status_code == 200, confirmed.json()
    assert confirmed.json()["status"] == "confirmed" and confirmed.json()["decided_by"] == (
        world["community_member"].username
    )
    assert community.get("residents/", status="pending").json()["count"] == 0
    log = StateLog.objects.for_(Resident.objects.get(pk=resident_id)).get()
    assert (log.transition, log.by) == ("confirm", world["community_member"])
    resident = Resident.objects.get(pk=resident_id)
    assert rate(api, resident.user, delivering["contract"]).status_code == 201


def test_a_bureau_officer_with_jurisdiction_rejects_with_a_reason(world, api, delivering):
    resident_id = register(api, "WH0007").json()["id"]
    officer = api(world["officer"])

    without_reason = officer.post(f"residents/{resident_id}/reject/", {"reason": " "})
    assert without_reason.status_code == 400
    assert Resident.objects.get(pk=resident_id).status == "pending"

    rejected = officer.post(f"residents/{resident_id}/reject/", {"reason": "Not on the household register."})

    assert rejected.status_code == 200
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["rejection_reason"] == "Not on the household register."
    resident = Resident.objects.get(pk=resident_id)
    assert rate(api, resident.user, delivering["contract"]).json()["code"] == "resident_unconfirmed"
    again = officer.post(f"residents/{resident_id}/confirm/")
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"


@pytest.mark.parametrize(
    "role", ["other_officer", "provider_admin", "assessor", "finance", "evaluator", "stranger", "anonymous"]
)
def test_nobody_else_sees_or_decides_registrations(world, api, role):
    f.HouseholdFactory(area=world["areas"]["compound"], code="WH0003")
    resident_id = register(api, "WH0003").json()["id"]
    user = {
        "other_officer": world["other_officer"],
        "provider_admin": world["provider_admins"][0],
        "assessor": world["assessor_member"],
        "finance": world["finance"],
        "evaluator": world["evaluators"][0],
        "stranger": world["stranger"],
        "anonymous": None,
    }[role]
    client = api(user)
    expected = 401 if user is None else 404

    listed = client.get("residents/")
    assert listed.status_code == (401 if user is None else 200)
    if user is not None:
        assert listed.json()["count"] == 0
    assert client.get(f"residents/{resident_id}/").status_code == expected
    assert client.post(f"residents/{resident_id}/confirm/").status_code == expected
    assert client.post(f"residents/{resident_id}/reject/", {"reason": "x"}).status_code == expected
    assert Resident.objects.get(pk=resident_id).status == "pending"


def test_nobody_confirms_their_own_registration(world, api):
    """A committee member who registers as a resident of their own community cannot vouch for it."""
    household = f.HouseholdFactory(area=world["areas"]["compound"], code="WH0004")
    member = world["community_member"]
    resident = f.ResidentFactory(user=member, household=household, status=Resident.Status.PENDING)

    refused = api(member).post(f"residents/{resident.id}/confirm/")

    assert refused.status_code == 403 and refused.json()["code"] == "conflict_of_interest"
    assert Resident.objects.get(pk=resident.id).status == "pending"


def test_a_pending_registration_does_not_see_the_households_ratings(world, api, delivering):
    confirmed = delivering["residents"][0]
    flows.rate(confirmed, delivering["contract"])
    stranger = f.ResidentFactory(household=confirmed.household, status=Resident.Status.PENDING)

    assert api(confirmed.user).get("ratings/").json()["count"] == 1
    assert api(stranger.user).get("ratings/").json()["count"] == 0


def test_the_confirmed_resident_is_told(
    world, api, delivering, sms, mailoutbox, django_capture_on_commit_callbacks
):
    resident_id = register(api, "WH0007", phone="13800000001").json()["id"]
    sms.clear()
    with django_capture_on_commit_callbacks(execute=True):
        api(world["community_member"]).post(f"residents/{resident_id}/confirm/")
    assert [message.to for message in sms] == ["13800000001"]
    assert "WH0007" in sms[0].body


# --- confirmation by the code sent to the household's phone -------------------------------------


def _sent_code(sms) -> str:
    match = re.search(r"\b(\d{6})\b", sms[-1].body)
    assert match, sms[-1].body
    return match.group(1)


def register_with_code(api, sms, django_capture_on_commit_callbacks) -> Resident:
    with django_capture_on_commit_callbacks(execute=True):
        assert register(api, "WH0007", phone="13800000001").status_code == 201
    return Resident.objects.get(user__username="li-na")


def test_the_code_goes_to_the_phone_on_the_register_and_confirms(
    world, api, delivering, sms, django_capture_on_commit_callbacks
):
    resident = register_with_code(api, sms, django_capture_on_commit_callbacks)

    assert [message.to for message in sms] == ["13900000007"]  # the register's phone, not the typed one
    assert _sent_code(sms) not in resident.phone_code_hash
    response = api(resident.user).post("residents/me/verify-phone/", {"code": _sent_code(sms)})

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "confirmed"
    resident.refresh_from_db()
    assert resident.status == "confirmed" and StateLog.objects.for_(resident).get().transition == "confirm"
    assert rate(api, resident.user, delivering["contract"]).status_code == 201


def test_wrong_codes_are_counted_and_spend_the_code(
    world, api, delivering, sms, settings, django_capture_on_commit_callbacks
):
    settings.RESIDENT_PHONE_CODE_ATTEMPTS = 3
    resident = register_with_code(api, sms, django_capture_on_commit_callbacks)
    right = _sent_code(sms)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    client = api(resident.user)

    for attempt in range(1, 4):
        refused = client.post("residents/me/verify-phone/", {"code": wrong})
        assert refused.status_code == 400 and refused.json()["code"] == "phone_code_wrong"
        resident.refresh_from_db()
        assert resident.phone_code_attempts == attempt

    spent = client.post("residents/me/verify-phone/", {"code": right})
    assert spent.status_code == 409 and spent.json()["code"] == "phone_code_expired"
    assert Resident.objects.get(pk=resident.pk).status == "pending"

    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=2)):
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post("residents/me/phone-code/").status_code == 202
        fresh = client.post("residents/me/verify-phone/", {"code": _sent_code(sms)})
    assert fresh.status_code == 200 and fresh.json()["status"] == "confirmed"


def test_a_code_expires_and_is_not_resent_within_a_minute(
    world, api, delivering, sms, settings, django_capture_on_commit_callbacks
):
    resident = register_with_code(api, sms, django_capture_on_commit_callbacks)
    client = api(resident.user)
    code = _sent_code(sms)

    too_soon = client.post("residents/me/phone-code/")
    assert too_soon.status_code == 409 and too_soon.json()["code"] == "code_recently_sent"
    later = timezone.now() + datetime.timedelta(minutes=settings.RESIDENT_PHONE_CODE_MINUTES + 1)
    with time_machine.travel(later):
        expired = client.post("residents/me/verify-phone/", {"code": code})
    assert expired.status_code == 409 and expired.json()["code"] == "phone_code_expired"
    assert Resident.objects.get(pk=resident.pk).status == "pending"


def test_no_phone_on_the_register_means_the_community_confirms(world, api):
    f.HouseholdFactory(area=world["areas"]["compound"], code="WH0005")
    resident_id = register(api, "WH0005").json()["id"]
    user = Resident.objects.get(pk=resident_id).user

    refused = api(user).post("residents/me/phone-code/")

    assert refused.status_code == 409 and refused.json()["code"] == "no_household_phone"
    assert api(world["stranger"]).post("residents/me/verify-phone/", {"code": "123456"}).json()["code"] == (
        "not_a_resident"
    )
