import secrets

from django.db import migrations, models

import evaluations.models


def fill_receipts(apps, schema_editor):
    Rating = apps.get_model("evaluations", "Rating")
    for rating in Rating.objects.filter(receipt__isnull=True).only("id").iterator():
        Rating.objects.filter(pk=rating.pk).update(receipt=secrets.token_urlsafe(16))


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0006_appeal_once_and_decided_score")]

    operations = [
        migrations.AddField(
            model_name="rating",
            name="receipt",
            field=models.CharField(max_length=32, null=True, editable=False, verbose_name="receipt"),
        ),
        migrations.RunPython(fill_receipts, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="rating",
            name="receipt",
            field=models.CharField(
                default=evaluations.models.new_rating_receipt,
                editable=False,
                max_length=32,
                unique=True,
                verbose_name="receipt",
            ),
        ),
    ]
