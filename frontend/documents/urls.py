from django.urls import path

from . import views

app_name = "documents"
urlpatterns = [
    path("documents/<int:pk>/download/", views.download, name="download"),
    path("documents/<int:pk>/remove/", views.remove, name="remove"),
    *(
        path(f"documents/{segment}/<int:pk>/add/", views.add, {"segment": segment}, name=f"add_{name}")
        for segment, name in views.OWNER_SEGMENTS.items()
    ),
    path("events/<int:pk>/", views.event, name="event"),
]
