"""Writes of appeals (复核, docs/rules.md §11.7): the provider files an appeal of a published
evaluation within its window; confirming the evaluation while the appeal is open holds the
disputed money (``hold_for_appeal``, called by ``services.evaluation_confirm``); the bureau's
officer or the review body decides, which releases or withholds what was held.

Locks follow docs/architecture.md §4 (``locks.evaluation_locked``): evaluation → contract → appeal →
instalments → tender → budget line, the order confirming takes, so a decision and a confirmation
serialise. One appeal per evaluation, whatever its outcome (a database constraint)."""

from decimal import Decimal
from typing import Any

import rules
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from challenges.permissions import officers_of, reviewers_of
from challenges.services import review_body_for
from common import reasons
from common.errors import Conflict, Forbidden, Invalid, InvalidTransition
from common.notifications import notify_after_commit
from common.transitions import run_transition
from contracts import services as contract_services
from contracts.models import Contract, Instalment
from orgs.models import User

from . import appeal_rules, course
from .errors import EvaluationsError
from .locks import evaluation_locked
from .models import Appeal, Evaluation
from .permissions import provider_members_of

DECISIONS = {
    Appeal.Status.UPHELD: "uphold",
    Appeal.Status.PARTLY: "uphold_in_part",
    Appeal.Status.DISMISSED: "dismiss",
}


def _tell(appeal: Appeal, contract: Contract, subject: str, body: str) -> None:
    """The provider, the bureau's officers and the review body hear of every step."""
    ids = set(provider_members_of(contract).values_list("id", flat=True))
    ids |= set(officers_of(contract.bureau_id).values_list("id", flat=True))
    if appeal.review_body_id:
        ids |= set(reviewers_of(appeal.review_body_id).values_list("id", flat=True))
    notify_after_commit(user_ids=sorted(ids), subject=subject, body=body)


def _already_appealed(appeal: Appeal) -> Conflict:
    if appeal.is_open:
        return Conflict(_("An appeal of this evaluation is pending."), code=EvaluationsError.APPEAL_PENDING)
    return Conflict(
        _("This evaluation has already been appealed: an evaluation is appealed once."),
        code=EvaluationsError.APPEAL_DECIDED,
        extra={"appeal_status": appeal.status},
    )


def check_may_appeal(actor: Any, evaluation: Evaluation) -> None:
    """Who may appeal and when, for the service and the pages alike: an admin or staff member of
    the contract's provider (403), a running contract (409 ``invalid_transition``), a published
    evaluation (409 ``invalid_transition``), never appealed before (409 ``appeal_pending`` while
    that appeal is open, 409 ``appeal_decided`` once it is decided or lapsed), within its window
    (409 ``appeal_window_closed``)."""
    if not rules.has_perm("evaluations.appeal_evaluation", actor, evaluation):
        raise Forbidden()
    if evaluation.contract.status == Contract.Status.TERMINATED:
        raise InvalidTransition(_("The contract has been terminated."))
    if evaluation.status == Evaluation.Status.OPEN:
        raise InvalidTransition(_("An evaluation is appealed once it is published."))
    existing = Appeal.objects.filter(evaluation=evaluation).first()
    if existing is not None:
        raise _already_appealed(existing)
    if not evaluation.is_appeal_window_open:
        raise Conflict(
            _("The appeal window has closed."),
            code=EvaluationsError.APPEAL_WINDOW_CLOSED,
            extra={"appeal_until": evaluation.appeal_until.isoformat() if evaluation.appeal_until else None},
        )


@transaction.atomic
def appeal_file(*, actor: User, evaluation: Evaluation, grounds: str, claimed: dict[str, Decimal]) -> Appeal:
    """The provider appeals a published evaluation while its window is open, with its grounds and
    the component scores it claims (each higher than the published one). One appeal per
    evaluation (``check_may_appeal``); it goes to the bureau and to the review body covering the
    bureau."""
    evaluation = evaluation_locked(evaluation)
    check_may_appeal(actor, evaluation)
    errors: dict[str, list[str]] = {}
    if not grounds.strip():
        errors["grounds"] = [_("Give the grounds of the appeal.")]
    published = evaluation.component_scores()
    if not claimed:
        errors["claimed"] = [_("Claim at least one component score.")]
    for key, value in claimed.items():
        if key not in published:
            errors[f"claimed.{key}"] = [_("Not a component of the score.")]
        elif value <= published[key]:
            errors[f"claimed.{key}"] = [_("Claim a score higher than the published one.")]
    if errors:
        raise Invalid(errors)
    rule = evaluation.contract.frozen_terms.rule
    try:
        with transaction.atomic():
            appeal: Appeal = Appeal.objects.create(
                evaluation=evaluation,
                filed_by=actor,
                review_body=review_body_for(evaluation.contract.bureau),
                grounds=grounds.strip(),
                published_composite=evaluation.composite,
                claimed_composite=appeal_rules.composite_with(
                    published=published, replaced=claimed, rule=rule
                ),
                **{f"claimed_{key}": value for key, value in claimed.items()},
            )
    except IntegrityError:  # filed concurrently
        raise _already_appealed(Appeal.objects.get(evaluation=evaluation)) from None
    contract = evaluation.contract
    _tell(
        appeal,
        contract,
        _("An evaluation is appealed"),
        _(
            "The provider of “%(title)s” appeals its %(stage)s evaluation "
            "(S = %(score)s, claimed %(claimed)s)."
        )
        % {
            "title": contract.title,
            "stage": evaluation.get_stage_display(),
            "score": appeal.published_composite,
            "claimed": appeal.claimed_composite,
        },
    )
    return appeal


def appeal_holding(evaluation: Evaluation) -> Appeal | None:
    """The evaluation's appeal (there is at most one), locked after the evaluation and the
    contract: what confirming it must take into account."""
    appeal: Appeal | None = Appeal.objects.select_for_update().filter(evaluation=evaluation).first()
    return appeal


def hold_for_appeal(*, appeal: Appeal, contract: Contract, by: User | None, reason: str) -> None:
    """Confirming an evaluation while ``appeal`` is open (docs/rules.md §11.7). A final evaluation:
    each scheduled holdback instalment releases round_half_up(H × f(S)) now, holds
    round_half_up(H × f(S')) − round_half_up(H × f(S)) and withholds the rest (back to the budget).
    A midterm: the scheduled interim instalment is held whole. The caller holds the locks."""
    evaluation = appeal.evaluation
    score, claimed = appeal.published_composite, appeal.claimed_composite
    assert score is not None and claimed is not None
    holdback = released = held = withheld = 0
    kept: list[Instalment] = []
    if evaluation.stage == Evaluation.Stage.MIDTERM:
        for instalment in contract.instalments.select_for_update().filter(
            kind=Instalment.Kind.INTERIM, status=Instalment.Status.SCHEDULED
        ):
            kept.append(
                contract_services.instalment_hold(
                    contract=contract, instalment=instalment, by=by, reason=reason
                )
            )
            held += instalment.amount
    else:
        for instalment in contract.instalments.select_for_update().filter(
            kind=Instalment.Kind.HOLDBACK, status=Instalment.Status.SCHEDULED
        ):
            split = appeal_rules.confirm_split(
                holdback=instalment.amount,
                score=score,
                claimed_score=claimed,
                rule=contract.frozen_terms.rule,
            )
            holdback += instalment.amount
            released, held, withheld = released + split.release, held + split.hold, withheld + split.withhold
            part = contract_services.instalment_release_holding(
                contract=contract,
                instalment=instalment,
                release_amount=split.release,
                held_amount=split.hold,
                by=by,
                reason=reason,
            )
            if part is not None:
                kept.append(part)
    appeal.holdback_amount = holdback
    appeal.released_at_confirmation = released
    appeal.held_amount = held
    appeal.withheld_at_confirmation = withheld
    appeal.save(
        update_fields=[
            "holdback_amount",
            "released_at_confirmation",
            "held_amount",
            "withheld_at_confirmation",
        ]
    )
    appeal.held_instalments.add(*kept)


def _settle_held(
    *, appeal: Appeal, evaluation: Evaluation, contract: Contract, by: User, reason: str
) -> None:
    """Release or withhold what confirming held, and set the contract's course by S'': a held
    holdback part pays round_half_up(H × f(S'')) − round_half_up(H × f(S)) and returns the rest to
    the budget, and a final evaluation decided in band E excludes the provider; a midterm that
    passes (``Evaluation.has_passed``, the decided band) releases the interim whole and takes the
    course of a pass (``course.midterm_passed``), else the held interim goes back to the schedule
    for the next round."""
    final, score = appeal.final_composite, appeal.published_composite
    assert final is not None and score is not None
    released = returned = 0
    for held in appeal.held_instalments.select_for_update().filter(status=Instalment.Status.HELD):
        if held.kind == Instalment.Kind.INTERIM:
            if not evaluation.has_passed:
                contract_services.instalment_settle_held(
                    contract=contract, instalment=held, release_amount=None, by=by, reason=reason
                )
            continue  # a pass releases it below, with any other interim still waiting
        source = held.split_from
        assert source is not None
        split = appeal_rules.decision_split(
            holdback=source.amount + held.amount,
            score=score,
            final_score=final,
            held=held.amount,
            rule=contract.frozen_terms.rule,
        )
        contract_services.instalment_settle_held(
            contract=contract, instalment=held, release_amount=split.release, by=by, reason=reason
        )
        released, returned = released + split.release, returned + split.withhold
    if evaluation.stage == Evaluation.Stage.MIDTERM:
        if evaluation.has_passed:
            released += course.interim_release(contract=contract, by=by, reason=reason)
            course.midterm_passed(
                evaluation=evaluation, contract=contract, by=by, reason=reason, appeal=appeal
            )
    else:
        course.final_exclusion(evaluation=evaluation, contract=contract, starts=appeal.decided_at)
    appeal.released_on_decision, appeal.returned_on_decision = released, returned
    appeal.save(update_fields=["released_on_decision", "returned_on_decision"])


@transaction.atomic
def appeal_decide(
    *, actor: User, appeal: Appeal, decision: str, scores: dict[str, Decimal] | None, reasoning: str
) -> Appeal:
    """The bureau's officer or a member of the review body decides an open appeal with reasons:
    upheld takes the claimed scores, dismissed the published ones, partly the given scores (each
    between the published and the claimed one). S'' is recomputed and becomes the evaluation's
    score (its band and f(S) follow it); if the evaluation is already confirmed, the held money and
    the contract's course follow S'' now, otherwise confirming will use S''."""
    evaluation = evaluation_locked(appeal.evaluation, with_later_rounds=True)
    appeal = Appeal.objects.select_for_update().select_related("evaluation").get(pk=appeal.pk)
    appeal.evaluation = evaluation
    if not rules.has_perm("evaluations.decide_appeal", actor, appeal):
        raise Forbidden()
    if not appeal.is_open:
        raise InvalidTransition(_("This appeal has been decided."))
    if decision not in DECISIONS:
        raise Invalid({"decision": [_("Choose upheld, partly or dismissed.")]})
    errors: dict[str, list[str]] = {}
    if not reasoning.strip():
        errors["reasoning"] = [_("Give the reasons for the decision.")]
    published = evaluation.component_scores()
    final, score_errors = appeal_rules.check_decided_scores(
        decision=decision, published=published, claimed=appeal.claimed(), scores=scores or {}
    )
    messages = {
        "missing": _("Give the decided score."),
        "out_of_range": _("Between the published and the claimed score."),
        "not_claimed": _("This component was not claimed."),
    }
    for key, kind in score_errors.items():
        errors[f"scores.{key}"] = [messages[kind[0]]]
    if errors:
        raise Invalid(errors)
    for key, value in final.items():
        setattr(appeal, f"final_{key}", value)
    rule = evaluation.contract.frozen_terms.rule
    appeal.final_composite = appeal_rules.composite_with(published=published, replaced=final, rule=rule)
    appeal.reasoning = reasoning.strip()
    run_transition(
        appeal, getattr(appeal, DECISIONS[Appeal.Status(decision)]), by=actor, description=appeal.reasoning
    )
    evaluation.decided_composite = appeal.final_composite
    evaluation.follow_score(rule)
    evaluation.save(update_fields=["decided_composite", "band", "release_pct"])
    contract = evaluation.contract
    reason = reasons.APPEAL_DECIDED % {"appeal": appeal.pk, "score": appeal.final_composite}
    if evaluation.status == Evaluation.Status.FINAL:
        _settle_held(appeal=appeal, evaluation=evaluation, contract=contract, by=actor, reason=reason)
    _tell(
        appeal,
        contract,
        _("An appeal is decided"),
        _("The appeal of the %(stage)s evaluation of “%(title)s” is decided: %(decision)s, S = %(score)s.")
        % {
            "title": contract.title,
            "stage": evaluation.get_stage_display(),
            "decision": appeal.get_status_display(),
            "score": appeal.final_composite,
        },
    )
    return appeal


def appeals_lapse(*, contract: Contract, by: User | None) -> list[Appeal]:
    """The contract is terminated: its open appeals lapse undecided, logged. What they held was
    withheld and returned to the budget line with the termination (``returned_on_decision`` says
    how much); the parties are told. The caller holds the contract's lock."""
    lapsed = []
    for appeal in (
        Appeal.objects.select_for_update()
        .filter(evaluation__contract=contract, status=Appeal.Status.OPEN)
        .order_by("id")
    ):
        run_transition(appeal, appeal.lapse, by=by, description=reasons.APPEAL_LAPSED_TERMINATED)
        held = appeal.held_instalments.filter(status=Instalment.Status.WITHHELD)
        appeal.released_on_decision = 0
        appeal.returned_on_decision = sum(held.values_list("withheld_amount", flat=True))
        appeal.save(update_fields=["released_on_decision", "returned_on_decision"])
        _tell(
            appeal,
            contract,
            _("An appeal has lapsed"),
            _("“%(title)s” was terminated: the appeal of its %(stage)s evaluation lapsed undecided.")
            % {"title": contract.title, "stage": appeal.evaluation.get_stage_display()},
        )
        lapsed.append(appeal)
    return lapsed
