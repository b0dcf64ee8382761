"""A clock the whole suite can be moved to, to prove no test depends on the hour it runs at.

`SHEQU_FROZEN_CLOCK=2026-12-31T16:30:00Z pytest` starts every test process — the xdist workers and
the subprocesses the tests launch (Celery workers, the local Stripe server) — at that instant, with
the clock ticking on from there. At 16:30 UTC it is already 00:30 on the next day, and here the next
year, in Asia/Shanghai, where the product keeps its dates.

The first process turns the instant into an offset from the real clock (`SHEQU_CLOCK_OFFSET`,
seconds) and every process started after it inherits that offset, so all of them agree on "now".

Subprocesses opt in by running through this module: `python -m tests.clock -m celery …`.
"""

import datetime
import os
import runpy
import sys
import time

import time_machine

FROZEN_CLOCK = "SHEQU_FROZEN_CLOCK"
CLOCK_OFFSET = "SHEQU_CLOCK_OFFSET"


def start_travel() -> datetime.datetime | None:
    """Move this process's clock to the suite's instant, if one is set; returns the new 'now'."""
    target = os.environ.get(FROZEN_CLOCK)
    if not target:
        return None
    if CLOCK_OFFSET not in os.environ:
        instant = datetime.datetime.fromisoformat(target.replace("Z", "+00:00"))
        if instant.tzinfo is None:
            raise ValueError(f"{FROZEN_CLOCK} needs a UTC offset, e.g. 2026-12-31T16:30:00Z")
        os.environ[CLOCK_OFFSET] = str(instant.timestamp() - time.time())
    now = time.time() + float(os.environ[CLOCK_OFFSET])
    time_machine.travel(now, tick=True).start()
    return datetime.datetime.fromtimestamp(now, tz=datetime.UTC)


def python_command(*args: str) -> list[str]:
    """`[python, *args]`, run on the suite's clock."""
    return [sys.executable, "-m", "tests.clock", *args]


if __name__ == "__main__":  # python -m tests.clock -m module args…
    start_travel()
    if sys.argv[1:2] != ["-m"] or len(sys.argv) < 3:
        raise SystemExit("usage: python -m tests.clock -m module [args…]")
    module = sys.argv[2]
    sys.argv = [module, *sys.argv[3:]]
    runpy.run_module(module, run_name="__main__", alter_sys=True)
