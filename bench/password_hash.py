"""What one Argon2id password hash costs on this machine: the hub's parameters against the ones before.

Hashes a 20-character password ``--rounds`` times (default 20) with each profile of hub.accounts.passwords and
prints the median, the fastest and the slowest in milliseconds, with the machine's load average before and
after (the figures are CPU time of one core: a login verifies one hash, and a changed password hashes one).

Usage: .venv/bin/python bench/password_hash.py [--rounds 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hub.accounts.passwords import hasher  # noqa: E402

PASSWORD = "correct horse battery"


def measure(profile: str, rounds: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds (all threads of the process: p=4 hashes on four lanes) per verification."""
    chosen = hasher(profile)
    stored = chosen.hash(PASSWORD)  # warm-up (and the hash that verify checks)
    wall, cpu = [], []
    for _ in range(rounds):
        started, started_cpu = time.perf_counter(), time.process_time()
        chosen.verify(stored, PASSWORD)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return wall, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}, load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for profile in ("default", "rfc9106_low_memory"):
        p = hasher(profile)
        wall, cpu = measure(profile, args.rounds)
        print(
            f"{profile:20} m={p.memory_cost} KiB t={p.time_cost} p={p.parallelism}: "
            f"median {statistics.median(wall):.1f} ms (min {min(wall):.1f}, max {max(wall):.1f}), "
            f"CPU median {statistics.median(cpu):.1f} ms ({args.rounds} verifications) -> "
            f"{1000 / statistics.median(cpu):.0f} logins per second per core"
        )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
