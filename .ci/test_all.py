"""`make test`: the suite on SQLite and, where a PostgreSQL server answers, on PostgreSQL — side by side.

The two runs are independent (each has its own database and instance folder), so they run at the same
time: the SQLite run prints as it goes, the PostgreSQL run's output follows when both are done. The exit
code is non-zero if either run failed. Arguments are passed to both pytest runs.

With CLOCK_PASS=1 (what CI's `.ci/run` sets) the SQLite suite runs a second time with the clock shifted ahead
(`.ci/test_clock.py`, `make test-clock`) as soon as the first SQLite run is done, while the PostgreSQL run, the
longest of the three, is still going: one process on each of the machine's two cores all the way through,
rather than the clock pass waiting alone at the end (with the libfaketime fix in test_clock.py, CI went from
about 47–51 minutes to 24–26). It runs in one process (CLOCK_WORKERS=0 unless set), as the PostgreSQL run has
the other core.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _verdict(rc: int, passed: str = "passed") -> str:
    return passed if rc == 0 else "FAILED"


def main(args: list[str]) -> int:
    clock_pass = os.environ.get("CLOCK_PASS", "").lower() in {"1", "true", "yes"}
    with tempfile.TemporaryFile(mode="w+") as log:
        postgres = subprocess.Popen(
            [sys.executable, str(HERE / "postgres_suite.py"), *args], stdout=log, stderr=subprocess.STDOUT
        )
        sqlite = subprocess.call([sys.executable, "-m", "pytest", *args])
        clock = None
        if clock_pass:
            print("\n" + "=" * 30 + " SQLite, clock shifted " + "=" * 30, flush=True)
            env = {**os.environ, "CLOCK_WORKERS": os.environ.get("CLOCK_WORKERS", "0")}
            clock = subprocess.call([sys.executable, str(HERE / "test_clock.py"), *args], env=env)
        postgres_rc = postgres.wait()
        log.seek(0)
        print("\n" + "=" * 30 + " PostgreSQL " + "=" * 30, flush=True)
        print(log.read(), flush=True)
    print(
        f"SQLite run: {_verdict(sqlite)}; "
        + ("" if clock is None else f"SQLite run with the clock shifted: {_verdict(clock)}; ")
        + f"PostgreSQL run: {_verdict(postgres_rc, 'passed (or skipped, see above)')}"
    )
    return 1 if sqlite or postgres_rc or clock else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
