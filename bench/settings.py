"""The bench server's settings: the product's, plus the bench-only URLconf (bare reference views)
and one trusted proxy, so that the load generator can present many client addresses in
``X-Forwarded-For`` the way a load balancer would (``common.client_address``). Production never
loads this module.

The bench runs wherever someone types ``make bench``, possibly with a production environment
exported: whatever the environment says, it sends nothing (no mail, no SMS, no payment, no task to
a broker) and writes nothing outside its own folder (``SHEQU_VAR_DIR``, which ``bench.run`` points
at a folder under var/bench/): its caches, documents and uploads are there."""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from config.settings import *  # noqa: F403
from config.settings import DATABASES, VAR_DIR

ROOT_URLCONF = "bench.urls"
TRUSTED_PROXY_COUNT = 1

# Never a Redis of the environment's (CACHE_URL / REDIS_URL): the product's defaults without it.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "shequ_cache",
        "OPTIONS": {"MAX_ENTRIES": 50_000},
    },
    "public": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "public-cache"),
        "OPTIONS": {"MAX_ENTRIES": 5_000},
    },
}
# SQLite: one host, the version beside the answers; PostgreSQL: in the database cache, as deployed.
PUBLIC_CACHE_VERSION_CACHE = "public" if DATABASES["default"]["ENGINE"].endswith("sqlite3") else "default"
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
NOTIFICATIONS_SMS_BACKEND = "bench.notifications.NullSmsBackend"
PAYMENTS_GATEWAY = "treasury"  # a payment order, no network
STRIPE_SECRET_KEY = STRIPE_WEBHOOK_SECRET = ""
MEDIA_ROOT = str(VAR_DIR / "media")
STORAGES = {
    **STORAGES,  # noqa: F405 (the static files the product collected, read only)
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT},
    },
    "documents": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "documents")},
    },
}
# Tasks run in the request, as they would without a worker; only the settlement bench
# (bench/settle.py) names a broker, its own, for the workers it starts (never the environment's).
CELERY_BROKER_URL = os.environ.get("BENCH_SETTLE_BROKER", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL

# The data set is the bench's own: SQLite in its folder, or a PostgreSQL database named <name>_bench.
_name = str(DATABASES["default"]["NAME"])
if not (_name.endswith("_bench") or Path(_name).resolve().is_relative_to(VAR_DIR.resolve())):
    raise ImproperlyConfigured(f"bench.settings: {_name} is not a bench database (python -m bench makes one)")
