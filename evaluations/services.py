"""Writes of the evaluations app: opening evaluations, ratings and their review, component scores,
finalizing (R, S, band, f(S)) and confirming, which releases instalments through contracts."""

import datetime
from decimal import Decimal
from typing import Any

import rules
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common import reasons
from common.errors import Conflict, Forbidden, Invalid, InvalidTransition
from common.notifications import notify_after_commit
from common.transitions import run_transition
from contracts import services as contract_services
from contracts import variations as contract_variations
from contracts.models import Contract, Instalment, Report, Variation
from evaluations.errors import EvaluationsError
from marketplace.components import ENTERED_COMPONENTS
from orgs.errors import OrgsError
from orgs.models import Household, User
from orgs.selectors import require_confirmed_resident

from . import appeals, course, scoring
from .locks import evaluation_locked
from .models import Evaluation, Rating, ScoreEntry, appeal_window_end
from .permissions import COMPONENT_PERMS, is_party_member, is_provider_member
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


@transaction.atomic
def rating_create(
    *,
    actor: User,
    contract: Contract,
    satisfaction: int,
    resolved: str,
    comment: str,
    client_address: str | None,
    channel: str = Rating.Channel.API,
) -> Rating:
    """A verified resident whose household received the service rates it, once per evaluation,
    while that evaluation is open. Members of organisations party to the contract may not. Ratings
    that arrive in a burst from one address are quarantined for review (docs/rules.md §10.4)."""
    resident = require_confirmed_resident(actor)
    contract = Contract.objects.select_for_update().get(pk=contract.pk)  # serialises the burst count
    if is_party_member(actor, contract):
        raise Forbidden(
            _("Members of a party to the contract may not rate it."), code=OrgsError.CONFLICT_OF_INTEREST
        )
    if not _is_recipient(resident.household, contract):
        raise Forbidden(
            _("Your household is not recorded as a recipient."), code=EvaluationsError.NOT_A_RECIPIENT
        )
    evaluation = evaluation_open_for(contract) if contract.status in RATEABLE_CONTRACT_STATUSES else None
    if evaluation is None:
        raise Conflict(
            _("No evaluation of this contract is open for ratings."),
            code=EvaluationsError.RATING_WINDOW_CLOSED,
        )
    if Rating.objects.filter(household=resident.household, evaluation=evaluation).exists():
        raise Conflict(
            _("Your household has already rated this evaluation."), code=EvaluationsError.ALREADY_RATED
        )
    is_burst = _client_burst(contract, client_address)
    rating: Rating = Rating.objects.create(
        household=resident.household,
        contract=contract,
        evaluation=evaluation,
        rater=actor,
        satisfaction=satisfaction,
        resolved=resolved,
        comment=comment,
        channel=channel,
        client_address=client_address,
    )
    if is_burst:
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
    run_transition(evaluation, evaluation.confirm, by=actor)
    contract = evaluation.contract
    appeal = appeals.appeal_holding(evaluation)  # locked after the contract, before the instalments
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
    if is_provider_member(actor, evaluation):
        raise Forbidden(
            _("Members of the provider may not collect ratings of its contract."),
            code=OrgsError.CONFLICT_OF_INTEREST,
        )
    if not rules.has_perm("evaluations.collect_rating", actor, evaluation):
        raise Forbidden(_("Only the assessor or the community of the contract record ratings."))
    contract = Contract.objects.select_for_update().get(pk=evaluation.contract_id)  # as rating_create
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
