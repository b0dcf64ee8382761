"""Writes of the marketplace: budget lines, tenders, questions, bids, scoring, award."""

from .amendments import tender_amend
from .awards import (
    award_annul,
    award_hold,
    award_release,
    challenge_until_of,
    check_no_challenge_pending,
    standing_award,
)
from .bids import bid_create, bid_disqualify, bid_open, bid_submit, bid_update, bid_withdraw
from .budget import (
    available_on,
    budget_line_create,
    budget_line_locked,
    commitment_add,
    commitment_hold,
    commitment_release,
    commitments_release,
)
from .catalogue import catalogue_item_create
from .exclusions import check_not_excluded, exclusion_impose, exclusion_lift
from .questions import question_answer, question_ask
from .scoring import bid_score, evaluator_declare
from .tenders import (
    tender_award,
    tender_cancel,
    tender_close,
    tender_create,
    tender_finalize_award,
    tender_publish,
    tender_update,
)

__all__ = [
    "available_on",
    "award_annul",
    "award_hold",
    "award_release",
    "bid_create",
    "bid_disqualify",
    "bid_open",
    "bid_score",
    "bid_submit",
    "bid_update",
    "bid_withdraw",
    "budget_line_create",
    "budget_line_locked",
    "catalogue_item_create",
    "challenge_until_of",
    "check_no_challenge_pending",
    "check_not_excluded",
    "commitment_add",
    "commitment_hold",
    "commitment_release",
    "commitments_release",
    "evaluator_declare",
    "exclusion_impose",
    "exclusion_lift",
    "question_answer",
    "question_ask",
    "standing_award",
    "tender_amend",
    "tender_award",
    "tender_cancel",
    "tender_close",
    "tender_create",
    "tender_finalize_award",
    "tender_publish",
    "tender_update",
]
