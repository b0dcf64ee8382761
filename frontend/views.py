from django.db.models import Q
from django.shortcuts import render

from marketplace.models import Tender
from marketplace.selectors import tender_list_visible_to


def home(request):
    open_tenders = (
        tender_list_visible_to(user=request.user)
        .filter(Q(status=Tender.Status.PUBLISHED))
        .select_related("bureau", "catalogue_item")[:20]
    )
    return render(request, "frontend/home.html", {"open_tenders": open_tenders})
