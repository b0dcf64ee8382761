from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NeedsConfig(AppConfig):
    name = "needs"
    verbose_name = _("Residents' needs")

    def ready(self) -> None:
        from common.permissions import register

        from .permissions import PERMISSIONS

        register(PERMISSIONS)
