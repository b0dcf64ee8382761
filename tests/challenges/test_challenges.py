"""Challenges (质疑) and complaints (投诉) (docs/rules.md §17.5): who may challenge and until when,
the bureau's reply, the complaint to the review body and its decision — and the award held while
anything could still annul it, released only once nothing holds it."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from challenges import services
from challenges.models import (
    GROUNDS_MAX_LENGTH,
    REASONING_MAX_LENGTH,
    REPLY_MAX_LENGTH,
    Challenge,
    Complaint,
)
from challenges.tasks import release_unheld_awards
from common import workdays
from common.errors import Invalid
from contracts import services as contract_services
from contracts.models import Contract
from marketplace import services as market
from marketplace.models import Award, Tender
from marketplace.selectors import ranking_of
from marketplace.services.budget import available_on

from ..flows import (
    assert_refused,
    award_proposed_tender,
    challenged_tender,
    complained_challenge,
    dismissed_challenge,
    last_log,
    pass_standstill,
)

pytestmark = pytest.mark.django_db

GROUNDS = {"grounds": "Our price was lower on the same plan."}


def _award(tender) -> Award:
    return Award.objects.filter(tender=tender).order_by("-id").first()


def _finalize(tender):
    return contract_services.award_finalize(actor=None, tender=Tender.objects.get(pk=tender.pk))


def _after(deadline: datetime.datetime, **delta) -> datetime.datetime:
    return deadline + datetime.timedelta(**(delta or {"seconds": 1}))


# --- Submitting ---------------------------------------------------------------------------------


def test_a_bidder_challenges_the_award_and_holds_it(
    world, api, mailoutbox, django_capture_on_commit_callbacks
):
    tender = award_proposed_tender(world)
    world["officer"].email = "officer@wuhou.example"
    world["officer"].save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        response = api(world["provider_admins"][1]).post(f"tenders/{tender.id}/challenges/", GROUNDS)

    assert response.status_code == 201, response.json()
    body = response.json()
    challenge = Challenge.objects.get(pk=body["id"])
    assert body["status"] == "submitted"
    expected_due = workdays.working_days_deadline(challenge.submitted_at, 7)
    assert challenge.reply_due == expected_due
    assert datetime.datetime.fromisoformat(body["reply_due"]) == expected_due
    award = _award(tender)
    assert award.status == "challenged" and last_log(award).transition == "challenge"
    assert [m.to for m in mailoutbox] == [["officer@wuhou.example"]]  # the bureau's officers are told

    pass_standstill(tender)
    assert_refused(lambda: _finalize(tender), "challenge_pending")
    assert not Contract.objects.exists()


@pytest.mark.parametrize("who", ["outsider_provider", "stranger", "officer", "reviewer"])
def test_only_a_bidder_may_challenge(world, api, who):
    tender = award_proposed_tender(world)
    user = {
        "outsider_provider": world["provider_admins"][2],
        "stranger": world["stranger"],
        "officer": world["officer"],
        "reviewer": world["reviewer"],
    }[who]

    response = api(user).post(f"tenders/{tender.id}/challenges/", GROUNDS)

    assert (response.status_code, response.json()["code"]) == (403, "not_a_bidder")
    assert not Challenge.objects.exists() and _award(tender).status == "proposed"


def test_anonymous_callers_must_sign_in(world, api):
    tender = award_proposed_tender(world)
    assert api().post(f"tenders/{tender.id}/challenges/", GROUNDS).status_code == 401


def test_the_window_closes_at_the_end_of_its_last_working_day(world, api):
    tender = award_proposed_tender(world)
    until = _award(tender).challenge_until
    assert until == workdays.end_of_day(
        workdays.add_working_days(timezone.localdate(_award(tender).notice_published_at), 7)
    )

    with time_machine.travel(_after(until)):
        late = api(world["provider_admins"][1]).post(f"tenders/{tender.id}/challenges/", GROUNDS)
        assert (late.status_code, late.json()["code"]) == (409, "challenge_window_closed")
    with time_machine.travel(until - datetime.timedelta(seconds=1)):
        on_time = api(world["provider_admins"][1]).post(f"tenders/{tender.id}/challenges/", GROUNDS)
        assert on_time.status_code == 201, on_time.json()


def test_no_window_refuses_every_challenge(world, api, settings):
    settings.CHALLENGE_WORKING_DAYS = 0
    tender = award_proposed_tender(world)

    response = api(world["provider_admins"][1]).post(f"tenders/{tender.id}/challenges/", GROUNDS)

    assert (response.status_code, response.json()["code"]) == (409, "challenge_window_closed")


def test_no_window_is_closed_even_at_the_notice_instant(world, settings):
    # Given no challenge window, and the clock stopped at the moment the notice is published
    settings.CHALLENGE_WORKING_DAYS = 0
    with time_machine.travel(timezone.now(), tick=False):
        tender = award_proposed_tender(world)
        award = _award(tender)
        assert award.challenge_until == award.notice_published_at

        # Then the award is not open to challenge, and a bidder's challenge is refused by that rule
        assert not award.is_open_to_challenge
        assert_refused(
            lambda: services.challenge_submit(
                actor=world["provider_admins"][1], tender=tender, grounds="Now"
            ),
            "challenge_window_closed",
        )
    assert not Challenge.objects.exists()


def test_a_final_award_is_no_longer_open_to_challenge(world):
    tender = pass_standstill(award_proposed_tender(world))
    _finalize(tender)
    assert_refused(
        lambda: services.challenge_submit(actor=world["provider_admins"][1], tender=tender, grounds="Late."),
        "challenge_window_closed",
    )


def test_one_challenge_per_provider_per_award_and_the_grounds_are_required(world, api):
    objects = challenged_tender(world)
    tender = objects["tender"]
    again = api(world["provider_staff"][1]).post(f"tenders/{tender.id}/challenges/", GROUNDS)
    assert (again.status_code, again.json()["code"]) == (409, "already_challenged")
    blank = api(world["provider_admins"][0]).post(f"tenders/{tender.id}/challenges/", {"grounds": "  "})
    assert blank.status_code == 400


# --- Who sees what --------------------------------------------------------------------------------


def _ids(response):
    assert response.status_code == 200, response.json()
    return [item["id"] for item in response.json()["results"]]


def test_the_bureau_sees_all_a_provider_its_own_and_the_public_replied_ones_without_names(world, api):
    objects = dismissed_challenge(world)
    tender, replied = objects["tender"], objects["challenge"]
    pending = services.challenge_submit(actor=world["provider_admins"][0], tender=tender, grounds="Tie rule.")
    path = f"tenders/{tender.id}/challenges/"

    assert sorted(_ids(api(world["officer"]).get(path))) == sorted([replied.id, pending.id])
    # a provider sees its own challenges, and the replied ones as the public does
    assert sorted(_ids(api(world["provider_admins"][0]).get(path))) == sorted([replied.id, pending.id])
    assert "provider" not in api(world["provider_admins"][0]).get(f"challenges/{replied.id}/").json()
    assert _ids(api(world["provider_admins"][1]).get(path)) == [replied.id]
    for who in (None, world["stranger"], world["provider_admins"][2]):
        listing = api(who).get(path)
        assert _ids(listing) == [replied.id]
        item = listing.json()["results"][0]
        assert "provider" not in item and "provider_name" not in item and "submitted_by" not in item
        assert item["reply"] == "The scores were checked: the ranking stands."
        assert api(who).get(f"challenges/{pending.id}/").status_code == 404
    full = api(world["officer"]).get(f"challenges/{replied.id}/").json()
    assert full["provider"] == world["providers"][1].id and full["available_transitions"] == []


def test_the_public_sees_decided_complaints_without_names(world, api):
    objects = complained_challenge(world)
    complaint = objects["complaint"]
    assert api().get(f"complaints/{complaint.id}/").status_code == 404
    assert api(world["other_reviewer"]).get(f"complaints/{complaint.id}/").status_code == 404
    assert _ids(api(world["reviewer"]).get("complaints/")) == [complaint.id]

    services.complaint_decide(
        actor=world["reviewer"], complaint=complaint, decision="dismissed", reasoning="Scored by the rules."
    )

    public = api().get(f"complaints/{complaint.id}/").json()
    assert public["status"] == "dismissed" and public["reasoning"] == "Scored by the rules."
    assert "provider" not in public and "provider_name" not in public and "submitted_by" not in public
    assert api(world["provider_admins"][1]).get(f"complaints/{complaint.id}/").json()["provider"] == (
        world["providers"][1].id
    )


# --- Replying -------------------------------------------------------------------------------------


def test_a_dismissal_keeps_the_award_held_until_the_complaint_window_closes(world):
    objects = dismissed_challenge(world)
    tender, challenge = objects["tender"], objects["challenge"]
    assert challenge.status == "dismissed" and challenge.replied_by == world["officer"]
    assert _award(tender).status == "challenged"
    until = challenge.complaint_until
    assert until == workdays.working_days_deadline(challenge.replied_at, 15)

    assert release_unheld_awards() == 0
    pass_standstill(tender)
    assert_refused(lambda: _finalize(tender), "challenge_pending")

    with time_machine.travel(_after(until)):
        assert release_unheld_awards() == 1
        assert release_unheld_awards() == 0  # idempotent
        award = _award(tender)
        assert award.status == "proposed" and last_log(award).transition == "clear_challenge"
        _finalize(tender)
    assert Tender.objects.get(pk=tender.pk).status == "awarded"
    assert _award(tender).status == "confirmed"


def test_an_open_complaint_keeps_the_award_held_after_the_complaint_window_closes(world):
    # Given a dismissal taken to the review body, still undecided when the window to complain ends
    objects = complained_challenge(world)
    tender, challenge = objects["tender"], objects["challenge"]
    pass_standstill(tender)

    with time_machine.travel(_after(challenge.complaint_until)):
        # Then the scheduler releases nothing and the award cannot be finalised
        assert services.is_held(_award(tender))
        assert release_unheld_awards() == 0
        assert _award(tender).status == "challenged"
        assert_refused(lambda: _finalize(tender), "challenge_pending")


def test_upheld_with_re_evaluation_reopens_scoring_and_a_new_award_opens_a_new_window(world, api):
    objects = challenged_tender(world)
    tender, challenge = objects["tender"], objects["challenge"]

    response = api(world["officer"]).post(
        f"challenges/{challenge.id}/reply/",
        {"decision": "upheld", "reply": "A score was mis-entered.", "remedy": "re_evaluate"},
    )

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "upheld" and response.json()["remedy"] == "re_evaluate"
    tender.refresh_from_db()
    assert tender.status == "evaluating"
    assert Award.objects.get(pk=objects["award"].pk).status == "annulled"
    assert last_log(tender).description == f"challenge {challenge.id} upheld"
    again = market.tender_award(actor=world["officer"], tender=tender, bid=ranking_of(tender)[0].bid)
    new_award = _award(again)
    assert new_award.pk != objects["award"].pk and new_award.status == "proposed"
    assert new_award.challenge_until >= new_award.notice_published_at
    # the first challenge concerned the annulled award: the new notice may be challenged again
    services.challenge_submit(actor=world["provider_admins"][1], tender=tender, grounds="Still wrong.")
    assert _award(tender).status == "challenged"


def test_upheld_with_cancellation_cancels_the_tender_and_releases_the_commitment(world):
    objects = challenged_tender(world)
    tender = objects["tender"]
    line = world["budget_line"]
    services.challenge_reply(
        actor=world["officer"],
        challenge=objects["challenge"],
        decision="upheld",
        reply="The terms were unlawful.",
        remedy="cancel",
    )

    tender.refresh_from_db()
    assert (tender.status, tender.committed_amount) == ("cancelled", 0)
    assert available_on(line) == line.amount
    assert _award(tender).status == "annulled"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"decision": "upheld", "reply": "Yes."}, "remedy"),
        ({"decision": "dismissed", "reply": "No.", "remedy": "cancel"}, "remedy"),
        ({"decision": "dismissed", "reply": "  "}, "reply"),
        ({"decision": "maybe", "reply": "No."}, "decision"),
    ],
)
def test_a_reply_needs_a_decision_a_text_and_a_remedy_when_upheld(world, api, body, field):
    challenge = challenged_tender(world)["challenge"]
    response = api(world["officer"]).post(f"challenges/{challenge.id}/reply/", body)
    assert response.status_code == 400, response.json()
    assert field in response.json()["extra"]["fields"]
    assert Challenge.objects.get(pk=challenge.pk).status == "submitted"


def test_only_the_bureaus_officers_reply(world, api):
    challenge = challenged_tender(world)["challenge"]
    body = {"decision": "dismissed", "reply": "No."}
    assert api(world["finance"]).post(f"challenges/{challenge.id}/reply/", body).status_code == 403
    assert api(world["provider_admins"][1]).post(f"challenges/{challenge.id}/reply/", body).status_code == 403
    assert api(world["other_officer"]).post(f"challenges/{challenge.id}/reply/", body).status_code == 404
    assert api(world["officer"]).get(f"challenges/{challenge.id}/").json()["available_transitions"] == [
        "reply"
    ]


# --- Complaints -----------------------------------------------------------------------------------


def test_the_challenger_complains_after_a_dismissal(world, api):
    objects = dismissed_challenge(world)
    challenge = objects["challenge"]
    rival = api(world["provider_admins"][1])
    assert rival.get(f"challenges/{challenge.id}/").json()["available_transitions"] == ["complain"]

    response = rival.post(f"challenges/{challenge.id}/complain/", {"grounds": "Our plan was ignored."})

    assert response.status_code == 201, response.json()
    body = response.json()
    complaint = Complaint.objects.get(pk=body["id"])
    assert body["status"] == "open" and complaint.review_body == world["review_body"]
    assert complaint.decide_due == workdays.working_days_deadline(complaint.submitted_at, 15)
    again = rival.post(f"challenges/{challenge.id}/complain/", {"grounds": "Again."})
    assert (again.status_code, again.json()["code"]) == (409, "already_complained")
    assert _award(objects["tender"]).status == "challenged"


def test_an_unanswered_challenge_may_be_complained_of_once_its_reply_is_overdue(world, api):
    objects = challenged_tender(world)
    challenge = objects["challenge"]
    rival = api(world["provider_admins"][1])
    early = rival.post(f"challenges/{challenge.id}/complain/", {"grounds": "No reply."})
    assert (early.status_code, early.json()["code"]) == (409, "reply_not_due")

    with time_machine.travel(_after(challenge.reply_due)):
        assert Challenge.objects.get(pk=challenge.pk).is_reply_overdue
        response = rival.post(f"challenges/{challenge.id}/complain/", {"grounds": "No reply."})
        assert response.status_code == 201, response.json()
        late_reply = api(world["officer"]).post(
            f"challenges/{challenge.id}/reply/", {"decision": "dismissed", "reply": "Sorry."}
        )
        assert (late_reply.status_code, late_reply.json()["code"]) == (409, "complaint_lodged")


def test_the_complaint_window_closes(world, api):
    challenge = dismissed_challenge(world)["challenge"]
    with time_machine.travel(_after(challenge.complaint_until)):
        response = api(world["provider_admins"][1]).post(
            f"challenges/{challenge.id}/complain/", {"grounds": "Late."}
        )
    assert (response.status_code, response.json()["code"]) == (409, "complaint_window_closed")


def test_an_upheld_challenge_is_not_complained_of(world):
    objects = challenged_tender(world)
    challenge = services.challenge_reply(
        actor=world["officer"],
        challenge=objects["challenge"],
        decision="upheld",
        reply="Yes.",
        remedy="cancel",
    )
    assert_refused(
        lambda: services.complaint_submit(
            actor=world["provider_admins"][1], challenge=challenge, grounds="?"
        ),
        "invalid_transition",
    )


def test_only_the_challenger_complains(world):
    challenge = dismissed_challenge(world)["challenge"]
    for user in (world["provider_admins"][0], world["officer"], world["reviewer"]):
        assert_refused(
            lambda user=user: services.complaint_submit(actor=user, challenge=challenge, grounds="?"),
            "permission_denied",
            403,
        )


def test_without_a_review_body_covering_the_bureau_a_complaint_is_refused(world):
    challenge = dismissed_challenge(world)["challenge"]
    world["review_body"].memberships.all().delete()
    world["review_body"].delete()
    assert_refused(
        lambda: services.complaint_submit(
            actor=world["provider_admins"][1], challenge=challenge, grounds="?"
        ),
        "no_review_body",
    )


def test_a_dismissed_complaint_releases_the_award(world, api):
    objects = complained_challenge(world)
    tender, complaint = objects["tender"], objects["complaint"]
    assert api(world["reviewer"]).get(f"complaints/{complaint.id}/").json()["available_transitions"] == [
        "decide"
    ]
    refused = api(world["officer"]).post(
        f"complaints/{complaint.id}/decide/", {"decision": "dismissed", "reasoning": "No."}
    )
    assert refused.status_code == 403

    response = api(world["reviewer"]).post(
        f"complaints/{complaint.id}/decide/", {"decision": "dismissed", "reasoning": "Scored by the rules."}
    )

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "dismissed"
    assert _award(tender).status == "proposed"
    _finalize(pass_standstill(tender))
    assert Tender.objects.get(pk=tender.pk).status == "awarded"
    again = api(world["reviewer"]).post(
        f"complaints/{complaint.id}/decide/", {"decision": "upheld", "reasoning": "x", "remedy": "cancel"}
    )
    assert (again.status_code, again.json()["code"]) == (409, "invalid_transition")


@pytest.mark.parametrize("remedy", ["re_evaluate", "cancel"])
def test_an_upheld_complaint_annuls_the_award(world, remedy):
    objects = complained_challenge(world)
    services.complaint_decide(
        actor=world["reviewer"],
        complaint=objects["complaint"],
        decision="upheld",
        reasoning="The staffing plan was not scored.",
        remedy=remedy,
    )
    tender = Tender.objects.get(pk=objects["tender"].pk)
    assert tender.status == ("evaluating" if remedy == "re_evaluate" else "cancelled")
    assert _award(tender).status == "annulled"
    assert last_log(_award(tender)).description == f"complaint {objects['complaint'].id} upheld"


def test_a_dismissed_complaint_leaves_the_award_held_while_another_challenge_awaits_its_reply(world):
    objects = complained_challenge(world)
    other = services.challenge_submit(
        actor=world["provider_admins"][0], tender=objects["tender"], grounds="The notice misspells us."
    )
    services.complaint_decide(
        actor=world["reviewer"], complaint=objects["complaint"], decision="dismissed", reasoning="No."
    )
    assert _award(objects["tender"]).status == "challenged"
    assert release_unheld_awards() == 0
    services.challenge_reply(actor=world["officer"], challenge=other, decision="dismissed", reply="Fixed.")
    with time_machine.travel(_after(Challenge.objects.get(pk=other.pk).complaint_until)):
        assert release_unheld_awards() == 1
    assert _award(objects["tender"]).status == "proposed"


def test_the_history_of_a_challenge_and_a_complaint(world, api):
    objects = complained_challenge(world)
    challenge, complaint = objects["challenge"], objects["complaint"]
    services.complaint_decide(
        actor=world["reviewer"], complaint=complaint, decision="dismissed", reasoning="No."
    )

    history = api(world["officer"]).get(f"challenges/{challenge.id}/history/").json()
    assert [(h["transition"], h["state"]) for h in history] == [("dismiss", "dismissed")]
    assert history[0]["by"]["id"] == world["officer"].id
    public = api().get(f"complaints/{complaint.id}/history/").json()
    assert [(h["transition"], h["by"]) for h in public] == [("dismiss", None)]


# --- Input bounds -------------------------------------------------------------------------------


def _snapshot():
    from django_fsm_log.models import StateLog

    return (
        list(Challenge.objects.order_by("pk").values()),
        list(Complaint.objects.order_by("pk").values()),
        list(Award.objects.order_by("pk").values_list("pk", "status")),
        StateLog.objects.count(),
    )


@pytest.mark.parametrize("step", ["challenge", "reply", "complain", "decide"])
def test_a_text_longer_than_its_field_is_400_and_nothing_is_saved(world, step):
    # Given each step's state, and a text one character longer than the model field takes
    objects = {
        "challenge": lambda: {"tender": award_proposed_tender(world)},
        "reply": lambda: challenged_tender(world),
        "complain": lambda: dismissed_challenge(world),
        "decide": lambda: complained_challenge(world),
    }[step]()
    field, limit = {
        "challenge": ("grounds", GROUNDS_MAX_LENGTH),
        "reply": ("reply", REPLY_MAX_LENGTH),
        "complain": ("grounds", GROUNDS_MAX_LENGTH),
        "decide": ("reasoning", REASONING_MAX_LENGTH),
    }[step]
    text = "长" * (limit + 1)
    call = {
        "challenge": lambda: services.challenge_submit(
            actor=world["provider_admins"][1], tender=objects["tender"], grounds=text
        ),
        "reply": lambda: services.challenge_reply(
            actor=world["officer"], challenge=objects["challenge"], decision="dismissed", reply=text
        ),
        "complain": lambda: services.complaint_submit(
            actor=world["provider_admins"][1], challenge=objects["challenge"], grounds=text
        ),
        "decide": lambda: services.complaint_decide(
            actor=world["reviewer"], complaint=objects["complaint"], decision="dismissed", reasoning=text
        ),
    }[step]
    before = _snapshot()

    # When the service is called directly (the serializers and forms say the same first)
    with pytest.raises(Invalid) as refused:
        call()

    # Then it is 400 on the field and nothing changed
    assert refused.value.status_code == 400
    assert list(refused.value.extra["fields"]) == [field]
    assert _snapshot() == before


def test_a_text_exactly_its_fields_length_is_taken(world):
    tender = award_proposed_tender(world)
    challenge = services.challenge_submit(
        actor=world["provider_admins"][1], tender=tender, grounds="长" * GROUNDS_MAX_LENGTH
    )
    assert len(Challenge.objects.get(pk=challenge.pk).grounds) == GROUNDS_MAX_LENGTH
