from django.urls import path

from . import views

app_name = "bureau"
urlpatterns = [
    path("", views.home, name="home"),
]
