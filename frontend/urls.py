"""Every human page. Role areas sit under their own prefix; the bureau's case work (contracts,
evaluations, payments, ratings) shares the ``/bureau/`` prefix with its procurement pages."""

from django.urls import include, path

urlpatterns = [
    path("", include("frontend.public.urls")),
    path("accounts/", include("frontend.accounts.urls")),
    path("", include("frontend.documents.urls")),
    path("", include("frontend.needs.urls")),
    path("bureau/", include("frontend.bureau.urls")),
    path("bureau/", include("frontend.casework.urls")),
    path("provider/", include("frontend.provider.urls")),
    path("resident/", include("frontend.resident.urls")),
    path("assessor/", include("frontend.assessor.urls")),
    path("community/", include("frontend.community.urls")),
    path("review/", include("frontend.review.urls")),
]
