from django.urls import path

from . import views

app_name = "needs"
urlpatterns = [
    path("needs/", views.need_list_page, name="list"),
    path("needs/new/", views.need_new, name="new"),
    path("needs/<int:pk>/", views.need_detail, name="need"),
    path("needs/<int:pk>/support/", views.need_support, name="support"),
    path("communities/<int:pk>/", views.community_page, name="community"),
    path("community/needs/", views.council_queue, name="council"),
    path("community/needs/<int:pk>/", views.need_deliberate, name="deliberate"),
]
