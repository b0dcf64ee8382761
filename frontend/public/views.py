from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from contracts.selectors import contract_list
from marketplace.models import Tender
from marketplace.selectors import tender_list


def home(request: HttpRequest) -> HttpResponse:
    open_tenders = (
        tender_list(user=request.user)
        .filter(Q(status=Tender.Status.PUBLISHED))
        .select_related("bureau", "catalogue_item")[:20]
    )
    return render(request, "frontend/public/home.html", {"open_tenders": open_tenders})


def tender_list_page(request: HttpRequest) -> HttpResponse:
    tenders = tender_list(user=request.user).select_related("bureau", "catalogue_item")[:50]
    return render(request, "frontend/public/tender_list.html", {"tenders": tenders})


def tender_detail(request: HttpRequest, pk: int) -> HttpResponse:
    tender = get_object_or_404(tender_list(user=request.user), pk=pk)
    return render(request, "frontend/public/tender_detail.html", {"tender": tender})


def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_object_or_404(contract_list(user=request.user), pk=pk)
    return render(request, "frontend/public/contract_detail.html", {"contract": contract})


def help_page(request: HttpRequest) -> HttpResponse:
    return render(request, "frontend/public/help.html")
