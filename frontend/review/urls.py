"""The review body's area (the finance department, 财政部门): the complaints to decide."""

from django.urls import path

from ..appeals import views as appeals
from ..challenges import views

app_name = "review"
urlpatterns = [
    path("", views.review_home, name="home"),
    path("complaints/<int:pk>/", views.review_complaint, name="complaint"),
    path("appeals/<int:pk>/", appeals.review_appeal, name="appeal"),
]
