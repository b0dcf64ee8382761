"""Prints this process's "now" (used by tests/test_clock.py to check a subprocess's clock)."""

import datetime

print(datetime.datetime.now(datetime.UTC).isoformat())
