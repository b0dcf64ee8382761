from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketplaceConfig(AppConfig):
    name = "marketplace"
    verbose_name = _("Marketplace")

    def ready(self) -> None:
        from common.permissions import register
        from documents.owners import register_owner

        from . import public_cache
        from .permissions import DOCUMENT_OWNERS, PERMISSIONS

        register(PERMISSIONS)
        public_cache.connect()
        for owner in DOCUMENT_OWNERS:
            register_owner(owner)
