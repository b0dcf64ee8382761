from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ..access import area_required


@area_required("provider")
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "frontend/provider/home.html")


def register(request: HttpRequest) -> HttpResponse:
    return render(request, "frontend/provider/home.html")
