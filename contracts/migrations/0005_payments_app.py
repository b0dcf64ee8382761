"""Payments moved to an app of their own (payments 0001): the ledger's foreign key now names
``payments.Payment``, and the contracts app's state forgets the payment models. Nothing changes in
the database: the tables and the foreign key's target table are the same."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0004_verbose_names"),
        ("payments", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="ledgerentry",
                    name="payment",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="ledger_entries",
                        to="payments.payment",
                        verbose_name="payment",
                    ),
                ),
                migrations.DeleteModel(name="Payment"),
                migrations.DeleteModel(name="PayoutAccount"),
                migrations.DeleteModel(name="WebhookEvent"),
            ],
            database_operations=[],
        ),
    ]
