from django.urls import path

from .. import grid, registrations
from ..challenges import views as challenges
from . import community_tasks, dashboard, exclusions, households, scoring, tasklist, views

resident_queue, resident_decide = registrations.views_for("bureau")

app_name = "bureau"
urlpatterns = [
    path("", dashboard.home, name="home"),
    path("residents/", resident_queue, name="residents"),
    path("residents/<int:pk>/", resident_decide, name="resident"),
    # The grid of the bureau's jurisdiction (docs/rules.md §25).
    path("grid/", grid.bureau_grid, name="grid"),
    path("grid/posts/<int:pk>/end/", grid.bureau_grid_end, name="grid_end"),
    path("households/import/", households.household_import, name="household_import"),
    path("households/imports/<int:pk>/", households.household_import_status, name="household_import_status"),
    path("tenders/", views.tender_list_page, name="tenders"),
    # Create a tender: a task list kept in the session, then check answers.
    path("tenders/new/", tasklist.task_list, name="tender_new"),
    path("tenders/new/check/", tasklist.check_answers, name="tender_new_check"),
    path("tenders/new/discard/", tasklist.discard, name="tender_new_discard"),
    path("tenders/new/<slug:slug>/", tasklist.section_page, name="tender_new_section"),
    path("tenders/<int:pk>/", views.tender_detail, name="tender"),
    # Edit a draft through the same task list.
    path("tenders/<int:pk>/edit/", tasklist.task_list, name="tender_edit"),
    path("tenders/<int:pk>/edit/check/", tasklist.check_answers, name="tender_edit_check"),
    path("tenders/<int:pk>/edit/discard/", tasklist.discard, name="tender_edit_discard"),
    path("tenders/<int:pk>/edit/<slug:slug>/", tasklist.section_page, name="tender_edit_section"),
    # Transitions.
    path("tenders/<int:pk>/publish/", views.tender_publish, name="tender_publish"),
    path("tenders/<int:pk>/close/", views.tender_close, name="tender_close"),
    path("tenders/<int:pk>/amend/", views.tender_amend, name="tender_amend"),
    path("tenders/<int:pk>/cancel/", views.tender_cancel, name="tender_cancel"),
    path("tenders/<int:pk>/finalize-award/", views.tender_finalize_award, name="tender_finalize_award"),
    # Questions.
    path("tenders/<int:pk>/questions/", views.questions, name="questions"),
    path(
        "tenders/<int:pk>/questions/<int:question_pk>/answer/", views.question_answer, name="question_answer"
    ),
    # Challenges to the award (docs/rules.md §17.5).
    path("tenders/<int:pk>/challenges/", challenges.bureau_challenges, name="challenges"),
    path(
        "tenders/<int:pk>/challenges/<int:challenge_pk>/reply/",
        challenges.bureau_challenge_reply,
        name="challenge_reply",
    ),
    # Bids, scoring, ranking, award.
    path("tenders/<int:pk>/bids/", scoring.bid_list, name="bids"),
    path("tenders/<int:pk>/bids/<int:bid_pk>/", scoring.bid_detail, name="bid"),
    path("tenders/<int:pk>/bids/<int:bid_pk>/disqualify/", scoring.bid_disqualify, name="bid_disqualify"),
    path("tenders/<int:pk>/declaration/", scoring.declaration, name="declaration"),
    path("tenders/<int:pk>/scores/", scoring.scores, name="scores"),
    path("tenders/<int:pk>/scores/<int:bid_pk>/", scoring.score_bid, name="score_bid"),
    path("tenders/<int:pk>/ranking/", scoring.ranking, name="ranking"),
    path("tenders/<int:pk>/award/<int:bid_pk>/", scoring.award, name="award"),
    # Exclusions the bureau caused (docs/rules.md §17.6).
    path("exclusions/", exclusions.exclusion_list, name="exclusions"),
    path("exclusions/<int:pk>/lift/", exclusions.exclusion_lift, name="exclusion_lift"),
    # Tasks sent to community committees (docs/rules.md §23).
    path("community-tasks/", community_tasks.task_list, name="community_tasks"),
    path("community-tasks/new/", community_tasks.task_new, name="community_task_new"),
    path("community-tasks/<int:pk>/withdraw/", community_tasks.task_withdraw, name="community_task_withdraw"),
    path(
        "community-tasks/<int:pk>/confirm-payment/",
        community_tasks.task_confirm_payment,
        name="community_task_confirm_payment",
    ),
]
