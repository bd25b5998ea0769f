"""People to meet (issue 18): the participant's home with their suggestions, at 100,000 profiles.

    .venv/bin/python bench/people_to_meet.py [--profiles 100000] [--people 200] [--runs 400] [--database-url …]

Generates the network with bench/network_data.py (the generator of the dashboard and directory benchmarks:
profiles of four regions with 1–4 offered and 0–3 sought tags of a Zipf-weighted vocabulary of 75 tags, 80 %
visible to the network, 95 % with consent), builds the tag index (``shared.meet.index.rebuild_all``, since the
generator writes around the session), and measures on a fresh SQLite file (or the PostgreSQL URL given):

1. working out one person's list (``shared.meet.services.compute``: the bounded statement over the tag index,
   the reasons, the stored rows) for ``--people`` participants with tags: what the first visit and the refresh
   job pay per person;
2. the participant's home ``/`` with its suggestions, the full list ``/people/`` and ``GET /api/v1/people-to-meet``,
   round-robin over those participants, each logged in, after a warm-up: p50/p95/max and statements per request;
3. one profile's change of tags (the index listener marks the lists it may enter stale): the commit's time
   and how many lists it made stale; then one run of the refresh job over them.

Prints one table; the figures go to docs/BENCHMARKS.md ("People to meet (issue 18)").
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _support import BENCH_CONFIG, bench_database, cpu_model  # noqa: E402
from network_data import existing_network, generate_network  # noqa: E402


def _pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _row(name: str, samples: list[float], extra: str = "") -> None:
    ms = [s * 1000 for s in samples]
    print(
        f"| {name:44s} | {statistics.median(ms):7.1f} | {_pct(ms, 0.95):7.1f} | {max(ms):7.1f} | {len(ms):5d} |"
        f" {extra}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--profiles", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=5_000)
    parser.add_argument("--matches", type=int, default=200)
    parser.add_argument("--people", type=int, default=200, help="participants whose home is measured")
    parser.add_argument("--runs", type=int, default=400)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with bench_database(args.database_url) as url:
        _run(url, args)


def _run(url: str, args) -> None:
    from flask_migrate import upgrade
    from sqlalchemy import event, func, select, text, update

    from hub import create_app
    from hub.accounts.models import User
    from hub.core.db import db
    from hub.core.jobs.runner import execute
    from hub.core.tenancy import all_regions
    from hub.core.tenancy.registry import sync_regions
    from regions.profiles.models import Profile
    from shared.directory.models import DirectoryEntry
    from shared.directory.search import Viewer
    from shared.meet import index, services
    from shared.meet.models import MeetTag, SuggestionState

    # The login throttle needs the limiter (in memory); the limits themselves are far above these runs.
    unlimited = {key: "1000000 per minute" for key in ("LOGIN_LIMIT_PER_IP", "API_LIMIT_PER_USER", "API_LIMIT_PER_IP")}
    app = create_app({**BENCH_CONFIG, **unlimited, "RATELIMIT_ENABLED": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        sync_regions()
    started = time.perf_counter()
    summary = existing_network(app, args.seed)  # a database kept from an earlier run (--database-url)
    if summary is None:
        summary = generate_network(
            app, profiles=args.profiles, events=args.events, matches=args.matches, seed=args.seed
        )
    generated = time.perf_counter() - started
    dialect = url.split(":", 1)[0].split("+")[0]
    with app.app_context():
        started = time.perf_counter()
        index.rebuild_all(db.session)
        db.session.commit()
        indexed = time.perf_counter() - started
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE" if dialect == "postgresql" else "ANALYZE"))
        tags = db.session.scalar(select(func.count()).select_from(MeetTag))
        with all_regions():
            candidates = db.session.execute(
                select(Profile.user_id, User.email)
                .join(User, User.id == Profile.user_id)
                .join(DirectoryEntry, DirectoryEntry.profile_id == Profile.id)
                .where(
                    DirectoryEntry.listed,
                    Profile.archived_at.is_(None),
                    func.json_array_length(Profile.need_tags) > 0,
                )
            ).all()
        version = db.session.scalar(
            text("SELECT sqlite_version()") if dialect == "sqlite" else text("SHOW server_version")
        )
        db.session.remove()
    chosen = random.Random(args.seed).sample(candidates, min(args.people, len(candidates)))
    with app.app_context():
        # The generator gives participants no password: the measured ones get the coordinators' one.
        hashed = db.session.get(User, next(iter(summary.coordinator_ids.values()))).password_hash
        db.session.execute(update(User).where(User.id.in_([u for u, _ in chosen])).values(password_hash=hashed))
        db.session.commit()
        db.session.remove()
    print(
        f"# {platform.node()} · {cpu_model()} · {os.cpu_count()} cores · Python {platform.python_version()} · "
        f"{time.strftime('%Y-%m-%d %H:%M')} · {dialect} {version}; load {os.getloadavg()[0]:.2f}"
    )
    print(
        f"# {summary.counts.get('profile', 0):,} profiles (generated in {generated:.0f} s), {tags:,} offered and "
        f"sought tags (indexed in {indexed:.1f} s); {len(chosen)} participants measured",
        flush=True,
    )
    print("| what | p50 ms | p95 ms | max ms | n | |")
    print("|---|---:|---:|---:|---:|---|")

    # 1. working out one list
    samples, sizes = [], []
    with app.app_context(), app.test_request_context():
        for user_id, _email in chosen:
            user = db.session.get(User, user_id)
            viewer = Viewer.of(user)
            begun = time.perf_counter()
            services.compute(viewer, count_new=False)
            db.session.commit()
            samples.append(time.perf_counter() - begun)
            sizes.append(len(services.top(viewer, services.LIST_SIZE)))
        db.session.remove()
    _row("working out one person's list (first visit, job)", samples, f"median list {statistics.median(sizes):.0f}")

    # 2. the pages
    with app.app_context():
        engine = db.engine
    statements: list[int] = [0]
    event.listen(engine, "before_cursor_execute", lambda *a: statements.__setitem__(0, statements[0] + 1))
    clients = []
    for _user_id, email in chosen:
        client = app.test_client()
        answer = client.post("/login", data={"email": email, "password": summary.password})
        assert answer.status_code == 302, f"login of {email} failed"
        clients.append(client)
    for path in ("/", "/people/", "/api/v1/people-to-meet"):
        for client in clients[:20]:  # warm-up
            assert client.get(path).status_code == 200
        samples, counts = [], []
        for n in range(args.runs):
            client = clients[n % len(clients)]
            statements[0] = 0
            begun = time.perf_counter()
            answer = client.get(path)
            samples.append(time.perf_counter() - begun)
            counts.append(statements[0])
            assert answer.status_code == 200
        label = {"/": "home / with its suggestions", "/people/": "the whole list /people/ (page 1)"}.get(
            path, "GET /api/v1/people-to-meet"
        )
        _row(label, samples, f"{min(counts)}–{max(counts)} statements")

    # 3. a profile changes its tags
    with app.app_context(), all_regions():
        popular = db.session.scalar(
            select(MeetTag.key).where(MeetTag.side == "need").group_by(MeetTag.key).order_by(func.count().desc())
        )
        label = db.session.scalar(select(MeetTag.label).where(MeetTag.key == popular))
        profile = db.session.scalar(
            select(Profile)
            .where(Profile.user_id.is_not(None), Profile.archived_at.is_(None))
            .order_by(Profile.id.desc())
        )
        before = db.session.scalar(select(func.count()).select_from(SuggestionState).where(SuggestionState.stale))
        begun = time.perf_counter()
        profile.offer_tags = [*profile.offer_tags, label]
        db.session.commit()
        took = time.perf_counter() - begun
        stale = db.session.scalar(select(func.count()).select_from(SuggestionState).where(SuggestionState.stale))
        db.session.remove()
    _row(f"a profile adds the most sought tag ({label})", [took], f"{stale - before} lists marked stale")
    with app.app_context():
        begun = time.perf_counter()
        run = execute("meet.refresh")
        took = time.perf_counter() - begun
        _row("the refresh job over the stale lists", [took], f"{run.summary}")
        db.engine.dispose()


if __name__ == "__main__":
    main()
