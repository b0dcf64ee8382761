from django.urls import path

from . import exclusions, receipts, views

app_name = "public"
urlpatterns = [
    path("", views.home, name="home"),
    path("tenders/", views.tender_list_page, name="tenders"),
    path("tenders/<int:pk>/", views.tender_detail, name="tender"),
    path("tenders/<int:pk>/receipt/", receipts.receipt_check, name="receipt_check"),
    path("contracts/<int:pk>/", views.contract_detail, name="contract"),
    path("providers/<int:pk>/", views.provider_detail, name="provider"),
    path("help/", views.help_page, name="help"),
    path("exclusions/", exclusions.exclusion_list, name="exclusions"),
]
