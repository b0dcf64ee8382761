from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ..access import area_required


@area_required("bureau")
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "frontend/bureau/home.html")
