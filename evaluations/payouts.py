"""What a holdback pays (docs/rules.md §11.4, the payout simulator of §11): the rule and the holdback a
tender or a contract is simulated on, the table of what each band pays at its floor, and the walk
through a published evaluation's numbers. Reads only; the arithmetic is ``scoring``'s, the same
functions finalising and confirming call."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from common.money import share_of, split_by_shares
from contracts.models import Contract, Instalment
from marketplace.models import PaymentScheduleItem, Tender
from marketplace.payment_rule import PaymentRule

from . import scoring
from .models import Evaluation
from .selectors import public_appeal_outcomes


@dataclass(frozen=True)
class PayoutBasis:
    rule: PaymentRule
    holdback: int  # fen


def tender_basis(tender: Tender) -> PayoutBasis:
    """A tender is simulated on its ceiling: the holdback share of the payment schedule applied to
    the budget ceiling, as a contract at the ceiling would be split. The rule is the contract's frozen
    copy once awarded, the current rule (what would be frozen) before."""
    contract = Contract.objects.filter(tender=tender).first()
    rule = contract.frozen_terms.rule if contract is not None else PaymentRule.of_tender(tender)
    schedule = list(tender.payment_schedule.all())
    amounts = split_by_shares(tender.ceiling_amount, [item.share_pct for item in schedule])
    holdback = sum(
        amount
        for item, amount in zip(schedule, amounts, strict=True)
        if item.kind == PaymentScheduleItem.Kind.HOLDBACK
    )
    return PayoutBasis(rule=rule, holdback=holdback)


def contract_basis(contract: Contract) -> PayoutBasis:
    """A contract is simulated on its holdback instalment(s), with its frozen rule."""
    holdback = sum(
        contract.instalments.filter(kind=Instalment.Kind.HOLDBACK).values_list("amount", flat=True)
    )
    return PayoutBasis(rule=contract.frozen_terms.rule, holdback=holdback)


def band_table(basis: PayoutBasis) -> list[dict[str, Any]]:
    """What each band pays at its floor, highest first."""
    rows = []
    for piece in basis.rule.bands:
        share = scoring.release_share(piece.floor, basis.rule)
        release = share_of(basis.holdback, share)
        rows.append(
            {
                "letter": piece.letter,
                "grade": scoring.BAND_GRADES.get(piece.letter, ""),
                "floor": piece.floor,
                "release_pct": scoring.release_pct(piece.floor, basis.rule),
                "release_amount": release,
                "withheld_amount": basis.holdback - release,
            }
        )
    return rows


def simulate(basis: PayoutBasis, *, t: Decimal, b: Decimal, r: Decimal, c: Decimal) -> scoring.Payout:
    return scoring.payout(t=t, b=b, r=r, c=c, holdback=basis.holdback, rule=basis.rule)


def recomputation(evaluation: Evaluation) -> dict[str, Any] | None:
    """Every input of a published evaluation and each step from them to the money, with the
    contract's frozen rule: R from n and n_pos (or the survey), S, the band, f(S), and what the
    holdback (final) or the interim instalment (midterm) releases. None before it is published."""
    if evaluation.composite is None or evaluation.residents is None:
        return None
    contract = evaluation.contract
    rule = contract.frozen_terms.rule
    by_survey = evaluation.residents_method == Evaluation.Method.SURVEY
    n = evaluation.survey_n if by_survey else evaluation.residents_n
    n_pos = evaluation.survey_n_pos if by_survey else evaluation.residents_n_pos
    assert n is not None and n_pos is not None
    assert evaluation.third_party is not None and evaluation.buyer is not None
    assert evaluation.community is not None
    residents = scoring.residents_score(n=n, n_pos=n_pos, rule=rule)
    scores = {"t": evaluation.third_party, "b": evaluation.buyer, "r": residents, "c": evaluation.community}
    terms = scoring.composite_terms(**scores, rule=rule)
    composite = scoring.composite_score(**scores, rule=rule)
    band = scoring.band_of(composite, rule)
    piece = next(piece for piece in rule.bands if piece.letter == band.letter)
    kind = Instalment.Kind.HOLDBACK if evaluation.stage == Evaluation.Stage.FINAL else Instalment.Kind.INTERIM
    amount = sum(contract.instalments.filter(kind=kind).values_list("amount", flat=True))
    if kind == Instalment.Kind.HOLDBACK:
        share = scoring.release_share(composite, rule)
    else:  # a midterm releases the interim instalment whole at S >= 60, nothing below
        share = Decimal(1) if composite >= scoring.PASS_MARK else Decimal(0)
    release = share_of(amount, share)
    return {
        "rule": rule,
        "method": evaluation.residents_method,
        "n": n,
        "n_pos": n_pos,
        "k": rule.prior_weight,
        "p0": rule.prior,
        "n_min": evaluation.residents_n_min,
        "residents": residents,
        "t": evaluation.third_party,
        "b": evaluation.buyer,
        "c": evaluation.community,
        "terms": terms,
        "composite_exact": sum((term for _weight, _score, term in terms), Decimal(0)),
        "composite": composite,
        "band": band,
        "piece": piece,
        "share": share,
        "release_pct": scoring.release_pct(composite, rule),
        "instalment_kind": kind,
        "amount": amount,
        "release_amount": release,
        "withheld_amount": amount - release,
        "matches": composite == evaluation.composite and residents == evaluation.residents,
    }


def appeal_recomputation(evaluation: Evaluation, computation: dict[str, Any]) -> dict[str, Any] | None:
    """After a decided appeal (docs/rules.md §11.7), the decided components and each step to S'',
    its band and what the instalment releases in all, with the same functions and frozen rule as the
    published S: R(T, B, R, C) with the decided scores in place of the claimed ones. None without a
    decided appeal. What is released at S'' in all is round_half_up(H × f(S'')): the part released at
    confirmation (at S) plus the part of the held money released on the decision."""
    appeal = public_appeal_outcomes([evaluation]).get(evaluation.pk)
    if appeal is None or appeal.final_composite is None:
        return None
    rule = computation["rule"]
    decided = appeal.final()
    scores = {
        "t": decided.get("third_party", computation["t"]),
        "b": decided.get("buyer", computation["b"]),
        "r": decided.get("residents", computation["residents"]),
        "c": decided.get("community", computation["c"]),
    }
    composite = scoring.composite_score(**scores, rule=rule)
    band = scoring.band_of(composite, rule)
    piece = next(piece for piece in rule.bands if piece.letter == band.letter)
    if computation["instalment_kind"] == "holdback":
        share = scoring.release_share(composite, rule)
    else:  # a midterm's interim instalment is released whole at S'' >= 60, nothing below
        share = Decimal(1) if composite >= scoring.PASS_MARK else Decimal(0)
    release = share_of(computation["amount"], share)
    terms = scoring.composite_terms(**scores, rule=rule)
    published = {
        "t": computation["t"],
        "b": computation["b"],
        "r": computation["residents"],
        "c": computation["c"],
    }
    return {
        "appeal": appeal,
        "scores": scores,
        "rows": [
            {
                "letter": letter.upper(),
                "published": published[letter],
                "final": scores[letter],
                "changed": scores[letter] != published[letter],
            }
            for letter in ("t", "b", "r", "c")
        ],
        "terms": terms,
        "composite_exact": sum((term for _weight, _score, term in terms), Decimal(0)),
        "composite": composite,
        "band": band,
        "piece": piece,
        "share": share,
        "release_pct": scoring.release_pct(composite, rule),
        "release_amount": release,
        "withheld_amount": computation["amount"] - release,
        "more_released": release - computation["release_amount"],
        "matches": composite == appeal.final_composite,
    }
