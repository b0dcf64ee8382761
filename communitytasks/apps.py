from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityTasksConfig(AppConfig):
    name = "communitytasks"
    verbose_name = _("Community task admission")

    def ready(self) -> None:
        from common.permissions import register

        from .permissions import PERMISSIONS

        register(PERMISSIONS)
