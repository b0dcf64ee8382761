"""How django-fsm-log writes its StateLog rows here (``DJANGO_FSM_LOG_STORAGE_METHOD``): one row per
transition when it runs, as the library does — or, inside ``transition_logs_collected()``, kept in
memory so that a batch job (evaluations' chunked confirmation, docs/scaling.md) writes them with one
``bulk_create`` and chains them in one append (``auditchain.chain.record_created``), in the order
the transitions ran. The row is the same either way: the values are the library's own."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django_fsm_log.backends import SimpleBackend, _pre_transition_callback

_collected: ContextVar[list[Any] | None] = ContextVar("transition_logs_collected", default=None)


class _Collect:
    """Stands in for ``StateLog.objects``: ``create`` builds the row without saving it."""

    def __init__(self, rows: list[Any]) -> None:
        self.rows = rows

    def create(self, **values: Any) -> Any:
        from django_fsm_log.models import StateLog

        row = StateLog(**values)
        self.rows.append(row)
        return row


class Backend(SimpleBackend):  # type: ignore[misc]
    @staticmethod
    def post_transition_callback(
        sender: Any, instance: Any, name: str, source: Any, target: Any, **kwargs: Any
    ) -> Any:
        rows = _collected.get()
        if rows is None:
            return SimpleBackend.post_transition_callback(sender, instance, name, source, target, **kwargs)
        return _pre_transition_callback(sender, instance, name, source, target, _Collect(rows), **kwargs)


@contextmanager
def transition_logs_collected() -> Iterator[list[Any]]:
    """The StateLog rows of the transitions run inside, unsaved, in order: the caller saves them
    (``bulk_create``) and chains them before its transaction commits."""
    rows: list[Any] = []
    token = _collected.set(rows)
    try:
        yield rows
    finally:
        _collected.reset(token)
