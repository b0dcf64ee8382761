"""Work waiting for a provider's members, in the organisations where they act (verified ones
only: a provider awaiting verification has nothing to do yet but wait). The admin signs contracts;
admins and staff finish draft bids before the deadline, submit the report an open evaluation needs,
log the services delivered while the contract runs and read the answers to their questions on
tenders still open for bids."""

from collections import Counter
from typing import Any

import rules
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts import delivery
from contracts.models import Contract, Report
from contracts.selectors import AWARDS, contract_list
from evaluations.models import Evaluation
from marketplace.models import Bid, Question, Tender
from marketplace.permissions import acting_provider_ids
from orgs.models import Organization

from ..variations import sign_contract_text, variations_to_sign
from . import STAGE_IN_SENTENCE, Task, sentence


def provider_ids(user: Any) -> list[int]:
    """The verified provider organisations where the user acts as admin or staff."""
    ids = acting_provider_ids(user)
    if not ids:
        return []
    return list(
        Organization.objects.filter(id__in=ids, kind=Organization.Kind.PROVIDER).values_list("id", flat=True)
    )


def _contract_tasks(user: Any, ids: list[int]) -> list[Task]:
    contracts = list(
        contract_list(user=user)
        .prefetch_related(None)
        .select_related("tender")
        .prefetch_related(AWARDS)
        .filter(provider_id__in=ids, status__in=[Contract.Status.DRAFT, *delivery.DELIVERING])
        .order_by("id")
    )
    running = [contract for contract in contracts if contract.status in delivery.DELIVERING]
    open_stages = {}
    reported: set[tuple[int, str]] = set()
    if running:
        open_stages = dict(
            Evaluation.objects.filter(contract__in=running, status=Evaluation.Status.OPEN).values_list(
                "contract_id", "stage"
            )
        )
        reported = set(Report.objects.filter(contract__in=running).values_list("contract_id", "stage"))
    today = timezone.localdate()
    tasks = []
    for contract in contracts:
        title = {"title": contract.title}
        if contract.status == Contract.Status.DRAFT:
            if rules.has_perm("contracts.sign_contract", user, contract):
                tasks.append(
                    Task(sign_contract_text(contract), reverse("provider:contract_sign", args=[contract.pk]))
                )
            continue
        if not rules.has_perm("contracts.log_delivery_on_contract", user, contract):
            continue
        stage = open_stages.get(contract.pk)
        if stage is not None and (contract.pk, stage) not in reported:
            tasks.append(
                Task(
                    _("Submit the %(stage)s report on “%(title)s”")
                    % {**title, "stage": STAGE_IN_SENTENCE[stage]},
                    reverse("provider:report_new", args=[contract.pk]),
                )
            )
        if contract.service_start <= today <= contract.service_end:
            tasks.append(
                Task(
                    _("Log the services you deliver under “%(title)s”") % title,
                    reverse("provider:event_new", args=[contract.pk]),
                )
            )
    return tasks + variations_to_sign(user, running, "provider:variation_sign")


def _bid_tasks(user: Any, ids: list[int]) -> list[Task]:
    drafts = (
        Bid.objects.visible_to(user)
        .filter(
            provider_id__in=ids,
            status=Bid.Status.DRAFT,
            tender__status=Tender.Status.PUBLISHED,
            tender__bid_deadline__gt=timezone.now(),
        )
        .order_by("tender__bid_deadline", "id")
    )
    return [
        Task(
            sentence(
                _("Finish and submit your bid on “%(title)s” before %(deadline)s"),
                title=bid.tender.title,
                values={"deadline": timezone.localtime(bid.tender.bid_deadline).strftime("%Y-%m-%d %H:%M")},
            ),
            reverse("provider:bid", args=[bid.tender_id]),
        )
        for bid in drafts
    ]


def _answered_questions(ids: list[int]) -> list[Task]:
    rows = (
        Question.objects.filter(
            asker_organization_id__in=ids,
            answered_at__isnull=False,
            tender__status=Tender.Status.PUBLISHED,
            tender__bid_deadline__gt=timezone.now(),
        )
        .order_by()
        .values_list("tender_id", "tender__title")
        .annotate(n=Count("id"))
    )
    counts = Counter({(tender_id, title): n for tender_id, title, n in rows})
    return [
        Task(
            _("Read the answers to your questions on “%(title)s”") % {"title": title},
            reverse("provider:tender", args=[tender_id]),
            n,
        )
        for (tender_id, title), n in sorted(counts.items())
    ]


def tasks(user: Any) -> list[Task]:
    ids = provider_ids(user)
    if not ids:
        return []
    return _contract_tasks(user, ids) + _bid_tasks(user, ids) + _answered_questions(ids)
