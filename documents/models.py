from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from orgs.auth import Caller

TITLE_MAX_LENGTH = 200
FILENAME_MAX_LENGTH = 255


class DocumentQuerySet(models.QuerySet["Document"]):
    def visible_to(self, user: "Caller") -> "models.QuerySet[Document]":
        """What the user may read; the rule is ``documents.permissions.documents_visible_to``."""
        from .permissions import documents_visible_to  # the permission module imports the models

        return documents_visible_to(self, user)

    def of(self, owner: models.Model) -> "models.QuerySet[Document]":
        """The documents attached to ``owner``, oldest first."""
        content_type = ContentType.objects.get_for_model(owner)
        return self.filter(content_type=content_type, object_id=owner.pk).order_by("uploaded_at", "id")


class Document(models.Model):
    """A file attached to a tender, a bid, a contract or a service event (docs/rules.md §17.2).
    Never edited: the bytes live in the ``documents`` storage under ``storage_name``, and ``sha256``
    and ``size`` are what was received."""

    class Kind(models.TextChoices):
        TENDER_DOCUMENTS = "tender_documents", _("Tender documents")
        CLARIFICATION = "clarification", _("Clarification")
        QUALIFICATION = "qualification", _("Qualification evidence")
        TECHNICAL_PROPOSAL = "technical_proposal", _("Technical proposal")
        CONTRACT = "contract", _("Contract")
        SIGN_IN_SHEET = "sign_in_sheet", _("Sign-in sheet")
        PHOTO = "photo", _("Photo")
        EVIDENCE = "evidence", _("Evidence")
        OTHER = "other", _("Other")

    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("attached to (type)")
    )
    object_id = models.PositiveBigIntegerField(_("attached to (id)"))
    owner = GenericForeignKey("content_type", "object_id")
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    filename = models.CharField(_("file name"), max_length=FILENAME_MAX_LENGTH)
    media_type = models.CharField(_("media type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField("SHA-256", max_length=64)
    storage_name = models.CharField(_("name in storage"), max_length=300, unique=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="document_owner")]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return f"{self.title} ({self.filename})"

    @property
    def short_sha256(self) -> str:
        return self.sha256[:12]
