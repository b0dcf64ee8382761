from django.urls import path

from . import views

app_name = "resident"
urlpatterns = [
    path("", views.home, name="home"),
    path("confirm/", views.verify_phone, name="verify_phone"),
    path("confirm/new-code/", views.send_phone_code, name="send_phone_code"),
    # A new rating of a contract, one question per page.
    path("rate/<int:contract_id>/", views.rate_satisfaction, name="rate"),
    path("rate/<int:contract_id>/resolved/", views.rate_resolved, name="rate_resolved"),
    path("rate/<int:contract_id>/comment/", views.rate_comment, name="rate_comment"),
    path("rate/<int:contract_id>/check/", views.rate_check, name="rate_check"),
    # The household's ratings: confirmation page, and changing a rating the same way.
    path("ratings/<int:rating_id>/", views.rating_detail, name="rating"),
    path("ratings/<int:rating_id>/change/", views.change_start, name="change"),
    path("ratings/<int:rating_id>/change/satisfaction/", views.rate_satisfaction, name="change_satisfaction"),
    path("ratings/<int:rating_id>/change/resolved/", views.rate_resolved, name="change_resolved"),
    path("ratings/<int:rating_id>/change/comment/", views.rate_comment, name="change_comment"),
    path("ratings/<int:rating_id>/change/check/", views.rate_check, name="change_check"),
]
