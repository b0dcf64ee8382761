"""Writes of the marketplace: budget lines, tenders, questions, bids, scoring, award."""

from .bids import bid_create, bid_disqualify, bid_open, bid_submit, bid_update, bid_withdraw
from .budget import budget_line_create, budget_line_locked, commitment_release
from .catalogue import catalogue_item_create
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
    "commitment_release",
    "evaluator_declare",
    "question_answer",
    "question_ask",
    "tender_award",
    "tender_cancel",
    "tender_close",
    "tender_create",
    "tender_finalize_award",
    "tender_publish",
    "tender_update",
]
