from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "orgs"
    verbose_name = _("Organisations and people")

    def ready(self) -> None:
        from common.permissions import register

        from .permissions import PERMISSIONS

        register(PERMISSIONS)
