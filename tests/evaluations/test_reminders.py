import pytest

from common.notifications import LocmemSmsBackend
from contracts.models import ServiceEvent
from evaluations.services import evaluation_open_for
from evaluations.tasks import remind_recipients

from .. import factories as f
from .. import flows

pytestmark = pytest.mark.django_db


def test_recipients_who_have_not_rated_are_reminded_once(
    world, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.NOTIFICATIONS_SMS_BACKEND = "common.notifications.LocmemSmsBackend"
    LocmemSmsBackend.outbox.clear()
    contract = flows.active_contract(world)
    evaluation = evaluation_open_for(contract)
    households = [f.HouseholdFactory(area=world["areas"]["compound"]) for _ in range(2)]
    for household in households:
        f.ResidentFactory(
            household=household, user=f.UserFactory(email=f"{household.code}@example.cn", phone="13800000000")
        )
    event = ServiceEvent.objects.create(
        contract=contract,
        date=contract.service_start,
        area=world["areas"]["compound"],
        title="Visit",
        created_by=world["provider_admins"][0],
    )
    event.recipients.set(households)
    assert evaluation is not None

    with django_capture_on_commit_callbacks(execute=True):  # each reminder is sent once it commits
        assert remind_recipients() == 2
    assert len(mailoutbox) == 2 and len(LocmemSmsBackend.outbox) == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert remind_recipients() == 0  # once per household and evaluation
    assert len(mailoutbox) == 2 and len(LocmemSmsBackend.outbox) == 2
