"""The award notice (docs/rules.md §17.4): published when the bureau awards, confirmed when the
award is finalized, held while a challenge or complaint is pending, annulled when one is upheld.
The challenges app holds, releases and annuls through these functions; the tender's own machine
moves here too, so an award and its tender never disagree."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common import workdays
from common.errors import Conflict
from common.money import yuan
from common.notifications import notify_after_commit
from common.transitions import run_transition
from needs.services import needs_reopened
from orgs.models import User

from ..errors import MarketplaceError
from ..models import Award, Bid, Tender
from ..permissions import provider_people_ids
from ..selectors import RankingRow
from .budget import budget_line_locked


def challenge_until_of(notice_published_at: datetime.datetime) -> datetime.datetime:
    """The end of the challenge window: ``CHALLENGE_WORKING_DAYS`` working days after the notice,
    to the end of that day; the notice time itself when the setting is 0 (no window)."""
    return workdays.working_days_deadline(notice_published_at, settings.CHALLENGE_WORKING_DAYS)


def standing_award(tender: Tender, *, lock: bool = False) -> Award | None:
    """The tender's award that still stands (proposed, challenged or confirmed), if any."""
    awards = Award.objects.current().filter(tender_id=tender.pk)
    if lock:
        awards = awards.select_for_update()
    award: Award | None = awards.first()
    return award


def standings_of(tender: Tender, ranking: list[RankingRow]) -> list[dict[str, object]]:
    """The notice's table: the ranked bids in rank order, then the disqualified ones."""
    ranked: list[dict[str, object]] = [
        {
            "bid": row.bid.pk,
            "provider": row.bid.provider_id,
            "provider_name": row.bid.provider.name,
            "price_amount": row.bid.price_amount,
            "total": str(row.total),
            "rank": row.rank,
            "disqualified": False,
        }
        for row in ranking
    ]
    disqualified: list[dict[str, object]] = [
        {
            "bid": bid.pk,
            "provider": bid.provider_id,
            "provider_name": bid.provider.name,
            "price_amount": bid.price_amount,
            "total": None,
            "rank": None,
            "disqualified": True,
        }
        for bid in tender.bids.filter(status=Bid.Status.DISQUALIFIED).select_related("provider")
    ]
    return ranked + disqualified


def award_publish(*, actor: User, tender: Tender, ranking: list[RankingRow]) -> Award:
    """Publish the notice of the award the caller (``tender_award``) has just proposed to the
    top-ranked bid. The caller holds the tender's lock."""
    assert transaction.get_connection().in_atomic_block
    row = ranking[0]
    now = timezone.now()
    award: Award = Award.objects.create(
        tender=tender,
        bid=row.bid,
        provider_id=row.bid.provider_id,
        price_amount=row.bid.price_amount,
        total=row.total,
        rank=row.rank,
        notice_published_at=now,
        challenge_until=challenge_until_of(now),
        standings=standings_of(tender, ranking),
    )
    return award


def award_notify(*, award: Award, tender: Tender) -> None:
    """Tell every bidder of the notice (its admins and staff), once the award commits: who was
    proposed, at what price and total, the bidder's own rank, and until when the award may be
    challenged (docs/rules.md §17.4)."""
    until = timezone.localtime(award.challenge_until).strftime("%Y-%m-%d %H:%M")
    ranked = [row for row in award.standings if not row["disqualified"]]
    subject = _("Award notice: %(title)s") % {"title": tender.title}
    proposed = _(
        "The award of “%(title)s” is proposed to %(provider)s at ¥%(price)s (total score %(total)s)."
    ) % {
        "title": tender.title,
        "provider": award.provider.name,
        "price": yuan(award.price_amount),
        "total": award.total,
    }
    window = _("The award is open to challenge until %(until)s (end of day).") % {"until": until}
    for row in award.standings:
        if row["provider"] == award.provider_id:
            own = _("Your bid ranked first of %(count)d.") % {"count": len(ranked)}
        elif row["disqualified"]:
            own = _("Your bid was disqualified.")
        else:
            own = _("Your bid ranked %(rank)d of %(count)d.") % {"rank": row["rank"], "count": len(ranked)}
        notify_after_commit(
            user_ids=provider_people_ids([int(row["provider"])]),
            subject=subject,
            body="\n".join([proposed, own, window]),
        )


def challenge_pending(award: Award | None) -> Conflict:
    return Conflict(
        _("A challenge or complaint about this award is pending."),
        code=MarketplaceError.CHALLENGE_PENDING,
        extra={"award": award.pk if award else None},
    )


def check_no_challenge_pending(tender: Tender) -> None:
    """409 ``challenge_pending`` while the tender's award is held by a challenge or complaint: what
    finalizing the award and signing its contract both ask (docs/rules.md §17.5)."""
    award = standing_award(tender)
    if award is not None and award.status == Award.Status.CHALLENGED:
        raise challenge_pending(award)


def award_confirm(*, actor: User | None, tender: Tender) -> Award | None:
    """Confirm the standing award as the tender's award is finalized; refused while it is held by a
    challenge or complaint (409 ``challenge_pending``). The caller holds the tender's lock."""
    assert transaction.get_connection().in_atomic_block
    award = standing_award(tender, lock=True)
    if award is None:  # awarded before award notices were recorded
        return None
    check_no_challenge_pending(tender)
    if award.status == Award.Status.PROPOSED:
        run_transition(award, award.confirm, by=actor)
    return award


def award_hold(*, award: Award, by: User | None, description: str) -> Award:
    """A challenge or complaint is pending: the award may not be confirmed until it is released.
    Idempotent. The caller holds the tender's lock."""
    assert transaction.get_connection().in_atomic_block
    award = Award.objects.select_for_update().get(pk=award.pk)
    if award.status == Award.Status.PROPOSED:
        run_transition(award, award.challenge, by=by, description=description)
    return award


def award_release(*, award: Award, by: User | None, description: str) -> Award:
    """Nothing holds the award any more: it stands and may be confirmed. Idempotent."""
    assert transaction.get_connection().in_atomic_block
    award = Award.objects.select_for_update().get(pk=award.pk)
    if award.status == Award.Status.CHALLENGED:
        run_transition(award, award.clear_challenge, by=by, description=description)
    return award


def award_annul(
    *, award: Award, tender: Tender, by: User | None, description: str, cancel_tender: bool
) -> Tender:
    """An upheld challenge or complaint annuls the award: the tender goes back to scoring (its scores
    kept for review) or, with ``cancel_tender``, is cancelled and its commitment released. The caller
    holds the lock of ``tender``, the award's tender."""
    assert transaction.get_connection().in_atomic_block
    assert award.tender_id == tender.pk
    award = Award.objects.select_for_update().get(pk=award.pk)
    run_transition(award, award.annul, by=by, description=description)
    if cancel_tender:
        budget_line_locked(tender.budget_line_id)
        tender.committed_amount = 0
        run_transition(tender, tender.cancel, by=by, description=description)
        needs_reopened(tender.needs.all(), tender_id=tender.pk, by=by)  # docs/rules.md §22
    else:
        run_transition(tender, tender.reopen_scoring, by=by, description=description)
    return tender
