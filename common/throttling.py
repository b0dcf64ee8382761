"""The project's request throttles: DRF's, counting per client address as
``common.client_address`` decides (never a header the client controls), in Django's shared cache.
Every throttle in the project derives from these (``tests/test_throttles.py`` holds it)."""

from typing import Any

from rest_framework import throttling

from .client_address import client_address

# What a view's ``get_throttles`` returns, for its annotation.
Throttle = throttling.BaseThrottle


class ClientAddressMixin:
    def get_ident(self, request: Any) -> str:
        return client_address(request) or "unknown"


class SimpleRateThrottle(ClientAddressMixin, throttling.SimpleRateThrottle):
    pass


class ScopedRateThrottle(ClientAddressMixin, throttling.ScopedRateThrottle):
    pass
