"""Every (state, transition) pair of the challenge and complaint machines (docs/rules.md §17.5):
allowed, or refused 409 ``invalid_transition`` with nothing changed; and the reminders of their
deadlines."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from challenges import services
from challenges.models import Challenge, Complaint
from challenges.tasks import REMIND_WORKING_DAYS_BEFORE, remind_due_replies_and_decisions
from common import workdays

from ..flows import assert_refused, challenged_tender, complained_challenge, last_log

pytestmark = pytest.mark.django_db


def _challenge_in(world, state: str) -> Challenge:
    challenge = challenged_tender(world)["challenge"]
    if state == "submitted":
        return challenge
    remedy = "re_evaluate" if state == "upheld" else ""
    return services.challenge_reply(
        actor=world["officer"], challenge=challenge, decision=state, reply="Reasons.", remedy=remedy
    )


def _complaint_in(world, state: str) -> Complaint:
    complaint = complained_challenge(world)["complaint"]
    if state == "open":
        return complaint
    remedy = "cancel" if state == "upheld" else ""
    return services.complaint_decide(
        actor=world["reviewer"], complaint=complaint, decision=state, reasoning="Reasons.", remedy=remedy
    )


@pytest.mark.parametrize("state", ["submitted", "dismissed", "upheld"])
@pytest.mark.parametrize("decision", ["dismissed", "upheld"])
def test_replying_to_a_challenge_in_each_state(world, state, decision):
    challenge = _challenge_in(world, state)
    remedy = "re_evaluate" if decision == "upheld" else ""

    def reply():
        return services.challenge_reply(
            actor=world["officer"], challenge=challenge, decision=decision, reply="Reply.", remedy=remedy
        )

    if state != "submitted":
        assert_refused(reply, "invalid_transition")
        return
    replied = reply()
    assert replied.status == decision and replied.replied_at is not None
    log = last_log(replied)
    assert (log.source_state, log.state, log.by) == ("submitted", decision, world["officer"])
    assert log.description == "Reply."


@pytest.mark.parametrize("state", ["open", "dismissed", "upheld"])
@pytest.mark.parametrize("decision", ["dismissed", "upheld"])
def test_deciding_a_complaint_in_each_state(world, state, decision):
    complaint = _complaint_in(world, state)
    remedy = "re_evaluate" if decision == "upheld" else ""

    def decide():
        return services.complaint_decide(
            actor=world["reviewer"], complaint=complaint, decision=decision, reasoning="Why.", remedy=remedy
        )

    if state != "open":
        assert_refused(decide, "invalid_transition")
        return
    decided = decide()
    assert decided.status == decision and decided.decided_by == world["reviewer"]
    log = last_log(decided)
    assert (log.source_state, log.state, log.by) == ("open", decision, world["reviewer"])


def test_the_bureau_is_reminded_before_the_reply_is_due_and_on_the_day(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    world["officer"].email = "officer@wuhou.example"
    world["officer"].save(update_fields=["email"])
    challenge = challenged_tender(world)["challenge"]
    due_day = timezone.localdate(challenge.reply_due)
    reminder_day = due_day
    while not (
        workdays.is_working_day(reminder_day)
        and workdays.add_working_days(reminder_day, REMIND_WORKING_DAYS_BEFORE) == due_day
    ):
        reminder_day -= datetime.timedelta(days=1)
    noon = datetime.time(12)

    def sent_on(day):
        mailoutbox.clear()
        moment = timezone.make_aware(datetime.datetime.combine(day, noon))
        with time_machine.travel(moment), django_capture_on_commit_callbacks(execute=True):
            remind_due_replies_and_decisions()
        return [m.to for m in mailoutbox]

    assert sent_on(reminder_day) == [["officer@wuhou.example"]]
    assert sent_on(due_day) == [["officer@wuhou.example"]]
    assert sent_on(reminder_day - datetime.timedelta(days=1)) == []
    assert sent_on(due_day + datetime.timedelta(days=1)) == []  # overdue: flagged on the dashboard


def test_the_review_body_is_reminded_on_the_day_its_decision_is_due(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    world["reviewer"].email = "reviewer@finance.example"
    world["reviewer"].save(update_fields=["email"])
    complaint = complained_challenge(world)["complaint"]
    moment = timezone.make_aware(
        datetime.datetime.combine(timezone.localdate(complaint.decide_due), datetime.time(9))
    )
    mailoutbox.clear()
    with time_machine.travel(moment), django_capture_on_commit_callbacks(execute=True):
        remind_due_replies_and_decisions()
    assert ["reviewer@finance.example"] in [m.to for m in mailoutbox]
