from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "common"
    verbose_name = "Common"

    def ready(self) -> None:
        from django.core.checks import Tags, register

        from .checks import check_shared_cache, check_trusted_proxies

        register(check_trusted_proxies)
        register(check_shared_cache, Tags.caches, deploy=True)
