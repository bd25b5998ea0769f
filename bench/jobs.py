"""What the background jobs cost on a large network, and how fast the outbox drains (issue 12).

The issue names no speed target; the figures show that the jobs' sweeps stay cheap as the network grows
and that a run with nothing to do costs a handful of statements. On the network of ``bench/network_data.py``
(default 100,000 profiles, 20,000 events over 2025–2027, 1,000 matches; made with the real migrations):

1. every job once ("first run": it finds what is due today and tells everyone), then once more
   ("quiet run": everything is done), each with its wall time and its SQL statements;
2. the outbox: --mails messages queued, then delivered to an aiosmtpd server on loopback by 1 and by 2
   senders at once (``hub.core.mail.jobs.send_outbox`` in processes of their own), with the messages per
   second and a check that every message arrived exactly once.

Usage:
  .venv/bin/python bench/jobs.py [--profiles 100000 --events 20000 --matches 1000] [--mails 2000]
  .venv/bin/python bench/jobs.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/hub_bench_jobs
"""

from __future__ import annotations

import argparse
import multiprocessing
import platform
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _support import BENCH_CONFIG, bench_database  # noqa: E402
from network_data import generate_network  # noqa: E402


def _app(url: str):
    from flask_migrate import upgrade

    from hub import create_app
    from hub.core.tenancy.registry import sync_regions

    app = create_app({**BENCH_CONFIG, "SQLALCHEMY_DATABASE_URI": url, "BASE_URL": "http://hub.bench"})
    with app.app_context():
        upgrade()
        sync_regions()
    return app


def time_jobs(app) -> list[tuple[str, str, float, int, dict]]:
    """(job, first|quiet, seconds, statements, summary) for every job but the outbox's."""
    from hub.core.jobs import registered_jobs
    from hub.core.jobs.runner import execute
    from tests.statements import counted

    rows = []
    for job_id in registered_jobs():
        if job_id == "mail.send_outbox":
            continue
        for label in ("first", "quiet"):
            with app.app_context(), counted(app) as statements:
                started = time.perf_counter()
                run = execute(job_id)
                elapsed = time.perf_counter() - started
            if run.outcome != "ok":
                raise SystemExit(f"{job_id} failed:\n{run.error}")
            rows.append((job_id, label, elapsed, len(statements), dict(run.summary)))
    return rows


def _sender(url: str, port: int, results) -> None:
    app = _app(url)
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False)
    from hub.core.mail.jobs import send_outbox

    with app.app_context():
        results.put(send_outbox()["sent"])


def time_outbox(app, url: str, mails: int, senders: int) -> tuple[float, int, int, int]:
    """Queue ``mails`` messages and let ``senders`` processes deliver them: (seconds, arrived, distinct, sent)."""
    from hub.core.db import db
    from hub.core.mail.models import OutboxMessage
    from hub.core.mail.services import enqueue
    from tests.processes import SMTPServer

    with app.app_context():
        db.session.execute(OutboxMessage.__table__.delete())
        for n in range(mails):
            enqueue(f"empfang{n}@bench.example", f"Nachricht {n}", "Guten Tag,\n\nein Test.\n")
        db.session.commit()
    smtp = SMTPServer().start()
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    processes = [context.Process(target=_sender, args=(url, smtp.port, results)) for _ in range(senders)]
    started = time.perf_counter()
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    elapsed = time.perf_counter() - started
    smtp.stop()
    sent = sum(results.get() for _ in processes)
    arrived = [m["To"] for m in smtp.received()]
    return elapsed, len(arrived), len(Counter(arrived)), sent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--matches", type=int, default=1_000)
    parser.add_argument("--mails", type=int, default=2_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()

    print(f"{platform.processor() or platform.machine()}, Python {platform.python_version()}")
    with bench_database(args.database_url) as url:
        app = _app(url)
        started = time.perf_counter()
        generate_network(app, profiles=args.profiles, events=args.events, matches=args.matches)
        print(f"network generated in {time.perf_counter() - started:.1f} s ({url.split(':')[0]})")
        print(f"{'job':34} {'run':6} {'ms':>9} {'SQL':>6}  did")
        for job_id, label, seconds, statements, summary in time_jobs(app):
            did = ", ".join(f"{k} {v}" for k, v in summary.items())
            print(f"{job_id:34} {label:6} {seconds * 1000:9.1f} {statements:6}  {did}")
        ok = True
        for senders in (1, 2):
            seconds, arrived, distinct, sent = time_outbox(app, url, args.mails, senders)
            once = arrived == distinct == sent == args.mails
            ok &= once
            print(
                f"outbox: {args.mails} messages, {senders} sender(s): {seconds:.2f} s, "
                f"{args.mails / seconds:.0f} messages/s, arrived {arrived} ({distinct} distinct) "
                f"{'each once' if once else 'NOT each once'}"
            )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
