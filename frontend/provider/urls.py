from django.urls import path

from ..appeals import views as appeals
from ..challenges import views as challenges
from . import bids, contracts, views

app_name = "provider"
urlpatterns = [
    path("", views.home, name="home"),
    path("register/", views.register, name="register"),
    path("register/not-eligible/", views.register_not_eligible, name="register_not_eligible"),
    path("register/details/", views.register_details, name="register_details"),
    path("register/done/", views.registered, name="registered"),
    path("tenders/", views.tenders, name="tenders"),
    path("tenders/<int:pk>/", views.tender_detail, name="tender"),
    path("tenders/<int:pk>/questions/new/", views.question_new, name="question_new"),
    path("tenders/<int:pk>/bid/", bids.task_list, name="bid"),
    path("tenders/<int:pk>/bid/check/", bids.check, name="bid_check"),
    path("tenders/<int:pk>/bid/<slug:section>/", bids.section, name="bid_section"),
    path("tenders/<int:pk>/challenge/", challenges.challenge_new, name="challenge_new"),
    path("challenges/", challenges.provider_challenges, name="challenges"),
    path("challenges/<int:pk>/", challenges.provider_challenge, name="challenge"),
    path("challenges/<int:pk>/complain/", challenges.complaint_new, name="complaint_new"),
    path("bids/<int:pk>/", bids.detail, name="bid_detail"),
    path("bids/<int:pk>/confirmation/", bids.confirmation, name="bid_confirmation"),
    path("bids/<int:pk>/withdraw/", bids.withdraw, name="bid_withdraw"),
    path("contracts/", contracts.contract_list_page, name="contracts"),
    path("contracts/<int:pk>/", contracts.contract_detail, name="contract"),
    path("contracts/<int:pk>/sign/", contracts.contract_sign, name="contract_sign"),
    path("variations/<int:pk>/sign/", contracts.variation_sign, name="variation_sign"),
    path("contracts/<int:pk>/events/new/", contracts.event_new, name="event_new"),
    path("contracts/<int:pk>/reports/new/", contracts.report_new, name="report_new"),
    path("evaluations/<int:pk>/appeal/", appeals.appeal_new, name="appeal_new"),
    path("appeals/<int:pk>/", appeals.provider_appeal, name="appeal"),
    path("payout-account/", contracts.payout_account, name="payout_account"),
]
