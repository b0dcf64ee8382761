from django.contrib.auth import views as auth_views
from django.urls import path

from ..resident.views import signup
from ..throttling import throttle_posts
from . import views

urlpatterns = [
    path(
        "login/",
        throttle_posts("anon_write")(views.SignInView.as_view()),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("signup/", signup, name="signup"),
    path("start/", views.start, name="start"),
]
