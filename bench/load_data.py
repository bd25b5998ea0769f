"""The data and the servers of the load test and the layer-cost benchmark (issue 19).

    from load_data import Target, prepare, Gunicorn, machine_line

``prepare(url, …)`` fills a database with the network of ``bench/network_data.py`` (100,000 profiles and
20,000 events by default) and what a load test needs besides, and returns a *plan* (a JSON-able dict) that the
simulated users read:

- participants with a real password (Argon2id with the hub's own production parameters, one hash shared by
  all of them: the cost of a login is the same, and hashing thousands of them would take minutes), chosen
  among the listed profiles with consent and not archived, spread over the regions;
- 3 conversations per simulated participant with another simulated participant (4–14 messages each), and a
  background of conversations between the people of accepted contact requests (``profiles // 10``, 1–8
  messages), so that the tables are not tiny;
- 12 notifications per simulated participant (half of them read);
- the umbrella account with its second factor on (a fixed TOTP secret in the plan: production requires it);
- the people-to-meet index (``shared.meet.index.rebuild_all``, as the nightly job leaves it), the simulated
  participants' lists of people to meet (they have been here before; the first visit's cost is
  bench/people_to_meet.py's) and the planner's statistics (ANALYZE).

The plan names per region the future published events open for registration (no questions, no deadline),
the months of the calendar to browse and the directory's search terms.

The database: by default ``sqlite:////tmp/hub_load_<profiles>.sqlite3`` or
``postgresql+psycopg://postgres@127.0.0.1:5432/hub_load_<profiles>``; with ``keep`` a database that holds the
network and the load test's extras is used again as it is (only the passwords are set again, so a change of
the hash parameters takes effect) and kept afterwards; without it a fresh one is made and removed at the end.
"""

from __future__ import annotations

import contextlib
import os
import platform
import random
import secrets
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

from _support import cpu_model  # noqa: E402
from network_data import DOMAIN, PASSWORD, STEMS, WORDS, existing_network, generate_network  # noqa: E402

# The umbrella's second factor in the load test (base32, fixed so that a kept database keeps working).
UMBRELLA_TOTP = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
NOTICE_LINK = "/calendar/#lasttest"  # the link of the notifications made here: it marks the simulated people
MARKER = "lasttest.marker"  # the e-mail of a marker account: the load test's extras are in this database
SEARCH_TERMS = ["holz", "fotografie", "design", "werkstatt", "möbelbau", "keramik", "film", "ideen", "werbe",
                "musik", "porzellan", "nachhaltigkeit", "kunst", "licht", "textil"]  # fmt: skip


def default_url(kind: str, profiles: int) -> str:
    if kind == "sqlite":
        return f"sqlite:////tmp/hub_load_{profiles}.sqlite3"
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/hub_load_{profiles}"


def dialect_of(url: str) -> str:
    return url.split(":", 1)[0].split("+")[0]


def fresh_database(url: str) -> None:
    """Remove the SQLite file (and its WAL) or drop and create the PostgreSQL database."""
    if dialect_of(url) == "sqlite":
        path = url.split("///", 1)[1]
        for suffix in ("", "-wal", "-shm"):
            Path(path + suffix).unlink(missing_ok=True)
        return
    _pg_admin(url, drop=True, create=True)


def drop_database(url: str) -> None:
    if dialect_of(url) == "sqlite":
        path = url.split("///", 1)[1]
        for suffix in ("", "-wal", "-shm"):
            Path(path + suffix).unlink(missing_ok=True)
    else:
        _pg_admin(url, drop=True, create=False)


def _pg_admin(url: str, *, drop: bool, create: bool) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    server = parsed.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(server, autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (parsed.database,)).fetchone()
        if drop and exists:
            admin.execute(f'DROP DATABASE "{parsed.database}" WITH (FORCE)')
            exists = None
        if create and not exists:
            admin.execute(f'CREATE DATABASE "{parsed.database}"')


def ensure_database(url: str) -> None:
    if dialect_of(url) == "postgresql":
        _pg_admin(url, drop=False, create=True)


def prep_app(url: str, **overrides):
    """The app that prepares the data: the production password parameters, no mail, this database."""
    from hub import create_app

    return create_app(
        {
            "SECRET_KEY": "load-test-preparation-secret-0123456789abcdef",
            "SQLALCHEMY_DATABASE_URI": url,
            "MAIL_SERVER": "",
            "RATELIMIT_ENABLED": False,
            # PASSWORD_HASH_PROFILE is left as production has it (config/defaults.toml or HUB_PASSWORD_HASH_PROFILE,
            # which the gunicorn workers inherit too): the hashes are made with the parameters a login checks.
            **overrides,
        }
    )


def prepare(url: str, *, profiles: int, events: int, matches: int, participants: int, seed: int = 1, keep: bool,
            log=print) -> dict:  # fmt: skip
    """Make (or with ``keep`` reuse) the database; return the plan of the simulated users."""
    from flask_migrate import upgrade
    from sqlalchemy import select, text

    from hub.accounts.models import User
    from hub.core.db import db
    from hub.core.tenancy.registry import sync_regions

    if not keep:
        fresh_database(url)
    else:
        ensure_database(url)
    app = prep_app(url)
    with app.app_context():
        upgrade()
        sync_regions()
    summary = existing_network(app, seed)
    if summary is None:
        started = time.perf_counter()
        log(f"# generating {profiles:,} profiles and {events:,} events …")
        summary = generate_network(app, profiles=profiles, events=events, matches=matches, seed=seed)
        log(f"# network generated in {time.perf_counter() - started:.0f} s")
    with app.app_context():
        have_extras = db.session.scalar(select(User.id).where(User.email == f"{MARKER}@{DOMAIN}")) is not None
        db.session.remove()
    if not have_extras:
        started = time.perf_counter()
        _extras(app, summary, participants, seed)
        took = time.perf_counter() - started
        log(f"# conversations, notifications, people-to-meet index and statistics in {took:.0f} s")
    plan = _plan(app, summary, seed)
    _set_passwords(app, plan)
    with app.app_context():
        version = db.session.scalar(
            text("SELECT sqlite_version()") if dialect_of(url) == "sqlite" else text("SHOW server_version")
        )
        plan["database_version"] = f"{dialect_of(url)} {version}"
        db.engine.dispose()
    return plan


def _extras(app, summary, participants: int, seed: int) -> None:
    from sqlalchemy import func, insert, select, text

    from hub.accounts.models import User
    from hub.core.db import db, utcnow
    from hub.core.tenancy import all_regions
    from hub.notifications.models import Notification
    from regions.profiles.models import Profile
    from shared.contacts.models import ContactRequest, ContactStatus
    from shared.conversations.models import Conversation, ConversationMember, Message, pair_key
    from shared.directory.models import DirectoryEntry
    from shared.directory.search import Viewer
    from shared.meet import index, services

    rng = random.Random(seed * 7919)
    now = utcnow()
    with app.app_context(), all_regions():
        conn = db.session.connection()

        def next_id(model) -> int:
            return (conn.execute(select(func.max(model.__table__.c.id))).scalar() or 0) + 1

        # The simulated participants: listed profiles with consent, not archived, one profile per account.
        candidates = conn.execute(
            select(Profile.id, Profile.user_id, Profile.region_id)
            .join(DirectoryEntry, DirectoryEntry.profile_id == Profile.id)
            .where(DirectoryEntry.listed, Profile.archived_at.is_(None), Profile.user_id.is_not(None))
            .order_by(Profile.id)
        ).all()
        chosen = rng.sample(candidates, min(participants, len(candidates)))
        # Conversations: 3 per simulated participant with another one; a background from accepted requests.
        pairs: dict[str, tuple[tuple[int, int], tuple[int, int]]] = {}
        for pid, uid, _rid in chosen:
            for _ in range(3):
                other = rng.choice(chosen)
                if other[1] != uid:
                    pairs.setdefault(pair_key(uid, other[1]), ((uid, pid), (other[1], other[0])))
        background = conn.execute(
            select(ContactRequest.sender_profile_id, ContactRequest.recipient_profile_id).where(
                ContactRequest.status == ContactStatus.ACCEPTED
            )
        ).all()
        owner = dict(conn.execute(select(Profile.id, Profile.user_id).where(Profile.user_id.is_not(None))).all())
        wanted = len(pairs) + summary.counts.get("profile", len(owner)) // 10
        for sender, recipient in background:
            if len(pairs) >= wanted:
                break
            a, b = owner.get(sender), owner.get(recipient)
            if a and b and a != b:
                pairs.setdefault(pair_key(a, b), ((a, sender), (b, recipient)))
        simulated = {uid for _pid, uid, _rid in chosen}
        conversations, members, messages = [], [], []
        cid, mid, msg = next_id(Conversation), next_id(ConversationMember), next_id(Message)
        for key, (one, two) in pairs.items():
            count = rng.randint(4, 14) if one[0] in simulated and two[0] in simulated else rng.randint(1, 8)
            at = now - timedelta(days=rng.randint(1, 300), minutes=rng.randint(0, 1440))
            last_id = 0
            for _ in range(count):
                writer, reader = (one, two) if rng.random() < 0.5 else (two, one)
                at += timedelta(minutes=rng.randint(3, 3000))
                at = min(at, now - timedelta(minutes=1))
                body = " ".join(rng.choices(WORDS, k=rng.randint(6, 40))).capitalize() + "."
                messages.append({"id": msg, "conversation_id": cid, "sender_user_id": writer[0],
                                 "recipient_user_id": reader[0], "body": body, "created_at": at})  # fmt: skip
                last_id, msg = msg, msg + 1
            conversations.append({"id": cid, "pair_key": key, "created_at": at - timedelta(days=1),
                                  "last_message_at": at})  # fmt: skip
            for user_id, profile_id in (one, two):
                read = last_id if rng.random() < 0.7 else max(last_id - 2, 0)
                members.append({"id": mid, "conversation_id": cid, "user_id": user_id, "profile_id": profile_id,
                                "read_upto": read, "mail_waiting": False, "blocked_at": None,
                                "created_at": at - timedelta(days=1)})  # fmt: skip
                mid += 1
            cid += 1
        notifications = []
        nid = next_id(Notification)
        for _pid, uid, rid in chosen:
            for k in range(12):
                at = now - timedelta(days=rng.randint(0, 120), minutes=rng.randint(0, 1440))
                notifications.append({"id": nid, "user_id": uid, "topic": "registrations",
                                      "subject": f"Anmeldung bestätigt: {rng.choice(STEMS)}abend",
                                      "body": " ".join(rng.choices(WORDS, k=20)), "link": NOTICE_LINK,
                                      "region_id": rid, "created_at": at,
                                      "read_at": at + timedelta(hours=3) if k % 2 else None})  # fmt: skip
                nid += 1
        for model, rows in ((Conversation, conversations), (ConversationMember, members), (Message, messages),
                            (Notification, notifications)):  # fmt: skip
            for start in range(0, len(rows), 5000):
                conn.execute(insert(model.__table__), rows[start : start + 5000])
        conn.execute(
            insert(User.__table__),
            [{"id": next_id(User), "email": f"{MARKER}@{DOMAIN}", "name": "Lasttest", "password_hash": None,
              "global_role": None, "locale": None, "active": False, "created_at": now, "last_login_at": None}],
        )  # fmt: skip
        conn.execute(
            User.__table__.update()
            .where(User.__table__.c.id == summary.umbrella_id)
            .values(totp_secret=UMBRELLA_TOTP, totp_enabled_at=now, totp_last_step=None)
        )
        if conn.dialect.name == "postgresql":
            for name in ("conversation", "conversation_member", "conversation_message", "notification",
                         "user_account"):  # fmt: skip
                conn.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM {name}))")
                )
        db.session.commit()
        index.rebuild_all(db.session)
        db.session.commit()
    # Everyone simulated has been here before: their people-to-meet list exists (the refresh job keeps it
    # fresh), so a home is not a first visit that works the list out (bench/people_to_meet.py measures that).
    with app.app_context(), app.test_request_context():
        for user_id in sorted(simulated):
            services.compute(Viewer.of(db.session.get(User, user_id)), count_new=False)
            db.session.commit()
        db.session.remove()
    with app.app_context():
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE" if conn.dialect.name == "postgresql" else "ANALYZE"))
        db.session.remove()


def _plan(app, summary, seed: int) -> dict:
    from sqlalchemy import select

    from hub.accounts.models import User
    from hub.core.db import db, utcnow
    from hub.core.tenancy import all_regions
    from hub.core.tenancy.models import Region
    from hub.notifications.models import Notification
    from regions.events.models import Event
    from regions.events.vocab import Audience, EventStatus
    from regions.profiles.models import Profile
    from shared.conversations.models import ConversationMember

    with app.app_context(), all_regions():
        # The simulated participants: those with the load test's notifications (a kept database, the same).
        simulated = list(
            db.session.scalars(select(Notification.user_id).where(Notification.link == NOTICE_LINK).distinct())
        )
        slugs = {r.id: r.slug for r in db.session.scalars(select(Region))}
        rows = db.session.execute(
            select(User.id, User.email, Profile.region_id)
            .join(Profile, Profile.user_id == User.id)
            .where(User.id.in_(simulated))
            .order_by(User.id)
        ).all()
        threads: dict[int, list[int]] = {}
        for conversation_id, user_id in db.session.execute(
            select(ConversationMember.conversation_id, ConversationMember.user_id).where(
                ConversationMember.user_id.in_(simulated)
            )
        ):
            threads.setdefault(user_id, []).append(conversation_id)
        soon = utcnow() + timedelta(days=1)
        open_events = db.session.execute(
            select(Event.id, Event.region_id, Event.audience).where(
                Event.status == EventStatus.PUBLISHED,
                Event.starts_at > soon,
                Event.registration_deadline.is_(None),
                Event.series_id.is_(None),
            )
        ).all()
        events_by_region: dict[str, list[int]] = {slug: [] for slug in slugs.values()}
        network_events: list[int] = []
        for event_id, region_id, audience in open_events:
            if audience == Audience.REGION:
                events_by_region[slugs[region_id]].append(event_id)
            else:
                network_events.append(event_id)
        # Only events without registration questions (the generator makes none; a kept database may differ).
        questions = dict(
            db.session.execute(select(Event.id, Event.questions).where(Event.id.in_(network_events))).all()
        )
        network_events = [e for e in network_events if not questions.get(e)]
        db.session.remove()
    today = datetime.now(UTC).date()
    months = []
    year, month = today.year, today.month
    for delta in range(-6, 13):
        m = (month - 1 + delta) % 12 + 1
        y = year + (month - 1 + delta) // 12
        months.append(f"{y:04d}-{m:02d}")
    rng = random.Random(seed)
    return {
        "password": PASSWORD,
        "participants": [
            {"email": email, "region": slugs[region_id], "conversations": threads.get(uid, [])}
            for uid, email, region_id in rows
        ],
        "coordinators": [{"email": email, "region": slug} for slug, email in summary.coordinator_emails.items()],
        "umbrella": {"email": summary.umbrella_email, "totp": UMBRELLA_TOTP},
        "network_events": rng.sample(network_events, min(3000, len(network_events))),
        "region_events": {slug: ids[:1000] for slug, ids in events_by_region.items()},
        "months": months,
        "terms": SEARCH_TERMS,
        "regions": sorted(slugs.values()),
        "counts": summary.counts,
    }


def _set_passwords(app, plan: dict) -> None:
    """One real Argon2id hash (the hub's production parameters as they are now) for every simulated account."""
    from sqlalchemy import update

    from hub.accounts.models import User
    from hub.accounts.passwords import hash_password
    from hub.core.db import db

    emails = [p["email"] for p in plan["participants"]] + [c["email"] for c in plan["coordinators"]]
    emails.append(plan["umbrella"]["email"])
    with app.app_context(), app.test_request_context():
        hashed = hash_password(plan["password"])
        db.session.execute(update(User).where(User.email.in_(emails)).values(password_hash=hashed, active=True))
        # A code of the current time step may be used again (a run right after the last one, the same 30 s).
        db.session.execute(update(User).where(User.email == plan["umbrella"]["email"]).values(totp_last_step=None))
        db.session.commit()
        plan["hash_parameters"] = hashed.split("$")[3] if hashed.count("$") >= 4 else "?"
        db.session.remove()


# -- the server ---------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def hub_environment(url: str, port: int) -> dict[str, str]:
    """What production needs (hub/core/settings.py refuses to start without a real key and a public address),
    Redis for the shared rate-limit counters, and the proxy header trusted: the simulated users come from
    addresses of their own (X-Forwarded-For), as they would behind nginx."""
    env = dict(os.environ)
    env.update(
        {
            "HUB_ENV": "production",
            "HUB_DATABASE_URL": url,
            "HUB_SECRET_KEY": secrets.token_urlsafe(48),
            "HUB_BASE_URL": "https://hub.lasttest.example",
            "HUB_REDIS_URL": os.environ.get("HUB_REDIS_URL", "redis://127.0.0.1:6379/0"),
            "HUB_REDIS_KEY_PREFIX": f"cimis-load-{port}",
            "HUB_PROXY_FIX": "1",
            "HUB_MAIL_SERVER": "",
            "HUB_LOG_LEVEL": os.environ.get("HUB_LOG_LEVEL", "INFO"),  # production's: a JSON line per request
            "HUB_INSTANCE_PATH": f"/tmp/hub-load-instance-{port}",
        }
    )
    return env


class Gunicorn:
    """gunicorn with N sync workers on loopback, started and stopped by the benchmark."""

    def __init__(self, app_spec: str, port: int, workers: int, env: dict[str, str], log: str, threads: int = 1):
        self.port, self.workers = port, workers
        Path(env.get("HUB_INSTANCE_PATH", "/tmp")).mkdir(parents=True, exist_ok=True)
        command = [str(ROOT / ".venv/bin/gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}",
                   "--timeout", "120", "--graceful-timeout", "10", "--chdir", str(ROOT)]  # fmt: skip
        if threads > 1:
            command += ["--threads", str(threads)]
        command.append(app_spec)
        self.log = open(log, "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(command, env=env, stdout=self.log, stderr=self.log, cwd=ROOT)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait(self, path: str = "/", timeout: float = 120) -> None:
        import urllib.error
        import urllib.request

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log.name}")
            try:
                urllib.request.urlopen(self.base + path, timeout=5)
                return
            except urllib.error.HTTPError:
                return  # it answers
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer within {timeout} s; see {self.log.name}")

    def worker_pids(self) -> list[int]:
        import psutil

        try:
            return [c.pid for c in psutil.Process(self.process.pid).children()]
        except psutil.NoSuchProcess:
            return []

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


# -- where it ran -----------------------------------------------------------------------------------


def versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    parts = [f"Python {platform.python_version()}"]
    for name in ("flask", "sqlalchemy", "gunicorn", "locust", "psycopg", "argon2-cffi"):
        with contextlib.suppress(PackageNotFoundError):
            parts.append(f"{name} {version(name)}")
    return ", ".join(parts)


def machine_line() -> str:
    load = os.getloadavg()
    return (
        f"# {platform.node()} · {cpu_model()} · nproc {os.cpu_count()} · "
        f"{datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')} · load average {load[0]:.2f} {load[1]:.2f} "
        f"{load[2]:.2f}\n# {versions()}"
    )


# Flask-Login's "strong" session protection ties a login to the client's address and User-Agent: a client
# that replays the cookie must send the same two headers.
CLIENT_HEADERS = {"X-Forwarded-For": "10.99.0.1", "User-Agent": "cimis-hub-bench"}


def http_login(base: str, email: str, password: str, *, totp: str | None = None):
    """Log in over HTTP like a browser; return the cookie header value of the login session."""
    import http.cookiejar
    import re
    import urllib.parse
    import urllib.request

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = list(CLIENT_HEADERS.items())

    def token(html: str) -> str:
        found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
            r'value="([^"]+)"[^>]*name="csrf_token"', html
        )
        return found.group(1) if found else ""

    page = opener.open(base + "/login").read().decode()
    form = {"email": email, "password": password, "csrf_token": token(page)}
    answer = opener.open(base + "/login", urllib.parse.urlencode(form).encode())
    if totp:
        import pyotp

        page = answer.read().decode()
        if "/login/code" in answer.geturl():
            code = pyotp.TOTP(totp).now()
            answer = opener.open(
                base + "/login/code", urllib.parse.urlencode({"code": code, "csrf_token": token(page)}).encode()
            )
    if "/login" in answer.geturl():
        raise RuntimeError(f"login of {email} failed ({answer.geturl()})")
    return "; ".join(f"{c.name}={c.value}" for c in jar)
