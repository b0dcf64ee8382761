from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChallengesConfig(AppConfig):
    name = "challenges"
    verbose_name = _("Challenges and complaints")

    def ready(self) -> None:
        from common.permissions import register

        from .permissions import PERMISSIONS

        register(PERMISSIONS)
