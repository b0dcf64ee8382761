from django.urls import path

from . import views

app_name = "assessor"
urlpatterns = [
    path("", views.home, name="home"),
    path("contracts/<int:pk>/", views.contract_detail, name="contract"),
    path("evaluations/<int:pk>/", views.evaluation_detail, name="evaluation"),
    path("evaluations/<int:pk>/score/", views.evaluation_score, name="evaluation_score"),
    path("evaluations/<int:pk>/ratings/", views.record_ratings, name="record_ratings"),
    path("evaluations/<int:pk>/survey/", views.evaluation_survey, name="evaluation_survey"),
]
