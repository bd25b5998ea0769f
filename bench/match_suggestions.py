"""How long match suggestions take for a large speed-dating: 1,000 creatives × 1,000 organisations.

Generates its own data (seeded): every person has 2–5 offer and 2–5 need tags from a vocabulary of about 300
German terms (compounds such as "Prozessberatung" next to their parts such as "Beratung", so tags also fit by
containment); every organisation and a third of the creatives describe their needs in a sentence. As at a
speed-dating, every creative meets 20 organisations and both rate each other afterwards (90 % of the time:
20 % "definitely", 45 % "gladly", 35 % "rather not"). 5 % of the people are already matched (capacity 0) and
200 pairs are excluded.

Measured, each --runs times (default 5) after one run that is not counted: ``suggest`` with method optimal
(limit 1 and 3) and stable (limit 1 and 3): median and maximum time, peak memory of one more run under
tracemalloc, number of suggestions and their total score. Peer: scipy's ``linear_sum_assignment`` alone on a
random dense 1,000 × 1,000 matrix of floats. Target: < 2 s for each.

Usage:
  .venv/bin/python bench/match_suggestions.py [--people 1000] [--runs 5]
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

import numpy as np
from scipy.optimize import linear_sum_assignment

# The code of the checkout this script is in, not whichever copy the venv has installed.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from regions.matches.suggestions import Person, suggest  # noqa: E402
from regions.speeddating.vocab import Interest  # noqa: E402

SEED = 20250917
MET = 20
FIRST_PARTS = [
    "Prozess", "Web", "Möbel", "Marken", "Kommunikations", "Ausstellungs", "Spiel", "Klang", "Licht", "Text",
    "Bild", "Raum", "Produkt", "Service", "Daten", "Lern", "Bühnen", "Stadt", "Kultur", "Medien",
]  # fmt: skip
SECOND_PARTS = [
    "design", "beratung", "entwicklung", "gestaltung", "konzept", "strategie", "bau", "planung", "management",
    "technik", "analyse", "produktion", "vermittlung", "arbeit",
]  # fmt: skip
PLAIN_TERMS = [
    "Onboarding", "Fotografie", "Film", "Musik", "Illustration", "Social Media", "Barrierefreiheit",
    "Öffentlichkeitsarbeit", "Ehrenamt", "Digitalisierung", "Moderation", "Workshops", "Nachhaltigkeit",
    "Storytelling", "Podcast", "Typografie", "Animation", "Programmierung", "Fundraising", "Mitgliedergewinnung",
    "Straßenkunst", "Handwerk", "Künstliche Intelligenz", "Corporate Design", "Führung",
]  # fmt: skip
VOCABULARY = [a + b for a in FIRST_PARTS for b in SECOND_PARTS] + [b.capitalize() for b in SECOND_PARTS] + PLAIN_TERMS
INTERESTS = [Interest.DEFINITELY] * 20 + [Interest.GLADLY] * 45 + [Interest.RATHER_NOT] * 35


def generate(count: int) -> tuple[list[Person], list[Person], dict, list[tuple[str, str]]]:
    """Creatives, organisations, their ratings after speed-dating, and the excluded pairs."""
    rng = random.Random(SEED)

    def person(prefix: str, n: int, text_share: float) -> Person:
        text = ""
        if rng.random() < text_share:
            a, b = rng.sample(VOCABULARY, 2)
            text = f"Wir suchen Unterstützung bei {a} und {b}, damit Neue schneller und besser starten können."
        return Person(
            id=f"{prefix}{n}",
            offer_tags=tuple(rng.sample(VOCABULARY, rng.randint(2, 5))),
            need_tags=tuple(rng.sample(VOCABULARY, rng.randint(2, 5))),
            needs_text=text,
            capacity=0 if rng.random() < 0.05 else None,
        )

    creatives = [person("c", n, 1 / 3) for n in range(count)]
    organisations = [person("o", n, 1.0) for n in range(count)]
    ratings = {}
    for creative in creatives:
        for organisation in rng.sample(organisations, MET):
            for rater, ratee in ((creative, organisation), (organisation, creative)):
                if rng.random() < 0.9:
                    ratings[rater.id, ratee.id] = rng.choice(INTERESTS)
    exclude = [(rng.choice(creatives).id, rng.choice(organisations).id) for _ in range(200)]
    return creatives, organisations, ratings, exclude


def _measure(call, runs: int) -> tuple[float, float, float, object]:
    result = call()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        result = call()
        samples.append((time.perf_counter() - start) * 1000)
    tracemalloc.start()
    call()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return statistics.median(samples), max(samples), peak, result


def main() -> None:
    """Generate the data, time the suggestions, print a Markdown table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=1000, help="creatives, and as many organisations")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    started = time.perf_counter()
    creatives, organisations, ratings, exclude = generate(args.people)
    generated = time.perf_counter() - started
    print(
        f"# {platform.node()} · {platform.processor() or platform.machine()} · {time.strftime('%Y-%m-%d')} · "
        f"{len(creatives)} creatives × {len(organisations)} organisations, {len(ratings)} ratings, "
        f"{len(VOCABULARY)} terms (generated in {generated:.1f} s) · {args.runs} runs each\n"
    )
    print("| case | median ms | max ms | peak MiB | suggestions | total score |")
    print("|---|---:|---:|---:|---:|---:|")
    for method, limit in (("optimal", 1), ("optimal", 3), ("stable", 1), ("stable", 3)):
        median, worst, peak, found = _measure(
            lambda m=method, n=limit: suggest(creatives, organisations, ratings, limit=n, method=m, exclude=exclude),
            args.runs,
        )
        total = sum(s.score for s in found)
        print(f"| {method}, limit {limit} | {median:.0f} | {worst:.0f} | {peak:.1f} | {len(found)} | {total:.0f} |")

    matrix = np.random.default_rng(SEED).random((args.people, args.people))
    median, worst, peak, _ = _measure(lambda: linear_sum_assignment(matrix, maximize=True), args.runs)
    print(f"| peer: linear_sum_assignment alone | {median:.0f} | {worst:.0f} | {peak:.1f} | – | – |")


if __name__ == "__main__":
    main()
