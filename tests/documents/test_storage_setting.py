"""Documents live in Django's storage named "documents": a folder by default, any S3-compatible
store with DOCUMENTS_STORAGE=s3 (README, production configuration). Configuration only: no network."""

import os
import subprocess
import sys

from tests.test_celery_worker import ROOT

SHOW = (
    "import django; django.setup(); from django.core.files.storage import storages; "
    "s = storages['documents']; print(type(s).__module__ + '.' + type(s).__name__); "
    "print(getattr(s, 'bucket_name', '')); print(getattr(s, 'endpoint_url', '')); "
    "print(getattr(s, 'location', ''))"
)


def storage_with(tmp_path, **env):
    environment = {**os.environ, "SHEQU_VAR_DIR": str(tmp_path / "var"), **env}
    environment.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", SHOW],
        cwd=ROOT,
        env=environment,
        check=True,
        timeout=60,
        capture_output=True,
        text=True,
    )
    return result.stdout.split("\n")


def test_the_default_is_a_folder_under_var_made_only_when_a_file_is_saved(tmp_path):
    kind, _bucket, _endpoint, location = storage_with(tmp_path)[:4]
    assert kind == "django.core.files.storage.filesystem.FileSystemStorage"
    assert location == str(tmp_path / "var" / "documents")
    assert not (tmp_path / "var").exists()


def test_s3_is_chosen_by_setting(tmp_path):
    kind, bucket, endpoint, location = storage_with(
        tmp_path,
        DOCUMENTS_STORAGE="s3",
        DOCUMENTS_S3_BUCKET="shequ-documents",
        DOCUMENTS_S3_ENDPOINT_URL="https://oss-cn-hangzhou.aliyuncs.com",
        DOCUMENTS_S3_PREFIX="prod",
    )[:4]
    assert kind == "storages.backends.s3.S3Storage"
    assert (bucket, endpoint, location) == ("shequ-documents", "https://oss-cn-hangzhou.aliyuncs.com", "prod")
    assert not (tmp_path / "var").exists()
