from django.db import migrations, models


def keep_the_latest_draft(apps, schema_editor):
    """Before one draft per provider and tender is enforced, drop the older duplicate drafts: never
    submitted, and never shown by the provider's pages, which always edit the latest one."""
    Bid = apps.get_model("marketplace", "Bid")
    latest_by_pair = {}
    for pk, tender_id, provider_id in (
        Bid.objects.filter(status="draft").order_by("pk").values_list("pk", "tender_id", "provider_id")
    ):
        latest_by_pair[(tender_id, provider_id)] = pk
    Bid.objects.filter(status="draft").exclude(pk__in=latest_by_pair.values()).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("marketplace", "0002_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="bid",
            name="tampered_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="tampering detected at"),
        ),
        migrations.RunPython(keep_the_latest_draft, migrations.RunPython.noop),
    ]
