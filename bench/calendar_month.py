"""How long the network calendar's month takes: the full page through the test client, and the API's month.

Generates its own data, bulk-inserted: N events (default 20,000) over the four regions and three years
(2025–2027): 30 % public, 40 % network, 30 % region-only; 10 % drafts, 5 % cancelled; 5 % all-day;
seven kinds. A member of Lausitz holds registrations for 40 events of the measured month.

Measured, warm (after 10 runs that are not counted), each --runs times (default 200):
- the month page ``/calendar/?month=2026-03`` for the member (logged in) and for a visitor;
- the same month with a region filter (member);
- the API's month ``/api/v1/calendar?start=2026-03-01&end=2026-04-01`` for the member (peer: Indico's
  calendar JSON for a month, 142 ms).
Target: p95 < 50 ms for the month page.

Usage:
  .venv/bin/python bench/calendar_month.py [--events 20000] [--runs 200]
  .venv/bin/python bench/calendar_month.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/hub_bench_calendar
A PostgreSQL database that does not exist is created and dropped afterwards. ``--extra-index starts_at,ends_at``
adds an index before timing, to evaluate one for a migration.
"""

from __future__ import annotations

import argparse
import platform
import random
import re
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from _support import BENCH_CONFIG, bench_database  # noqa: E402 - bench/ is on sys.path when run as a script

# The code of the checkout this script is in, not whichever copy the venv has installed.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SEED = 20261125
PASSWORD = "bench password 1234"
BERLIN = ZoneInfo("Europe/Berlin")
FIRST_DAY = datetime(2025, 1, 1, tzinfo=BERLIN)
DAYS = 3 * 365
MONTH = "2026-03"
TITLES = ["Netzwerktreffen", "Speed-Dating", "Expertenabend", "Werkstattgespräch", "Stammtisch", "Kickoff"]
PLACES = ["Kulturhaus", "Alte Tuchfabrik", "Rathaussaal", "Kreativzentrum", "Online"]


def event_rows(count: int, region_ids: list[int]) -> dict[int, list[dict]]:
    """Generated events, by region."""
    from regions.events.vocab import Audience, EventStatus, EventType

    rng = random.Random(SEED)
    types = list(EventType)
    rows: dict[int, list[dict]] = {r: [] for r in region_ids}
    now = datetime.now(UTC)
    for n in range(count):
        region_id = region_ids[n % len(region_ids)]
        day = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
        all_day = rng.random() < 0.05
        if all_day:
            start = day.replace(hour=0)
            end = start + timedelta(days=rng.choice([1, 1, 2, 3]))
        else:
            start = day.replace(hour=rng.randrange(8, 20), minute=rng.choice([0, 15, 30]))
            end = start + timedelta(minutes=rng.choice([60, 90, 120, 180, 240]))
        roll = rng.random()
        status = EventStatus.DRAFT if roll < 0.10 else EventStatus.CANCELLED if roll < 0.15 else EventStatus.PUBLISHED
        audience_roll = rng.random()
        audience = (
            Audience.PUBLIC if audience_roll < 0.3 else Audience.NETWORK if audience_roll < 0.7 else Audience.REGION
        )
        rows[region_id].append(
            {
                "region_id": region_id,
                "uid": f"bench-{n}@cimis-hub",
                "title": f"{rng.choice(TITLES)} {n}",
                "type": rng.choice(types),
                "description": "Beschreibung der Veranstaltung. " * rng.randrange(2, 20),
                "starts_at": start.astimezone(UTC),
                "ends_at": end.astimezone(UTC),
                "timezone": "Europe/Berlin",
                "all_day": all_day,
                "venue": rng.choice(PLACES),
                "address": "Markt 1, 01662 Meißen",
                "online_url": "https://meet.example.org/raum" if rng.random() < 0.2 else "",
                "audience": audience,
                "capacity": rng.choice([None, 12, 20, 40, 100]),
                "status": status,
                "questions": [],
                "registered_count": 0,
                "waitlisted_count": 0,
                "created_at": now,
                "updated_at": now,
            }
        )
    return rows


def _timed(client, url: str, runs: int) -> tuple[float, float, int]:
    for _ in range(10):
        assert client.get(url).status_code == 200
    samples = []
    size = 0
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
        size = len(response.data)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.95))], size


def main() -> None:
    """Generate the data, time the month page and the API's month."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--database-url")
    parser.add_argument(
        "--extra-index",
        metavar="COLUMNS",
        help="add an index on event(COLUMNS) before timing, to evaluate one, e.g. 'starts_at,ends_at'",
    )
    args = parser.parse_args()
    with bench_database(args.database_url) as url:
        _run(url, args)


def _run(url: str, args) -> None:
    from flask_migrate import upgrade
    from sqlalchemy import func, insert, select

    from hub import create_app
    from hub.accounts import services as accounts
    from hub.core.db import db
    from hub.core.tenancy import all_regions, region_scope
    from hub.core.tenancy.models import Region
    from hub.core.tenancy.registry import sync_regions
    from regions.events.models import Event, Registration
    from regions.events.vocab import Audience, EventStatus, RegistrationStatus

    app = create_app(
        {
            **BENCH_CONFIG,
            "SQLALCHEMY_DATABASE_URI": url,
        }
    )
    with app.app_context():
        upgrade()
        sync_regions()
        regions = db.session.scalars(select(Region).where(Region.active).order_by(Region.id)).all()
        region_ids = [r.id for r in regions]
        lausitz = next(r for r in regions if r.slug == "lausitz")
        with all_regions():
            member = accounts.create_user("member@bench.example", "Bench Member", PASSWORD, region=lausitz)
            db.session.commit()
            member_id, member_email = member.id, member.email
        started = time.perf_counter()
        for region_id, rows in event_rows(args.events, region_ids).items():
            with region_scope(region_id):
                for i in range(0, len(rows), 2000):
                    db.session.execute(insert(Event), rows[i : i + 2000])
        db.session.commit()
        # The member's registrations: 40 visible, published events of the measured month.
        month_start = datetime(2026, 3, 1, tzinfo=BERLIN).astimezone(UTC)
        with all_regions():
            chosen = db.session.execute(
                select(Event.id, Event.region_id)
                .where(
                    Event.starts_at >= month_start,
                    Event.starts_at < month_start + timedelta(days=31),
                    Event.status == EventStatus.PUBLISHED,
                    (Event.audience != Audience.REGION) | (Event.region_id == lausitz.id),
                )
                .order_by(Event.id)
                .limit(40)
            ).all()
        for event_id, region_id in chosen:
            with region_scope(region_id):
                db.session.execute(
                    insert(Registration),
                    [
                        {
                            "region_id": region_id,
                            "event_id": event_id,
                            "user_id": member_id,
                            "status": RegistrationStatus.REGISTERED,
                            "answers": {},
                        }
                    ],
                )
        db.session.commit()
        generated = time.perf_counter() - started
        with all_regions():
            total = db.session.scalar(select(func.count()).select_from(Event))
        with db.engine.connect() as conn:
            if args.extra_index:
                columns = ", ".join(c.strip() for c in args.extra_index.split(","))
                conn.exec_driver_sql(f"CREATE INDEX ix_bench_extra ON event ({columns})")
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
        dialect = db.engine.dialect.name
        db.session.remove()

    print(
        f"# {platform.node()} · {platform.processor() or platform.machine()} · {time.strftime('%Y-%m-%d')} · "
        f"{dialect} · {total} events over {len(region_ids)} regions, 2025–2027 (generated in {generated:.1f} s) · "
        f"{args.runs} warm runs each" + (f" · extra index on event({args.extra_index})" if args.extra_index else ""),
        flush=True,
    )
    visitor = app.test_client()
    signed_in = app.test_client()
    assert signed_in.post("/login", data={"email": member_email, "password": PASSWORD}).status_code == 302
    cases = [
        ("month page, member", signed_in, f"/calendar/?month={MONTH}"),
        ("month page, visitor", visitor, f"/calendar/?month={MONTH}"),
        ("month page, member, 2 regions", signed_in, f"/calendar/?month={MONTH}&region=lausitz&region=meissen"),
        ("list page, member", signed_in, "/calendar/?view=list"),
        ("API month, member", signed_in, "/api/v1/calendar?start=2026-03-01&end=2026-04-01"),
        ("API month, visitor", visitor, "/api/v1/calendar?start=2026-03-01&end=2026-04-01"),
    ]
    for name, client, path in cases:
        shown = _shown(client, path)
        median, p95, size = _timed(client, path, args.runs)
        print(f"{name:32s} median {median:6.1f} ms   p95 {p95:6.1f} ms   ({shown} events, {size / 1024:.0f} KiB)")


def _shown(client, path: str) -> int:
    response = client.get(path)
    if path.startswith("/api/"):
        return len(response.json)
    page = response.get_data(as_text=True)
    return len(set(re.findall(r'href="/calendar/events/(\d+)"', page)))


if __name__ == "__main__":
    main()
