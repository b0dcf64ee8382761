"""Challenges and complaints waiting (docs/rules.md §17.5): the bureau's officers reply to challenges
(flagged "Overdue reply" once the reply is due), the review body decides complaints (flagged
"Overdue decision"), and a challenger may complain after a dismissal."""

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from challenges.models import Challenge
from challenges.selectors import complaints_to_decide, own_challenges, replies_due

from . import Task, sentence


def bureau_tasks(user: Any) -> list[Task]:
    tasks = []
    now = timezone.now()
    for challenge in replies_due(user=user):
        due = timezone.localtime(challenge.reply_due).strftime("%Y-%m-%d")
        if now > challenge.reply_due:
            template = _("Overdue reply: the challenge of the award of “%(tender)s” was due %(due)s")
        else:
            template = _("Reply to the challenge of the award of “%(tender)s” by %(due)s")
        text = sentence(template, tender=challenge.tender.title, values={"due": due})
        tasks.append(Task(text, reverse("bureau:challenges", args=[challenge.tender_id])))
    return tasks


def review_tasks(user: Any) -> list[Task]:
    tasks = []
    now = timezone.now()
    for complaint in complaints_to_decide(user=user):
        due = timezone.localtime(complaint.decide_due).strftime("%Y-%m-%d")
        if now > complaint.decide_due:
            template = _("Overdue decision: the complaint about “%(tender)s” was due %(due)s")
        else:
            template = _("Decide the complaint about “%(tender)s” by %(due)s")
        text = sentence(template, tender=complaint.challenge.tender.title, values={"due": due})
        tasks.append(Task(text, reverse("review:complaint", args=[complaint.pk])))
    return tasks


def provider_tasks(user: Any) -> list[Task]:
    """Dismissed challenges the provider may still complain about."""
    dismissed = own_challenges(user=user, verified_only=True).filter(
        status=Challenge.Status.DISMISSED, complaint__isnull=True
    )
    tasks = []
    now = timezone.now()
    for challenge in dismissed:
        until = challenge.complaint_until
        if until is None or now > until:
            continue
        text = sentence(
            _("Your challenge of “%(tender)s” was dismissed: you may complain until %(until)s"),
            tender=challenge.tender.title,
            values={"until": timezone.localtime(until).strftime("%Y-%m-%d")},
        )
        tasks.append(Task(text, reverse("provider:challenge", args=[challenge.pk])))
    return tasks
