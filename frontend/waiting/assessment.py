"""Scores waiting for the organisations a contract names: the third-party assessor enters T, and
the sample survey where too few residents have rated online (fewer than n_min, the rule
``evaluations.services`` applies when finalizing); the residents' committee enters C. Only while
the evaluation is open, and only what the ``rules`` permission lets the user enter."""

from collections import Counter
from typing import Any

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from contracts.permissions import party_organization_ids
from evaluations.models import Evaluation, Rating
from evaluations.scoring import minimum_sample
from orgs.models import Household

from ..casework.common import COMPONENTS_OF_AREA, PARTY_FIELDS, may_score, may_survey
from . import STAGE_IN_SENTENCE, Task


def _open_evaluations(user: Any, area: str) -> list[Evaluation]:
    ids = party_organization_ids(user)
    if not ids:
        return []
    return list(
        Evaluation.objects.visible_to(user)
        .filter(**{f"contract__{PARTY_FIELDS[area]}__in": ids}, status=Evaluation.Status.OPEN)
        .select_related("contract")
        .order_by("id")
    )


def surveys_needed(evaluations: list[Evaluation]) -> set[int]:
    """The evaluations with no survey whose counted online ratings fall short of n_min: R cannot be
    computed yet (``evaluations.services.evaluation_finalize`` would refuse)."""
    candidates = [evaluation for evaluation in evaluations if not evaluation.survey_n]
    if not candidates:
        return set()
    rated = Counter(
        dict(
            Rating.objects.filter(evaluation__in=candidates, status=Rating.Status.VALID)
            .exclude(satisfaction=Rating.NOT_RECEIVED)
            .order_by()
            .values_list("evaluation_id")
            .annotate(n=Count("id"))
        )
    )
    recipients = Counter(
        dict(
            Household.objects.filter(service_events__contract__in={e.contract_id for e in candidates})
            .order_by()
            .values_list("service_events__contract")
            .annotate(n=Count("id", distinct=True))
        )
    )
    needed = set()
    for evaluation in candidates:
        n = rated[evaluation.pk]
        if not (
            n > 0
            and n >= minimum_sample(recipients[evaluation.contract_id], evaluation.contract.frozen_terms.rule)
        ):
            needed.add(evaluation.pk)
    return needed


def tasks(user: Any, area: str) -> list[Task]:
    (component,) = COMPONENTS_OF_AREA[area]
    evaluations = _open_evaluations(user, area)
    surveys = surveys_needed(evaluations) if area == "assessor" else set()
    result = []
    for evaluation in evaluations:
        url = reverse(f"{area}:evaluation", args=[evaluation.pk])
        names = {"title": evaluation.contract.title, "stage": STAGE_IN_SENTENCE[evaluation.stage]}
        if getattr(evaluation, component.value) is None and may_score(user, evaluation, component):
            text = (
                _("Enter the third-party score T of the %(stage)s evaluation of “%(title)s”")
                if area == "assessor"
                else _("Enter the community score C of the %(stage)s evaluation of “%(title)s”")
            )
            result.append(Task(text % names, url))
        if evaluation.pk in surveys and may_survey(user, evaluation):
            result.append(
                Task(
                    _(
                        "Enter the sample survey of the %(stage)s evaluation of “%(title)s”: "
                        "too few residents rated online"
                    )
                    % names,
                    url,
                )
            )
    return result
