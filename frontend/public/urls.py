from django.urls import path

from . import exclusions, opendata, payouts, receipts, views, workload

app_name = "public"
urlpatterns = [
    path("", views.home, name="home"),
    path("tenders/", views.tender_list_page, name="tenders"),
    path("tenders/<int:pk>/", views.tender_detail, name="tender"),
    path("tenders/<int:pk>/receipt/", receipts.receipt_check, name="receipt_check"),
    path("ratings/receipts/<str:receipt>/", receipts.rating_receipt, name="rating_receipt"),
    path("tenders/<int:pk>/payout/", payouts.tender_payout, name="tender_payout"),
    path("contracts/<int:pk>/", views.contract_detail, name="contract"),
    path("contracts/<int:pk>/payout/", payouts.contract_payout, name="contract_payout"),
    path(
        "contracts/<int:pk>/evaluations/<int:evaluation_pk>/computation/",
        payouts.evaluation_computation,
        name="evaluation_computation",
    ),
    path("providers/<int:pk>/", views.provider_detail, name="provider"),
    path("help/", views.help_page, name="help"),
    path("exclusions/", exclusions.exclusion_list, name="exclusions"),
    path("communities/<int:pk>/workload/", workload.workload_page, name="community_workload"),
    path("open-data/", opendata.open_data_page, name="open_data"),
    path("open-data/<slug:table>.<slug:fmt>", opendata.download, name="open_data_download"),
]
