"""Writes of challenges (质疑) and complaints (投诉) (docs/rules.md §17.5).

The award stays held (``challenged``) while anything could still annul it: a challenge awaiting its
reply, a complaint awaiting its decision, or a dismissal whose complaint window is still open. It is
released only when nothing holds it any more, so a contract is never signed under a challenge or a
complaint that could then annul it. Every write locks the tender first (as finalizing the award
does), then the award, then the challenge or complaint: a challenge and the scheduler's finalizing
are serialised on the tender's row, and exactly one of them wins."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from common import reasons, workdays
from common.errors import Conflict, Forbidden, Invalid, InvalidTransition
from common.notifications import notify_after_commit
from common.transitions import run_transition
from marketplace.models import Award, Bid, Tender
from marketplace.permissions import acting_provider_ids
from marketplace.services import award_annul, award_hold, award_release, standing_award
from orgs.auth import Caller, signed_in
from orgs.models import Organization, User

from .errors import ChallengesError
from .models import (
    GROUNDS_MAX_LENGTH,
    REASONING_MAX_LENGTH,
    REPLY_MAX_LENGTH,
    Challenge,
    Complaint,
    Decision,
    Remedy,
)
from .permissions import (
    is_challenge_officer,
    is_challenger,
    is_complaint_reviewer,
    officers_of,
    reviewers_of,
)


def _tender_locked(tender_id: int) -> Tender:
    tender: Tender = Tender.objects.select_for_update().get(pk=tender_id)
    return tender


def _text(value: str, field: str, max_length: int) -> str:
    """The text stripped: required, and at most the model field's length (a 400 on ``field``, as
    the serializers and forms say, for callers that skip them)."""
    value = (value or "").strip()
    if not value:
        raise Invalid({field: [_("This field may not be blank.")]})
    try:
        MaxLengthValidator(max_length)(value)
    except ValidationError as error:
        raise Invalid({field: error.messages}) from None
    return value


def _decision(decision: str, remedy: str) -> tuple[str, str]:
    """A decision and its remedy: upheld names one (re-evaluate or cancel), dismissed none."""
    if decision not in Decision.values:
        raise Invalid({"decision": [_("Choose dismissed or upheld.")]})
    remedy = remedy or ""
    if decision == Decision.UPHELD and remedy not in Remedy.values:
        raise Invalid({"remedy": [_("Choose what upholding does: evaluate the bids again or cancel.")]})
    if decision == Decision.DISMISSED and remedy:
        raise Invalid({"remedy": [_("Only an upheld decision has a remedy.")]})
    return decision, remedy


# --- What holds the award -------------------------------------------------------------------------


def holding(award: Award) -> QuerySet[Challenge]:
    """The challenges of the award that may hold it: awaiting a reply (and not taken to the review
    body), with a complaint awaiting its decision, or dismissed with no complaint yet — the last
    only while its complaint window is open, which ``is_held`` decides (docs/rules.md §17.5)."""
    challenges: QuerySet[Challenge] = Challenge.objects.filter(award_id=award.pk)
    return challenges.filter(
        Q(status=Challenge.Status.SUBMITTED, complaint__isnull=True)
        | Q(complaint__status=Complaint.Status.OPEN)
        | Q(status=Challenge.Status.DISMISSED, complaint__isnull=True, replied_at__isnull=False)
    )


def is_held(award: Award) -> bool:
    """Whether anything holds the award now (``holding``): a dismissal not complained of only until
    its complaint window (``Challenge.complaint_until``) closes; an open complaint until decided."""
    now = timezone.now()
    for challenge in holding(award).select_related("complaint"):
        if challenge.status != Challenge.Status.DISMISSED or challenge.complaint_or_none is not None:
            return True
        until = challenge.complaint_until
        if until is not None and now <= until:
            return True
    return False


def _settle(award: Award, *, by: User | None, description: str) -> Award:
    """Hold the award while anything holds it; release it once nothing does. Idempotent. The caller
    holds the tender's lock."""
    award = Award.objects.select_for_update().get(pk=award.pk)
    if award.status not in (Award.Status.PROPOSED, Award.Status.CHALLENGED):
        return award
    if is_held(award):
        return award_hold(award=award, by=by, description=description)
    return award_release(award=award, by=by, description=reasons.NOTHING_PENDING)


def _annul(award: Award, *, tender: Tender, by: User | None, remedy: str, description: str) -> None:
    award = Award.objects.select_for_update().get(pk=award.pk)
    if award.status not in (Award.Status.PROPOSED, Award.Status.CHALLENGED):
        return  # already annulled (another challenge upheld) or, by the hold, never confirmed
    award_annul(
        award=award, tender=tender, by=by, description=description, cancel_tender=remedy == Remedy.CANCEL
    )


# --- Challenges -----------------------------------------------------------------------------------


def reply_due_of(submitted_at: datetime.datetime) -> datetime.datetime:
    return workdays.working_days_deadline(submitted_at, settings.CHALLENGE_REPLY_WORKING_DAYS)


def challenge_window_closed(award: Award | None) -> Conflict:
    return Conflict(
        _("The award is no longer open to challenge."),
        code=ChallengesError.CHALLENGE_WINDOW_CLOSED,
        extra={"challenge_until": award.challenge_until.isoformat() if award else None},
    )


def challenger_bid(actor: Caller, tender: Tender) -> Bid | None:
    """The opened bid of a provider the actor acts for on the tender: what gives standing to
    challenge its award."""
    bid: Bid | None = (
        Bid.objects.filter(
            tender_id=tender.pk,
            provider_id__in=acting_provider_ids(actor),
            status__in=Bid.OPENED_STATUSES,
        )
        .order_by("id")
        .first()
    )
    return bid


def check_may_challenge(actor: Caller, tender: Tender, award: Award | None) -> Bid:
    """Who may challenge the award notice and until when, for the service and the pages alike: a
    provider the actor acts for, with an opened bid on the tender (else 403 ``not_a_bidder``), while
    the award is open to challenge (``Award.is_open_to_challenge``, else 409
    ``challenge_window_closed``), once per award (409 ``already_challenged``). The bid it returns
    is the challenger's."""
    bid = challenger_bid(actor, tender) if signed_in(actor) else None
    if bid is None:
        raise Forbidden(
            _("Only a provider whose bid was opened may challenge the award."),
            code=ChallengesError.NOT_A_BIDDER,
        )
    if tender.status != Tender.Status.AWARD_PROPOSED or award is None or not award.is_open_to_challenge:
        raise challenge_window_closed(award)
    if Challenge.objects.filter(award=award, provider_id=bid.provider_id).exists():
        raise Conflict(
            _("Your organisation has already challenged this award."), code=ChallengesError.ALREADY_CHALLENGED
        )
    return bid


@transaction.atomic
def challenge_submit(*, actor: User, tender: Tender, grounds: str) -> Challenge:
    """A bidder whose bid was opened challenges the award notice, until ``challenge_until``: the
    award is held at once. The rule is ``check_may_challenge``."""
    tender = _tender_locked(tender.pk)
    award = standing_award(tender, lock=True)
    bid = check_may_challenge(actor, tender, award)
    assert award is not None  # checked: the award is open to challenge
    grounds = _text(grounds, "grounds", GROUNDS_MAX_LENGTH)
    now = timezone.now()
    challenge: Challenge = Challenge.objects.create(
        tender=tender,
        award=award,
        bid=bid,
        provider_id=bid.provider_id,
        grounds=grounds,
        submitted_by=actor,
        submitted_at=now,
        reply_due=reply_due_of(now),
    )
    award_hold(award=award, by=actor, description=reasons.CHALLENGE_SUBMITTED % {"challenge": challenge.pk})
    notify_after_commit(
        user_ids=list(officers_of(tender.bureau_id).values_list("id", flat=True)),
        subject=_("A challenge to your award"),
        body=_("A bidder has challenged the award of “%(tender)s”. Reply by %(due)s.")
        % {"tender": tender.title, "due": timezone.localtime(challenge.reply_due).strftime("%Y-%m-%d")},
    )
    return challenge


def _challenge_locked(challenge: Challenge) -> tuple[Tender, Challenge]:
    tender = _tender_locked(challenge.tender_id)
    Award.objects.select_for_update().get(pk=challenge.award_id)
    locked: Challenge = (
        Challenge.objects.select_for_update(of=("self",)).select_related("tender").get(pk=challenge.pk)
    )
    return tender, locked


@transaction.atomic
def challenge_reply(
    *, actor: User, challenge: Challenge, decision: str, reply: str, remedy: str = ""
) -> Challenge:
    """The bureau's officer replies. Upheld: the award is annulled and the tender goes back to
    evaluation (scores kept) or is cancelled. Dismissed: the award stays held until the complaint
    window closes without a complaint (``release_unheld_awards``)."""
    tender, challenge = _challenge_locked(challenge)
    if not is_challenge_officer(actor, challenge):
        raise Forbidden()
    if challenge.status != Challenge.Status.SUBMITTED:
        raise InvalidTransition()
    if Complaint.objects.filter(challenge=challenge).exists():
        raise Conflict(
            _("The challenger has complained to the review body, which now decides."),
            code=ChallengesError.COMPLAINT_LODGED,
        )
    decision, remedy = _decision(decision, remedy)
    reply = _text(reply, "reply", REPLY_MAX_LENGTH)
    challenge.reply, challenge.remedy, challenge.replied_by = reply, remedy, actor
    transition = challenge.uphold if decision == Decision.UPHELD else challenge.dismiss
    run_transition(challenge, transition, by=actor, description=reply)
    award = challenge.award
    if decision == Decision.UPHELD:
        description = reasons.CHALLENGE_UPHELD % {"challenge": challenge.pk}
        _annul(award, tender=tender, by=actor, remedy=remedy, description=description)
    else:
        _settle(award, by=actor, description=reasons.CHALLENGE_SUBMITTED % {"challenge": challenge.pk})
    notify_after_commit(
        user_ids=list(User.objects.filter(pk=challenge.submitted_by_id).values_list("id", flat=True)),
        subject=_("Reply to your challenge"),
        body=_("The bureau has replied to your challenge of the award of “%(tender)s”: %(decision)s.")
        % {"tender": tender.title, "decision": challenge.get_status_display()},
    )
    return challenge


# --- Complaints -----------------------------------------------------------------------------------


def review_body_for(bureau: Organization) -> Organization | None:
    """The review body (finance department) whose jurisdiction covers the bureau's: the nearest one
    up the area tree."""
    area = bureau.jurisdiction
    if area is None:
        return None
    parts = area.path.rstrip("/").split("/")
    ancestors = ["/".join(parts[: n + 1]) + "/" for n in range(len(parts))]
    candidates = Organization.objects.filter(
        kind=Organization.Kind.REVIEW_BODY,
        status=Organization.Status.VERIFIED,
        jurisdiction__path__in=ancestors,
    )
    found: Organization | None = candidates.order_by("-jurisdiction__path", "id").first()
    return found  # the longest path: the nearest ancestor


def decide_due_of(submitted_at: datetime.datetime) -> datetime.datetime:
    return workdays.working_days_deadline(submitted_at, settings.COMPLAINT_WORKING_DAYS)


@transaction.atomic
def complaint_submit(*, actor: User, challenge: Challenge, grounds: str) -> Complaint:
    """The challenger complains to the review body after a dismissal, or once the reply is overdue,
    within ``COMPLAINT_WORKING_DAYS`` working days of the reply (or of its due date). The award
    stays held until the complaint is decided."""
    tender, challenge = _challenge_locked(challenge)
    if not is_challenger(actor, challenge):
        raise Forbidden()
    if challenge.status == Challenge.Status.UPHELD:
        raise InvalidTransition()
    if Complaint.objects.filter(challenge=challenge).exists():
        raise Conflict(
            _("This challenge has already been taken to the review body."),
            code=ChallengesError.ALREADY_COMPLAINED,
        )
    now = timezone.now()
    if challenge.status == Challenge.Status.SUBMITTED and now <= challenge.reply_due:
        raise Conflict(
            _("The bureau may still reply: complain after its reply or once its reply is overdue."),
            code=ChallengesError.REPLY_NOT_DUE,
            extra={"reply_due": challenge.reply_due.isoformat()},
        )
    until = challenge.complaint_until
    assert until is not None
    if now > until:
        raise Conflict(
            _("The time to complain has passed."),
            code=ChallengesError.COMPLAINT_WINDOW_CLOSED,
            extra={"complaint_until": until.isoformat()},
        )
    grounds = _text(grounds, "grounds", GROUNDS_MAX_LENGTH)
    review_body = review_body_for(tender.bureau)
    if review_body is None:
        raise Conflict(
            _("No review body covers this bureau yet: ask the platform administrator."),
            code=ChallengesError.NO_REVIEW_BODY,
        )
    complaint: Complaint = Complaint.objects.create(
        challenge=challenge,
        review_body=review_body,
        grounds=grounds,
        submitted_by=actor,
        submitted_at=now,
        decide_due=decide_due_of(now),
    )
    _settle(challenge.award, by=actor, description=reasons.COMPLAINT_SUBMITTED % {"complaint": complaint.pk})
    notify_after_commit(
        user_ids=list(reviewers_of(review_body.pk).values_list("id", flat=True)),
        subject=_("A complaint to decide"),
        body=_("A bidder has complained about the award of “%(tender)s”. Decide by %(due)s.")
        % {"tender": tender.title, "due": timezone.localtime(complaint.decide_due).strftime("%Y-%m-%d")},
    )
    return complaint


@transaction.atomic
def complaint_decide(
    *, actor: User, complaint: Complaint, decision: str, reasoning: str, remedy: str = ""
) -> Complaint:
    """A member of the review body decides. Upheld: the award is annulled with the remedy given;
    dismissed: the award is released if nothing else holds it."""
    challenge = complaint.challenge
    tender, challenge = _challenge_locked(challenge)
    complaint = Complaint.objects.select_for_update(of=("self",)).get(pk=complaint.pk)
    if not is_complaint_reviewer(actor, complaint):
        raise Forbidden()
    if complaint.status != Complaint.Status.OPEN:
        raise InvalidTransition()
    decision, remedy = _decision(decision, remedy)
    reasoning = _text(reasoning, "reasoning", REASONING_MAX_LENGTH)
    complaint.reasoning, complaint.remedy, complaint.decided_by = reasoning, remedy, actor
    transition = complaint.uphold if decision == Decision.UPHELD else complaint.dismiss
    run_transition(complaint, transition, by=actor, description=reasoning)
    if decision == Decision.UPHELD:
        description = reasons.COMPLAINT_UPHELD % {"complaint": complaint.pk}
        _annul(challenge.award, tender=tender, by=actor, remedy=remedy, description=description)
    else:
        _settle(
            challenge.award, by=actor, description=reasons.COMPLAINT_SUBMITTED % {"complaint": complaint.pk}
        )
    recipients = {challenge.submitted_by_id, *officers_of(tender.bureau_id).values_list("id", flat=True)}
    notify_after_commit(
        user_ids=sorted(recipients),
        subject=_("A complaint has been decided"),
        body=_("The review body has decided the complaint about the award of “%(tender)s”: %(decision)s.")
        % {"tender": tender.title, "decision": complaint.get_status_display()},
    )
    return complaint


# --- The periodic release -------------------------------------------------------------------------


@transaction.atomic
def award_release_if_unheld(*, award_id: int) -> Award | None:
    """Release a held award that nothing holds any more (a dismissal whose complaint window closed
    without a complaint). Idempotent; the scheduler may call it any number of times."""
    award = Award.objects.filter(pk=award_id).first()
    if award is None:
        return None
    _tender_locked(award.tender_id)  # the tender first, as every write on the award
    return _settle(award, by=None, description=reasons.NOTHING_PENDING)
