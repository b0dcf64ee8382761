"""Excluding providers from bidding (docs/rules.md §17.6). The contracts and evaluations apps impose
an exclusion, inside their own transaction, when a contract is terminated or a final evaluation is
band E; an officer of the bureau that caused it may lift it; it ends by date."""

import datetime

import rules
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common import reasons
from common.errors import Conflict, Forbidden, Invalid
from common.months import add_months
from common.notifications import notify_after_commit
from common.transitions import run_transition
from common.workdays import end_of_day
from marketplace.errors import MarketplaceError
from marketplace.permissions import provider_admin_ids
from marketplace.selectors import exclusion_in_force
from orgs.models import Organization, User

from ..models import Exclusion

SOURCE_REASONS = {
    Exclusion.Source.CONTRACT_TERMINATED: reasons.EXCLUSION_CONTRACT_TERMINATED,
    Exclusion.Source.EVALUATION_BAND_E: reasons.EXCLUSION_BAND_E,
}


def exclusion_end(starts: datetime.datetime) -> datetime.datetime:
    """``EXCLUSION_MONTHS`` calendar months after ``starts``, at the end of that local day: an
    exclusion that starts on 5 March 2026 at 10:00 bars bids until 5 March 2027 at 23:59:59."""
    return end_of_day(timezone.localdate(add_months(starts, settings.EXCLUSION_MONTHS)))


def check_not_excluded(provider: Organization) -> None:
    """Refuse (409 ``provider_excluded``, ``extra.ends``) a provider excluded from bidding now."""
    exclusion = exclusion_in_force(provider)
    if exclusion is not None:
        raise Conflict(
            _("Your organisation is excluded from submitting bids until %(ends)s.")
            % {"ends": f"{timezone.localtime(exclusion.ends):%Y-%m-%d}"},
            code=MarketplaceError.PROVIDER_EXCLUDED,
            extra={"ends": exclusion.ends.isoformat(), "exclusion": exclusion.pk},
        )


def exclusion_impose(
    *,
    provider: Organization,
    bureau: Organization,
    source: str,
    source_id: int,
    contract_id: int,
    starts: datetime.datetime | None = None,
) -> Exclusion:
    """Exclude the provider from bidding for ``EXCLUSION_MONTHS`` from ``starts`` (now). Called by the
    contracts and evaluations services inside their transaction, after their own permission checks.
    Idempotent: one exclusion per source, whatever the number of calls (a lifted one stays lifted).
    The provider's admins are told once the write commits."""
    assert transaction.get_connection().in_atomic_block
    existing: Exclusion | None = Exclusion.objects.filter(source=source, source_id=source_id).first()
    if existing is not None:
        return existing
    starts = starts or timezone.now()
    exclusion: Exclusion = Exclusion(
        provider=provider,
        bureau=bureau,
        source=source,
        source_id=source_id,
        contract_ref=contract_id,
        reason=SOURCE_REASONS[Exclusion.Source(source)] % {"contract": contract_id},
        starts=starts,
        ends=exclusion_end(starts),
    )
    try:
        with transaction.atomic():
            exclusion.save()
    except IntegrityError:  # imposed concurrently for the same source
        concurrent: Exclusion = Exclusion.objects.get(source=source, source_id=source_id)
        return concurrent
    notify_after_commit(
        user_ids=provider_admin_ids(provider),
        subject=_("Your organisation is excluded from bidding"),
        body=_("%(bureau)s: %(source)s. You may not submit bids until %(ends)s; see /provider/.")
        % {
            "bureau": bureau.name,
            "source": exclusion.get_source_display(),
            "ends": f"{timezone.localtime(exclusion.ends):%Y-%m-%d}",
        },
    )
    return exclusion


@transaction.atomic
def exclusion_lift(*, actor: User, exclusion: Exclusion, reason: str) -> Exclusion:
    """An officer of the bureau that caused the exclusion lifts it, with a reason (logged)."""
    exclusion = Exclusion.objects.select_for_update().select_related("bureau").get(pk=exclusion.pk)
    if not rules.has_perm("marketplace.lift_exclusion", actor, exclusion):
        raise Forbidden()
    if not reason.strip():
        raise Invalid({"reason": [_("Give the reason for lifting the exclusion.")]})
    exclusion = run_transition(exclusion, exclusion.lift, by=actor, description=reason.strip())
    notify_after_commit(
        user_ids=provider_admin_ids(exclusion.provider),
        subject=_("Your exclusion from bidding was lifted"),
        body=_("%(bureau)s lifted the exclusion: you may submit bids again.")
        % {"bureau": exclusion.bureau.name},
    )
    return exclusion
