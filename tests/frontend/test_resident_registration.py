"""Pages of resident confirmation (docs/rules.md §12.2): a new resident sees why they cannot rate yet and what
happens next (and may confirm by the code sent to the household's phone); the residents' committee
and bureau officers confirm or reject from their queue; nobody else sees it."""

import re

import pytest

from orgs.models import Resident

from .. import factories as f
from .. import flows
from .helpers import messages_of, page


def sign_up(client, code: str):
    data = {"username": "wang-fang", "password": f.PASSWORD, "phone": "", "household_code": code}
    return client.post("/accounts/signup/", data)


def test_a_new_resident_is_told_what_happens_next_and_the_committee_confirms(world, browse, as_user):
    objects = flows.delivering_contract(world, households=1)
    household = f.HouseholdFactory(area=world["areas"]["compound"], code="WH0100")
    flows.log_service(world, objects["contract"], [household])
    client = browse()

    response = sign_up(client, "wh0100")
    assert response.status_code == 302
    home = client.get("/resident/")
    assert "We are confirming your household" in page(home)
    assert "WH0100" in page(home) and "Awaiting confirmation" in page(home)
    assert "Rate this service" not in page(home)
    assert client.get(f"/resident/rate/{objects['contract'].pk}/").status_code == 404

    committee = browse(world["community_member"])
    assert "1 registration is waiting" in page(committee.get("/community/"))
    queue = committee.get("/community/residents/")
    resident = Resident.objects.get(user__username="wang-fang")
    assert f"/community/residents/{resident.pk}/" in page(queue)
    empty = committee.post(f"/community/residents/{resident.pk}/", {})
    assert empty.status_code == 200 and "Choose whether to confirm or reject" in page(empty)
    done = committee.post(f"/community/residents/{resident.pk}/", {"decision": "confirm"})
    assert done.status_code == 302
    assert Resident.objects.get(pk=resident.pk).status == "confirmed"

    home = client.get("/resident/")
    assert "Rate this service" in page(home)


def test_an_officer_rejects_with_a_reason_the_person_then_sees(world, browse):
    f.HouseholdFactory(area=world["areas"]["compound"], code="WH0101")
    client = browse()
    sign_up(client, "WH0101")
    resident = Resident.objects.get(user__username="wang-fang")
    officer = browse(world["officer"])
    assert "Confirm the residents who registered with a household" in page(officer.get("/bureau/"))

    no_reason = officer.post(f"/bureau/residents/{resident.pk}/", {"decision": "reject", "reason": ""})
    assert "Enter why the registration is rejected" in page(no_reason)
    assert Resident.objects.get(pk=resident.pk).status == "pending"
    officer.post(f"/bureau/residents/{resident.pk}/", {"decision": "reject", "reason": "Moved out in 2025."})

    assert Resident.objects.get(pk=resident.pk).status == "rejected"
    home = client.get("/resident/")
    assert "We could not confirm you" in page(home) and "Moved out in 2025." in page(home)


@pytest.mark.parametrize("role", ["other_officer", "provider_admin", "assessor_member", "finance"])
def test_others_neither_see_nor_decide(world, browse, role):
    f.HouseholdFactory(area=world["areas"]["compound"], code="WH0102")
    sign_up(browse(), "WH0102")
    resident = Resident.objects.get(user__username="wang-fang")
    user = world["provider_admins"][0] if role == "provider_admin" else world[role]
    client = browse(user)

    queue = client.get("/bureau/residents/")
    assert queue.status_code in (403, 200)
    if queue.status_code == 200:  # another bureau's officer: an empty queue
        assert "wang-fang" not in page(queue)
    decided = client.post(f"/bureau/residents/{resident.pk}/", {"decision": "confirm"})
    assert decided.status_code in (403, 404)
    assert client.get(f"/community/residents/{resident.pk}/").status_code == 403
    assert Resident.objects.get(pk=resident.pk).status == "pending"


def test_the_code_sent_to_the_households_phone_confirms_on_the_page(
    world, browse, sms, django_capture_on_commit_callbacks
):
    f.HouseholdFactory(area=world["areas"]["compound"], code="WH0103", phone="13900000103")
    client = browse()
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(client, "WH0103")
    home = client.get("/resident/")
    assert "Code from the text message" in page(home)
    code = re.search(r"\b(\d{6})\b", sms[-1].body).group(1)

    wrong = client.post("/resident/confirm/", {"code": "000000" if code != "000000" else "111111"})
    assert wrong.status_code == 200 and "The code is not right" in page(wrong)
    right = client.post("/resident/confirm/", {"code": code})

    assert right.status_code == 302
    assert "You are confirmed" in " ".join(messages_of(client.get("/resident/", follow=True)))
    assert Resident.objects.get(user__username="wang-fang").status == "confirmed"


def test_parties_see_recipients_codes_masked(world, browse):
    objects = flows.delivering_contract(world, households=1)
    resident = objects["residents"][0]
    household = resident.household
    household.code = "WH0001"
    household.save()
    rating = flows.quarantined_rating(resident, objects["contract"])

    listing = page(browse(world["officer"]).get("/bureau/ratings/"))
    review = page(browse(world["officer"]).get(f"/bureau/ratings/{rating.pk}/review/"))

    assert "WH**01" in listing and "WH**01" in review
    assert "WH0001" not in listing and "WH0001" not in review
