from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = _("Contracts")

    def ready(self) -> None:
        from common.permissions import register
        from documents.owners import register_owner

        from .permissions import DOCUMENT_OWNERS, PERMISSIONS

        register(PERMISSIONS)
        for owner in DOCUMENT_OWNERS:
            register_owner(owner)
