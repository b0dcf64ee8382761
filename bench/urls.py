"""The product's URLs plus the bare reference views the figures are divided by."""

from django.urls import include, path

from . import views

urlpatterns = [
    path("bench/bare-json/", views.bare_json, name="bench_bare_json"),
    path("bench/bare-insert/", views.bare_insert, name="bench_bare_insert"),
    path("", include("config.urls")),
]
