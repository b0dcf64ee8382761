"""What the contract pages of every area show of a contract's variations (补充协议, docs/rules.md
§17.8) and of its signing deadline: the rows of the variations table with the buttons each user may
press, and the variations' steps merged into the contract's timeline."""

from collections.abc import Mapping
from typing import Any

import rules
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.money import yuan
from common.transitions import transitions_available
from contracts.models import Contract, Variation
from contracts.permissions import VARIATION_TRANSITIONS
from contracts.selectors import contract_history, is_signing_overdue, sign_by

from .waiting import Task


def variation_rows(user: Any, contract: Contract, *, effective_only: bool = False) -> list[dict[str, Any]]:
    """The variations the user may see (only those in effect, if ``effective_only``), oldest first,
    each with the verbs the user may use now."""
    variations = Variation.objects.visible_to(user).filter(contract=contract).order_by("sequence")
    if effective_only:
        variations = variations.filter(status=Variation.Status.EFFECTIVE)
    return [
        {
            "variation": variation,
            "change": change_of(variation),
            "transitions": transitions_available(user, variation, VARIATION_TRANSITIONS),
        }
        for variation in variations.select_related("bureau_signed_by", "provider_signed_by")
    ]


def change_of(variation: Variation) -> str:
    """What the variation changes, in a few words: "+¥14,000.00", "service end 2027-06-30", the scope."""
    if variation.kind == Variation.Kind.VALUE:
        sign = "+" if variation.value_delta > 0 else "−"
        return f"{sign}¥{yuan(abs(variation.value_delta))}"
    if variation.kind == Variation.Kind.EXTEND and variation.service_end is not None:
        return _("Service period to %(date)s") % {"date": variation.service_end.isoformat()}
    return variation.scope


# Labels of a variation's steps in the contract's timeline (contracts.selectors.contract_history).
VARIATION_STEP_LABELS = {
    "variation_propose": gettext_lazy("Variation No. %(number)s proposed"),
    "variation_sign_bureau": gettext_lazy("Variation No. %(number)s signed by the bureau"),
    "variation_sign_provider": gettext_lazy("Variation No. %(number)s signed by the provider"),
    "variation_take_effect": gettext_lazy("Variation No. %(number)s in effect: signed by both parties"),
    "variation_withdraw": gettext_lazy("Variation No. %(number)s withdrawn"),
}


def contract_timeline(user: Any, contract: Contract, labels: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The contract's timeline ({log, label}) with its variations' steps, in time order; ``labels``
    names the contract's own transitions."""
    entries = []
    for entry in contract_history(user=user, contract=contract):
        if entry.variation is not None:
            label = VARIATION_STEP_LABELS.get(entry.transition, entry.transition)
            label = str(label) % {"number": entry.variation.sequence}
        else:
            label = labels.get(entry.transition, entry.transition)
        entries.append({"log": entry, "label": label})
    return entries


def signing_deadline(contract: Contract) -> dict[str, Any] | None:
    """While the contract awaits signatures: when it must be signed by, and whether that is past."""
    if contract.status != Contract.Status.DRAFT:
        return None
    deadline = sign_by(contract)
    if deadline is None:
        return None
    return {
        "sign_by": deadline,
        "overdue": is_signing_overdue(contract, deadline),
        "days": settings.CONTRACT_SIGN_DAYS,
    }


def sign_contract_text(contract: Contract) -> str:
    """The "Waiting for you" line of a contract to sign, with its deadline, flagged once it is past."""
    signing = signing_deadline(contract)
    title = {"title": contract.title}
    if signing is None:
        return _("Sign the contract “%(title)s”") % title
    date = timezone.localdate(signing["sign_by"]).isoformat()
    if signing["overdue"]:
        return _("Sign the contract “%(title)s”: overdue since %(date)s") % {**title, "date": date}
    return _("Sign the contract “%(title)s” by %(date)s") % {**title, "date": date}


def variations_to_sign(user: Any, contracts: Any, url_name: str) -> list[Task]:
    """The proposed variations of ``contracts`` the user may sign now, as "Waiting for you" tasks
    (one query, whatever their number)."""
    proposed = (
        Variation.objects.visible_to(user)
        .filter(contract__in=contracts, status=Variation.Status.PROPOSED)
        .order_by("id")
    )
    return [
        Task(
            _("Sign variation No. %(number)s of the contract “%(title)s”")
            % {"number": variation.sequence, "title": variation.contract.title},
            reverse(url_name, args=[variation.pk]),
        )
        for variation in proposed
        if rules.has_perm("contracts.sign_variation", user, variation)
    ]
