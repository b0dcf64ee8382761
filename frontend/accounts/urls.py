from django.contrib.auth import views as auth_views
from django.urls import path

from ..post_only import post_only_or_redirect
from ..resident.views import signup
from ..throttling import throttle_posts
from . import views

urlpatterns = [
    path(
        "login/",
        throttle_posts("anon_write")(views.SignInView.as_view()),
        name="login",
    ),
    path("logout/", post_only_or_redirect("public:home")(auth_views.LogoutView.as_view()), name="logout"),
    path("signup/", signup, name="signup"),
    path("start/", views.start, name="start"),
    # Forgotten password (throttled like signing in: each request may send an e-mail)
    path(
        "password-reset/",
        throttle_posts("anon_write")(views.PasswordResetRequestView.as_view()),
        name="password_reset",
    ),
    path("password-reset/sent/", views.PasswordResetSentView.as_view(), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        throttle_posts("anon_write")(views.NewPasswordView.as_view()),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        views.PasswordResetFinishedView.as_view(),
        name="password_reset_complete",
    ),
]
