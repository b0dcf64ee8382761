from django.urls import path

from . import views

app_name = "resident"
urlpatterns = [
    path("", views.home, name="home"),
]
