"""Work waiting for a confirmed resident: services the household received and may rate now
(``evaluations.selectors.rateable_contracts``), and its ratings it may still change (within the
edit window, ``evaluations.services.rating_edit_deadline``, while their evaluation is open)."""

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluations.models import Evaluation, Rating
from evaluations.selectors import rateable_contracts
from evaluations.services import rating_edit_deadline
from orgs.permissions import confirmed_resident

from . import Task, sentence


def changeable_ratings(user: Any) -> list[Rating]:
    """The household's ratings it may still change, soonest closing first."""
    resident = confirmed_resident(user)
    if resident is None:
        return []
    ratings = (
        Rating.objects.visible_to(user)
        .filter(household_id=resident.household_id, evaluation__status=Evaluation.Status.OPEN)
        .order_by("created_at", "id")
    )
    now = timezone.now()
    return [rating for rating in ratings if rating_edit_deadline(rating) > now]


def tasks(user: Any) -> list[Task]:
    if confirmed_resident(user) is None:
        return []
    result = [
        Task(
            _("Rate “%(title)s”") % {"title": row["contract"].title},
            reverse("resident:rate", args=[row["contract"].pk]),
        )
        for row in rateable_contracts(user=user)
    ]
    for rating in changeable_ratings(user):
        until = timezone.localtime(rating_edit_deadline(rating))
        result.append(
            Task(
                sentence(
                    _("You may change your rating of “%(title)s” until %(until)s"),
                    title=rating.contract.title,
                    values={"until": until.strftime("%Y-%m-%d %H:%M")},
                ),
                reverse("resident:change", args=[rating.pk]),
            )
        )
    return result
