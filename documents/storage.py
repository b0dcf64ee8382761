"""Where documents' bytes live: Django's storage named ``documents`` (``settings.STORAGES``) — a
folder by default, any S3-compatible store by setting (README, production configuration)."""

from django.core.files.storage import Storage, storages

STORAGE_NAME = "documents"


def document_storage() -> Storage:
    return storages[STORAGE_NAME]
