"""The reasons the system gives for transitions and ledger movements: one catalogue, each with a
stable code, stored in English and translated when shown (``common.history.reason_display``)."""

from django.utils.translation import gettext_noop


class Reason(str):
    """A reason the system gives for a transition (or a ledger movement), with a stable ``code``.

    The value is its English text, a msgid marked with ``gettext_noop`` — what is stored in the log,
    readable in the database and in logs written before reasons had codes. It is translated when it
    is shown (``common.history.reason_display``), in the reader's language, never when it is
    stored. A text with ``%(name)s`` / ``%(name)d`` placeholders is a template: ``reason % values``
    gives the text to store, and the values are read back from it when it is shown. Reasons typed by
    people are stored and shown as typed."""

    code: str

    def __new__(cls, code: str, text: str) -> "Reason":
        reason = super().__new__(cls, text)
        reason.code = code
        REASONS[code] = reason
        return reason


REASONS: dict[str, Reason] = {}

# The longest reason a person may type for a transition (a cancellation, a suspension, a rejection…).
REASON_MAX_LENGTH = 2000

# Every reason the system writes, in one place; services pass these (never a literal) as the
# ``description`` of ``common.transitions.run_transition``.
CONTRACT_SIGNED = Reason("contract_signed", gettext_noop("signed by both parties"))
CONTRACT_ACTIVE = Reason("contract_active", gettext_noop("contract active"))
CONTRACT_TERMINATED = Reason("contract_terminated", gettext_noop("contract terminated"))
CONTRACT_SETTLED = Reason("contract_settled", gettext_noop("every instalment paid or withheld"))
VARIATION_SIGNED = Reason("variation_signed", gettext_noop("variation signed by both parties"))
RETURNED_TO_BUDGET = Reason("returned_to_budget", gettext_noop("returned to the budget line"))
PAYMENT_ORDER_ISSUED = Reason("payment_order_issued", gettext_noop("payment order issued"))
TRANSFER_SENT = Reason("transfer_sent", gettext_noop("transfer sent"))
INSTALMENT_PAID = Reason("instalment_paid", gettext_noop("payment %(payment)s"))
PAYMENT_REVERSAL = Reason("payment_reversal", gettext_noop("reversal of %(reference)s"))
TENDER_TOO_FEW_BIDS = Reason("tender_too_few_bids", gettext_noop("too few bids"))
TENDER_UNSUCCESSFUL = Reason("tender_unsuccessful", gettext_noop("tender unsuccessful"))
BID_TAMPERED = Reason(
    "bid_tampered", gettext_noop("receipt mismatch: the bid was changed after it was submitted")
)
ORGANIZATION_CREATED = Reason("organization_created", gettext_noop("created by platform admin"))
ORGANIZATION_SUSPENDED_IN_ADMIN = Reason("organization_suspended_in_admin", gettext_noop("admin action"))
RESIDENT_CONFIRMED = Reason("resident_confirmed", gettext_noop("confirmed"))
RESIDENT_CONFIRMED_BY_CODE = Reason(
    "resident_confirmed_by_code", gettext_noop("confirmed by the code sent to the household's phone")
)
GRID_POST_ENDED = Reason("grid_post_ended", gettext_noop("no longer responsible for this part of the grid"))
GRID_POST_MEMBER_LEFT = Reason(
    "grid_post_member_left", gettext_noop("no longer a member of the committee responsible for this node")
)
MIDTERM_EVALUATION = Reason("midterm_evaluation", gettext_noop("midterm evaluation S=%(score)s"))
FINAL_EVALUATION = Reason("final_evaluation", gettext_noop("final evaluation S=%(score)s"))
# Appeals (docs/rules.md §11.7): why money was held, released or withheld.
HELD_FOR_APPEAL = Reason("held_for_appeal", gettext_noop("held while an appeal is decided"))
APPEAL_FILED = Reason("appeal_filed", gettext_noop("appeal %(appeal)s filed"))
APPEAL_DECIDED = Reason("appeal_decided", gettext_noop("appeal %(appeal)s decided: S=%(score)s"))
APPEAL_LAPSED_TERMINATED = Reason(
    "appeal_lapsed_terminated", gettext_noop("the contract was terminated: the appeal lapsed undecided")
)
APPEAL_LAPSED_SUPERSEDED = Reason(
    "appeal_lapsed_superseded", gettext_noop("the evaluation was superseded: the appeal lapsed undecided")
)
EVALUATION_SUPERSEDED = Reason(
    "evaluation_superseded", gettext_noop("appeal %(appeal)s decided the earlier midterm passed")
)
RATING_BURST = Reason(
    "rating_burst",
    gettext_noop("More than %(n)d ratings of this contract from one address within 10 minutes."),
)

# Why a provider is excluded from bidding (docs/rules.md §17.6): ``Exclusion.reason``, public.
EXCLUSION_CONTRACT_TERMINATED = Reason(
    "exclusion_contract_terminated", gettext_noop("contract %(contract)s was terminated")
)
EXCLUSION_BAND_E = Reason(
    "exclusion_band_e", gettext_noop("the final evaluation of contract %(contract)s was band E")
)
# Challenges and complaints (docs/rules.md §17.5): why an award was held, released or annulled.
CHALLENGE_SUBMITTED = Reason("challenge_submitted", gettext_noop("challenge %(challenge)s submitted"))
CHALLENGE_UPHELD = Reason("challenge_upheld", gettext_noop("challenge %(challenge)s upheld"))
COMPLAINT_SUBMITTED = Reason("complaint_submitted", gettext_noop("complaint %(complaint)s submitted"))
COMPLAINT_UPHELD = Reason("complaint_upheld", gettext_noop("complaint %(complaint)s upheld"))
NOTHING_PENDING = Reason("nothing_pending", gettext_noop("no challenge or complaint pending"))

NEED_ACCEPTED = Reason("need_accepted", gettext_noop("accepted by the council"))
NEED_REJECTED = Reason("need_rejected", gettext_noop("rejected by the council"))
NEED_TENDERED = Reason("need_tendered", gettext_noop("named in tender %(tender)s"))
NEED_REOPENED = Reason("need_reopened", gettext_noop("tender %(tender)s ended without a service"))
NEED_CONTRACTED = Reason("need_contracted", gettext_noop("contract %(contract)s signed"))
NEED_DELIVERED = Reason("need_delivered", gettext_noop("contract %(contract)s completed"))

EVALUATION = {"midterm": MIDTERM_EVALUATION, "final": FINAL_EVALUATION}  # by ``Evaluation.stage``
TASK_FUNDING_PAID = Reason("task_funding_paid", gettext_noop("funding paid to the community"))
