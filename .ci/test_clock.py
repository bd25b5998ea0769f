"""`make test-clock`: the SQLite suite with the process clock shifted ahead, 400 days unless CLOCK_SHIFT says.

A test that passes only today (a fixed date that "now" will overtake) fails here long before the calendar
gets there. libfaketime is preloaded from the PyPI package `libfaketime` (its wheel ships a prebuilt
libfaketime.so.1, so neither root nor the Debian package is needed): every wall clock the test process and
its children read — Python's datetime and time, SQLite's CURRENT_TIMESTAMP — runs that far ahead, while the
monotonic clocks stay real, so timeouts and sleeps behave. The expected "now" goes along in
HUB_TEST_CLOCK_EXPECTED, and tests/conftest.py refuses to run if the process's clock does not show it.

CLOCK_SHIFT takes libfaketime's relative offsets: +400d, +1100d, +36h, +2y. Arguments are passed to pytest.

Run alone (`make test-clock`) it spreads the tests over CLOCK_WORKERS processes (pytest-xdist; 2 by default, one
per core here; 0 runs them in this process); in CI it runs in one process beside the PostgreSQL run
(`CLOCK_PASS=1 make test`, .ci/test_all.py). Each worker has its own database and instance folder
(pytest's per-worker temporary directories), and a test file stays in one worker (``--dist loadfile``): the
isolation suite builds its sample world and the browser journeys walk each journey once per worker.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

SHIFT = os.environ.get("CLOCK_SHIFT") or "+400d"
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "y": 365 * 86400}  # as libfaketime reads them


def shift_seconds(shift: str) -> int:
    """The offset in seconds, or SystemExit for anything but a plain relative offset."""
    found = re.fullmatch(r"([+-]\d+)([smhdy]?)", shift)
    if not found:
        raise SystemExit(f"CLOCK_SHIFT={shift!r}: give a relative offset such as +400d, +1100d or +36h")
    return int(found[1]) * UNITS[found[2] or "s"]


def shared_library() -> Path:
    """The libfaketime.so.1 inside the installed `libfaketime` package."""
    spec = importlib.util.find_spec("libfaketime")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("libfaketime is not installed: run `make setup` (it is in the test extras)")
    library = Path(next(iter(spec.submodule_search_locations))) / "vendor" / "libfaketime" / "src" / "libfaketime.so.1"
    if not sys.platform.startswith("linux") or not library.is_file():
        raise SystemExit(f"make test-clock needs Linux and {library}")
    return library


def main(args: list[str]) -> None:
    expected = datetime.now(UTC) + timedelta(seconds=shift_seconds(SHIFT))
    preload = os.pathsep.join(filter(None, [str(shared_library()), os.environ.get("LD_PRELOAD")]))
    env = {
        **os.environ,
        "LD_PRELOAD": preload,
        "FAKETIME": SHIFT,
        "DONT_FAKE_MONOTONIC": "1",
        # libfaketime rewrites the deadline of every pthread_cond_timedwait on the monotonic clock (the "forced
        # monotonic fix", on by default with glibc >= 2.30); the monotonic clock is not shifted here, so the rewrite
        # is not needed, and CPython's GIL waits on such a condition at every hand-over between threads: with it
        # two busy threads ran 4x slower and the pass took 24 instead of 14 minutes (the rate limiter's memory
        # storage runs a timer thread beside every test).
        "FAKETIME_FORCE_MONOTONIC_FIX": "0",
        "HUB_TEST_CLOCK_EXPECTED": expected.isoformat(timespec="seconds"),
    }
    print(f"Clock shifted {SHIFT} (CLOCK_SHIFT): the tests run as if it were {expected:%Y-%m-%d %H:%M} UTC")
    workers = os.environ.get("CLOCK_WORKERS", "2")
    if workers != "0" and "-n" not in args and importlib.util.find_spec("xdist") is not None:
        args = ["-n", workers, "--dist", "loadfile", *args]
    os.execve(sys.executable, [sys.executable, "-m", "pytest", *args], env)


if __name__ == "__main__":
    main(sys.argv[1:])
