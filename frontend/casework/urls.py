"""The bureau's case work, under ``/bureau/`` beside its procurement pages (namespace ``bureau``):
contracts, evaluations, instalments and payments, ratings review."""

from django.urls import path

from ..appeals import views as appeals
from . import contracts, evaluations, payments, ratings

app_name = "casework"
urlpatterns = [
    path("contracts/", contracts.contract_list, name="contracts"),
    path("contracts/<int:pk>/", contracts.contract_detail, name="contract"),
    path("contracts/<int:pk>/sign/", contracts.contract_sign, name="contract_sign"),
    path(
        "contracts/<int:pk>/suspend/",
        contracts.contract_reason_action,
        {"verb": "suspend"},
        name="contract_suspend",
    ),
    path(
        "contracts/<int:pk>/resume/",
        contracts.contract_reason_action,
        {"verb": "resume"},
        name="contract_resume",
    ),
    path(
        "contracts/<int:pk>/terminate/",
        contracts.contract_reason_action,
        {"verb": "terminate"},
        name="contract_terminate",
    ),
    path("contracts/<int:pk>/assign/", contracts.contract_assign, name="contract_assign"),
    path("contracts/<int:pk>/variations/new/", contracts.variation_new, name="variation_new"),
    path("variations/<int:pk>/sign/", contracts.variation_sign, name="variation_sign"),
    path("variations/<int:pk>/withdraw/", contracts.variation_withdraw, name="variation_withdraw"),
    path("evaluations/<int:pk>/", evaluations.evaluation_detail, name="evaluation"),
    path(
        "evaluations/<int:pk>/scores/<str:component>/", evaluations.evaluation_score, name="evaluation_score"
    ),
    path("evaluations/<int:pk>/finalize/", evaluations.evaluation_finalize, name="evaluation_finalize"),
    path("evaluations/<int:pk>/confirm/", evaluations.evaluation_confirm, name="evaluation_confirm"),
    path("appeals/", appeals.bureau_appeals, name="appeals"),
    path("appeals/<int:pk>/", appeals.bureau_appeal, name="appeal"),
    path("payments/", payments.payment_list, name="payments"),
    path("instalments/<int:pk>/pay/", payments.instalment_pay, name="instalment_pay"),
    path("payments/<int:pk>/confirm/", payments.payment_confirm, name="payment_confirm"),
    path("ratings/", ratings.rating_list, name="ratings"),
    path("ratings/<int:pk>/review/", ratings.rating_review, name="rating_review"),
]
