from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    """Files attached to tenders, bids, contracts and service events (docs/rules.md §17.2). The
    owners register themselves (``documents.owners.register_owner``) from their own ``ready()``:
    this app never imports them."""

    name = "documents"
    verbose_name = _("Documents")
