from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ..access import area_required


@area_required("assessor")
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "frontend/assessor/home.html")
