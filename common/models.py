"""The one model of ``common``: a record that a notification about an object was sent, so that a
periodic task telling people of something (an evaluation published, its appeal window open) tells
them once however often it runs or is retried."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SentNotice(models.Model):
    """``kind`` (e.g. ``evaluation_published``) was sent about the object ``object_id``. Written in
    the transaction that queues the message (``notify_after_commit``): a rollback forgets both."""

    kind = models.CharField(max_length=40, verbose_name=_("kind of notice"))
    object_id = models.PositiveBigIntegerField(verbose_name=_("about object"))
    sent_at = models.DateTimeField(default=timezone.now, verbose_name=_("sent at"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="one_notice_per_object")]
        verbose_name = _("sent notice")
        verbose_name_plural = _("sent notices")

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"
