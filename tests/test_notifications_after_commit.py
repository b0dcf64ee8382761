"""Notifications leave after commit (common.notifications.notify_after_commit): a write that rolls
back tells nobody, and one that commits tells its people once."""

import pytest
from django.db import transaction

from orgs.models import Resident
from orgs.services import resident_confirm, resident_register

from . import factories as f

pytestmark = pytest.mark.django_db


class RolledBack(Exception):
    pass


@pytest.fixture
def pending(world):
    household = f.HouseholdFactory(area=world["areas"]["compound"], phone="13900000007")
    user = f.UserFactory(email="li-na@example.cn", phone="13800000001")
    return f.ResidentFactory(household=household, user=user, status=Resident.Status.PENDING)


def confirm(world, resident, *, commit: bool) -> None:
    try:
        with transaction.atomic():
            resident_confirm(actor=world["community_member"], resident=resident)
            if not commit:
                raise RolledBack
    except RolledBack:
        pass


def test_a_decision_rolled_back_tells_nobody(
    world, pending, sms, mailoutbox, django_capture_on_commit_callbacks
):
    # When the confirmation is written and then rolled back
    with django_capture_on_commit_callbacks(execute=True) as queued:
        confirm(world, pending, commit=False)

    # Then nothing was queued and nothing sent
    assert queued == [] and sms == [] and mailoutbox == []
    pending.refresh_from_db()
    assert pending.status == Resident.Status.PENDING


def test_a_decision_committed_tells_the_resident_once(
    world, pending, sms, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as queued:
        confirm(world, pending, commit=True)

    assert len(queued) == 1
    assert [message.to for message in sms] == ["13800000001"]
    assert [message.to for message in mailoutbox] == [["li-na@example.cn"]]


def test_a_registration_rolled_back_sends_no_code(world, pending, sms, django_capture_on_commit_callbacks):
    household = pending.household
    with django_capture_on_commit_callbacks(execute=True) as queued:
        try:
            with transaction.atomic():
                resident_register(
                    username="wang-fang",
                    password=f.PASSWORD,
                    phone="13800000002",
                    household_code=household.code,
                )
                raise RolledBack
        except RolledBack:
            pass

    assert queued == [] and sms == []
    assert not Resident.objects.filter(user__username="wang-fang").exists()
