from django.db import migrations, models


class Migration(migrations.Migration):
    """Its own migration (so its own transaction on PostgreSQL): the index is built after the
    duplicate drafts deleted by 0003 are committed."""

    dependencies = [
        ("marketplace", "0003_bid_tampered_at_keep_one_draft"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="bid",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "draft")),
                fields=("tender", "provider"),
                name="one_draft_bid_per_provider",
            ),
        ),
    ]
