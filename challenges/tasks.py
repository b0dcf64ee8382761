"""The periodic jobs of challenges and complaints (docs/rules.md §17.5): release the awards nothing
holds any more, and remind the bureau and the review body of their deadlines. Idempotent."""

import datetime
import logging

from celery import shared_task
from django.utils import timezone
from django.utils.translation import gettext as _

from common import workdays
from common.notifications import notify_after_commit
from common.tasks import fan_out
from marketplace.models import Award

from .models import Challenge, Complaint
from .permissions import officers_of, reviewers_of
from .services import award_release_if_unheld, is_held

logger = logging.getLogger(__name__)

# Reminders go this many working days before a reply or a decision is due, and on the day.
REMIND_WORKING_DAYS_BEFORE = 2


@shared_task(ignore_result=True)
def release_unheld_awards() -> int:
    """Beat: queue the release of every held award that nothing holds any more (a dismissal whose
    complaint window closed without a complaint)."""
    held = Award.objects.filter(status=Award.Status.CHALLENGED)
    due = [award.pk for award in held if not is_held(award)]
    return fan_out(Award.objects.filter(pk__in=due), release_award)


@shared_task(ignore_result=True, acks_late=True)
def release_award(award_id: int) -> None:
    award_release_if_unheld(award_id=award_id)


def _is_reminder_day(deadline: datetime.datetime) -> bool:
    """The deadline's day, or the working day ``REMIND_WORKING_DAYS_BEFORE`` working days before it."""
    today = timezone.localdate()
    if timezone.localdate(deadline) == today:
        return True
    return workdays.is_working_day(today) and (
        workdays.add_working_days(today, REMIND_WORKING_DAYS_BEFORE) == timezone.localdate(deadline)
    )


@shared_task(ignore_result=True)
def remind_due_replies_and_decisions() -> int:
    """Beat (daily): remind the bureau's officers of challenges awaiting their reply, and the review
    body's members of complaints awaiting their decision, two working days before and on the day."""
    sent = 0
    challenges = Challenge.objects.filter(
        status=Challenge.Status.SUBMITTED, complaint__isnull=True, reply_due__gte=timezone.now()
    ).select_related("tender")
    for challenge in challenges:
        if not _is_reminder_day(challenge.reply_due):
            continue
        notify_after_commit(
            user_ids=list(officers_of(challenge.tender.bureau_id).values_list("id", flat=True)),
            subject=_("A challenge awaits your reply"),
            body=_("Reply to the challenge of the award of “%(tender)s” by %(due)s.")
            % {
                "tender": challenge.tender.title,
                "due": timezone.localtime(challenge.reply_due).strftime("%Y-%m-%d"),
            },
        )
        sent += 1
    complaints = Complaint.objects.filter(
        status=Complaint.Status.OPEN, decide_due__gte=timezone.now()
    ).select_related("challenge__tender")
    for complaint in complaints:
        if not _is_reminder_day(complaint.decide_due):
            continue
        notify_after_commit(
            user_ids=list(reviewers_of(complaint.review_body_id).values_list("id", flat=True)),
            subject=_("A complaint awaits your decision"),
            body=_("Decide the complaint about the award of “%(tender)s” by %(due)s.")
            % {
                "tender": complaint.challenge.tender.title,
                "due": timezone.localtime(complaint.decide_due).strftime("%Y-%m-%d"),
            },
        )
        sent += 1
    return sent
