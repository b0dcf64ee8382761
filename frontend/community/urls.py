from django.urls import path

from .. import grid, registrations
from . import tasks, views

resident_queue, resident_decide = registrations.views_for("community")

app_name = "community"
urlpatterns = [
    path("", views.home, name="home"),
    path("residents/", resident_queue, name="residents"),
    path("residents/<int:pk>/", resident_decide, name="resident"),
    path("contracts/<int:pk>/", views.contract_detail, name="contract"),
    path("evaluations/<int:pk>/", views.evaluation_detail, name="evaluation"),
    path("evaluations/<int:pk>/score/", views.evaluation_score, name="evaluation_score"),
    path("evaluations/<int:pk>/ratings/", views.record_ratings, name="record_ratings"),
    path("grid/", grid.community_grid, name="grid"),
    path("grid/posts/<int:pk>/end/", grid.community_grid_end, name="grid_end"),
    path("tasks/", tasks.task_list, name="tasks"),
    path("tasks/<int:pk>/accept/", tasks.task_accept, name="task_accept"),
    path("tasks/<int:pk>/refuse/", tasks.task_refuse, name="task_refuse"),
]
