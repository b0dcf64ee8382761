"""The head, and the rows written before the chain existed appended once, oldest first (by their
own time, then kind, then id), so every database's chain starts from the same rules."""

from django.db import migrations
from django.utils import timezone

from auditchain.chain import GENESIS, HEAD_ID, SPECS, document, link_hash

# the row's own time for the order and, for snapshots, the entry's time
TIMES = {
    "django_fsm_log.statelog": "timestamp",
    "evaluations.scoreentry": "entered_at",
    "marketplace.bidscoreentry": "entered_at",
    "evaluations.rating": "created_at",
    "payments.payment": "created_at",
    "contracts.ledgerentry": "created_at",
}


def backfill(apps, schema_editor):
    Entry = apps.get_model("auditchain", "Entry")
    Head = apps.get_model("auditchain", "Head")
    head, _created = Head.objects.get_or_create(pk=HEAD_ID, defaults={"hash": GENESIS})
    if Entry.objects.exists():
        return
    rows = []
    for order, spec in enumerate(SPECS):
        app_label, name = spec.label.split(".")
        model = apps.get_model(app_label, name)
        time_field = TIMES[spec.model_label]
        for row in model.objects.order_by("pk").iterator():
            rows.append((getattr(row, time_field) or timezone.now(), order, row.pk, spec, row))
    rows.sort(key=lambda item: item[:3])
    previous, sequence = GENESIS, 0
    entries = []
    for at, _order, pk, spec, row in rows:
        sequence += 1
        payload = spec.payload_of(row)
        digest = link_hash(
            previous,
            document(
                sequence=sequence,
                kind=spec.kind,
                model=spec.model_label,
                object_id=pk,
                payload=payload,
                at=at,
            ),
        )
        entries.append(
            Entry(
                sequence=sequence,
                kind=spec.kind,
                model=spec.model_label,
                object_id=pk,
                payload=payload,
                at=at,
                hash=digest,
            )
        )
        previous = digest
    Entry.objects.bulk_create(entries, batch_size=1000)
    if entries:
        head.sequence, head.hash, head.at = sequence, previous, entries[-1].at
        head.save()


class Migration(migrations.Migration):
    dependencies = [
        ("auditchain", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("django_fsm_log", "0004_auto_20190131_0341"),
        ("evaluations", "0007_rating_receipt"),
        ("marketplace", "0010_score_history"),
        ("contracts", "0008_freeze_payment_rule"),
        ("payments", "0001_initial"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
