"""The bench's settings (bench/settings.py) hold whatever the environment exports: a bench started
in a shell with production's variables sends nothing and writes only in its own folder."""

import json
import os
import subprocess
import sys
from pathlib import Path

from bench.run import ROOT

PRODUCTION = {
    "CACHE_URL": "redis://cache.example.internal:6379/0",
    "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "DJANGO_EMAIL_HOST": "smtp.example.internal",
    "NOTIFICATIONS_SMS_BACKEND": "common.notifications.ConsoleSmsBackend",
    "PAYMENTS_GATEWAY": "stripe",
    "STRIPE_SECRET_KEY": "sk_live_not_a_key",
    "DOCUMENTS_STORAGE": "s3",
    "DOCUMENTS_S3_BUCKET": "shequ-documents",
    "PUBLIC_CACHE_DIR": "/srv/shequ/public-cache",
    "CELERY_BROKER_URL": "redis://broker.example.internal:6379/1",
}

SHOW = """
import json, django
django.setup()
from django.conf import settings
print(json.dumps({
    "caches": settings.CACHES,
    "email": settings.EMAIL_BACKEND,
    "sms": settings.NOTIFICATIONS_SMS_BACKEND,
    "gateway": settings.PAYMENTS_GATEWAY,
    "stripe": settings.STRIPE_SECRET_KEY,
    "storages": settings.STORAGES,
    "broker": settings.CELERY_BROKER_URL,
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
}))
"""


def bench_settings(folder: Path, database: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        **env,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "SHEQU_VAR_DIR": str(folder),
        "DATABASE_URL": database,
    }
    return subprocess.run(
        [sys.executable, "-c", SHOW], cwd=ROOT, env=environment, capture_output=True, text=True, check=False
    )


def test_a_production_environment_reaches_nothing_outside_the_bench(tmp_path):
    result = bench_settings(tmp_path, f"sqlite:///{tmp_path / 'bench.sqlite3'}", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    backends = {alias: cache["BACKEND"] for alias, cache in shown["caches"].items()}
    assert backends == {
        "default": "django.core.cache.backends.db.DatabaseCache",
        "public": "django.core.cache.backends.filebased.FileBasedCache",
    }
    assert Path(shown["caches"]["public"]["LOCATION"]).is_relative_to(tmp_path)
    assert shown["email"] == "django.core.mail.backends.dummy.EmailBackend"
    assert shown["sms"] == "bench.notifications.NullSmsBackend"
    assert shown["gateway"] == "treasury" and shown["stripe"] == ""
    assert shown["broker"] == "" and shown["eager"] is True
    for name in ("default", "documents"):
        storage = shown["storages"][name]
        assert storage["BACKEND"] == "django.core.files.storage.FileSystemStorage", name
        assert Path(storage["OPTIONS"]["location"]).is_relative_to(tmp_path), name


def test_the_bench_refuses_a_database_that_is_not_its_own(tmp_path):
    elsewhere = tmp_path.parent / "shequ.sqlite3"
    result = bench_settings(tmp_path / "bench", f"sqlite:///{elsewhere}")
    assert result.returncode != 0 and "is not a bench database" in result.stderr
    result = bench_settings(tmp_path, "postgres://shequ@db.example.internal/shequ")
    assert result.returncode != 0 and "is not a bench database" in result.stderr
