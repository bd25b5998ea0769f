"""What starting the hub costs: `hub --help` and `create_app()` in fresh interpreters (issue 16).

Every command, web worker, scheduler, test run and process a test starts pays this. Each run is a new
process; the figures are the median, min and max wall time and the median CPU time (user + system) of
the runs, after one warm-up run that leaves the bytecode caches written. The load average before and
after is printed too: on a shared machine the wall time follows it, the CPU time much less.

Usage:
  .venv/bin/python bench/startup.py [--runs 15] [--checkout DIR]

``--checkout DIR`` measures the code of another checkout of the hub (e.g. ``git worktree add /tmp/old
<commit>``) with this virtualenv's libraries, for a before/after comparison.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

COMMANDS = {
    "hub --help": "from hub.core.cli import main; main(['--help'])",
    "create_app()": "from hub import create_app; create_app()",
}


def measure(code: str, checkout: Path, runs: int, env: dict[str, str]) -> dict[str, float]:
    """Median/min/max wall seconds and median CPU seconds of `runs` fresh interpreters running `code`."""
    command = [sys.executable, "-c", code]
    subprocess.run(command, cwd=checkout, env=env, stdout=subprocess.DEVNULL, check=True)  # warm-up
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, cwd=checkout, env=env, stdout=subprocess.DEVNULL, check=True)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return {"median": statistics.median(walls), "min": min(walls), "max": max(walls), "cpu": statistics.median(cpus)}


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--checkout", type=Path, default=ROOT, help="the hub's code to measure (default: this one)")
    args = parser.parse_args()
    checkout = args.checkout.resolve()
    # Bytecode caches as a developer has them; the hub's code taken from the checkout, not the installed one.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE" and not k.startswith("HUB_")}
    env.update(PYTHONPATH=str(checkout), HUB_INSTANCE_PATH=str(checkout / "instance"))

    print(f"{checkout} on {os.cpu_count()} × {_cpu_model()}, Python {platform.python_version()}")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("| what | median wall | min | max | median CPU |\n|---|---:|---:|---:|---:|")
    for label, code in COMMANDS.items():
        m = measure(code, checkout, args.runs, env)
        print(f"| `{label}` | {m['median']:.2f} s | {m['min']:.2f} s | {m['max']:.2f} s | {m['cpu']:.2f} s |")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
