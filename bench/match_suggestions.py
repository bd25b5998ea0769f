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

With --service, the same people go into a migrated database (bulk Core inserts, in Erzgebirge): a kickoff with
its speed-dating session, the 2,000 profiles as participants, a schedule of the meetings (every pair that rated
each other at all met once), the ratings, a cohort in which the people without capacity are in active matches,
and the excluded pairs as rejected suggestions. Then ``run_suggestions`` runs as a request does: the session
and the cohort looked up, the suggestions made and stored, the transaction committed — --service-runs times
(default 20) after one that is not counted, for each case above: p50, p95 and max wall time and the SQL
statements of one run (a ``before_cursor_execute`` listener; a batch of rows sent at once counts once). Target:
< 1 s, and a number of statements that does not grow with the session. A fresh SQLite file by default;
--database-url postgresql+psycopg://… for PostgreSQL (created and dropped if it does not exist).

Usage:
  .venv/bin/python bench/match_suggestions.py [--people 1000] [--runs 5]
  .venv/bin/python bench/match_suggestions.py --service [--database-url postgresql+psycopg://…] [--service-runs 20]
"""

from __future__ import annotations

import argparse
import os
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

from _support import BENCH_CONFIG, bench_database, cpu_model  # noqa: E402 - bench/ is on sys.path when run as a script

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


CASES = (("optimal", 1), ("optimal", 3), ("stable", 1), ("stable", 3))


def _percentiles(call, runs: int, warm: bool = False) -> tuple[float, float, float]:
    """p50, p95 and max of the wall time of `runs` calls, in ms (after one call not counted if `warm`)."""
    if warm:
        call()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.95))], samples[-1]


def _generated(people: int) -> tuple[list[Person], list[Person], dict, list[tuple[str, str]]]:
    """The data, with a line that says where and when it is measured."""
    started = time.perf_counter()
    creatives, organisations, ratings, exclude = generate(people)
    print(
        f"# {platform.node()} · {cpu_model()} · {os.cpu_count()} cores · {time.strftime('%Y-%m-%d %H:%M')} · "
        f"load {os.getloadavg()[0]:.2f} · {len(creatives)} creatives × {len(organisations)} organisations, "
        f"{len(ratings)} ratings, {len(VOCABULARY)} terms (generated in {time.perf_counter() - started:.1f} s)\n"
    )
    return creatives, organisations, ratings, exclude


def main() -> None:
    """Generate the data, time the suggestions (or, with --service, the service on a database), print a table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=1000, help="creatives, and as many organisations")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--service", action="store_true", help="time run_suggestions on a database instead")
    parser.add_argument("--service-runs", type=int, default=20)
    parser.add_argument("--database-url", help="PostgreSQL for --service (default: a fresh SQLite file)")
    parser.add_argument(
        "--no-gc-freeze",
        action="store_true",
        help="--service: leave out gc.freeze() (hub/wsgi.py, the production entry point, does it after start-up)",
    )
    args = parser.parse_args()

    if args.service:
        with bench_database(args.database_url) as url:
            _service(url, args)
        return
    creatives, organisations, ratings, exclude = _generated(args.people)
    print(f"{args.runs} runs each\n")
    print("| case | median ms | max ms | peak MiB | suggestions | total score |")
    print("|---|---:|---:|---:|---:|---:|")
    for method, limit in CASES:
        median, worst, peak, found = _measure(
            lambda m=method, n=limit: suggest(creatives, organisations, ratings, limit=n, method=m, exclude=exclude),
            args.runs,
        )
        total = sum(s.score for s in found)
        print(f"| {method}, limit {limit} | {median:.0f} | {worst:.0f} | {peak:.1f} | {len(found)} | {total:.0f} |")

    matrix = np.random.default_rng(SEED).random((args.people, args.people))
    median, worst, peak, _ = _measure(lambda: linear_sum_assignment(matrix, maximize=True), args.runs)
    print(f"| peer: linear_sum_assignment alone | {median:.0f} | {worst:.0f} | {peak:.1f} | – | – |")


# -- through the service, on a database ----------------------------------------------------------------------


def _load(db, creatives, organisations, ratings, exclude) -> tuple[int, int]:
    """The session and the cohort of the generated people, bulk-inserted; returns their ids."""
    from datetime import UTC, date, datetime, timedelta

    from sqlalchemy import insert, text

    from hub.cohorts.models import Cohort
    from regions.events.models import Event
    from regions.events.vocab import EventStatus, EventType
    from regions.matches.models import Match, MatchMember, MatchSuggestion
    from regions.profiles.models import Profile
    from regions.profiles.vocab import ProfileKind
    from regions.speeddating.models import Meeting, Rating, SessionParticipant, SpeedDatingSession
    from regions.speeddating.schedule import generate as schedule
    from regions.speeddating.vocab import Side

    conn = db.session.connection()
    region_id = conn.execute(text("SELECT id FROM region WHERE slug = 'erzgebirge'")).scalar_one()
    starts = datetime(2026, 9, 18, 15, tzinfo=UTC)

    def put(model, rows) -> None:
        for start in range(0, len(rows), 5000):
            conn.execute(insert(model.__table__), rows[start : start + 5000])

    put(
        Cohort,
        [
            dict(
                id=1,
                name="CIMIS II Bench",
                starts_on=date(2026, 9, 1),
                ends_on=date(2027, 4, 30),
                funding_per_match_cents=250_000,
            )
        ],
    )
    put(
        Event,
        [
            dict(
                id=1,
                region_id=region_id,
                title="Auftakt mit Speed-Dating",
                type=EventType.KICKOFF,
                status=EventStatus.PUBLISHED,
                starts_at=starts,
                ends_at=starts + timedelta(hours=8),
            )
        ],
    )
    put(
        SpeedDatingSession,
        [dict(id=1, region_id=region_id, event_id=1, title="Speed-Dating", tables=500, starts_at=starts, rounds=0)],
    )
    people = [*creatives, *organisations]
    number = {person.id: n for n, person in enumerate(people, start=1)}  # profile id = participant id
    put(
        Profile,
        [
            dict(
                id=number[p.id],
                region_id=region_id,
                display_name=f"Teilnehmende {p.id}",
                kind=ProfileKind.CREATIVE if p.id.startswith("c") else ProfileKind.ORGANISATION,
                offer_tags=list(p.offer_tags),
                need_tags=list(p.need_tags),
                needs_text=p.needs_text,
            )
            for p in people
        ],
    )
    put(
        SessionParticipant,
        [
            dict(
                id=number[p.id],
                region_id=region_id,
                session_id=1,
                profile_id=number[p.id],
                side=Side.CREATIVE if p.id.startswith("c") else Side.ORGANISATION,
            )
            for p in people
        ],
    )
    met = sorted({(a, b) if a.startswith("c") else (b, a) for a, b in ratings}, key=lambda p: (number[p[0]], p[1]))
    plan = schedule([(number[c], number[o]) for c, o in met], 500)
    meeting_of = {}
    rows = []
    for n, ((c, o), slot) in enumerate(plan.slots.items(), start=1):
        meeting_of[c, o] = n
        rows.append(
            dict(
                id=n,
                region_id=region_id,
                session_id=1,
                creative_id=c,
                organisation_id=o,
                round=slot.round,
                table=slot.table,
            )
        )
    put(Meeting, rows)
    conn.execute(text(f"UPDATE speed_dating_session SET rounds = {plan.rounds}, lower_bound = {plan.lower_bound}"))
    rows = []
    for (rater, ratee), interest in ratings.items():
        pair = (number[rater], number[ratee]) if rater.startswith("c") else (number[ratee], number[rater])
        rows.append(
            dict(
                region_id=region_id,
                session_id=1,
                meeting_id=meeting_of[pair],
                rater_id=number[rater],
                ratee_id=number[ratee],
                interest=interest,
            )
        )
    put(Rating, rows)
    # The people without capacity work in an active match of the cohort already, in pairs where the sides allow.
    busy = [[number[p.id] for p in side if p.capacity == 0] for side in (creatives, organisations)]
    teams = [[c, o] for c, o in zip(*busy, strict=False)]
    teams += [[n] for side in busy for n in side[len(teams) :]]
    put(
        Match,
        [
            dict(
                id=n,
                region_id=region_id,
                cohort_id=1,
                title=f"Match {n}",
                status="active",
                proposed_on=date(2026, 9, 20),
                budget_cents=250_000,
            )
            for n in range(1, len(teams) + 1)
        ],
    )
    put(
        MatchMember,
        [
            dict(
                region_id=region_id,
                match_id=n,
                profile_id=member,
                role="creative" if member <= len(creatives) else "organisation",
            )
            for n, team in enumerate(teams, start=1)
            for member in team
        ],
    )
    put(
        MatchSuggestion,
        [
            dict(
                region_id=region_id,
                session_id=1,
                creative_id=number[c],
                organisation_id=number[o],
                score=1.0,
                reasons=[],
                method="optimal",
                status="rejected",
            )
            for c, o in dict.fromkeys(exclude)
        ],
    )
    if conn.dialect.name == "postgresql":
        for table in (
            "cohort",
            "event",
            "speed_dating_session",
            "profile",
            "speed_dating_participant",
            "speed_dating_meeting",
            "cocreation_match",
        ):
            conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
    db.session.commit()
    return region_id, len(meeting_of)


def _loaded(db, people: int, runs: int) -> tuple[int, int, float, tuple[float, float, float]]:
    """The generated session in the database: its region, its meetings, the seconds it took to load, and the
    solver alone on the same data in the same process, as a yardstick on a shared machine."""
    from hub.core.tenancy import all_regions

    creatives, organisations, ratings, exclude = _generated(people)
    yardstick = _percentiles(lambda: suggest(creatives, organisations, ratings, exclude=exclude), runs, warm=True)
    started = time.perf_counter()
    with all_regions():
        region_id, meetings = _load(db, creatives, organisations, ratings, exclude)
    return region_id, meetings, time.perf_counter() - started, yardstick


def _service(url: str, args) -> None:
    import gc

    from flask_migrate import upgrade
    from sqlalchemy import event, text

    from hub import create_app
    from hub.cohorts.models import Cohort
    from hub.core.db import db
    from hub.core.tenancy import region_scope
    from hub.core.tenancy.registry import sync_regions
    from regions.matches import suggesting
    from regions.speeddating import services

    app = create_app({**BENCH_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        sync_regions()
        # Once loaded, the generated people are gone: as in a server, the process holds the app and no more.
        region_id, meetings, loaded, yardstick = _loaded(db, args.people, args.service_runs)
        runs = args.service_runs
        dialect = db.engine.dialect.name
        version = db.session.scalar(
            text("SELECT sqlite_version()") if dialect == "sqlite" else text("SHOW server_version")
        )
        db.session.remove()
        # The steady state after a bulk load: planner statistics, as `hub analyze` makes them on SQLite and
        # PostgreSQL's autovacuum does by itself (without them PostgreSQL joins the 2,000 profiles in 0.9 s).
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE" if dialect == "sqlite" else "VACUUM ANALYZE"))
        statements = 0

        def count(*_):
            nonlocal statements
            statements += 1

        event.listen(db.engine, "before_cursor_execute", count)

        def request(method: str, limit: int) -> int:
            with region_scope(region_id):
                session = services.get_session(1)
                made = suggesting.run_suggestions(session, db.session.get(Cohort, 1), method=method, limit=limit)
                db.session.commit()
            db.session.remove()  # the next run starts with an empty identity map, as the next request does
            return len(made)

        if not args.no_gc_freeze:
            # As in production: the process holds the app (the generated data is gone), frozen out of the
            # collector's reach, so a full collection during a run does not walk it again.
            request("optimal", 1)
            gc.collect()
            gc.freeze()
        print(
            f"## through run_suggestions: {dialect} {version}, {meetings} meetings (loaded in {loaded:.1f} s), "
            f"{runs} runs each after one not counted"
            + (", no gc.freeze()" if args.no_gc_freeze else ", gc.freeze() as in hub/wsgi.py")
            + "\n"
        )
        print("| case | p50 ms | p95 ms | max ms | SQL statements | suggestions |")
        print("|---|---:|---:|---:|---:|---:|")
        for method, limit in CASES:
            request(method, limit)
            statements = 0
            made = request(method, limit)
            one = statements
            p50, p95, worst = _percentiles(lambda m=method, n=limit: request(m, n), runs)
            print(f"| {method}, limit {limit} | {p50:.0f} | {p95:.0f} | {worst:.0f} | {one} | {made} |", flush=True)
        p50, p95, worst = yardstick
        print(f"| yardstick: `suggest()` alone, optimal, limit 1 | {p50:.0f} | {p95:.0f} | {worst:.0f} | 0 | – |")
        event.remove(db.engine, "before_cursor_execute", count)
        db.engine.dispose()


if __name__ == "__main__":
    main()
