"""Writing many rows' new values in one statement (the chunked settlement, docs/scaling.md).

``QuerySet.bulk_update`` writes one ``CASE WHEN id = … THEN …`` per field and row, which Django
takes longer to build than the database takes to run; on PostgreSQL ``rows_update`` sends
``UPDATE … FROM (VALUES …)`` instead, one row of parameters per row. Elsewhere it is
``bulk_update``. Neither sends a signal: callers chain and invalidate what they change."""

from collections.abc import Sequence
from typing import Any

from django.db import connections, models, router

ROWS_PER_STATEMENT = 1_000


def rows_update(model: type[models.Model], rows: Sequence[models.Model], fields: Sequence[str]) -> None:
    """Write ``fields`` of ``rows`` (saved instances of ``model``) as they are in memory."""
    if not rows:
        return
    using = router.db_for_write(model)
    connection = connections[using]
    if connection.vendor != "postgresql":
        model._default_manager.using(using).bulk_update(rows, list(fields))
        return
    meta = model._meta
    pk = meta.pk
    assert pk is not None
    columns: list[Any] = [pk, *(meta.get_field(name) for name in fields)]
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    pk_column = quote(str(pk.column))
    casts = ", ".join(f"%s::{field.db_type(connection)}" for field in columns)
    names = ", ".join(quote(field.column) for field in columns)
    sets = ", ".join(f"{quote(field.column)} = v.{quote(field.column)}" for field in columns[1:])
    with connection.cursor() as cursor:
        for start in range(0, len(rows), ROWS_PER_STATEMENT):
            batch = rows[start : start + ROWS_PER_STATEMENT]
            params: list[Any] = []
            for row in batch:
                for field in columns:
                    params.append(field.get_db_prep_save(getattr(row, field.attname), connection))
            values = ", ".join([f"({casts})"] * len(batch))
            cursor.execute(
                f"UPDATE {table} AS t SET {sets} FROM (VALUES {values}) AS v({names}) "
                f"WHERE t.{pk_column} = v.{pk_column}",
                params,
            )
