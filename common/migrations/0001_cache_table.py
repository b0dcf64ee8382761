"""The database cache's table (settings.CACHES without CACHE_URL / REDIS_URL): request throttles
and sign-in failures are counted there, shared by every process. `createcachetable` skips tables
that exist and caches that are not in the database (Redis)."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies: list = []

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop, elidable=False)]
