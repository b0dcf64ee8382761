from django.contrib.auth import views as auth_views
from django.urls import path

from ..resident.views import signup
from ..throttling import throttle_posts
from . import views
from .forms import SignInForm

urlpatterns = [
    path(
        "login/",
        throttle_posts("anon_write")(
            auth_views.LoginView.as_view(authentication_form=SignInForm, redirect_authenticated_user=True)
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("signup/", signup, name="signup"),
    path("start/", views.start, name="start"),
]
