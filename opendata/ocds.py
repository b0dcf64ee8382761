"""OCDS 1.1.5 releases, derived on read from the domain tables and the transition log (docs/rules.md §21).

Nothing here is stored: a release is what the transition log (django-fsm-log's ``StateLog``) and
the domain's own dated rows (amendments, variations, payments, evaluations) say happened at one
moment, described with the state of the process *as of that moment* (each object's state is read
back from its log). The domain never calls this module, so the open-data app stays a reader above
it (docs/architecture.md §1). A release's ``id`` is ``<tender id>-<event>`` and never changes, so a
consumer that keeps ``?since=`` cursors sees each release once.

Money is converted from fen to yuan here and only here: amounts are JSON numbers in yuan
(``Decimal`` → exact two-decimal numbers). No person appears: parties are organisations, with
the unified social credit code under org-id.guide's scheme ``CN-USCI``; ratings only as
aggregates (the performance extension, ``opendata/extension/``).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone
from django_fsm_log.models import StateLog

from common.money import fen_to_yuan, round_half_up
from contracts.models import Contract, Instalment, Variation
from documents.models import Document
from evaluations import scoring
from evaluations.models import Appeal, Evaluation
from evaluations.selectors import MIN_PUBLIC_RATINGS, PUBLIC_EVALUATION_STATUSES, public_appeal_outcomes
from marketplace.models import Award, Bid, Tender, TenderAmendment
from orgs.models import Organization
from payments.models import Payment

OCDS_VERSION = "1.1"
# org-id.guide's code for China's unified social credit code (统一社会信用代码, GB 32100-2015):
# https://org-id.guide/list/CN-USCI
IDENTIFIER_SCHEME = "CN-USCI"
LANGUAGE = "zh"

# Our states on OCDS's closed codelists (tenderStatus, awardStatus, contractStatus, milestoneStatus).
TENDER_STATUS = {
    Tender.Status.DRAFT: "planning",
    Tender.Status.PUBLISHED: "active",
    Tender.Status.EVALUATING: "active",
    Tender.Status.AWARD_PROPOSED: "active",
    Tender.Status.AWARDED: "complete",
    Tender.Status.CANCELLED: "cancelled",
    Tender.Status.UNSUCCESSFUL: "unsuccessful",
}
AWARD_STATUS = {
    Award.Status.PROPOSED: "pending",
    Award.Status.CHALLENGED: "pending",
    Award.Status.CONFIRMED: "active",
    Award.Status.ANNULLED: "cancelled",
}
CONTRACT_STATUS = {
    Contract.Status.DRAFT: "pending",
    Contract.Status.ACTIVE: "active",
    Contract.Status.SUSPENDED: "active",
    Contract.Status.RECTIFICATION: "active",
    Contract.Status.COMPLETED: "terminated",  # OCDS: "has now come to a close", completed or ended early
    Contract.Status.CLOSED: "terminated",
    Contract.Status.TERMINATED: "terminated",
}
# A tender's documents are the only ones the public may read (docs/rules.md §17.2: a contract's
# are its parties'); "other" has no code of its own, so it goes without a documentType.
DOCUMENT_TYPE: dict[str, str] = {
    Document.Kind.TENDER_DOCUMENTS: "biddingDocuments",
    Document.Kind.CLARIFICATION: "clarifications",
}
APPEAL_STATUS = {
    Appeal.Status.UPHELD: "upheld",
    Appeal.Status.PARTLY: "partlyUpheld",
    Appeal.Status.DISMISSED: "dismissed",
}

# What a tender transition publishes: (our event name, OCDS release tags).
TENDER_TRANSITIONS = {
    "publish": ("tender", ["tender"]),
    "cancel": ("cancelled", ["tenderCancellation"]),
    "close_unsuccessful": ("unsuccessful", ["tenderUpdate"]),
    "award": ("award", ["award"]),
    "reopen_scoring": ("award-annulled", ["awardUpdate"]),
    "finalize_award": ("awarded", ["awardUpdate"]),
}
CONTRACT_TRANSITIONS = {
    "activate": ("signed", ["contract"]),
    "terminate": ("terminated", ["contractTermination"]),
    "complete": ("completed", ["contractTermination"]),
}


def json_number(value: Decimal) -> int | float:
    """An exact decimal as a JSON number: 123456.78 → 123456.78, 300000.00 → 300000."""
    return int(value) if value == value.to_integral_value() else float(value)


def score(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def moment(value: datetime.datetime) -> str:
    return timezone.localtime(value).replace(microsecond=0).isoformat()


def day_start(value: datetime.date) -> str:
    start = datetime.datetime.combine(value, datetime.time.min)
    return timezone.make_aware(start).isoformat()


def day_end(value: datetime.date) -> str:
    end = datetime.datetime.combine(value, datetime.time(23, 59, 59))
    return timezone.make_aware(end).isoformat()


def money(amount_fen: int, currency: str = "CNY") -> dict[str, Any]:
    return {"amount": json_number(fen_to_yuan(amount_fen)), "currency": currency}


def ocid_of(tender_id: int) -> str:
    return f"{settings.OCDS_OCID_PREFIX}-{tender_id}"


def public_url(path: str) -> str:
    return settings.OCDS_PUBLIC_URL.rstrip("/") + path


def party_id(organization: Organization) -> str:
    return f"{IDENTIFIER_SCHEME}-{organization.credit_code}"


def organization_reference(organization: Organization) -> dict[str, str]:
    return {"id": party_id(organization), "name": organization.name}


@dataclass
class Event:
    """Something that happened to a procedure and is published as one release."""

    at: datetime.datetime
    key: str  # unique within the procedure, stable: "tender", "amendment-3", "payment-12"
    tags: list[str]


@dataclass
class Procedure:
    """One tender and everything that followed it, loaded once."""

    tender: Tender
    logs: dict[tuple[int, int], list[StateLog]]
    amendments: list[TenderAmendment] = field(default_factory=list)
    opened_bids: list[Bid] = field(default_factory=list)
    awards: list[Award] = field(default_factory=list)
    contract: Contract | None = None
    instalments: list[Instalment] = field(default_factory=list)
    variations: list[Variation] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)
    evaluations: list[Evaluation] = field(default_factory=list)
    # the decided appeal of an evaluation, by evaluation id (public_appeal_outcomes)
    appeals: dict[int, Appeal] = field(default_factory=dict)
    # the public documents of the tender, oldest first
    documents: list[Document] = field(default_factory=list)
    # the residents' needs the tender answers (docs/rules.md §22), oldest first
    needs: list[Any] = field(default_factory=list)

    def history(self, instance: Model) -> list[StateLog]:
        content_type = ContentType.objects.get_for_model(type(instance))
        return self.logs.get((content_type.pk, int(instance.pk)), [])

    def state_at(self, instance: Model, at: datetime.datetime, initial: str) -> str:
        """The instance's state at ``at``, read back from its transition log."""
        state = initial
        for log in self.history(instance):
            if log.timestamp <= at:
                state = log.state
        return state


def public_tenders() -> Any:
    """The tenders the public may see that were published (a draft cancelled before it was
    published is public, but was never announced, so it has no release)."""
    return Tender.objects.visible_to(AnonymousUser()).exclude(published_at=None)


def load(tenders: Any) -> list[Procedure]:
    """Every public procedure among ``tenders`` with what its releases need, in a fixed number of
    queries whatever their count."""
    tenders = list(tenders.select_related("bureau", "catalogue_item").order_by("id"))
    tender_ids = [t.pk for t in tenders]
    contracts = {
        c.tender_id: c
        for c in Contract.objects.filter(tender_id__in=tender_ids).select_related(
            "provider", "bureau", "assessor", "community"
        )
    }
    contract_ids = [c.pk for c in contracts.values()]
    by_tender: dict[str, dict[int, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for amendment in TenderAmendment.objects.filter(tender_id__in=tender_ids).order_by("published_at", "id"):
        by_tender["amendments"][amendment.tender_id].append(amendment)
    for bid in (
        Bid.objects.filter(tender_id__in=tender_ids, status__in=Bid.OPENED_STATUSES)
        .select_related("provider")
        .order_by("id")
    ):
        by_tender["bids"][bid.tender_id].append(bid)
    for award in Award.objects.filter(tender_id__in=tender_ids).select_related("provider").order_by("id"):
        by_tender["awards"][award.tender_id].append(award)
    by_contract: dict[str, dict[int, list[Any]]] = defaultdict(lambda: defaultdict(list))
    instalments = list(Instalment.objects.filter(contract_id__in=contract_ids).order_by("sequence", "id"))
    for instalment in instalments:
        by_contract["instalments"][instalment.contract_id].append(instalment)
    variations = list(
        Variation.objects.filter(contract_id__in=contract_ids, status=Variation.Status.EFFECTIVE).order_by(
            "effective_at", "id"
        )
    )
    for variation in variations:
        by_contract["variations"][variation.contract_id].append(variation)
    for payment in (
        Payment.objects.filter(instalment__contract_id__in=contract_ids, status=Payment.Status.SUCCEEDED)
        .exclude(succeeded_at=None)
        .select_related("instalment")
        .order_by("succeeded_at", "id")
    ):
        by_contract["payments"][payment.instalment.contract_id].append(payment)
    evaluations = list(
        Evaluation.objects.filter(contract_id__in=contract_ids, status__in=PUBLIC_EVALUATION_STATUSES)
        .exclude(published_at=None)
        .order_by("published_at", "id")
    )
    contracts_by_id = {c.pk: c for c in contracts.values()}
    for evaluation in evaluations:
        evaluation.contract = contracts_by_id[evaluation.contract_id]  # no query per evaluation
        by_contract["evaluations"][evaluation.contract_id].append(evaluation)
    appeals = public_appeal_outcomes(evaluations)

    # the transition log of every object a release reads a state from
    types = ContentType.objects.get_for_models(Tender, Award, Contract, Instalment)
    wanted = {
        types[Tender]: tender_ids,
        types[Award]: [a.pk for rows in by_tender["awards"].values() for a in rows],
        types[Contract]: contract_ids,
        types[Instalment]: [i.pk for i in instalments],
    }
    logs: dict[tuple[int, int], list[StateLog]] = defaultdict(list)
    for content_type, ids in wanted.items():
        for log in StateLog.objects.filter(content_type=content_type, object_id__in=ids).order_by(
            "timestamp", "id"
        ):
            logs[(content_type.pk, int(log.object_id))].append(log)

    # the documents the public may read of these tenders (a tender's only: a contract's, a bid's
    # and a service event's are their parties')
    documents: dict[int, list[Document]] = defaultdict(list)
    for document in (
        Document.objects.visible_to(AnonymousUser())
        .filter(content_type=types[Tender], object_id__in=tender_ids)
        .order_by("uploaded_at", "id")
    ):
        documents[document.object_id].append(document)

    # the residents' needs each tender answers (public, like the needs themselves: never who asked)
    answered: dict[int, list[Any]] = defaultdict(list)
    for link in (
        Tender.needs.through.objects.filter(tender_id__in=tender_ids)
        .select_related("need__community")
        .order_by("need_id")
    ):
        answered[link.tender_id].append(link.need)

    procedures = []
    for tender in tenders:
        contract = contracts.get(tender.pk)
        cid = contract.pk if contract else 0
        procedures.append(
            Procedure(
                tender=tender,
                logs=logs,
                amendments=by_tender["amendments"][tender.pk],
                opened_bids=by_tender["bids"][tender.pk],
                awards=by_tender["awards"][tender.pk],
                contract=contract,
                instalments=by_contract["instalments"][cid],
                variations=by_contract["variations"][cid],
                payments=by_contract["payments"][cid],
                evaluations=by_contract["evaluations"][cid],
                appeals={e.pk: appeals[e.pk] for e in by_contract["evaluations"][cid] if e.pk in appeals},
                documents=documents[tender.pk],
                needs=answered[tender.pk],
            )
        )
    return procedures


def events(procedure: Procedure) -> list[Event]:
    """What the procedure has published so far, oldest first."""
    found: list[Event] = []
    tender = procedure.tender
    for log in procedure.history(tender):
        if log.transition in TENDER_TRANSITIONS:
            name, tags = TENDER_TRANSITIONS[log.transition]
            found.append(Event(log.timestamp, f"{name}-{log.pk}", tags))
    for amendment in procedure.amendments:
        found.append(Event(amendment.published_at, f"amendment-{amendment.pk}", ["tenderAmendment"]))
    contract = procedure.contract
    if contract is not None:
        for log in procedure.history(contract):
            if log.transition in CONTRACT_TRANSITIONS:
                name, tags = CONTRACT_TRANSITIONS[log.transition]
                found.append(Event(log.timestamp, f"contract-{name}-{log.pk}", tags))
        for variation in procedure.variations:
            assert variation.effective_at is not None
            found.append(Event(variation.effective_at, f"variation-{variation.pk}", ["contractAmendment"]))
        for payment in procedure.payments:
            assert payment.succeeded_at is not None
            found.append(
                Event(_settled(procedure, payment.succeeded_at), f"payment-{payment.pk}", ["implementation"])
            )
        for evaluation in procedure.evaluations:
            assert evaluation.published_at is not None
            found.append(
                Event(
                    evaluation.published_at, f"evaluation-{evaluation.pk}-published", ["implementationUpdate"]
                )
            )
            if evaluation.confirmed_at is not None and evaluation.status == Evaluation.Status.FINAL:
                at = _settled(procedure, evaluation.confirmed_at)
                found.append(Event(at, f"evaluation-{evaluation.pk}-final", ["implementationUpdate"]))
            appeal = procedure.appeals.get(evaluation.pk)
            if appeal is not None and appeal.decided_at is not None:
                # deciding the appeal of a confirmed evaluation settles the held money at once
                at = _settled(procedure, appeal.decided_at)
                found.append(
                    Event(at, f"evaluation-{evaluation.pk}-appeal-{appeal.pk}", ["implementationUpdate"])
                )
    found.sort(key=lambda event: (event.at, event.key))
    return found


SETTLING = datetime.timedelta(seconds=2)


def _settled(procedure: Procedure, base: datetime.datetime) -> datetime.datetime:
    """The moment the instalments had followed a payment or a confirmed evaluation: the same
    request marks an instalment paid (or payable, or withheld) just after the payment succeeds or
    the evaluation is confirmed, and the release describes the instalments as they then stood."""
    at = base
    for instalment in procedure.instalments:
        for log in procedure.history(instalment):
            if base <= log.timestamp <= base + SETTLING:
                at = max(at, log.timestamp)
    return at


def release_id(procedure: Procedure, event: Event) -> str:
    return f"{procedure.tender.pk}-{event.key}"


def _document(document: Document) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "id": str(document.pk),
        "title": document.title,
        "url": public_url(f"/api/v1/documents/{document.pk}/download/"),
        "datePublished": moment(document.uploaded_at),
        "format": document.media_type,
        "language": LANGUAGE,
        "sha256": document.sha256,  # the performance extension's Document.sha256
    }
    if document.kind in DOCUMENT_TYPE:
        shown["documentType"] = DOCUMENT_TYPE[document.kind]
    return shown


def _signed(procedure: Procedure, at: datetime.datetime) -> bool:
    assert procedure.contract is not None
    return procedure.state_at(procedure.contract, at, Contract.Status.DRAFT) != Contract.Status.DRAFT


def _party(organization: Organization, roles: list[str]) -> dict[str, Any]:
    return {
        "id": party_id(organization),
        "name": organization.name,
        "identifier": {
            "scheme": IDENTIFIER_SCHEME,
            "id": organization.credit_code,
            "legalName": organization.name,
        },
        "roles": roles,
    }


def _parties(procedure: Procedure, at: datetime.datetime) -> list[dict[str, Any]]:
    roles: dict[int, list[str]] = defaultdict(list)
    organizations: dict[int, Organization] = {}

    def add(organization: Organization | None, *names: str) -> None:
        if organization is None:
            return
        organizations[organization.pk] = organization
        for name in names:
            if name not in roles[organization.pk]:
                roles[organization.pk].append(name)

    tender = procedure.tender
    add(tender.bureau, "buyer", "procuringEntity")
    notices = [a for a in procedure.awards if a.notice_published_at <= at]
    if notices:  # the public award notice names every opened bid's provider
        for bid in procedure.opened_bids:
            add(bid.provider, "tenderer")
        for award in notices:
            add(award.provider, "supplier")
    contract = procedure.contract
    if contract is not None and _signed(procedure, at):
        add(contract.bureau, "payer")
        add(contract.provider, "supplier", "payee")
        add(contract.assessor, "reviewBody")  # the third-party evaluation agency (第三方评估)
        add(contract.community, "interestedParty")  # the residents' committee scoring C
    return [_party(organizations[pk], roles[pk]) for pk in organizations]


def _as_of(amendments: list[TenderAmendment], at: datetime.datetime, term: str, current: Any) -> Any:
    """A term as it stood at ``at``: the "before" of the first amendment published after it."""
    for amendment in amendments:
        if amendment.published_at > at and term in amendment.changes:
            return amendment.changes[term].get("before", current)
    return current


def _tender(procedure: Procedure, at: datetime.datetime) -> dict[str, Any]:
    tender = procedure.tender
    amendments = procedure.amendments
    status = procedure.state_at(tender, at, Tender.Status.DRAFT)
    deadline = moment(
        datetime.datetime.fromisoformat(
            _as_of(amendments, at, "bid_deadline", tender.bid_deadline.isoformat())
        )
    )
    start = _as_of(amendments, at, "service_start", tender.service_start.isoformat())
    end = _as_of(amendments, at, "service_end", tender.service_end.isoformat())
    assert tender.published_at is not None
    shown: dict[str, Any] = {
        "id": str(tender.pk),
        "title": tender.title,
        "description": _as_of(amendments, at, "description", tender.description),
        "status": TENDER_STATUS[Tender.Status(status)],
        "procuringEntity": organization_reference(tender.bureau),
        "value": money(tender.ceiling_amount, tender.currency),
        "procurementMethod": "open",
        "procurementMethodDetails": "公开竞争 (政府购买服务)",
        "mainProcurementCategory": "services",
        "awardCriteria": "ratedCriteria",
        "awardCriteriaDetails": "综合评分法: 价格分 (低价优先) + 质量分",
        "submissionMethod": ["electronicSubmission"],
        "tenderPeriod": {"startDate": moment(tender.published_at), "endDate": deadline},
        "contractPeriod": {
            "startDate": day_start(datetime.date.fromisoformat(start)),
            "endDate": day_end(datetime.date.fromisoformat(end)),
        },
        "items": [
            {
                "id": "1",
                "description": tender.catalogue_item.name,
                "classification": {
                    "scheme": "X-SHEQU-CATALOGUE",  # the district's guiding catalogue (指导性目录)
                    "id": tender.catalogue_item.code,
                    "description": tender.catalogue_item.name,
                },
            }
        ],
    }
    documents = [_document(d) for d in procedure.documents if d.uploaded_at <= at]
    if documents:
        shown["documents"] = documents
    published = [a for a in amendments if a.published_at <= at]
    if published:
        shown["amendments"] = [
            {
                "id": str(a.pk),
                "date": moment(a.published_at),
                "rationale": a.reason,
                "description": "、".join(sorted(a.changes)),
            }
            for a in published
        ]
    notices = [a for a in procedure.awards if a.notice_published_at <= at]
    if notices:
        shown["tenderers"] = [organization_reference(bid.provider) for bid in procedure.opened_bids]
        shown["numberOfTenderers"] = len(procedure.opened_bids)
    if tender.closed_at is not None and tender.closed_at <= at:
        shown["awardPeriod"] = {"startDate": moment(tender.closed_at)}
    return shown


def _awards(procedure: Procedure, at: datetime.datetime) -> list[dict[str, Any]]:
    tender = procedure.tender
    shown = []
    for award in procedure.awards:
        if award.notice_published_at > at:
            continue
        status = procedure.state_at(award, at, Award.Status.PROPOSED)
        shown.append(
            {
                "id": str(award.pk),
                "title": tender.title,
                "status": AWARD_STATUS[Award.Status(status)],
                "date": moment(award.notice_published_at),
                "value": money(award.price_amount, tender.currency),
                "suppliers": [organization_reference(award.provider)],
                "contractPeriod": {
                    "startDate": day_start(tender.service_start),
                    "endDate": day_end(tender.service_end),
                },
            }
        )
    return shown


def _contract_value(contract: Contract, variations: list[Variation], at: datetime.datetime) -> int:
    for variation in variations:
        assert variation.effective_at is not None
        if variation.effective_at > at and variation.value_before is not None:
            return variation.value_before
    return contract.value_amount


def _service_end(contract: Contract, variations: list[Variation], at: datetime.datetime) -> datetime.date:
    for variation in variations:
        assert variation.effective_at is not None
        if variation.effective_at > at and variation.service_end_before is not None:
            return variation.service_end_before
    return contract.service_end


MILESTONE_TITLE = {"advance": "预付款", "interim": "中期款", "holdback": "绩效尾款"}


def _milestone(procedure: Procedure, instalment: Instalment, at: datetime.datetime) -> dict[str, Any]:
    contract = procedure.contract
    assert contract is not None
    state = procedure.state_at(instalment, at, Instalment.Status.SCHEDULED)
    if state == Instalment.Status.PAID:
        status = "partiallyMet" if instalment.withheld_amount else "met"
    elif state == Instalment.Status.WITHHELD:
        status = "notMet"
    else:
        status = "scheduled"
    shown: dict[str, Any] = {
        "id": str(instalment.pk),
        "title": f"{MILESTONE_TITLE.get(instalment.kind, instalment.kind)} ({instalment.share_pct}%)",
        "type": "payment",
        "code": instalment.kind,
        "status": status,
        "value": money(instalment.amount, contract.currency),  # the extension's Milestone.value
    }
    paid = [
        log.timestamp for log in procedure.history(instalment) if log.state == "paid" and log.timestamp <= at
    ]
    if paid:
        shown["dateMet"] = moment(paid[-1])
    return shown


def _transaction(procedure: Procedure, payment: Payment) -> dict[str, Any]:
    contract = procedure.contract
    assert contract is not None and payment.succeeded_at is not None
    return {
        "id": str(payment.pk),
        "source": public_url(f"/contracts/{contract.pk}/"),
        "date": moment(payment.succeeded_at),
        "value": money(payment.amount, payment.currency),
        "payer": organization_reference(contract.bureau),
        "payee": organization_reference(contract.provider),
    }


@dataclass(frozen=True)
class Outcome:
    """What an evaluation decides, as the public sees it at a moment: S, the band and f(S) as
    published, or — from the day an appeal of it is decided — S'' and the band and f(S'') it gives
    under the contract's frozen rule (docs/rules.md §11.7), with the appeal."""

    composite: Decimal | None
    band: str
    release_pct: Decimal | None
    appeal: Appeal | None = None


def outcome(evaluation: Evaluation, appeal: Appeal | None, at: datetime.datetime | None = None) -> Outcome:
    """``evaluation``'s outcome at ``at`` (now, if None); ``appeal`` its decided appeal, if any
    (``evaluations.selectors.public_appeal_outcomes``)."""
    decided = (
        appeal is not None
        and appeal.decided_at is not None
        and appeal.final_composite is not None
        and (at is None or appeal.decided_at <= at)
    )
    rule = evaluation.contract.frozen_terms.rule
    if not decided:  # as published: S, and the band and release of S (``band`` follows a decided S'')
        published = evaluation.composite
        if published is None:
            return Outcome(published, evaluation.band, evaluation.release_pct)
        return Outcome(
            published, scoring.band_of(published, rule).letter, scoring.release_pct(published, rule)
        )
    assert appeal is not None and appeal.final_composite is not None
    final = appeal.final_composite
    return Outcome(final, scoring.band_of(final, rule).letter, scoring.release_pct(final, rule), appeal)


def performance_evaluation(
    evaluation: Evaluation, at: datetime.datetime, appeal: Appeal | None = None
) -> dict[str, Any]:
    """An evaluation as the extension publishes it: components as published; composite, band and
    release as decided once an appeal is decided by ``at`` (then ``appeal`` says so)."""
    contract = evaluation.contract
    final = evaluation.confirmed_at is not None and evaluation.confirmed_at <= at
    assert evaluation.published_at is not None
    decided = outcome(evaluation, appeal, at)
    shown: dict[str, Any] = {
        "id": str(evaluation.pk),
        "stage": evaluation.stage,
        "round": evaluation.round,
        "status": "final" if final and evaluation.status == Evaluation.Status.FINAL else "published",
        "date": moment(
            evaluation.confirmed_at if final and evaluation.confirmed_at else evaluation.published_at
        ),
        "thirdParty": score(evaluation.third_party),
        "buyer": score(evaluation.buyer),
        "residents": {
            "n": evaluation.residents_n,
            "nPositive": evaluation.residents_n_pos,
            "nMinimum": evaluation.residents_n_min,
            "score": score(evaluation.residents),
            "method": evaluation.residents_method or None,
        },
        "community": score(evaluation.community),
        "composite": score(decided.composite),
        "band": decided.band or None,
        "releasePercentage": score(decided.release_pct),
        "formulaVersion": str(contract.terms.get("formula_version", "")) or None,
    }
    if decided.appeal is not None:
        assert decided.appeal.decided_at is not None
        shown["appeal"] = {
            "status": APPEAL_STATUS[Appeal.Status(decided.appeal.status)],
            "date": moment(decided.appeal.decided_at),
            "publishedComposite": score(decided.appeal.published_composite),
        }
    return shown


def _contract(procedure: Procedure, at: datetime.datetime) -> dict[str, Any]:
    contract = procedure.contract
    assert contract is not None
    status = procedure.state_at(contract, at, Contract.Status.DRAFT)
    award = next((a for a in reversed(procedure.awards) if a.bid_id == contract.bid_id), None)
    shown: dict[str, Any] = {
        "id": str(contract.pk),
        "awardID": str(award.pk) if award else str(procedure.awards[-1].pk),
        "title": contract.title,
        "status": CONTRACT_STATUS[Contract.Status(status)],
        "value": money(_contract_value(contract, procedure.variations, at), contract.currency),
        "period": {
            "startDate": day_start(contract.service_start),
            "endDate": day_end(_service_end(contract, procedure.variations, at)),
        },
    }
    if contract.activated_at is not None:
        shown["dateSigned"] = moment(contract.activated_at)
    shown["milestones"] = [_milestone(procedure, i, at) for i in procedure.instalments]
    variations = [v for v in procedure.variations if v.effective_at is not None and v.effective_at <= at]
    if variations:
        shown["amendments"] = [
            {
                "id": str(v.pk),
                "date": moment(v.effective_at),  # type: ignore[arg-type]
                "rationale": v.reason,
                "description": v.get_kind_display(),
            }
            for v in variations
        ]
    implementation: dict[str, Any] = {}
    transactions = [p for p in procedure.payments if p.succeeded_at is not None and p.succeeded_at <= at]
    if transactions:
        implementation["transactions"] = [_transaction(procedure, p) for p in transactions]
    evaluations = [e for e in procedure.evaluations if e.published_at is not None and e.published_at <= at]
    if evaluations:
        implementation["performanceEvaluations"] = [
            performance_evaluation(e, at, procedure.appeals.get(e.pk)) for e in evaluations
        ]
        implementation["satisfaction"] = satisfaction_as_published(evaluations)
    if implementation:
        shown["implementation"] = implementation
    return shown


def satisfaction_as_published(evaluations: list[Evaluation]) -> dict[str, Any]:
    """The residents' satisfaction as it stood when the latest of ``evaluations`` (those published
    by a release's date) was published: the counted ratings (valid, service received) each one
    counted at its publication, summed — figures that never change afterwards, so an old release
    keeps the figures of its day. Aggregates only; ``{"hidden": true}`` below five ratings."""
    n = sum(e.residents_n or 0 for e in evaluations)
    positive = sum(e.residents_n_pos or 0 for e in evaluations)
    if n < MIN_PUBLIC_RATINGS:
        return {"hidden": True}
    return {
        "hidden": False,
        "n": n,
        "nPositive": positive,
        "positivePercentage": float(round_half_up(Decimal(100 * positive) / n, 2)),
    }


def _origin(procedure: Procedure) -> dict[str, Any]:
    """Why the service is bought (docs/rules.md §22): ``planning.rationale`` says it in words — the
    residents' needs answered, the bureau's own reason, or both — and each need is a related
    process (``relationship: planning``) whose ``uri`` is its public page."""
    tender, needs = procedure.tender, procedure.needs
    reasons = []
    if needs:
        reasons.append("居民点单: " + "; ".join(f"{need.title} ({need.community.name})" for need in needs))
    if tender.initiative_reason:
        reasons.append("主动发起: " + tender.initiative_reason)
    if not reasons:
        return {}
    origin: dict[str, Any] = {"planning": {"rationale": "\n".join(reasons)}}
    if needs:
        origin["relatedProcesses"] = [
            {
                "id": f"need-{need.pk}",
                "relationship": ["planning"],
                "title": need.title,
                "scheme": "X-SHEQU-NEED",
                "identifier": str(need.pk),
                "uri": public_url(reverse("needs:need", args=[need.pk])),
            }
            for need in needs
        ]
    return origin


def release(procedure: Procedure, event: Event) -> dict[str, Any]:
    at = event.at
    tender = procedure.tender
    built: dict[str, Any] = {
        "ocid": ocid_of(tender.pk),
        "id": release_id(procedure, event),
        # to the microsecond: releases of one request fall in the same second, and ocdsmerge (like
        # any consumer) orders a procedure's releases by date
        "date": timezone.localtime(at).isoformat(timespec="microseconds"),
        "tag": event.tags,
        "initiationType": "tender",
        "language": LANGUAGE,
        "parties": _parties(procedure, at),
        "buyer": organization_reference(tender.bureau),
        "tender": _tender(procedure, at),
    }
    built.update(_origin(procedure))
    awards = _awards(procedure, at)
    if awards:
        built["awards"] = awards
    contract = procedure.contract
    if contract is not None and _signed(procedure, at):
        built["contracts"] = [_contract(procedure, at)]
    return built


def releases_of(procedures: list[Procedure]) -> list[dict[str, Any]]:
    """Every release of these procedures, oldest first (ties by id)."""
    built = [release(procedure, event) for procedure in procedures for event in events(procedure)]
    built.sort(key=lambda r: (datetime.datetime.fromisoformat(r["date"]), r["id"]))
    return built
