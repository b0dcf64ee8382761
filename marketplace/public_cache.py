"""The writes that change what the public tender lists show (the list API's tenders with their
KPIs, criteria, payment schedule, areas, needs, amendments and contract id; the ``/tenders/``
page's bureau and category names and its area and category filters), each moving the public
cache's version when its transaction commits (``common.public_cache``). Every save or delete of
such a row sends a signal here, so that no service can forget it — a transition too
(``run_transition`` saves). Award notices and documents are on the tender pages, which are not
cached; an award or an amendment also saves the tender, which moves the version.
``QuerySet.update`` and ``bulk_create`` send no signal: services that use them on these models
without saving the tender call ``common.public_cache.changed`` themselves."""

from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save

from common import public_cache

# The models whose rows the public lists show (app_label.ModelName, so that the marketplace names
# contracts' model without importing a layer above it).
SHOWN = (
    "marketplace.Tender",
    "marketplace.TenderAmendment",
    "marketplace.Kpi",
    "marketplace.Criterion",
    "marketplace.PaymentScheduleItem",
    "marketplace.CatalogueItem",
    "orgs.Organization",
    "orgs.Area",
)
# Shown by their id only (the list API's ``contract``): a new or deleted row changes the lists, a
# contract's own later changes (signatures, status) do not.
SHOWN_BY_ID = ("contracts.Contract",)


def _changed(sender: Any, **kwargs: Any) -> None:
    public_cache.changed(using=kwargs.get("using"))


def _made(sender: Any, created: bool = False, **kwargs: Any) -> None:
    if created:
        public_cache.changed(using=kwargs.get("using"))


def connect() -> None:
    for model in SHOWN:
        post_save.connect(_changed, sender=model, dispatch_uid=f"public-cache-save-{model}")
    for model in SHOWN_BY_ID:
        post_save.connect(_made, sender=model, dispatch_uid=f"public-cache-save-{model}")
    for model in (*SHOWN, *SHOWN_BY_ID):
        post_delete.connect(_changed, sender=model, dispatch_uid=f"public-cache-delete-{model}")
    m2m_changed.connect(_changed, sender="marketplace.Tender_areas", dispatch_uid="public-cache-areas")
    m2m_changed.connect(_changed, sender="marketplace.Tender_needs", dispatch_uid="public-cache-needs")
