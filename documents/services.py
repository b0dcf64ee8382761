"""Attaching and removing documents (docs/rules.md §17.2). Each write checks the owner's registered
permission and state (``documents.owners``), decides the type from the bytes (``sniffing``), hashes
and measures them in chunks, stores them under a name of our own, and logs who did it."""

import hashlib
import logging
import uuid
from typing import IO, Any

import rules
from django.conf import settings
from django.db import models, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import Conflict, Forbidden, Invalid, PayloadTooLarge
from orgs.models import User

from . import sniffing
from .errors import DocumentsError
from .models import TITLE_MAX_LENGTH, Document
from .owners import owner_of
from .storage import document_storage

logger = logging.getLogger(__name__)

CHUNK_BYTES = 64 * 1024
# What a multipart request may carry besides the file (title, kind, boundaries): a request longer
# than the largest file plus this is refused before its body is read.
FORM_ALLOWANCE_BYTES = 64 * 1024


def max_bytes() -> int:
    return int(settings.DOCUMENT_MAX_BYTES)


def too_large() -> PayloadTooLarge:
    limit = max_bytes()
    return PayloadTooLarge(
        _("The file is larger than %(size)s.") % {"size": filesizeformat(limit)},  # as pages show sizes
        code=DocumentsError.FILE_TOO_LARGE,
        extra={"max_bytes": limit},
    )


def check_request_size(content_length: Any) -> None:
    """Refuse (413 ``file_too_large``) a request whose declared length cannot hold an acceptable
    file, before its body is read: the API and the pages call this before parsing."""
    try:
        length = int(content_length or 0)
    except (TypeError, ValueError):
        return
    if length > max_bytes() + FORM_ALLOWANCE_BYTES:
        raise too_large()


def _invalid_file(message: str) -> Invalid:
    return Invalid({"file": [message]}, message, code=DocumentsError.INVALID_FILE)


def _digest(file: IO[bytes], limit: int) -> tuple[str, int]:
    """SHA-256 and size of the file, read in chunks; 413 as soon as it passes ``limit``."""
    digest = hashlib.sha256()
    size = 0
    file.seek(0)
    while chunk := file.read(CHUNK_BYTES):
        size += len(chunk)
        if size > limit:
            raise too_large()
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest(), size


def _storage_name(extension: str) -> str:
    today = timezone.localdate()
    return f"documents/{today:%Y/%m}/{uuid.uuid4().hex}.{extension}"


def _locked(owner: models.Model) -> Any:
    return type(owner)._default_manager.select_for_update().get(pk=owner.pk)


@transaction.atomic
def document_attach(
    *,
    actor: User,
    owner: models.Model,
    file: IO[bytes],
    filename: str,
    title: str,
    kind: str,
    amendment: Any = None,
) -> Document:
    """Attach a file to ``owner`` (a tender, bid, contract, service event or challenge): who may, and when,
    is the owner's rule (``Owner.attach_permission``, ``Owner.check_attachable``). ``amendment`` is
    passed to the owner's rule: a published tender takes documents only as part of an amendment
    (docs/rules.md §17.2). The file's type comes from its bytes (400 ``invalid_file``); past
    ``DOCUMENT_MAX_BYTES`` it is 413 ``file_too_large``. Nothing is stored on a refusal."""
    registration = owner_of(owner)
    owner = _locked(owner)
    if not rules.has_perm(registration.attach_permission, actor, owner):
        raise Forbidden()
    registration.check_attachable(owner, amendment)
    errors: dict[str, list[str]] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = [_("Give the document a title.")]
    elif len(title) > TITLE_MAX_LENGTH:
        errors["title"] = [_("The title may be at most %(max)d characters.") % {"max": TITLE_MAX_LENGTH}]
    if kind not in registration.kinds:
        choices = ", ".join(str(Document.Kind(value).label) for value in registration.kinds)
        errors["kind"] = [_("Choose one of: %(kinds)s.") % {"kinds": choices}]
    if errors:
        raise Invalid(errors)
    limit = max_bytes()
    if (getattr(file, "size", None) or 0) > limit:
        raise too_large()
    detected = sniffing.detect(file)
    if detected is None:
        raise _invalid_file(_("The file must be a PDF, OFD, Word (.docx), Excel (.xlsx), JPEG or PNG file."))
    if not sniffing.name_agrees(filename, detected):
        raise _invalid_file(_("The file's name does not match its content."))
    sha256, size = _digest(file, limit)
    if size == 0:
        raise _invalid_file(_("The file is empty."))
    storage = document_storage()
    stored = storage.save(_storage_name(detected.extension), file)
    try:
        document = Document.objects.create(
            owner=owner,
            title=title,
            kind=kind,
            filename=sniffing.stored_filename(filename, detected),
            media_type=detected.media_type,
            size=size,
            sha256=sha256,
            storage_name=stored,
            uploaded_by=actor,
        )
    except BaseException:
        storage.delete(stored)
        raise
    logger.info(
        "document %s (%s, %d bytes, sha256 %s) attached to %s %s by user %s",
        document.pk,
        document.kind,
        size,
        sha256,
        registration.name,
        owner.pk,
        actor.pk,
    )
    return document


@transaction.atomic
def document_remove(*, actor: User, document: Document) -> None:
    """Remove a document from a draft (a bidder fixing a wrong upload): whoever may attach to the
    owner, while its rule allows (``Owner.removable``); the row goes and the bytes with it, logged."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    owner: models.Model = document.owner  # type: ignore[assignment]  # a registered owner, never gone
    registration = owner_of(owner)
    owner = _locked(owner)
    if not rules.has_perm(registration.attach_permission, actor, owner):
        raise Forbidden()
    if not registration.removable(owner):
        raise Conflict(
            _("Documents can be removed only while what they belong to is a draft."),
            code=DocumentsError.NOT_REMOVABLE,
        )
    stored = document.storage_name
    logger.info(
        "document %s (%s, sha256 %s) removed from %s %s by user %s",
        document.pk,
        document.filename,
        document.sha256,
        registration.name,
        owner.pk,
        actor.pk,
    )
    document.delete()
    transaction.on_commit(lambda: document_storage().delete(stored))


def stored_hash(document: Document) -> str | None:
    """The SHA-256 of the bytes the storage holds for ``document`` now (None if they are gone)."""
    storage = document_storage()
    digest = hashlib.sha256()
    try:
        with storage.open(document.storage_name, "rb") as file:
            while chunk := file.read(CHUNK_BYTES):
                digest.update(chunk)
    except (FileNotFoundError, OSError):
        return None
    return digest.hexdigest()


def documents_intact(owner: models.Model) -> bool:
    """Whether every document of ``owner`` still has, in storage, the bytes it was received with:
    opening a bid checks this beside its receipt (docs/rules.md §17.2)."""
    intact = True
    for document in Document.objects.of(owner):
        if stored_hash(document) != document.sha256:
            logger.warning("document %s: stored bytes no longer match its SHA-256", document.pk)
            intact = False
    return intact
