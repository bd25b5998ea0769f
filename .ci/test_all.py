"""`make test`: the suite on SQLite and, where a PostgreSQL server answers, on PostgreSQL — side by side.

The two runs are independent (each has its own database and instance folder), so they run at the same
time: the SQLite run prints as it goes, the PostgreSQL run's output follows when both are done. The exit
code is non-zero if either run failed. Arguments are passed to both pytest runs.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(args: list[str]) -> int:
    with tempfile.TemporaryFile(mode="w+") as log:
        postgres = subprocess.Popen(
            [sys.executable, str(HERE / "postgres_suite.py"), *args], stdout=log, stderr=subprocess.STDOUT
        )
        sqlite = subprocess.call([sys.executable, "-m", "pytest", *args])
        postgres_rc = postgres.wait()
        log.seek(0)
        print("\n" + "=" * 30 + " PostgreSQL " + "=" * 30, flush=True)
        print(log.read(), flush=True)
    print(
        f"SQLite run: {'passed' if sqlite == 0 else 'FAILED'}; PostgreSQL run: "
        f"{'passed (or skipped, see above)' if postgres_rc == 0 else 'FAILED'}"
    )
    return 1 if sqlite or postgres_rc else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
