"""Check a bid receipt: whoever holds a receipt — the bidder at any time, anyone once the bid
deadline has passed — types its reference or full number on a tender and learns whether a bid with
it was received there, when, and whether it is still sealed. Nothing of the bid's content is shown
(it stays sealed until the tender closes), nor who sent it. Before the deadline a provider finds
only its own bids: a competitor shown a rival's receipt cannot have the platform confirm it."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from contracts.models import Report
from evaluations.selectors import rating_receipt as rating_receipt_of
from marketplace.models import Bid, Tender
from marketplace.receipts import receipt_reference
from marketplace.selectors import bid_by_receipt, tender_list
from orgs.permissions import member_organization_ids

from ..access import areas_of
from ..throttling import throttle_posts
from .forms import ReceiptCheckForm

# What the checker learns of a bid's state: sealed, opened, or withdrawn by its bidder.
SEALED, OPENED, WITHDRAWN, RETURNED = "sealed", "opened", "withdrawn", "returned"
STATE_LABELS = {
    SEALED: _("Sealed: the bids are opened when the tender closes"),
    RETURNED: _("The tender was cancelled before its deadline: its bids are returned unopened."),
    OPENED: _("Opened"),
    WITHDRAWN: _("Withdrawn by the bidder"),
}


def may_check_receipt(user: Any, tender: Tender) -> bool:
    """Members of providers (who hold receipts) may check at any time; anyone else once the bid
    deadline has passed."""
    if tender.status == Tender.Status.DRAFT:
        return False
    return tender.is_deadline_passed or "provider" in areas_of(user)


def _state(bid: Bid) -> str:
    if bid.status == Bid.Status.WITHDRAWN:
        return WITHDRAWN
    if bid.status in Bid.OPENED_STATUSES:
        return OPENED
    # a tender cancelled before it closed never opens its bids (``Tender.is_sealed``)
    return RETURNED if bid.tender.status == Tender.Status.CANCELLED else SEALED


@throttle_posts("anon_write")  # a reference is short: guessing one is no easier than signing in
def receipt_check(request: HttpRequest, pk: int) -> HttpResponse:
    tender = get_object_or_404(tender_list(user=request.user), pk=pk)
    if not may_check_receipt(request.user, tender):
        return render(request, "frontend/public/receipt_check.html", {"tender": tender, "closed": True})
    form = ReceiptCheckForm(request.POST if request.method == "POST" else None)
    result: dict[str, Any] | None = None
    if form.is_bound and form.is_valid():
        own = None if tender.is_deadline_passed else member_organization_ids(request.user)
        bid = bid_by_receipt(tender=tender, typed=form.cleaned_data["receipt"], provider_ids=own)
        if bid is None:
            result = {"found": False}
        else:
            state = _state(bid)
            result = {
                "found": True,
                "reference": receipt_reference(bid.receipt),
                "received_at": bid.submitted_at,
                "state": state,
                "state_label": STATE_LABELS[state],
            }
    back = "provider:tender" if "provider" in areas_of(request.user) else "public:tender"
    context = {"tender": tender, "form": form, "result": result, "back_url": reverse(back, args=[tender.pk])}
    return render(request, "frontend/public/receipt_check.html", context)


# What a rating's receipt says (docs/rules.md §24), in words.
RATING_STATUS_LABELS = {
    "counted": _("Counted: your rating is part of this evaluation."),
    "quarantined": _("Held for review: the bureau is checking ratings that arrived together."),
    "excluded": _("Excluded: after review, the bureau did not count this rating."),
}


def rating_receipt(request: HttpRequest, receipt: str) -> HttpResponse:
    """A rating's receipt, checked by anyone who holds it: the evaluation it belongs to and whether
    it was counted — never the rating, the household or the person. Unknown: 404."""
    found = rating_receipt_of(receipt)
    if found is None:
        raise Http404
    context = {
        "found": found,
        "stage_label": Report.Stage(found["stage"]).label,
        "status_label": RATING_STATUS_LABELS[found["status"]],
    }
    return render(request, "frontend/public/rating_receipt.html", context)
