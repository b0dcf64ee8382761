"""The tamper-evident log (docs/rules.md §24): one row per chained change, and the head."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Entry(models.Model):
    """One link of the chain: ``hash = SHA-256(previous hash ‖ canonical JSON of the entry)``
    (``auditchain.chain``). Written in the transaction of the change it records, pending (no
    sequence, no hash); sealed right after that commit, under the head's lock, by
    ``auditchain.chain.seal`` (docs/rules.md §24)."""

    sequence = models.PositiveBigIntegerField(null=True, blank=True, unique=True, verbose_name=_("sequence"))
    kind = models.CharField(max_length=20, verbose_name=_("kind"))
    model = models.CharField(max_length=100, verbose_name=_("model"))
    object_id = models.BigIntegerField(verbose_name=_("object id"))
    payload = models.JSONField(verbose_name=_("payload"))
    at = models.DateTimeField(verbose_name=_("at"))
    hash = models.CharField(max_length=64, blank=True, verbose_name=_("hash"))

    class Meta:
        ordering = ["sequence"]
        indexes = [
            models.Index(fields=["model", "object_id", "sequence"], name="auditchain_entry_object"),
            # the pending entries, oldest first: what the sealer reads
            models.Index(
                fields=["id"], condition=models.Q(sequence__isnull=True), name="auditchain_entry_pending"
            ),
        ]
        verbose_name = _("log entry")
        verbose_name_plural = _("log entries")

    def __str__(self) -> str:
        return f"{self.sequence} {self.kind} {self.model}:{self.object_id}"


class Head(models.Model):
    """The chain's last sealed link, one row (pk 1): locked with ``select_for_update`` by the
    sealer, so seals are serialised and the chain never forks."""

    sequence = models.PositiveBigIntegerField(default=0, verbose_name=_("sequence"))
    hash = models.CharField(max_length=64, verbose_name=_("hash"))
    at = models.DateTimeField(null=True, blank=True, verbose_name=_("at"))

    class Meta:
        verbose_name = _("log head")
        verbose_name_plural = _("log head")

    def __str__(self) -> str:
        return f"{self.sequence} {self.hash}"
