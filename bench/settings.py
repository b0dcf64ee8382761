"""The bench server's settings: the product's, plus the bench-only URLconf (bare reference views)
and one trusted proxy, so that the load generator can present many client addresses in
``X-Forwarded-For`` the way a load balancer would (``common.client_address``). Production never
loads this module."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
TRUSTED_PROXY_COUNT = 1
