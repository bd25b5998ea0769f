"""How fast the calendar's iCalendar feeds answer at 20,000 events (Indico: 25.3 s for the same export).

Generates its own data, in bulk: N events (default 20,000) spread over the four regions and three
years (from a year ago to two years ahead, all inside the feeds' window), German titles and
descriptions of about 600 characters, every audience, 3 % cancelled, 5 % all-day; a participant of
the first region registered for 200 of them; an umbrella reviewer who sees everything.

Times requests through the Flask test client, reading the whole body: the first (cold) request of
each feed, which renders every VEVENT, then the median and p95 of --runs warm requests, and the SQL
statements per request:
- the public network feed, the participant's and the umbrella's private network feeds (by token),
  the participant's own registrations;
- one region's feed, for a visitor and for a signed-in member of the region;
- one event as .ics;
- revalidations with If-None-Match (304).

Usage:
  .venv/bin/python bench/calendar_feeds.py [--events 20000] [--runs 50]
  .venv/bin/python bench/calendar_feeds.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/hub_bench_ics
A PostgreSQL database that does not exist is created and dropped afterwards.
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from _support import BENCH_CONFIG, bench_database  # noqa: E402 - bench/ is on sys.path when run as a script

# The code of the checkout this script is in, not whichever copy the venv has installed.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SEED = 20261125
PASSWORD = "bench password 1234"
BERLIN = ZoneInfo("Europe/Berlin")
KINDS = ["Auftakt mit Speed-Dating", "Expertenabend", "Peer-Learning", "Netzwerktreffen", "Werkstattgespräch"]
TOPICS = ["Holz & Design", "Musikwirtschaft", "Games im Handwerk", "Tourismus digital", "Keramik und Licht", "Möbelbau"]
TOWNS = ["Görlitz", "Bautzen", "Annaberg-Buchholz", "Meißen", "Radebeul", "Zittau", "Freiberg", "Löbau", "Großenhain"]
WORDS = (
    "Kreativwirtschaft trifft Handwerk und Mittelstand: Wir stellen Projekte aus der Region vor, sprechen über "
    "Förderung, Kooperation und neue Geschäftsmodelle, und lernen einander in kurzen Gesprächsrunden kennen. "
    "Bitte bringen Sie Visitenkarten mit; für Getränke und einen kleinen Imbiss ist gesorgt. Die Veranstaltung "
    "ist barrierefrei erreichbar, Parkplätze gibt es hinter dem Haus. Übersetzung ins Polnische und Tschechische "
    "auf Anfrage; Fragen beantwortet die Koordination gern vorab per E-Mail oder Telefon."
)


def event_rows(n: int, regions: list[int], today: date) -> dict[int, list[dict]]:
    """N events as rows for a bulk INSERT, by region."""
    rng = random.Random(SEED)
    first_day = today - timedelta(days=360)
    span = 3 * 365 - 10
    now = datetime.now(UTC)
    by_region: dict[int, list[dict]] = {r: [] for r in regions}
    for i in range(n):
        region = regions[i % len(regions)]
        day = first_day + timedelta(days=rng.randrange(span))
        all_day = rng.random() < 0.05
        if all_day:
            starts = datetime(day.year, day.month, day.day, tzinfo=BERLIN).astimezone(UTC)
            ends = datetime.combine(day + timedelta(days=rng.choice([1, 1, 2])), datetime.min.time(), BERLIN)
            ends = ends.astimezone(UTC)
        else:
            starts = datetime(day.year, day.month, day.day, rng.randrange(9, 19), rng.choice([0, 30]), tzinfo=BERLIN)
            starts = starts.astimezone(UTC)
            ends = starts + timedelta(hours=rng.choice([2, 3, 4]))
        roll = rng.random()
        audience = "public" if roll < 0.4 else "network" if roll < 0.7 else "region"
        town = rng.choice(TOWNS)
        by_region[region].append(
            {
                "region_id": region,
                "uid": f"{uuid.UUID(int=rng.getrandbits(128))}@cimis-hub",
                "sequence": rng.choice([0, 0, 0, 1, 2]),
                "title": f"{rng.choice(KINDS)}: {rng.choice(TOPICS)} in {town}",
                "type": rng.choice(["kickoff", "expert", "peer_learning", "network_meeting", "other"]),
                "description": f"{WORDS} ({i})",
                "starts_at": starts,
                "ends_at": ends,
                "timezone": "Europe/Berlin",
                "all_day": all_day,
                "venue": f"Kulturhaus {town}",
                "address": f"Marktplatz {rng.randrange(1, 40)}, {town}",
                "online_url": "https://meet.example.org/cimis" if rng.random() < 0.2 else "",
                "audience": audience,
                "status": "cancelled" if rng.random() < 0.03 else "published",
                "questions": [],
                "created_at": now,
                "updated_at": now,
            }
        )
    return by_region


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with bench_database(args.database_url) as url:
        _run(url, args)


def _run(url: str, args) -> None:
    from flask_migrate import upgrade
    from sqlalchemy import event as sa_event
    from sqlalchemy import func, insert, select

    from hub import create_app
    from hub.accounts import services as accounts
    from hub.core.db import db
    from hub.core.roles import Role
    from hub.core.tenancy import all_regions, region_scope
    from hub.core.tenancy.models import Region
    from hub.core.tenancy.registry import sync_regions
    from regions.events.models import Event, Registration
    from shared.calendar.feeds import new_feed_token

    app = create_app(
        {
            **BENCH_CONFIG,
            "SQLALCHEMY_DATABASE_URI": url,
            "BASE_URL": "https://hub.example.org",
        }
    )
    started = time.perf_counter()
    with app.app_context(), app.test_request_context():
        upgrade()
        sync_regions()
        with all_regions():
            regions = db.session.scalars(select(Region).where(Region.active).order_by(Region.id)).all()
            region_ids, slug = [r.id for r in regions], regions[0].slug
            member = accounts.create_user("member@bench.example", "Bench Member", PASSWORD, region=regions[0])
            umbrella = accounts.create_user("umbrella@bench.example", "Bench Umbrella", PASSWORD, role=Role.UMBRELLA)
            db.session.flush()
            member_token, umbrella_token = new_feed_token(member), new_feed_token(umbrella)
            db.session.commit()
            member_id = member.id
        for region_id, rows in event_rows(args.events, region_ids, date.today()).items():
            with region_scope(region_id):
                db.session.execute(insert(Event), rows)
                db.session.commit()
        with region_scope(region_ids[0]):
            own = db.session.scalars(
                select(Event.id).where(Event.status == "published").order_by(Event.starts_at.desc()).limit(200)
            ).all()
            db.session.execute(
                insert(Registration),
                [
                    {"region_id": region_ids[0], "event_id": e, "user_id": member_id, "status": "registered"}
                    for e in own
                ],
            )
            db.session.commit()
        with all_regions():
            total = db.session.scalar(select(func.count()).select_from(Event))
            public_event = db.session.scalar(select(Event.id).where(Event.audience == "public").limit(1))
        dialect = db.engine.dialect.name
        engine = db.engine
        db.session.remove()
    setup = time.perf_counter() - started

    statements = []
    sa_event.listen(engine, "before_cursor_execute", lambda *a: statements.append(1))

    visitor = app.test_client()
    signed_in = app.test_client()
    assert signed_in.post("/login", data={"email": "member@bench.example", "password": PASSWORD}).status_code == 302

    cases = [
        ("network feed, public", visitor, "/calendar/network.ics"),
        ("network feed, member (token)", visitor, f"/calendar/feeds/{member_token}/network.ics"),
        ("network feed, umbrella (token)", visitor, f"/calendar/feeds/{umbrella_token}/network.ics"),
        ("own registrations (token)", visitor, f"/calendar/feeds/{member_token}/mine.ics"),
        ("region feed, visitor", visitor, f"/{slug}/events.ics"),
        ("region feed, member", signed_in, f"/{slug}/events.ics"),
        ("one event", visitor, f"/calendar/events/{public_event}.ics"),
    ]
    print(
        f"# {platform.node()} · {platform.processor() or platform.machine()} · {time.strftime('%Y-%m-%d')} · "
        f"{dialect} · {total} events · setup {setup:.1f} s · {args.runs} warm runs"
    )
    print(f"{'request':34s} {'events':>6s} {'size':>9s} {'cold':>9s} {'median':>9s} {'p95':>9s} {'SQL':>4s}")

    def timed(client, path, headers=None):
        start = time.perf_counter()
        response = client.get(path, headers=headers or {})
        body = response.get_data()
        return (time.perf_counter() - start) * 1000, response, body

    etags = {}
    for name, client, path in cases:
        cold, response, body = timed(client, path)
        assert response.status_code == 200, (name, response.status_code)
        samples = []
        for _ in range(args.runs):
            del statements[:]
            ms, response, body = timed(client, path)
            samples.append(ms)
        queries = len(statements)
        etags[name] = (client, path, response.headers["ETag"])
        count = body.count(b"BEGIN:VEVENT")
        print(
            f"{name:34s} {count:6d} {len(body) / 1e6:7.2f}MB {cold:7.1f}ms "
            f"{statistics.median(samples):7.1f}ms {_p95(samples):7.1f}ms {queries:4d}"
        )
    for name in ("network feed, public", "network feed, umbrella (token)", "region feed, member", "one event"):
        client, path, etag = etags[name]
        samples = []
        for _ in range(args.runs):
            del statements[:]
            ms, response, body = timed(client, path, {"If-None-Match": etag})
            assert response.status_code == 304 and not body, (name, response.status_code)
            samples.append(ms)
        label = f"304: {name}"
        print(
            f"{label:34s} {'':6s} {'':9s} {'':9s} "
            f"{statistics.median(samples):7.1f}ms {_p95(samples):7.1f}ms {len(statements):4d}"
        )


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(len(ordered) * 0.95)) - 1)]


if __name__ == "__main__":
    main()
