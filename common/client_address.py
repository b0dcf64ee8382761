"""The one answer to "which address is this request from?", used by every throttle, the sign-in
lockout and the rating-burst quarantine.

``X-Forwarded-For`` is written by whoever sends the request, so it is believed only as far as our
own proxies vouch for it (settings, from the environment):

- ``TRUSTED_PROXIES`` (addresses or CIDR ranges of our proxies): the header is read only when the
  peer (``REMOTE_ADDR``) is one of them; the client is the right-most address in it that is not.
- else ``TRUSTED_PROXY_COUNT`` (how many proxies stand in front of the app): the client is the
  address that many entries from the right of the header (each proxy appends the address it heard
  from; what a client sends sits to the left of that).
- neither (the default): ``REMOTE_ADDR`` alone; the header is ignored.

Anything unexpected (a header shorter than the proxy count, an entry that is not an address) falls
back to ``REMOTE_ADDR``, which the client cannot forge.
"""

import ipaddress
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def client_address(request: Any) -> str | None:
    """The client's address (normalised), or None when the server gave none."""
    meta = request.META
    peer = _address(meta.get("REMOTE_ADDR"))
    header = meta.get("HTTP_X_FORWARDED_FOR") or ""
    hops = [hop.strip() for hop in header.split(",") if hop.strip()]
    proxies = trusted_networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))
    if proxies:
        if peer is None or not _is_trusted(peer, proxies):
            return peer
        for hop in reversed(hops):
            address = _address(hop)
            if address is None:
                return peer  # a proxy would not write this: do not guess past it
            if not _is_trusted(address, proxies):
                return address
        return _address(hops[0]) if hops else peer  # every hop is ours: the left-most one
    count = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if count > 0 and len(hops) >= count:
        return _address(hops[-count]) or peer
    return peer


def _address(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def _is_trusted(address: str, proxies: Iterable[Network]) -> bool:
    ip = ipaddress.ip_address(address)
    return any(ip.version == network.version and ip in network for network in proxies)


@lru_cache(maxsize=8)
def trusted_networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    """``TRUSTED_PROXIES`` parsed; an entry that is not an address or a range is a configuration
    error (reported by ``manage.py check`` too)."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError as error:
            raise ImproperlyConfigured(f"TRUSTED_PROXIES: {entry!r} is not an address or range") from error
    return tuple(networks)
