"""Reads of the evaluations app: what a resident may rate now, and public satisfaction. Reads only:
nothing here creates, opens or changes a row (``services`` writes, and may call these)."""

import re
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Q

from contracts.models import Contract, ServiceEvent
from orgs.auth import Caller, signed_in
from orgs.models import Household
from orgs.permissions import confirmed_resident, member_organization_ids

from . import scoring
from .models import Evaluation, Rating, ScoreEntry
from .permissions import is_party_member

MIN_PUBLIC_RATINGS = 5
RATEABLE_CONTRACT_STATUSES = (
    Contract.Status.ACTIVE,
    Contract.Status.RECTIFICATION,
    Contract.Status.SUSPENDED,
)
# docs/rules.md §11.4: once an evaluation is published, its band, S, components and resident sample
# are public; an open evaluation is still being scored and stays with the parties.
PUBLIC_EVALUATION_STATUSES = (Evaluation.Status.PUBLISHED, Evaluation.Status.FINAL)


def evaluation_list_public(*, contracts: Any) -> Any:
    """The published (and final) evaluations of these contracts, oldest first."""
    return Evaluation.objects.filter(contract__in=contracts, status__in=PUBLIC_EVALUATION_STATUSES).order_by(
        "contract_id", "id"
    )


def last_final_band(contract: Contract) -> str | None:
    """The band of the contract's last final evaluation (midterm or final, the latest confirmed),
    or None before any is final: what renewal depends on (docs/rules.md §17.8). The stored band
    follows ``Evaluation.score`` — S'' once an appeal is decided (``Evaluation.follow_score``)."""
    band: str | None = (
        Evaluation.objects.filter(contract=contract, status=Evaluation.Status.FINAL)
        .order_by("-confirmed_at", "-id")
        .values_list("band", flat=True)
        .first()
    )
    return band or None


def evaluation_current(contract: Contract) -> Evaluation | None:
    """The contract's open evaluation, if any. A read: it never opens one."""
    current: Evaluation | None = Evaluation.objects.filter(
        contract=contract, status=Evaluation.Status.OPEN
    ).first()
    return current


def rateable_contracts(*, user: Caller) -> list[dict[str, Any]]:
    """Contracts the resident's household received services of, whose current evaluation is open
    and not yet rated by the household. A read: it opens no evaluation."""
    resident = confirmed_resident(user)
    if resident is None or not signed_in(user):  # a confirmed resident is signed in
        return []
    contracts = (
        Contract.objects.filter(events__recipients=resident.household, status__in=RATEABLE_CONTRACT_STATUSES)
        .distinct()
        .select_related("provider")
    )
    rated = set(
        Rating.objects.filter(
            household=resident.household, evaluation__status=Evaluation.Status.OPEN
        ).values_list("evaluation_id", flat=True)
    )
    open_evaluations = {
        evaluation.contract_id: evaluation
        for evaluation in Evaluation.objects.filter(contract__in=contracts, status=Evaluation.Status.OPEN)
    }
    member_of = set(member_organization_ids(user))
    rows = []
    for contract in contracts:
        if is_party_member(user, contract, member_of):  # may not rate it (conflict_of_interest)
            continue
        evaluation = open_evaluations.get(contract.id)
        if evaluation is not None and evaluation.id not in rated:
            rows.append({"contract": contract, "evaluation": evaluation})
    return rows


def _rating_counts() -> dict[str, Count]:
    return {
        "count": Count("id"),
        "positive": Count("id", filter=Q(satisfaction__gte=4)),
        **{f"level_{level}": Count("id", filter=Q(satisfaction=level)) for level in range(1, 6)},
        **{f"resolved_{value}": Count("id", filter=Q(resolved=value)) for value in Rating.Resolved.values},
    }


def satisfaction_by_contract(contract_ids: Any) -> dict[int, dict[str, Any]]:
    """Aggregates of the counted ratings (valid, service received) of every evaluation of each
    contract, in one query; hidden below five ratings. Never an identity."""
    rows = (
        Rating.objects.filter(contract__in=contract_ids, status=Rating.Status.VALID)
        .exclude(satisfaction=Rating.NOT_RECEIVED)
        .values("contract")
        .annotate(
            count=Count("id"),
            positive=Count("id", filter=Q(satisfaction__gte=4)),
            **{f"level_{level}": Count("id", filter=Q(satisfaction=level)) for level in range(1, 6)},
            **{
                f"resolved_{value}": Count("id", filter=Q(resolved=value)) for value in Rating.Resolved.values
            },
        )
        .order_by()
    )
    totals_by_contract = {row["contract"]: row for row in rows}
    return {pk: _satisfaction(totals_by_contract.get(pk)) for pk in contract_ids}


def _satisfaction(totals: dict[str, Any] | None) -> dict[str, Any]:
    count = totals["count"] if totals else 0
    if totals is None or count < MIN_PUBLIC_RATINGS:
        return {"count": count, "hidden": True, "positive_pct": None, "distribution": None, "resolved": None}
    return {
        "count": count,
        "hidden": False,
        "positive_pct": f"{100 * totals['positive'] / count:.2f}",
        "distribution": {str(level): totals[f"level_{level}"] for level in range(5, 0, -1)},
        "resolved": {value: totals[f"resolved_{value}"] for value in Rating.Resolved.values},
    }


def satisfaction_of(contract: Contract) -> dict[str, Any]:
    return satisfaction_by_contract([contract.pk])[contract.pk]


# --- Appeals (docs/rules.md §11.7) ----------------------------------------------------------------


def appeals_to_decide(*, user: Caller) -> Any:
    """The open appeals the user may decide: the bureau's officer's and the review body's queue.
    A terminated contract's appeal cannot be decided (it lapses with the termination), so it is
    never listed, even one left open before appeals lapsed."""
    from .models import Appeal
    from .permissions import appeal_decider_q

    if not signed_in(user):
        return Appeal.objects.none()
    return (
        Appeal.objects.filter(status=Appeal.Status.OPEN)
        .exclude(evaluation__contract__status=Contract.Status.TERMINATED)
        .filter(appeal_decider_q(user))
        .select_related("evaluation", "evaluation__contract", "evaluation__contract__provider")
        .order_by("filed_at", "id")
    )


def appeal_money(appeal: Any) -> dict[str, Any]:
    """What the appeal puts at stake, for its pages: S, S' (and S''), their f, the holdback H (the
    scheduled holdback before confirmation, else as confirmed), and the split of §11.7 — the
    same functions confirming and deciding call."""
    from contracts.models import Instalment

    from . import appeal_rules, scoring

    evaluation = appeal.evaluation
    score, claimed, final = appeal.published_composite, appeal.claimed_composite, appeal.final_composite
    rule = evaluation.contract.frozen_terms.rule
    row: dict[str, Any] = {
        "score": score,
        "claimed": claimed,
        "final": final,
        "f_score": scoring.release_pct(score, rule),
        "f_claimed": scoring.release_pct(claimed, rule),
        "f_final": scoring.release_pct(final, rule) if final is not None else None,
        "midterm": evaluation.stage == Evaluation.Stage.MIDTERM,
    }
    if appeal.holdback_amount is not None:
        holdback = appeal.holdback_amount
        row.update(
            release=appeal.released_at_confirmation,
            hold=appeal.held_amount,
            withhold=appeal.withheld_at_confirmation,
            confirmed=True,
        )
    else:
        kind = Instalment.Kind.INTERIM if row["midterm"] else Instalment.Kind.HOLDBACK
        holdback = sum(
            evaluation.contract.instalments.filter(kind=kind, status=Instalment.Status.SCHEDULED).values_list(
                "amount", flat=True
            )
        )
        if row["midterm"]:
            row.update(release=0, hold=holdback, withhold=0, confirmed=False)
        else:
            split = appeal_rules.confirm_split(
                holdback=holdback, score=score, claimed_score=claimed, rule=rule
            )
            row.update(release=split.release, hold=split.hold, withhold=split.withhold, confirmed=False)
    row["holdback"] = holdback
    if appeal.released_on_decision is not None:
        row.update(
            decision_release=appeal.released_on_decision, decision_withhold=appeal.returned_on_decision
        )
    elif final is not None and not row["midterm"]:
        decided = appeal_rules.decision_split(
            holdback=holdback, score=score, final_score=final, held=row["hold"], rule=rule
        )
        row.update(decision_release=decided.release, decision_withhold=decided.withhold)
    return row


def public_appeal_outcomes(evaluations: Any) -> dict[int, Any]:
    """The decided appeals of these (public) evaluations, by evaluation id: outcome, date and the
    final composite — never who filed or decided them, nor the grounds (docs/rules.md §11.7)."""
    from .models import Appeal

    decided = Appeal.objects.filter(evaluation__in=evaluations, status__in=Appeal.DECIDED_STATUSES).only(
        "id", "evaluation_id", "status", "decided_at", "published_composite", "final_composite"
    )
    return {appeal.evaluation_id: appeal for appeal in decided.order_by("id")}


def score_history(evaluation: Evaluation) -> list[ScoreEntry]:
    """Every entry of T, B, C and the sample survey on ``evaluation``, oldest first."""
    return list(ScoreEntry.objects.filter(evaluation=evaluation).select_related("entered_by"))


def score_history_of(evaluations: list[Evaluation]) -> dict[int, list[ScoreEntry]]:
    """The score entries of each of ``evaluations`` by its id, oldest first, in one query."""
    entries: dict[int, list[ScoreEntry]] = {}
    for entry in ScoreEntry.objects.filter(evaluation__in=evaluations).select_related("entered_by"):
        entries.setdefault(entry.evaluation_id, []).append(entry)
    return entries


# --- Assisted ratings and delivery signals (docs/rules.md §10.6, §11.10) -----------------------------

ONLINE_CHANNELS = (Rating.Channel.WEB, Rating.Channel.API)


def rating_tallies() -> dict[str, Count]:
    """Annotations of an evaluation queryset (one query for a list): counted ratings and positive
    ones per channel (online: web and API; assisted), the households that answered (valid ratings,
    not_received included) and the not_received answers among them."""
    valid = Q(ratings__status=Rating.Status.VALID)
    counted = valid & ~Q(ratings__satisfaction=Rating.NOT_RECEIVED)
    positive = counted & Q(ratings__satisfaction__gte=4)
    online = Q(ratings__channel__in=ONLINE_CHANNELS)
    assisted = Q(ratings__channel=Rating.Channel.ASSISTED)
    return {
        "tally_online_n": Count("ratings", filter=counted & online),
        "tally_online_n_pos": Count("ratings", filter=positive & online),
        "tally_assisted_n": Count("ratings", filter=counted & assisted),
        "tally_assisted_n_pos": Count("ratings", filter=positive & assisted),
        "tally_answered": Count("ratings", filter=valid),
        "tally_not_received": Count("ratings", filter=valid & Q(ratings__satisfaction=Rating.NOT_RECEIVED)),
    }


def _share(n_pos: int, n: int) -> str | None:
    return f"{100 * n_pos / n:.2f}" if n else None


def tallies_of(evaluation: Evaluation) -> dict[str, Any]:
    """The evaluation's rating tallies: from ``rating_tallies`` annotations when the queryset has
    them, else one query. ``by_channel`` holds online and assisted side by side."""
    if not hasattr(evaluation, "tally_answered"):
        values = (
            Evaluation.objects.filter(pk=evaluation.pk)
            .annotate(**rating_tallies())
            .values(*rating_tallies())[0]
        )
        for name, value in values.items():
            setattr(evaluation, name, value)
    t = {name: getattr(evaluation, name) for name in rating_tallies()}
    answered, not_received = t["tally_answered"], t["tally_not_received"]
    return {
        "by_channel": {
            channel: {
                "n": t[f"tally_{channel}_n"],
                "n_pos": t[f"tally_{channel}_n_pos"],
                "positive_pct": _share(t[f"tally_{channel}_n_pos"], t[f"tally_{channel}_n"]),
            }
            for channel in ("online", "assisted")
        },
        "answered": answered,
        "not_received": not_received,
        "not_received_pct": _share(not_received, answered),
        "delivery_check_required": scoring.delivery_check_required(
            answered=answered, not_received=not_received
        ),
    }


def delivery_flags(evaluation: Evaluation) -> dict[str, list[dict[str, Any]]]:
    """What the bureau should look at (two queries): households recorded as the only recipient on
    ``DELIVERY_FLAG_SOLE_RECIPIENT_EVENTS`` or more of the contract's service events, and the
    contract's service events whose every recipient answered not_received in this evaluation."""
    sole_events = (
        ServiceEvent.objects.filter(contract_id=evaluation.contract_id)
        .annotate(recipients_n=Count("recipients"))
        .filter(recipients_n=1)
        .values("id")
    )
    # filter, then annotate, on the same relation: the count is of the sole-recipient events only
    households: list[dict[str, Any]] = [
        {"code": household.code, "events": household.sole_events}  # type: ignore[attr-defined]
        for household in Household.objects.filter(service_events__in=sole_events)
        .annotate(sole_events=Count("service_events"))
        .filter(sole_events__gte=settings.DELIVERY_FLAG_SOLE_RECIPIENT_EVENTS)
        .order_by("-sole_events", "code")
        .only("code")
    ]
    not_received = Q(
        recipients__ratings__evaluation_id=evaluation.pk,
        recipients__ratings__status=Rating.Status.VALID,
        recipients__ratings__satisfaction=Rating.NOT_RECEIVED,
    )
    events: list[dict[str, Any]] = [
        {"id": event.id, "date": event.date, "title": event.title, "recipients_n": event.recipients_n}  # type: ignore[attr-defined]
        for event in ServiceEvent.objects.filter(contract_id=evaluation.contract_id)
        .annotate(
            recipients_n=Count("recipients", distinct=True),
            not_received_n=Count("recipients", filter=not_received, distinct=True),
        )
        .filter(recipients_n__gt=0, not_received_n=F("recipients_n"))
        .order_by("-date", "-id")
        .only("id", "date", "title")
    ]
    return {"sole_recipient_households": households, "all_not_received_events": events}


def evaluation_for_collecting(user: Caller, pk: int | str) -> Evaluation | None:
    """The evaluation an assisted rating is posted to, if the caller knows of it: a party sees it
    (``visible_to``); a confirmed resident of a recipient household knows an open one from
    ``me/rateable/`` (and is refused, 403, not told it does not exist)."""
    evaluation: Evaluation | None = Evaluation.objects.visible_to(user).filter(pk=pk).first()
    if evaluation is not None:
        return evaluation
    resident = confirmed_resident(user)
    if resident is None:
        return None
    known: Evaluation | None = (
        Evaluation.objects.filter(
            pk=pk,
            status=Evaluation.Status.OPEN,
            contract__status__in=RATEABLE_CONTRACT_STATUSES,
            contract__events__recipients=resident.household_id,
        )
        .select_related("contract")
        .first()
    )
    return known


# What a rating's receipt says of it (docs/rules.md §24): its status in public words, never the rating.
RECEIPT_STATUSES = {
    Rating.Status.VALID: "counted",
    Rating.Status.QUARANTINED: "quarantined",
    Rating.Status.EXCLUDED: "excluded",
}


RECEIPT_FORM = re.compile(r"[A-Za-z0-9_-]{1,32}")


def rating_receipt(receipt: str) -> dict[str, Any] | None:
    """The public answer for a rating's receipt: its evaluation and contract, and whether it was
    counted, quarantined or excluded; None when no rating has this receipt (or it is not one)."""
    if not RECEIPT_FORM.fullmatch(receipt):
        return None
    row = (
        Rating.objects.filter(receipt=receipt)
        .values(
            "status",
            "evaluation_id",
            "evaluation__stage",
            "evaluation__round",
            "contract_id",
            "contract__title",
        )
        .first()
    )
    if row is None:
        return None
    return {
        "receipt": receipt,
        "evaluation": row["evaluation_id"],
        "stage": row["evaluation__stage"],
        "round": row["evaluation__round"],
        "contract": row["contract_id"],
        "contract_title": row["contract__title"],
        "status": RECEIPT_STATUSES[row["status"]],
    }
