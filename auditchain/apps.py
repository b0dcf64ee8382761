from django.apps import AppConfig


class AuditchainConfig(AppConfig):
    name = "auditchain"
    verbose_name = "Audit chain"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .signals import connect

        connect()
