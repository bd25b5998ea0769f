"""How long the speed-dating schedule takes to generate, in how many rounds, with how much memory.

Generates its own sessions (seeded):
- A: 60 creatives × 40 organisations, everyone meets everyone, 20 tables (2,400 meetings, 120 rounds).
  Target: well under 1 s.
- B: 500 creatives × 500 organisations, each person wishes 1–10 people of the other side, the wished
  pairs meet, 100 tables (~5,500 meetings). Target: well under 5 s.
- C: B with 10 % of its meetings pinned by hand at random slots within the lower bound (conflicting
  pins skipped), as a coordinator would: pins may force rounds beyond the lower bound.
- D: A with 10 % of its meetings pinned the same way.

Each case runs --runs times (default 5); the table shows the median and the slowest run, and the peak
memory of one more run under tracemalloc. Every schedule is checked with problems().
No database, no app.

Usage:
  .venv/bin/python bench/speeddating_schedule.py [--runs 5]
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

# The code of the checkout this script is in, not whichever copy the venv has installed.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from regions.speeddating.schedule import Slot, generate, lower_bound, meetings_for, problems  # noqa: E402
from regions.speeddating.vocab import PairingMode  # noqa: E402

SEED = 20261125


def everyone_session(creatives: int, organisations: int) -> list[tuple[int, int]]:
    """Every creative meets every organisation."""
    return meetings_for(range(creatives), range(organisations), PairingMode.EVERYONE)


def wishes_session(creatives: int, organisations: int, most_wishes: int) -> list[tuple[int, int]]:
    """Each person wishes 1..most_wishes random people of the other side; the wished pairs meet."""
    rng = random.Random(SEED)
    wishes = [(c, o) for c in range(creatives) for o in rng.sample(range(organisations), rng.randint(1, most_wishes))]
    wishes += [(c, o) for o in range(organisations) for c in rng.sample(range(creatives), rng.randint(1, most_wishes))]
    return meetings_for(range(creatives), range(organisations), PairingMode.WISHES, wishes=wishes)


def random_pins(meetings: list[tuple[int, int]], tables: int, share: float) -> dict[tuple[int, int], Slot]:
    """Pins on a share of the meetings at random slots within the lower bound, skipping those that would clash."""
    rng = random.Random(SEED + 1)
    rounds = lower_bound(meetings, tables)
    pins: dict[tuple[int, int], Slot] = {}
    busy: set[tuple] = set()
    for pair in rng.sample(meetings, round(len(meetings) * share)):
        slot = Slot(rng.randrange(rounds), rng.randrange(tables))
        seats = {(slot.round, "creative", pair[0]), (slot.round, "organisation", pair[1]), (slot.round, slot.table)}
        if not seats & busy:
            busy |= seats
            pins[pair] = slot
    return pins


def busiest(meetings: list[tuple[int, int]]) -> int:
    """Δ: the most meetings any one person has."""
    counts: dict[tuple[str, int], int] = {}
    for c, o in meetings:
        counts["c", c] = counts.get(("c", c), 0) + 1
        counts["o", o] = counts.get(("o", o), 0) + 1
    return max(counts.values())


def measure(name: str, meetings, tables: int, pins, runs: int) -> str:
    """One row of the table: the case timed --runs times, then once more under tracemalloc."""
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        schedule = generate(meetings, tables, fixed=pins)
        samples.append((time.perf_counter() - started) * 1000)
        assert problems(schedule, meetings, tables) == [], name
        assert all(schedule.slots[pair] == slot for pair, slot in pins.items()), name
    tracemalloc.start()
    generate(meetings, tables, fixed=pins)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return (
        f"| {name} | {len(meetings):,} | {len(pins):,} | {tables} | {busiest(meetings)} | {schedule.lower_bound} | "
        f"{schedule.rounds} | {statistics.median(samples):.1f} | {max(samples):.1f} | {peak:.1f} |"
    )


def main() -> None:
    """Generate the sessions, time the schedule for each and print a Markdown table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    everyone = everyone_session(60, 40)
    wishes = wishes_session(500, 500, 10)
    cases = [
        ("A: 60×40 everyone", everyone, 20, {}),
        ("B: 500×500 wishes ≤10", wishes, 100, {}),
        ("C: B, 10 % pinned", wishes, 100, random_pins(wishes, 100, 0.10)),
        ("D: A, 10 % pinned", everyone, 20, random_pins(everyone, 20, 0.10)),
    ]
    print(
        f"# {platform.node()} · {platform.processor() or platform.machine()} · {time.strftime('%Y-%m-%d')} · "
        f"Python {platform.python_version()} · {args.runs} runs each\n",
        flush=True,
    )
    print("| case | meetings | pins | tables | Δ | lower bound | rounds | median ms | max ms | peak MiB |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, meetings, tables, pins in cases:
        print(measure(name, meetings, tables, pins, args.runs), flush=True)


if __name__ == "__main__":
    main()
