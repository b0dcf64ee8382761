"""What waits for the signed-in person, area by area: each item says what to do, how many, and
links to the page where it is done. The rules are the apps' own (``rules`` permissions, FSM
conditions, visibility querysets); these modules only read, one concern each, in a bounded number
of queries whatever the number of items:

``tenders``     officers' tender work (questions, closing, award, finalizing) and evaluators'
                declarations and scores
``casework``    officers' contracts to sign, evaluations (B, C, finalize, confirm), quarantined
                ratings; finance's instalments to pay and payments awaiting their voucher
``residents``   registrations waiting to be confirmed (officers and residents' committees)
``assessment``  the assessor's T scores and sample surveys, the committee's C scores
``provider``    contracts to sign, reports due, services to log, bids to finish, answered questions
``resident``    services to rate and ratings the household may still change
``challenges``  challenges to reply to (the bureau), complaints to decide (the review body),
                dismissed challenges the provider may still complain about
``appeals``     appeals of evaluations to decide (the bureau's officers, the review body)
``community``   the committee's residents' needs awaiting the council, tasks sent awaiting its answer
"""

from dataclasses import dataclass
from typing import Any

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from ..templatetags.shequ import nowrap

# A stage or an instalment's kind inside a sentence ("Enter the buyer score B of the midterm
# evaluation …"): the choices' labels are capitalised for columns and headings.
STAGE_IN_SENTENCE = {"midterm": _("midterm"), "final": _("final")}
KIND_IN_SENTENCE = {"advance": _("advance"), "interim": _("interim"), "holdback": _("performance holdback")}


def sentence(template: str, *, values: dict[str, Any] | None = None, **texts: Any) -> SafeString:
    """A task's text: the translated %-style ``template`` with ``texts`` (titles, names) escaped
    and ``values`` (dates, times, amounts) kept on one line (``nowrap``)."""
    parts: dict[str, Any] = {name: conditional_escape(text) for name, text in texts.items()}
    parts.update({name: nowrap(value) for name, value in (values or {}).items()})
    return mark_safe(conditional_escape(template) % parts)  # every part is escaped above


@dataclass(frozen=True)
class Task:
    """One thing waiting: ``text`` says what to do, ``count`` how many of it, ``url`` where."""

    text: str
    url: str
    count: int = 1


def tasks_for(user: Any, area: str) -> list[Task]:
    """Everything waiting for ``user`` in one role area (``frontend.access.areas_of``)."""
    from . import appeals, assessment, casework, challenges, community, provider, resident, residents, tenders

    if not getattr(user, "is_authenticated", False):
        return []
    if area == "bureau":
        return (
            challenges.bureau_tasks(user)
            + appeals.tasks(user, "bureau")
            + tenders.tasks(user)
            + casework.tasks(user)
            + residents.tasks(user, "bureau")
        )
    if area == "provider":
        return challenges.provider_tasks(user) + provider.tasks(user)
    if area == "review":
        return challenges.review_tasks(user) + appeals.tasks(user, "review")
    if area == "assessor":
        return assessment.tasks(user, "assessor")
    if area == "community":
        return (
            assessment.tasks(user, "community") + residents.tasks(user, "community") + community.tasks(user)
        )
    if area == "resident":
        return resident.tasks(user)
    return []


def waiting_by_area(user: Any, areas: list[str]) -> dict[str, list[Task]]:
    return {area: tasks_for(user, area) for area in areas}
