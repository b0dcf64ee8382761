from typing import Any

from django.db.models import QuerySet
from django.http import QueryDict

class FilterSet:
    data: QueryDict
    queryset: QuerySet[Any]
    def __init__(
        self,
        data: Any = None,
        queryset: QuerySet[Any] | None = None,
        *,
        request: Any = None,
        prefix: str | None = None,
    ) -> None: ...
    @property
    def qs(self) -> QuerySet[Any]: ...
    def __getattr__(self, name: str) -> Any: ...

def __getattr__(name: str) -> Any: ...
