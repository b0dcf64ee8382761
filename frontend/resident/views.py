from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ..access import area_required


@area_required("resident")
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "frontend/resident/home.html")


def signup(request: HttpRequest) -> HttpResponse:
    return render(request, "frontend/resident/home.html")
