"""200 simultaneous registrations for a 50-place event through a multi-worker server on PostgreSQL.

Creates a throw-away PostgreSQL database, migrates it, makes one published network event with 50
places and 200 participants with API tokens, starts gunicorn with 4 worker processes on a free local
port, fires all 200 registrations at once (200 threads, released together) at
POST /api/v1/calendar/events/<id>/registration, and checks: exactly 50 registered, 150 on the waiting
list, no error, counters equal to the rows.

Usage: .venv/bin/python bench/registration_concurrency.py [--server postgresql://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    """Run the scenario and print the outcome; exit 1 if the capacity did not hold."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--capacity", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()

    import psycopg

    admin = psycopg.connect(args.server, autocommit=True)
    name = f"hub_bench_{uuid.uuid4().hex[:10]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    url = args.server.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1) + "/" + name
    server = None
    try:
        event_id, tokens = _prepare(url, args.people, args.capacity)
        port = _free_port()
        env = {
            **os.environ,
            "HUB_DATABASE_URL": url,
            "HUB_SECRET_KEY": "bench-" + "x" * 40,
            "HUB_LOGIN_LIMIT_PER_IP": "100000 per minute",
        }
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "-w",
                str(args.workers),
                "-b",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                "hub:create_app()",
            ],
            cwd=ROOT,
            env=env,
        )
        _wait_for(port)
        results = _fire(port, event_id, tokens)
        statuses = Counter(r[0] for r in results)
        outcomes = Counter(r[1] for r in results if r[0] == 201)
        registered, waitlisted, counters = _check(url, event_id)
        print(
            f"# {time.strftime('%Y-%m-%d')} · gunicorn {args.workers} workers · PostgreSQL · "
            f"{args.people} requests at once for {args.capacity} places"
        )
        print(f"HTTP statuses: {dict(statuses)}; outcomes: {dict(outcomes)}")
        print(f"rows: {registered} registered, {waitlisted} waitlisted; event counters: {counters}")
        print(f"wall time of the burst: {max(r[2] for r in results):.2f} s")
        ok = (
            statuses == Counter({201: args.people})
            and registered == args.capacity
            and waitlisted == args.people - args.capacity
            and counters == (registered, waitlisted)
        )
        print("capacity held" if ok else "CAPACITY DID NOT HOLD")
        return 0 if ok else 1
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _prepare(url: str, people: int, capacity: int):
    from flask_migrate import upgrade

    from hub import create_app
    from hub.accounts import services as accounts
    from hub.core.db import db
    from hub.core.roles import Role
    from hub.core.tenancy import all_regions, region_scope
    from hub.core.tenancy.models import Region
    from hub.core.tenancy.registry import sync_regions
    from regions.events import services as events
    from regions.events.vocab import Audience, EventStatus

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "PASSWORD_HASH_PROFILE": "cheapest"})
    with app.app_context(), app.test_request_context():
        upgrade()
        sync_regions()
        regions = db.session.query(Region).order_by(Region.id).all()
        tokens = []
        with all_regions():
            for i in range(people):
                user = accounts.create_user(
                    f"p{i}@bench.example", f"Person {i}", role=Role.PARTICIPANT, region=regions[i % len(regions)]
                )
                db.session.flush()
                tokens.append(accounts.create_access_token(user, "bench")[1])
            db.session.commit()
        start = datetime.now(UTC) + timedelta(days=30)
        with region_scope(regions[0].id):
            event = events.create_event(
                {
                    "title": "Auftakt mit Speed-Dating",
                    "audience": Audience.NETWORK,
                    "status": EventStatus.PUBLISHED,
                    "capacity": capacity,
                },
                starts_at=start,
                ends_at=start + timedelta(hours=3),
            )
            db.session.commit()
            event_id = event.id
        db.engine.dispose()
    return event_id, tokens


def _fire(port: int, event_id: int, tokens: list[str]):
    go = threading.Event()
    results = []
    lock = threading.Lock()

    def one(token):
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/calendar/events/{event_id}/registration",
            method="POST",
            data=b"{}",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        go.wait()
        began = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                body = json.loads(response.read())
                outcome = (response.status, body.get("status"), time.perf_counter() - began)
        except urllib.error.HTTPError as exc:
            outcome = (exc.code, exc.read()[:200].decode(errors="replace"), time.perf_counter() - began)
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=one, args=(t,)) for t in tokens]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    go.set()
    for thread in threads:
        thread.join()
    return results


def _check(url: str, event_id: int):
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        rows = dict(
            conn.execute(
                "SELECT status, count(*) FROM registration WHERE event_id = %s GROUP BY status", (event_id,)
            ).fetchall()
        )
        counters = conn.execute(
            "SELECT registered_count, waitlisted_count FROM event WHERE id = %s", (event_id,)
        ).fetchone()
    return rows.get("registered", 0), rows.get("waitlisted", 0), tuple(counters)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(port: int) -> None:
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")


if __name__ == "__main__":
    sys.exit(main())
