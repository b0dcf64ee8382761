"""The writes that change what the public tender lists show, each moving the public cache's version
when its transaction commits (``common.public_cache``). ``run_transition`` already does it for every
state change of these models; these signals catch every other write to a row the lists or the tender
pages show (a tender's terms, its KPIs, criteria, schedule and areas, an amendment, an award notice, a
contract made from it, a document, the names of bureaus and categories), so that no service can
forget it. ``QuerySet.update`` and ``bulk_create`` send no signal: services that use them on these
models call ``common.public_cache.changed`` themselves."""

from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save

from common import public_cache

# The models whose rows the public lists and tender pages show (app_label.ModelName, so that the
# marketplace names contracts' model without importing a layer above it).
SHOWN = (
    "marketplace.Tender",
    "marketplace.TenderAmendment",
    "marketplace.Kpi",
    "marketplace.Criterion",
    "marketplace.PaymentScheduleItem",
    "marketplace.Award",
    "marketplace.CatalogueItem",
    "orgs.Organization",
    "contracts.Contract",
    "documents.Document",
)


def _changed(sender: Any, **kwargs: Any) -> None:
    public_cache.changed(using=kwargs.get("using"))


def connect() -> None:
    public_cache.shown_models.update(SHOWN)
    for model in SHOWN:
        post_save.connect(_changed, sender=model, dispatch_uid=f"public-cache-save-{model}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"public-cache-delete-{model}")
    m2m_changed.connect(_changed, sender="marketplace.Tender_areas", dispatch_uid="public-cache-areas")
