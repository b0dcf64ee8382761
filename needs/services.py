"""Writes of residents' needs (居民点单, docs/rules.md §22). Each write locks the need, checks who
acts and in what state, and logs the transition; the proposer's and supporters' households are told
of each step once the write commits.

``needs_tendered`` and the functions after it are called by marketplace and contracts when a tender
naming needs is published, ends without a service, or its contract is signed, terminated or
completed — the need follows them, never the other way round."""

import datetime
from collections.abc import Iterable

import rules
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common import reasons
from common.errors import Conflict, Forbidden, Invalid, InvalidTransition
from common.notifications import notify_after_commit
from common.transitions import run_transition
from orgs.auth import Caller
from orgs.errors import OrgsError
from orgs.models import User
from orgs.permissions import confirmed_resident

from .errors import NeedsError
from .models import (
    DESCRIPTION_MAX_LENGTH,
    EXPLANATION_MAX_LENGTH,
    MINUTES_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Deliberation,
    Need,
    Support,
)
from .permissions import community_of, council_members_of

# What each step tells the proposer and supporters (subject; the body names the need).
_TOLD = {
    Need.Status.ACCEPTED: gettext_lazy("The community council accepted a need you asked for"),
    Need.Status.REJECTED: gettext_lazy("The community council did not accept a need you asked for"),
    Need.Status.TENDERED: gettext_lazy("A need you asked for is in a published tender"),
    Need.Status.CONTRACTED: gettext_lazy("A need you asked for is being delivered"),
    Need.Status.DELIVERED: gettext_lazy("A need you asked for has been delivered"),
}


def _text(value: str, field: str, max_length: int, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise Invalid({field: [_("This field may not be blank.")]})
    try:
        MaxLengthValidator(max_length)(value)
    except ValidationError as error:
        raise Invalid({field: error.messages}) from None
    return value


def _locked(need: Need) -> Need:
    locked: Need = Need.objects.select_for_update().select_related("community").get(pk=need.pk)
    return locked


def _tell(need: Need) -> None:
    """Tell the households that proposed or supported the need of its new status, after commit."""
    subject = _TOLD.get(need.status)
    if subject is None:
        return
    user_ids = set(Support.objects.filter(need=need).values_list("user_id", flat=True))
    user_ids.add(need.proposed_by_id)
    notify_after_commit(user_ids=sorted(user_ids), subject=str(subject), body=need.title)


@transaction.atomic
def need_propose(
    *, actor: Caller, title: str, description: str, catalogue_item_id: int | None = None
) -> Need:
    """A confirmed resident proposes a need for their own community; their household supports it."""
    resident = confirmed_resident(actor)
    if resident is None:
        raise Forbidden(_("Only a confirmed resident may propose a need."), code=OrgsError.NOT_A_RESIDENT)
    if catalogue_item_id is not None:
        catalogue = Need._meta.get_field("catalogue_item").related_model  # marketplace's, read lazily
        if not catalogue._default_manager.filter(pk=catalogue_item_id).exists():
            raise Invalid({"catalogue_item": [_("No such catalogue item.")]})
    community = community_of(resident.household)
    if community is None:
        raise Conflict(_("Your household is not in a community yet."), code=NeedsError.NO_COMMUNITY)
    need: Need = Need.objects.create(
        community=community,
        title=_text(title, "title", TITLE_MAX_LENGTH),
        description=_text(description, "description", DESCRIPTION_MAX_LENGTH),
        catalogue_item_id=catalogue_item_id,
        household=resident.household,
        proposed_by=resident.user,
        supporters=1,
    )
    Support.objects.create(need=need, household=resident.household, user=resident.user)
    notify_after_commit(
        user_ids=list(council_members_of(community).values_list("id", flat=True)),
        subject=_("A resident proposed a need for your community"),
        body=need.title,
    )
    return need


@transaction.atomic
def need_support(*, actor: Caller, need: Need) -> Need:
    """A household of the need's community supports it, once, while the council has not decided or
    has accepted it and no tender answers it yet."""
    need = _locked(need)
    if not rules.has_perm("needs.support_need", actor, need):
        if confirmed_resident(actor) is None:
            raise Forbidden(_("Only a confirmed resident may support a need."), code=OrgsError.NOT_A_RESIDENT)
        raise Forbidden(
            _("Only households of the need's community may support it."),
            code=NeedsError.NOT_OF_YOUR_COMMUNITY,
        )
    if need.status not in Need.SUPPORTABLE_STATUSES:
        raise InvalidTransition(_("This need can no longer be supported."))
    resident = confirmed_resident(actor)
    assert resident is not None  # the permission asked
    try:
        with transaction.atomic():
            Support.objects.create(need=need, household=resident.household, user=resident.user)
    except IntegrityError:
        raise Conflict(
            _("Your household already supports this need."), code=NeedsError.ALREADY_SUPPORTED
        ) from None
    Need.objects.filter(pk=need.pk).update(supporters=F("supporters") + 1)
    need.refresh_from_db(fields=["supporters"])
    return need


@transaction.atomic
def need_deliberate(
    *,
    actor: User,
    need: Need,
    held_on: datetime.date,
    minutes: str,
    votes_for: int,
    votes_against: int,
    decision: str,
    reason: str = "",
    explanation: str = "",
) -> Need:
    """A member of the community's committee records the council's deliberation: accepted, or
    rejected with a negative-list reason (``other`` explained)."""
    need = _locked(need)
    if not rules.has_perm("needs.deliberate_need", actor, need):
        raise Forbidden()
    if need.status != Need.Status.SUBMITTED:
        raise InvalidTransition(_("The council has already decided on this need."))
    minutes = _text(minutes, "minutes", MINUTES_MAX_LENGTH)
    explanation = _text(explanation, "explanation", EXPLANATION_MAX_LENGTH, required=False)
    errors: dict[str, list[str]] = {}
    if held_on > timezone.localdate():
        errors["held_on"] = [_("The meeting cannot be in the future.")]
    elif held_on < timezone.localdate(need.submitted_at):
        errors["held_on"] = [_("The meeting cannot be before the need was proposed.")]
    for field, votes in (("votes_for", votes_for), ("votes_against", votes_against)):
        if votes < 0:
            errors[field] = [_("Ensure this value is greater than or equal to 0.")]
    if decision not in Deliberation.Decision.values:
        errors["decision"] = [_("Choose accepted or rejected.")]
    elif decision == Deliberation.Decision.REJECTED and reason not in Need.RejectionReason.values:
        errors["reason"] = [_("A rejection names its reason from the negative list.")]
    elif decision == Deliberation.Decision.ACCEPTED and reason:
        errors["reason"] = [_("Only a rejection has a reason from the negative list.")]
    if reason == Need.RejectionReason.OTHER and not explanation:
        errors["explanation"] = [_("Explain the other reason.")]
    if errors:
        raise Invalid(errors)
    Deliberation.objects.create(
        need=need,
        held_on=held_on,
        minutes=minutes,
        votes_for=votes_for,
        votes_against=votes_against,
        decision=decision,
        reason=reason,
        explanation=explanation,
        recorded_by=actor,
    )
    accepted = decision == Deliberation.Decision.ACCEPTED
    method, reason_text = (
        (need.accept, reasons.NEED_ACCEPTED) if accepted else (need.reject, reasons.NEED_REJECTED)
    )
    run_transition(need, method, by=actor, description=reason_text)
    _tell(need)
    return need


# --- Following the tender and the contract (called by marketplace and contracts) -------------------


def _follow(
    needs: Iterable[Need], step: str, *, by: User | None, description: str, sources: set[Need.Status]
) -> None:
    """Move each of the needs that is in one of ``sources`` by the transition ``step``; others stay
    (a need may already have moved with another tender). Idempotent; the caller's transaction."""
    ids = [need.pk for need in needs]
    for need in Need.objects.select_for_update().filter(pk__in=ids, status__in=sources).order_by("pk"):
        run_transition(need, getattr(need, step), by=by, description=description)
        _tell(need)


def needs_tendered(needs: Iterable[Need], *, tender_id: int, by: User | None) -> None:
    description = reasons.NEED_TENDERED % {"tender": tender_id}
    _follow(needs, "tender", by=by, description=description, sources={Need.Status.ACCEPTED})


def needs_reopened(needs: Iterable[Need], *, tender_id: int, by: User | None) -> None:
    description = reasons.NEED_REOPENED % {"tender": tender_id}
    sources = {Need.Status.TENDERED, Need.Status.CONTRACTED}
    _follow(needs, "reopen", by=by, description=description, sources=sources)


def needs_contracted(needs: Iterable[Need], *, contract_id: int, by: User | None) -> None:
    description = reasons.NEED_CONTRACTED % {"contract": contract_id}
    _follow(needs, "contract", by=by, description=description, sources={Need.Status.TENDERED})


def needs_delivered(needs: Iterable[Need], *, contract_id: int, by: User | None) -> None:
    description = reasons.NEED_DELIVERED % {"contract": contract_id}
    _follow(needs, "deliver", by=by, description=description, sources={Need.Status.CONTRACTED})


def check_needs_for_tender(
    needs: Iterable[Need], *, jurisdiction_path: str | None, tender_id: int | None
) -> None:
    """A tender names only accepted needs (or those it already answers) of communities within its
    bureau's jurisdiction: else 400 on ``needs``."""
    problems = []
    for need in needs:
        if jurisdiction_path is not None and not need.community.path.startswith(jurisdiction_path):
            problems.append(_("Need %(id)s is outside the bureau's jurisdiction.") % {"id": need.pk})
        elif need.status != Need.Status.ACCEPTED and not (
            tender_id is not None and need.tenders.filter(pk=tender_id).exists()
        ):
            problems.append(_("Need %(id)s is not accepted by its council.") % {"id": need.pk})
    if problems:
        raise Invalid({"needs": problems})
