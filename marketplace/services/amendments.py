"""Amendments and clarifications of a published tender (更正公告, docs/rules.md §17.3).

An officer of the tender's bureau amends a published tender before its deadline, with a reason that
is published with the amendment. The amended terms pass the same checks as a draft's
(``terms.validate_terms``); if fewer than MARKETPLACE_CLARIFICATION_DAYS would remain before the
deadline, the deadline moves so that that many remain. Providers with a draft or submitted bid are
told what changed; a submitted bid may be withdrawn and submitted again."""

import datetime
from decimal import Decimal
from typing import Any

import rules
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.errors import Conflict, Forbidden, Invalid, InvalidTransition
from common.notifications import notify_after_commit
from common.transitions import run_transition
from documents.services import document_attach
from orgs.models import User

from ..errors import MarketplaceError
from ..models import Bid, Tender, TenderAmendment
from ..permissions import provider_people_ids
from .tenders import _current_terms, _write
from .terms import validate_terms

# The terms an amendment may change, with how people call them (the pages and the notices).
AMENDABLE_TERMS: dict[str, Any] = {
    "description": gettext_lazy("Description"),
    "kpis": gettext_lazy("Key performance indicators"),
    "criteria": gettext_lazy("Scoring criteria"),
    "bid_deadline": gettext_lazy("Bid deadline"),
    "service_start": gettext_lazy("Service start"),
    "service_end": gettext_lazy("Service end"),
}
ADDED_DOCUMENTS = gettext_lazy("Documents added")  # ``changes["documents"]``: attached with it


def earliest_amended_deadline(now: datetime.datetime | None = None) -> datetime.datetime:
    """An amendment leaves at least MARKETPLACE_CLARIFICATION_DAYS before the bid deadline."""
    return (now or timezone.now()) + datetime.timedelta(days=settings.MARKETPLACE_CLARIFICATION_DAYS)


def amended_deadline(deadline: datetime.datetime, now: datetime.datetime | None = None) -> datetime.datetime:
    """The deadline after an amendment published ``now``: unchanged when at least
    MARKETPLACE_CLARIFICATION_DAYS remain; otherwise moved, at the same time of day (Asia/Shanghai),
    to the first day that leaves that many days."""
    earliest = earliest_amended_deadline(now)
    if deadline >= earliest:
        return deadline
    local = timezone.localtime(deadline)
    moved = datetime.datetime.combine(
        timezone.localtime(earliest).date(), local.time().replace(tzinfo=None), tzinfo=local.tzinfo
    )
    if moved < earliest:
        moved += datetime.timedelta(days=1)
    return moved


def _number(value: Any) -> str:
    return format(Decimal(value).normalize(), "f")  # Decimal("1200.00") → "1200"


def _shown(term: str, value: Any) -> Any:
    """A term's value as the amendment records it (plain JSON, comparable before and after)."""
    if term == "bid_deadline":
        return timezone.localtime(value).isoformat()
    if term in ("service_start", "service_end"):
        return value.isoformat()
    if term == "kpis":
        return [{"name": k["name"], "target": _number(k["target"]), "unit": k["unit"]} for k in value]
    if term == "criteria":
        return [{"name": c["name"], "kind": str(c["kind"]), "weight": int(c["weight"])} for c in value]
    return value


def _notify(tender: Tender, amendment: TenderAmendment) -> None:
    """Tell the providers with a draft or submitted bid what changed (their admins and staff)."""
    changed = ", ".join(str(AMENDABLE_TERMS.get(term, ADDED_DOCUMENTS)) for term in amendment.changes) or _(
        "no term"
    )
    deadline = timezone.localtime(tender.bid_deadline).strftime("%Y-%m-%d %H:%M")
    body = _(
        "The tender “%(title)s” was amended.\nReason: %(reason)s\nWhat changed: %(changed)s.\n"
        "The bid deadline is %(deadline)s."
    ) % {"title": tender.title, "reason": amendment.reason, "changed": changed, "deadline": deadline}
    subject = _("Tender amended: %(title)s") % {"title": tender.title}
    bids = tender.bids.filter(status__in=(Bid.Status.DRAFT, Bid.Status.SUBMITTED))
    drafting = set(bids.filter(status=Bid.Status.DRAFT).values_list("provider_id", flat=True))
    submitted = set(bids.filter(status=Bid.Status.SUBMITTED).values_list("provider_id", flat=True))
    if submitted:
        notify_after_commit(
            user_ids=provider_people_ids(sorted(submitted)),
            subject=subject,
            body=body
            + "\n"
            + _(
                "Your bid was submitted before the amendment. Check it against the amended tender and, "
                "if needed, withdraw it and submit again before the deadline."
            ),
        )
    if drafting - submitted:
        notify_after_commit(
            user_ids=provider_people_ids(sorted(drafting - submitted)),
            subject=subject,
            body=body + "\n" + _("Check your draft bid against the amended tender before you submit it."),
        )


@transaction.atomic
def tender_amend(
    *,
    actor: User,
    tender: Tender,
    reason: str,
    changes: dict[str, Any],
    documents: list[dict[str, Any]] | None = None,
) -> TenderAmendment:
    """Publish an amendment of a published tender before its deadline (docs/rules.md §17.3).
    ``changes`` holds the new values of some of ``AMENDABLE_TERMS``; none is a clarification.
    ``documents`` (``{file, filename, title, kind}`` each) are attached to the tender as part of the
    amendment (``documents.services.document_attach``, docs/rules.md §17.2) and listed in its
    changes. Bad input is 400 with every broken rule and changes nothing; after the deadline 409
    ``bidding_closed``."""
    tender = Tender.objects.select_for_update().get(pk=tender.pk)
    if not rules.has_perm("marketplace.amend_tender", actor, tender):
        raise Forbidden()
    if tender.status != Tender.Status.PUBLISHED:
        raise InvalidTransition()
    if tender.is_deadline_passed:
        raise Conflict(
            _("The bid deadline has passed: the tender can no longer be amended."),
            code=MarketplaceError.BIDDING_CLOSED,
        )
    errors: dict[str, list[str]] = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = [_("Give the reason for the amendment. It is published with it.")]
    for term in changes:
        if term not in AMENDABLE_TERMS:
            errors[term] = [_("This term cannot be amended once the tender is published.")]
    now = timezone.now()
    earliest = earliest_amended_deadline(now)
    if "bid_deadline" in changes and changes["bid_deadline"] < earliest:
        errors["bid_deadline"] = [
            _(
                "An amended bid deadline must leave at least %(days)d days for bidders. "
                "Enter %(earliest)s or later."
            )
            % {
                "days": settings.MARKETPLACE_CLARIFICATION_DAYS,
                "earliest": timezone.localtime(earliest).strftime("%Y-%m-%d %H:%M"),
            }
        ]
    if errors:
        raise Invalid(errors)
    before = {**_current_terms(tender), "description": tender.description}
    merged = {**before, **changes}
    deadline = amended_deadline(merged["bid_deadline"], now)
    moved = deadline != merged["bid_deadline"]
    merged["bid_deadline"] = deadline
    validate_terms(merged)
    diff = {
        term: {"before": _shown(term, before[term]), "after": _shown(term, merged[term])}
        for term in AMENDABLE_TERMS
        if _shown(term, before[term]) != _shown(term, merged[term])
    }
    _write(tender, {term: merged[term] for term in diff})
    run_transition(tender, tender.amend, by=actor, description=reason)
    amendment: TenderAmendment = TenderAmendment.objects.create(
        tender=tender, reason=reason, changes=diff, deadline_moved=moved, published_at=now, by=actor
    )
    if documents:
        attached = [
            document_attach(actor=actor, owner=tender, amendment=amendment, **document)
            for document in documents
        ]
        amendment.changes["documents"] = {
            "before": [],
            "after": [{"title": d.title, "filename": d.filename, "sha256": d.sha256} for d in attached],
        }
        amendment.save(update_fields=["changes"])
    _notify(tender, amendment)
    return amendment
