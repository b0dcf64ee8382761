from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "common"
    verbose_name = "Common"

    def ready(self) -> None:
        from django.contrib import admin
        from django.core.checks import Tags, register

        from . import public_cache
        from .checks import check_official_calendar, check_shared_cache, check_trusted_proxies

        register(check_trusted_proxies)
        register(check_shared_cache, Tags.caches, deploy=True)
        register(check_official_calendar)
        register(public_cache.check_version_shared, Tags.caches)
        # The admin's index says when working-day deadlines count weekends only (common/workdays.py).
        admin.site.index_template = "common/admin_index.html"
