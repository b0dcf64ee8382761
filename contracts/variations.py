"""Writes of contract variations (补充协议, docs/rules.md §17.8): the officer proposes, both parties
sign, and the second signature makes the change: a new value (the instalments not yet payable
re-planned, the budget commitment moved), a later service end, or a new scope.

Renewal (an extension beyond the tender's period) depends on the contract's last final evaluation
band, which the evaluations app owns: the caller passes it as ``last_band``
(``evaluations.services.variation_propose`` / ``variation_sign`` do); contracts never imports
evaluations (docs/architecture.md §1)."""

import datetime
from decimal import Decimal

import rules
from django.conf import settings
from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from common import reasons
from common.errors import Conflict, Forbidden, Invalid, InvalidTransition
from common.money import split_by_shares, yuan
from common.notifications import notify_after_commit
from common.transitions import run_transition
from marketplace.services import commitment_add, commitment_release
from orgs.models import User

from .errors import ContractsError
from .models import Contract, Instalment, Variation
from .permissions import VARIABLE, is_contract_officer, is_contract_provider_admin, variation_signatories

# The bands whose contract may be renewed (docs/rules.md §17.8).
RENEWAL_BANDS = ("A", "B")


def increases_limit(contract: Contract) -> int:
    """The most a contract's value may grow by variations, in total: ``VARIATION_MAX_PCT`` % of its
    original value (the awarded price), rounded down to the fen."""
    return contract.bid.price_amount * settings.VARIATION_MAX_PCT // 100


def increases_so_far(contract: Contract) -> int:
    """The value increases already in effect (decreases do not make room for more)."""
    total = contract.variations.filter(status=Variation.Status.EFFECTIVE, value_delta__gt=0).aggregate(
        total=Sum("value_delta")
    )["total"]
    return int(total or 0)


def _check_value(contract: Contract, delta: int, scheduled: int) -> None:
    """The cap on increases, and a decrease only out of what is still scheduled."""
    if delta > 0:
        limit, used = increases_limit(contract), increases_so_far(contract)
        if used + delta > limit:
            raise Conflict(
                _(
                    "Increases may total at most %(pct)s%% of the original value (¥%(limit)s); "
                    "¥%(used)s is already used."
                )
                % {"pct": settings.VARIATION_MAX_PCT, "limit": yuan(limit), "used": yuan(used)},
                code=ContractsError.VARIATION_LIMIT,
                extra={"limit": limit, "used": used, "requested": delta},
            )
    if scheduled == 0 or scheduled + delta < 0:
        raise Conflict(
            _(
                "The value can change only through the instalments not yet payable, "
                "which total ¥%(scheduled)s."
            )
            % {"scheduled": yuan(scheduled)},
            code=ContractsError.INSTALMENTS_SETTLED,
            extra={"scheduled": scheduled, "requested": delta},
        )


def _check_extension(contract: Contract, service_end: datetime.date, last_band: str | None) -> None:
    """Beyond the tender's period, an extension is a renewal: the tender must have allowed it and
    the contract's last final evaluation must be band A or B."""
    if service_end <= contract.tender.service_end:
        return
    renewal_allowed = contract.frozen_terms.renewal_allowed
    if not renewal_allowed or last_band not in RENEWAL_BANDS:
        message = (
            _("The tender did not allow renewal beyond its service period.")
            if not renewal_allowed
            else _("Renewal needs the last final evaluation to be band A or B.")
        )
        raise Conflict(
            message,
            code=ContractsError.RENEWAL_NOT_ALLOWED,
            extra={
                "tender_service_end": contract.tender.service_end.isoformat(),
                "renewal_allowed": renewal_allowed,
                "last_band": last_band,
            },
        )


def replanned(total: int, shares_pct: list[Decimal]) -> list[int]:
    """``total`` split over instalments in proportion to their shares of the original value (which
    need not sum to 100 once some instalments are payable): the parts sum to ``total`` exactly."""
    whole = sum(shares_pct, Decimal(0))
    if not whole:
        return split_by_shares(total, [Decimal(100) / len(shares_pct)] * len(shares_pct))
    return split_by_shares(total, [share * 100 / whole for share in shares_pct])


def _scheduled_total(contract: Contract) -> int:
    total = contract.instalments.filter(status=Instalment.Status.SCHEDULED).aggregate(total=Sum("amount"))
    return int(total["total"] or 0)


def _validated(
    contract: Contract,
    *,
    kind: str,
    reason: str,
    value_delta: int,
    service_end: datetime.date | None,
    scope: str,
) -> dict[str, object]:
    """The fields of a variation of ``kind``, each error on its field (400)."""
    errors: dict[str, list[str]] = {}
    if not reason.strip():
        errors["reason"] = [_("Give the reason for the variation.")]
    fields: dict[str, object] = {"kind": kind, "reason": reason.strip()}
    if kind == Variation.Kind.VALUE:
        if not value_delta:
            errors["value_delta"] = [_("Enter the change of value.")]
        elif contract.value_amount + value_delta <= 0:
            errors["value_delta"] = [_("The contract's value must stay above zero.")]
        fields["value_delta"] = value_delta
    elif kind == Variation.Kind.EXTEND:
        if service_end is None:
            errors["service_end"] = [_("Enter the new end of the service period.")]
        elif service_end <= contract.service_end:
            errors["service_end"] = [_("The new end must be after the current end of the service period.")]
        fields["service_end"] = service_end
    elif kind == Variation.Kind.SCOPE:
        if not scope.strip():
            errors["scope"] = [_("Describe the new scope.")]
        fields["scope"] = scope.strip()
    else:
        errors["kind"] = [_("Choose the kind of variation.")]
    if errors:
        raise Invalid(errors)
    return fields


def _check_effect(
    variation: Variation, contract: Contract, last_band: str | None, *, scheduled: int | None = None
) -> None:
    """Everything that must still hold for the variation to take effect; ``scheduled`` is the total
    of the instalments not yet payable when the caller has them locked (else it is read)."""
    if variation.kind == Variation.Kind.VALUE:
        total = _scheduled_total(contract) if scheduled is None else scheduled
        _check_value(contract, variation.value_delta, total)
    elif variation.kind == Variation.Kind.EXTEND:
        assert variation.service_end is not None
        _check_extension(contract, variation.service_end, last_band)


def _notify(contract: Contract, variation: Variation, subject: str) -> None:
    notify_after_commit(
        user_ids=list(variation_signatories(contract).values_list("id", flat=True)),
        subject=subject,
        body=_("%(contract)s, variation No. %(number)s (%(kind)s): %(reason)s")
        % {
            "contract": contract.title,
            "number": variation.sequence,
            "kind": variation.get_kind_display(),
            "reason": variation.reason,
        },
    )


@transaction.atomic
def variation_propose(
    *,
    actor: User,
    contract: Contract,
    kind: str,
    reason: str,
    value_delta: int = 0,
    service_end: datetime.date | None = None,
    scope: str = "",
    last_band: str | None,
) -> Variation:
    """The bureau's officer proposes a variation of a running contract (one at a time); it is
    checked now as it will be when it takes effect, so a proposal that could never take effect is
    refused at once."""
    contract = (
        Contract.objects.select_for_update(of=("self",)).select_related("tender", "bid").get(pk=contract.pk)
    )
    if not rules.has_perm("contracts.propose_variation", actor, contract):
        raise Forbidden()
    if contract.status not in VARIABLE:
        raise InvalidTransition(_("Only a running contract can be varied."))
    if contract.variations.filter(status=Variation.Status.PROPOSED).exists():
        raise Conflict(
            _("A variation of this contract is already awaiting signatures."),
            code=ContractsError.VARIATION_PENDING,
        )
    fields = _validated(
        contract, kind=kind, reason=reason, value_delta=value_delta, service_end=service_end, scope=scope
    )
    sequence = (contract.variations.aggregate(last=Max("sequence"))["last"] or 0) + 1
    variation: Variation = Variation(contract=contract, sequence=sequence, created_by=actor, **fields)
    _check_effect(variation, contract, last_band)
    variation.save()
    _notify(contract, variation, _("A contract variation awaits your signature"))
    return variation


def _locked(variation: Variation) -> tuple[Contract, Variation]:
    """Lock in the house order (docs/architecture.md §4): the contract, then the variation; the
    instalments and the tender's commitment are locked after, as terminating a contract does."""
    contract_id = Variation.objects.values_list("contract_id", flat=True).get(pk=variation.pk)
    contract = (
        Contract.objects.select_for_update(of=("self",)).select_related("tender", "bid").get(pk=contract_id)
    )
    locked = Variation.objects.select_for_update().get(pk=variation.pk)
    locked.contract = contract
    return contract, locked


@transaction.atomic
def variation_sign(*, actor: User, variation: Variation, last_band: str | None) -> Variation:
    """Each party signs once: the officer for the bureau, the provider's admin for the provider.
    The second signature makes the variation take effect in the same transaction; if it can no
    longer take effect (the cap, the budget, renewal), the signature is refused and nothing changes."""
    contract, variation = _locked(variation)
    if variation.status != Variation.Status.PROPOSED:
        if rules.has_perm("contracts.view_variation_details", actor, variation):
            raise InvalidTransition()
        raise Forbidden()
    now = timezone.now()
    if is_contract_officer(actor, contract) and variation.bureau_signed_at is None:
        variation.bureau_signed_by, variation.bureau_signed_at = actor, now
    elif is_contract_provider_admin(actor, contract) and variation.provider_signed_at is None:
        variation.provider_signed_by, variation.provider_signed_at = actor, now
    elif is_contract_officer(actor, contract) or is_contract_provider_admin(actor, contract):
        raise Conflict(_("Your side has already signed this variation."), code=ContractsError.ALREADY_SIGNED)
    else:
        raise Forbidden()
    if not variation.is_fully_signed:
        variation.save()
        _notify(contract, variation, _("A contract variation was signed"))
        return variation
    if contract.status not in VARIABLE:
        raise InvalidTransition(_("Only a running contract can be varied."))
    scheduled = list(contract.instalments.select_for_update().filter(status=Instalment.Status.SCHEDULED))
    _check_effect(variation, contract, last_band, scheduled=sum(i.amount for i in scheduled))
    _apply(actor, contract, variation, scheduled)
    run_transition(variation, variation.take_effect, by=actor, description=reasons.VARIATION_SIGNED)
    _notify(contract, variation, _("A contract variation is in effect"))
    return variation


def _apply(actor: User, contract: Contract, variation: Variation, scheduled: list[Instalment]) -> None:
    variation.value_before, variation.service_end_before = contract.value_amount, contract.service_end
    if variation.kind == Variation.Kind.VALUE:
        delta = variation.value_delta
        total = sum(instalment.amount for instalment in scheduled) + delta
        for instalment, amount in zip(
            scheduled, replanned(total, [i.share_pct for i in scheduled]), strict=True
        ):
            instalment.amount = amount
            instalment.save(update_fields=["amount"])
        if delta > 0:
            commitment_add(tender=contract.tender, amount=delta)
        else:
            commitment_release(tender=contract.tender, amount=-delta)
        contract.value_amount += delta
        contract.save(update_fields=["value_amount"])
    elif variation.kind == Variation.Kind.EXTEND:
        assert variation.service_end is not None
        contract.service_end = variation.service_end
        contract.save(update_fields=["service_end"])


@transaction.atomic
def variation_withdraw(*, actor: User, variation: Variation, reason: str = "") -> Variation:
    """The officer withdraws a proposed variation (signed or not by either side); nothing changes."""
    variation = Variation.objects.select_for_update().select_related("contract").get(pk=variation.pk)
    if not rules.has_perm("contracts.withdraw_variation", actor, variation):
        raise Forbidden()
    run_transition(variation, variation.withdraw, by=actor, description=reason.strip())
    _notify(variation.contract, variation, _("A contract variation was withdrawn"))
    return variation
