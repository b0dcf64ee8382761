"""Writes of the evaluations app: opening evaluations, ratings and their review, component scores,
finalizing (R, S, band, f(S)) and confirming, which releases instalments through contracts."""

import datetime
from decimal import Decimal
from typing import Any

import rules
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common import reasons
from common.errors import Conflict, Forbidden, Invalid, InvalidTransition, NotFound
from common.notifications import notify_after_commit
from common.transitions import run_transition
from contracts import services as contract_services
from contracts import variations as contract_variations
from contracts.models import Contract, Instalment, Report, ServiceEvent, Variation
from evaluations.errors import EvaluationsError
from marketplace.components import ENTERED_COMPONENTS
from orgs.auth import signed_in
from orgs.errors import OrgsError
from orgs.models import Household, Membership, Resident, User
from orgs.permissions import confirmed_resident
from orgs.selectors import require_confirmed_resident

from . import appeals, course, scoring
from .locks import evaluation_locked
from .models import Evaluation, Rating, ScoreEntry, appeal_window_end
from .permissions import COMPONENT_PERMS, is_party_member, is_provider_affiliated
from .selectors import RATEABLE_CONTRACT_STATUSES, evaluation_current, last_final_band, tallies_of

RATING_EDIT_DAYS = 7
BURST_WINDOW = datetime.timedelta(minutes=10)


def evaluation_open_for(contract: Contract) -> Evaluation | None:
    """The contract's open evaluation. An active contract without any evaluation gets its midterm
    evaluation now. A write: called by the writes that need the evaluation (activation, a rating,
    the periodic job), never by a read (``selectors.evaluation_current`` reads)."""
    current = evaluation_current(contract)
    if current is not None or contract.status != Contract.Status.ACTIVE:
        return current
    if Evaluation.objects.filter(contract=contract).exists():
        return None
    try:
        with transaction.atomic():
            opened: Evaluation = Evaluation.objects.create(contract=contract, stage=Evaluation.Stage.MIDTERM)
            return opened
    except IntegrityError:  # opened concurrently
        return evaluation_current(contract)


@transaction.atomic
def contract_sign(*, actor: User, contract: Contract) -> Contract:
    """Signing, as ``contracts.services.contract_sign``; when the second signature activates the
    contract, its midterm evaluation opens in the same transaction (the midterm opens when the
    contract becomes active). Activation crosses into evaluations, so the higher app orchestrates
    it: contracts never opens evaluations, and no read has to."""
    contract = contract_services.contract_sign(actor=actor, contract=contract)
    if contract.status == Contract.Status.ACTIVE:
        evaluation_open_for(contract)
    return contract


@transaction.atomic
def contract_terminate(*, actor: User, contract: Contract, reason: str) -> Contract:
    """Terminating, as ``contracts.services.contract_terminate`` (which withholds every instalment
    not yet payable, held ones included, and returns the money to the budget line); then the open
    appeals of the contract's evaluations lapse undecided, since nothing moves on a terminated
    contract's evaluations (docs/rules.md §11.7). Evaluations owns appeals, so it orchestrates."""
    contract = contract_services.contract_terminate(actor=actor, contract=contract, reason=reason)
    appeals.appeals_lapse(contract=contract, by=actor)
    return contract


def variation_propose(*, actor: User, contract: Contract, **fields: Any) -> Variation:
    """Proposing a variation, as ``contracts.variations.variation_propose``, with the contract's last
    final band, which decides renewal (docs/rules.md §17.8): evaluations owns the band, so it
    orchestrates; contracts never reads evaluations."""
    return contract_variations.variation_propose(
        actor=actor, contract=contract, last_band=last_final_band(contract), **fields
    )


def variation_sign(*, actor: User, variation: Variation) -> Variation:
    """Signing a variation, as ``contracts.variations.variation_sign``, with the last final band
    read when the signature is given (the second one makes the variation take effect)."""
    return contract_variations.variation_sign(
        actor=actor, variation=variation, last_band=last_final_band(variation.contract)
    )


def _is_recipient(household: Household, contract: Contract) -> bool:
    return contract.events.filter(recipients=household).exists()


def _client_burst(contract: Contract, address: str | None) -> bool:
    if not address:
        return False
    since = timezone.now() - BURST_WINDOW
    recent = Rating.objects.filter(contract=contract, client_address=address, created_at__gte=since).count()
    return bool(recent >= settings.RATING_IP_BURST)


def _rating_target(
    *, actor: User, contract_id: int, household_id: int, client_address: str | None
) -> dict[str, Any] | None:
    """The one read of a rating (docs/rules.md §10.1): the contract's open evaluation, when the
    contract is rateable, with what decides the rating — whether the actor belongs to an
    organisation party to the contract, whether the household is a recipient, whether it has rated
    this evaluation, and the client address's ratings of the contract in the burst window. On
    PostgreSQL the evaluation and contract rows are locked FOR SHARE until commit: ratings do not
    wait for each other, while finalising, confirming or terminating (which lock them FOR UPDATE,
    evaluation then contract) waits for the ratings in flight, and a rating waits for them and then
    finds the evaluation closed. None when the contract has no open evaluation it may be rated in.
    Written in SQL: the hottest write of the product, and the ORM took longer to compile it than
    the database to answer it."""
    ops = connection.ops
    postgresql = connection.vendor == "postgresql"
    params: dict[str, Any] = {
        "contract": contract_id,
        "household": household_id,
        "user": actor.pk,
        "open": Evaluation.Status.OPEN,
        "address": ops.adapt_ipaddressfield_value(client_address),
        "since": ops.adapt_datetimefield_value(timezone.now() - BURST_WINDOW),
        **{f"status{i}": status for i, status in enumerate(RATEABLE_CONTRACT_STATUSES)},
    }
    statuses = ", ".join(f"%(status{i})s" for i in range(len(RATEABLE_CONTRACT_STATUSES)))
    address = "CAST(%(address)s AS inet)" if postgresql else "%(address)s"
    recipients = ServiceEvent.recipients.through._meta.db_table
    sql = f"""
        SELECT e.id,
            EXISTS (SELECT 1 FROM {Membership._meta.db_table} m WHERE m.user_id = %(user)s AND
                m.organization_id IN (c.bureau_id, c.provider_id, c.assessor_id, c.community_id)),
            EXISTS (SELECT 1 FROM {ServiceEvent._meta.db_table} s JOIN {recipients} r
                ON r.serviceevent_id = s.id WHERE s.contract_id = c.id AND r.household_id = %(household)s),
            EXISTS (SELECT 1 FROM {Rating._meta.db_table} x
                WHERE x.evaluation_id = e.id AND x.household_id = %(household)s),
            (SELECT COUNT(*) FROM {Rating._meta.db_table} b WHERE b.contract_id = c.id
                AND b.client_address = {address} AND b.created_at >= %(since)s)
        FROM {Evaluation._meta.db_table} e JOIN {Contract._meta.db_table} c ON c.id = e.contract_id
        WHERE e.contract_id = %(contract)s AND e.status = %(open)s AND c.status IN ({statuses})
    """
    if postgresql:  # SQLite's IMMEDIATE transactions already serialise writers
        sql += " FOR SHARE OF e, c"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    evaluation_id, party_member, recipient, rated, burst = row
    return {
        "id": evaluation_id,
        "party_member": bool(party_member),
        "recipient": bool(recipient),
        "rated": bool(rated),
        "burst": burst if client_address else 0,  # no address, no burst
    }


def _rating_refusal(*, actor: User, contract_id: int, household: Household) -> None:
    """Why a contract has no open evaluation to rate, as 404, 403 or 409 in the order of the rules;
    or, for an active contract never evaluated, its midterm evaluation opened now. The rare path."""
    contract = Contract.objects.exclude(status=Contract.Status.DRAFT).filter(pk=contract_id).first()
    if contract is None:
        raise NotFound()
    _refuse_party_or_stranger(
        party_member=is_party_member(actor, contract), recipient=_is_recipient(household, contract)
    )
    if contract.status not in RATEABLE_CONTRACT_STATUSES or evaluation_open_for(contract) is None:
        raise Conflict(
            _("No evaluation of this contract is open for ratings."),
            code=EvaluationsError.RATING_WINDOW_CLOSED,
        )


def _refuse_party_or_stranger(*, party_member: bool, recipient: bool) -> None:
    if party_member:
        raise Forbidden(
            _("Members of a party to the contract may not rate it."), code=OrgsError.CONFLICT_OF_INTEREST
        )
    if not recipient:
        raise Forbidden(
            _("Your household is not recorded as a recipient."), code=EvaluationsError.NOT_A_RECIPIENT
        )


def _already_rated() -> Conflict:
    return Conflict(
        _("Your household has already rated this evaluation."), code=EvaluationsError.ALREADY_RATED
    )


def _is_one_rating_per_household(error: IntegrityError) -> bool:
    """Whether the refused INSERT broke the one-rating-per-household constraint (PostgreSQL names the
    constraint, SQLite its columns)."""
    constraint = getattr(getattr(error.__cause__, "diag", None), "constraint_name", None)
    if constraint is not None:
        return bool(constraint == "one_rating_per_household")
    return "evaluations_rating.household_id, evaluations_rating.evaluation_id" in str(error)


def _rating_resident(actor: User, contract_id: int) -> Resident:
    """The actor's confirmed registration, read with its household in one query (the answer shows
    the household's code). Anyone naming a contract that does not exist (or a draft) gets 404, as
    before being told they may not rate."""
    if signed_in(actor) and "resident" not in actor._state.fields_cache:
        registration = Resident.objects.select_related("household").filter(user_id=actor.pk).first()
        if registration is not None:
            actor.resident = registration
    known = Contract.objects.exclude(status=Contract.Status.DRAFT).filter(pk=contract_id)
    if confirmed_resident(actor) is None and not known.exists():
        raise NotFound()
    return require_confirmed_resident(actor)


@transaction.atomic
def rating_create(
    *,
    actor: User,
    contract: Contract | int,
    satisfaction: int,
    resolved: str,
    comment: str,
    client_address: str | None,
    channel: str = Rating.Channel.API,
) -> Rating:
    """A verified resident whose household received the service rates it, once per evaluation,
    while that evaluation is open. Members of organisations party to the contract may not. Ratings
    that arrive in a burst from one address are quarantined for review (docs/rules.md §10.4).
    ``contract``: the contract or its id (404 when none, or a draft). Lean (issue 13): the resident
    with its household, one read of everything else (``_rating_target``), the INSERT — no lock on
    the contract for every rating; the one-rating-per-household constraint decides a race."""
    contract_id = contract if isinstance(contract, int) else contract.pk
    resident = _rating_resident(actor, contract_id)
    household = resident.household
    target = _rating_target(
        actor=actor, contract_id=contract_id, household_id=household.pk, client_address=client_address
    )
    if target is None:
        _rating_refusal(actor=actor, contract_id=contract_id, household=household)
        target = _rating_target(  # a midterm evaluation was opened just now
            actor=actor, contract_id=contract_id, household_id=household.pk, client_address=client_address
        )
        if target is None:  # closed again meanwhile
            raise Conflict(
                _("No evaluation of this contract is open for ratings."),
                code=EvaluationsError.RATING_WINDOW_CLOSED,
            )
    _refuse_party_or_stranger(party_member=target["party_member"], recipient=target["recipient"])
    if target["rated"]:
        raise _already_rated()
    try:
        rating: Rating = Rating.objects.create(
            household=household,
            **({"contract": contract} if isinstance(contract, Contract) else {"contract_id": contract_id}),
            evaluation_id=target["id"],
            rater=actor,
            satisfaction=satisfaction,
            resolved=resolved,
            comment=comment,
            channel=channel,
            client_address=client_address,
        )
    except IntegrityError as error:  # the household's other rating was committed meanwhile
        if _is_one_rating_per_household(error):
            raise _already_rated() from error
        raise
    if client_address and target["burst"] >= settings.RATING_IP_BURST:
        reason = reasons.RATING_BURST % {"n": settings.RATING_IP_BURST}
        run_transition(rating, rating.quarantine, by=None, description=reason)
    return rating


def rating_edit_deadline(rating: Rating) -> datetime.datetime:
    """Until when the household may change its rating (while the evaluation is also open)."""
    return rating.created_at + datetime.timedelta(days=RATING_EDIT_DAYS)


@transaction.atomic
def rating_update(*, actor: User, rating: Rating, data: dict[str, Any]) -> Rating:
    """A rating may be changed by its household within 7 days, while its evaluation is open."""
    rating = Rating.objects.select_for_update(of=("self",)).select_related("evaluation").get(pk=rating.pk)
    resident = getattr(actor, "resident", None)
    if resident is None or resident.household_id != rating.household_id:
        raise Forbidden(_("Only the household that gave a rating may change it."))
    require_confirmed_resident(actor)
    if timezone.now() > rating_edit_deadline(rating):
        raise Conflict(_("A rating can be changed for 7 days."), code=EvaluationsError.EDIT_WINDOW_CLOSED)
    if rating.evaluation.status != Evaluation.Status.OPEN:
        raise Conflict(_("The evaluation is no longer open."), code=EvaluationsError.RATING_WINDOW_CLOSED)
    for field in ("satisfaction", "resolved", "comment"):
        if field in data:
            setattr(rating, field, data[field])
    rating.save()
    return rating


@transaction.atomic
def rating_review(*, actor: User, rating: Rating, decision: str, reason: str) -> Rating:
    """The bureau restores or excludes a quarantined rating; the decision is logged."""
    rating = Rating.objects.select_for_update(of=("self",)).select_related("contract").get(pk=rating.pk)
    if not rules.has_perm("evaluations.review_rating", actor, rating):
        raise Forbidden()
    if not reason.strip():
        raise Invalid({"reason": [_("Give the reason.")]})
    if rating.evaluation.status != Evaluation.Status.OPEN:  # R is fixed once published
        raise Conflict(
            _("The evaluation of this rating is no longer open."), code=EvaluationsError.RATING_WINDOW_CLOSED
        )
    method = rating.restore if decision == "restore" else rating.exclude
    return run_transition(rating, method, by=actor, description=reason.strip())


@transaction.atomic
def evaluation_score(*, actor: User, evaluation: Evaluation, component: str, score: Decimal) -> Evaluation:
    """The assessor enters T, the officer B, the community (or the officer) C, while it is open."""
    evaluation = evaluation_locked(evaluation)
    if not rules.has_perm(COMPONENT_PERMS[component], actor, evaluation):
        raise Forbidden()
    if evaluation.status != Evaluation.Status.OPEN:
        raise InvalidTransition(_("Scores are entered while the evaluation is open."))
    ScoreEntry.objects.create(
        evaluation=evaluation,
        kind=component,
        score=score,
        previous_score=getattr(evaluation, component),
        entered_by=actor,
    )
    setattr(evaluation, component, score)
    evaluation.save(update_fields=[component])
    return evaluation


@transaction.atomic
def evaluation_survey(*, actor: User, evaluation: Evaluation, n: int, n_pos: int) -> Evaluation:
    """The assessor's sample survey stands in for online ratings when those are too few."""
    evaluation = evaluation_locked(evaluation)
    if not rules.has_perm("evaluations.survey_evaluation", actor, evaluation):
        raise Forbidden()
    if n_pos > n:
        raise Invalid({"n_pos": [_("Positive answers cannot exceed the sample.")]})
    if evaluation.status != Evaluation.Status.OPEN:
        raise InvalidTransition(_("Surveys are entered while the evaluation is open."))
    ScoreEntry.objects.create(
        evaluation=evaluation,
        kind=ScoreEntry.Kind.SURVEY,
        n=n,
        n_pos=n_pos,
        previous_n=evaluation.survey_n,
        previous_n_pos=evaluation.survey_n_pos,
        entered_by=actor,
    )
    evaluation.survey_n, evaluation.survey_n_pos = n, n_pos
    evaluation.save(update_fields=["survey_n", "survey_n_pos"])
    return evaluation


def _residents_component(evaluation: Evaluation) -> tuple[int, int, int, Decimal, str]:
    counted = Rating.objects.filter(evaluation=evaluation, status=Rating.Status.VALID).exclude(
        satisfaction=Rating.NOT_RECEIVED
    )
    n = counted.count()
    n_pos = counted.filter(satisfaction__gte=4).count()
    recipients = Household.objects.filter(service_events__contract=evaluation.contract).distinct().count()
    rule = evaluation.contract.frozen_terms.rule  # the contract's copy, never the settings
    n_min = scoring.minimum_sample(recipients, rule)
    if n >= n_min and n > 0:
        return (
            n,
            n_pos,
            n_min,
            scoring.residents_score(n=n, n_pos=n_pos, rule=rule),
            Evaluation.Method.ONLINE,
        )
    if evaluation.survey_n:
        assert evaluation.survey_n_pos is not None
        score = scoring.residents_score(n=evaluation.survey_n, n_pos=evaluation.survey_n_pos, rule=rule)
        return n, n_pos, n_min, score, Evaluation.Method.SURVEY
    raise Conflict(
        _("Too few valid ratings and no sample survey."),
        code=EvaluationsError.INSUFFICIENT_RATINGS,
        extra={"n": n, "n_min": n_min},
    )


@transaction.atomic
def evaluation_finalize(*, actor: User, evaluation: Evaluation) -> Evaluation:
    """Compute R (online ratings, or the survey below n_min), S, the band and f(S), and publish:
    the appeal window (EVALUATION_APPEAL_DAYS) starts."""
    evaluation = evaluation_locked(evaluation)
    if not rules.has_perm("evaluations.finalize_evaluation", actor, evaluation):
        raise Forbidden()
    if evaluation.status != Evaluation.Status.OPEN:
        raise InvalidTransition()
    missing = [each.value for each in ENTERED_COMPONENTS if getattr(evaluation, each.value) is None]
    if missing:
        raise Conflict(
            _("Enter every component score first."),
            code=EvaluationsError.SCORES_MISSING,
            extra={"missing": missing},
        )
    if not Report.objects.filter(contract=evaluation.contract, stage=evaluation.stage).exists():
        raise Conflict(
            _("The provider's report for this stage is missing."), code=EvaluationsError.REPORT_MISSING
        )
    _require_delivery_check(evaluation)
    n, n_pos, n_min, residents, method = _residents_component(evaluation)
    rule = evaluation.contract.frozen_terms.rule
    composite = scoring.composite_score(
        t=evaluation.third_party, b=evaluation.buyer, r=residents, c=evaluation.community, rule=rule
    )
    evaluation.residents_n, evaluation.residents_n_pos, evaluation.residents_n_min = n, n_pos, n_min
    evaluation.residents, evaluation.residents_method = residents, method
    evaluation.composite = composite
    evaluation.follow_score(rule)
    run_transition(evaluation, evaluation.publish, by=actor, save=False)
    assert evaluation.published_at is not None
    evaluation.appeal_until = appeal_window_end(evaluation.published_at, settings.EVALUATION_APPEAL_DAYS)
    evaluation.save()
    return evaluation


@transaction.atomic
def evaluation_confirm(*, actor: User | None, evaluation: Evaluation) -> Evaluation:
    """After the appeal window the evaluation is final and money follows its score
    (``Evaluation.score``: the decided S'' of an appeal decided before, else S). A midterm that
    passed (``Evaluation.has_passed``) releases the interim whole, held or scheduled, ends
    rectification and opens the final evaluation; one that failed puts the contract into
    rectification and opens the next round (``course``). The final evaluation releases the holdback
    at f(S), completes the contract and, in band E, excludes the provider. With an appeal still
    open the disputed money is held (``appeals.hold_for_appeal``, docs/rules.md §11.7) and the band
    E exclusion waits for the decision.
    Idempotent for the scheduler."""
    evaluation = evaluation_locked(evaluation)
    if actor is not None and not rules.has_perm("evaluations.confirm_evaluation", actor, evaluation):
        raise Forbidden()
    if evaluation.status == Evaluation.Status.FINAL and actor is None:
        return evaluation
    if evaluation.status == Evaluation.Status.PUBLISHED and not evaluation.is_appeal_window_over:
        raise Conflict(
            _("The appeal window is still open."),
            code=EvaluationsError.APPEAL_WINDOW_OPEN,
            extra={"appeal_until": evaluation.appeal_until.isoformat() if evaluation.appeal_until else None},
        )
    contract = evaluation.contract
    appeal = appeals.appeal_holding(evaluation)  # locked after the contract, before the instalments
    # Every row this confirmation may move is locked before its first logged write: the log's head
    # (auditchain) is held from that write to the commit, and is always the last lock taken.
    list(contract.instalments.select_for_update().order_by("pk").values_list("pk", flat=True))
    run_transition(evaluation, evaluation.confirm, by=actor)
    pending = appeal is not None and appeal.is_open
    score = evaluation.score
    assert score is not None  # published
    reason = reasons.EVALUATION[evaluation.stage] % {"score": score}
    if pending:
        assert appeal is not None
        appeals.hold_for_appeal(appeal=appeal, contract=contract, by=actor, reason=reason)
    if evaluation.stage == Evaluation.Stage.MIDTERM:
        if evaluation.has_passed:
            if not pending:
                course.interim_release(contract=contract, by=actor, reason=reason)
            course.midterm_passed(evaluation=evaluation, contract=contract, by=actor, reason=reason)
        else:
            course.midterm_failed(evaluation=evaluation, contract=contract, by=actor, reason=reason)
    else:
        if not pending:
            contract_services.instalments_release(
                contract=contract,
                kind=Instalment.Kind.HOLDBACK,
                share=scoring.release_share(score, contract.frozen_terms.rule),
                by=actor,
                reason=reason,
            )
        # An interim never released (no passing midterm) is withheld when the contract ends.
        contract_services.instalments_release(
            contract=contract, kind=Instalment.Kind.INTERIM, share=Decimal(0), by=actor, reason=reason
        )
        contract_services.contract_complete(contract=contract, by=actor, reason=reason)
        if not pending:  # with an appeal open, the band may still change: the decision excludes (§17.6)
            course.final_exclusion(evaluation=evaluation, contract=contract, starts=evaluation.confirmed_at)
    return evaluation


def recipients_remind(*, evaluation: Evaluation) -> int:
    """Remind the residents of every recipient household that has not yet rated the open evaluation,
    once per household and evaluation (e-mail and SMS, sent once the reminder is recorded)."""
    from .models import RatingReminder

    if evaluation.status != Evaluation.Status.OPEN:
        return 0
    households = (
        Household.objects.filter(service_events__contract=evaluation.contract)
        .exclude(ratings__evaluation=evaluation)
        .exclude(id__in=RatingReminder.objects.filter(evaluation=evaluation).values("household_id"))
        .distinct()
        .prefetch_related("residents__user")
    )
    sent = 0
    for household in households:
        with transaction.atomic():
            _reminder, created = RatingReminder.objects.get_or_create(
                household=household, evaluation=evaluation
            )
            if not created:
                continue
            notify_after_commit(
                user_ids=[
                    resident.user_id for resident in household.residents.all() if resident.is_confirmed
                ],
                subject=_("Please rate the service you received"),
                body=_("%(title)s: tell us how it went at /resident/.")
                % {"title": evaluation.contract.title},
            )
            sent += 1
    return sent


# --- Assisted ratings and delivery signals (docs/rules.md §10.6, §11.10) -----------------------------


@transaction.atomic
def rating_record_assisted(
    *,
    actor: User,
    evaluation: Evaluation,
    household_code: str,
    satisfaction: int,
    resolved: str,
    comment: str,
    method: str,
    client_address: str | None,
) -> Rating:
    """A collector — a member of the contract's assessor or community, never of its provider —
    records the rating a recipient household gave on paper, by phone or at a visit. The rules of a
    resident's own rating hold: the household received the service, the evaluation is open, one
    rating per household per evaluation (whatever the channel), the burst quarantine (§10.4)."""
    evaluation = Evaluation.objects.select_related("contract").get(pk=evaluation.pk)
    if is_provider_affiliated(actor, evaluation):
        raise Forbidden(
            _("Members of the provider, and grid workers it employs, may not collect its ratings."),
            code=OrgsError.CONFLICT_OF_INTEREST,
        )
    if not rules.has_perm("evaluations.collect_rating", actor, evaluation):
        raise Forbidden(_("Only the assessor or the community of the contract record ratings."))
    contract = Contract.objects.select_for_update().get(pk=evaluation.contract_id)  # the burst count
    household = Household.objects.filter(code__iexact=household_code.strip()).first()
    if household is None:
        raise Invalid({"household_code": [_("No household has this code.")]})
    if not _is_recipient(household, contract):
        raise Forbidden(
            _("This household is not recorded as a recipient of this service."),
            code=EvaluationsError.NOT_A_RECIPIENT,
        )
    evaluation.refresh_from_db(fields=["status"])
    if evaluation.status != Evaluation.Status.OPEN or contract.status not in RATEABLE_CONTRACT_STATUSES:
        raise Conflict(
            _("This evaluation is not open for ratings."), code=EvaluationsError.RATING_WINDOW_CLOSED
        )
    if Rating.objects.filter(household=household, evaluation=evaluation).exists():
        raise Conflict(
            _("This household has already rated this evaluation."), code=EvaluationsError.ALREADY_RATED
        )
    is_burst = _client_burst(contract, client_address)
    rating: Rating = Rating.objects.create(
        household=household,
        contract=contract,
        evaluation=evaluation,
        rater=actor,
        collector=actor,
        method=method,
        satisfaction=satisfaction,
        resolved=resolved,
        comment=comment,
        channel=Rating.Channel.ASSISTED,
        client_address=client_address,
    )
    if is_burst:
        reason = reasons.RATING_BURST % {"n": settings.RATING_IP_BURST}
        run_transition(rating, rating.quarantine, by=None, description=reason)
    return rating


def _require_delivery_check(evaluation: Evaluation) -> None:
    """At least 10 households answered and at least 10 % said not_received: finalizing needs the
    assessor's sample survey (409 ``delivery_check_required``)."""
    tallies = tallies_of(evaluation)
    if tallies["delivery_check_required"] and not evaluation.survey_n:
        raise Conflict(
            _(
                "Many households say they did not receive the service: the assessor's sample survey "
                "must be entered before the evaluation is finalized."
            ),
            code=EvaluationsError.DELIVERY_CHECK_REQUIRED,
            extra={"answered": tallies["answered"], "not_received": tallies["not_received"]},
        )
