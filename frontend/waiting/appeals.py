"""Appeals waiting (docs/rules.md §11.7): the bureau's officers and the review body decide open
appeals of evaluations."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from evaluations.selectors import appeals_to_decide

from . import STAGE_IN_SENTENCE, Task, sentence


def tasks(user: Any, area: str) -> list[Task]:
    """``area`` is "bureau" (the officers) or "review" (the review body): each decides the open
    appeals of its contracts, on its own page."""
    appeals = appeals_to_decide(user=user)
    if area == "bureau":
        appeals = appeals.filter(evaluation__contract__bureau_id__in=_officer_bureaus(user))
        url_name = "casework:appeal"
    else:
        appeals = appeals.exclude(review_body_id=None).filter(review_body_id__in=_review_bodies(user))
        url_name = "review:appeal"
    return [
        Task(
            sentence(
                _("Decide the appeal of the %(stage)s evaluation of “%(title)s”"),
                title=appeal.evaluation.contract.title,
                stage=STAGE_IN_SENTENCE[appeal.evaluation.stage],
            ),
            reverse(url_name, args=[appeal.pk]),
        )
        for appeal in appeals
    ]


def _officer_bureaus(user: Any) -> list[int]:
    from contracts.permissions import officer_bureau_ids

    return list(officer_bureau_ids(user))


def _review_bodies(user: Any) -> list[int]:
    from challenges.permissions import review_body_ids

    return review_body_ids(user)
