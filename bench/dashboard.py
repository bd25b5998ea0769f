"""How fast the umbrella's dashboards, the KPI API and the funder report answer on a generated network (issue 6).

Targets of the issue, on 100,000 profiles, 20,000 events and 1,000 matches: dashboard p95 < 300 ms, funder
PDF < 10 s. The network comes from ``bench/network_data.py`` (seeded, bulk-inserted; see there what it
holds); the database is made with the real migrations. Then, through the Flask test client, each request
is made once cold, --warmup times more, then timed --runs times (the PDF --pdf-runs times):

- the umbrella's dashboard with its default filter (the cohort running today) and for the older cohort;
- a region's dashboard as that region's coordinator (--region, default the largest region, Dresden);
  these and the comparison are counted on every request (``?fresh=1``); two more cases read the counts the
  pages keep for REPORT_FIGURES_SECONDS (shared/reports/snapshots.py), as most requests of a day do;
- the KPI API for the older cohort (the umbrella's API token);
- the region comparison and the program timeline for the older cohort;
- the funder report PDF of the older cohort.

The pages are 300 ms targets (each is a view of the dashboard's numbers), the PDF a 10 s one. Each row
shows median, p95 and max wall time, the median CPU time of the process (steadier on a shared machine),
the SQL statements per request, the time of those statements (one traced request, each statement run
again with all its rows fetched: SQLite computes much of a result while it is fetched, which statement
events do not see), the response size, the peak of Python's allocations during one request (tracemalloc,
a lower bound: C extensions are not seen) and the peak resident memory of the process while the case ran
(VmHWM, reset before each case where Linux allows; the generator runs in a process of its own). Then
the slowest statements are printed; --explain adds their query plans (EXPLAIN QUERY PLAN on SQLite,
EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL).

A path that answers 404 (not built yet) is skipped with a line saying so. Exit status: 0 all targets
met, 1 a target missed or a request failed, 2 nothing missed but some paths skipped.

Usage:
  .venv/bin/python bench/dashboard.py [--profiles 100000 --events 20000 --matches 1000] [--runs 30] [--explain]
  .venv/bin/python bench/dashboard.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/hub_bench_dashboard
A PostgreSQL database that does not exist is created and dropped afterwards, the SQLite file of a fresh
run is deleted; --keep keeps either, and a kept database that holds the network of the same seed is
used again without generating it. --extra-index 'TABLE (COLUMNS)' (repeatable) adds an index before
timing and drops it afterwards, to evaluate one for a migration; SQLite gets its planner statistics
(ANALYZE, as `hub setup` and `hub analyze` make them) unless --no-analyze; like hub/wsgi.py, the
benchmark moves the warm app's objects out of the garbage collector's reach (gc.freeze(); leave it out
with --no-gc-freeze), which takes the full collections (about 100 ms each on the machine measured,
every few requests) out of the tail.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from dataclasses import dataclass, field
from pathlib import Path

from _support import BENCH_CONFIG, cpu_model, postgres_database  # noqa: E402 - bench/ is on sys.path when run as a script
from network_data import existing_network

# The code of the checkout this script is in, not whichever copy the venv has installed.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PAGE_TARGET_MS = 300.0
PDF_TARGET_MS = 10_000.0


@dataclass
class Case:
    name: str
    client: str  # "umbrella" | "coordinator" | "api"
    path: str
    target_ms: float
    runs: int
    samples: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    sql_ms: float = 0.0  # the traced request's statements, replayed with every row fetched
    size: int = 0
    cold_ms: float = 0.0
    peak_python: int = 0
    peak_rss: int | None = None
    status: str = "ok"  # ok | skipped | failed
    note: str = ""

    def p(self, share: float) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, int(len(ordered) * share))]

    @property
    def missed(self) -> bool:
        return self.status == "ok" and self.p(0.95) >= self.target_ms


class SqlMeter:
    """Counts the statements sent to the database; in tracing mode keeps each one with its parameters."""

    def __init__(self, engine):
        from sqlalchemy import event

        self.count = 0
        self.tracing = False
        self.trace: list[tuple[str, object, bool]] = []
        event.listen(engine, "after_cursor_execute", self._after)

    def reset(self) -> None:
        self.count, self.trace = 0, []

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        self.count += 1
        if self.tracing:
            self.trace.append((statement, parameters, executemany))


def _reset_peak_rss() -> bool:
    """Reset the process's peak resident set (VmHWM) on Linux; False where that is not allowed."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _peak_rss() -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def main() -> None:
    """Generate (or reuse) the network, time every case, print the table and the slowest statements."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--profiles", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--matches", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--pdf-runs", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--region", default="dresden", help="the region whose coordinator's dashboard is timed")
    parser.add_argument("--database-url")
    parser.add_argument("--keep", action="store_true", help="keep the database (and reuse its network next time)")
    parser.add_argument("--only", help="run only the cases whose name contains this")
    parser.add_argument("--explain", action="store_true", help="print the plans of the slowest statements")
    parser.add_argument("--top", type=int, default=8, help="how many of the slowest statements to print")
    parser.add_argument(
        "--extra-index",
        action="append",
        default=[],
        metavar="TABLE(COLUMNS)",
        help="add an index before timing (and drop it afterwards), to evaluate one for a migration, "
        "e.g. 'profile (region_id, created_at, archived_at, kind)'; repeatable",
    )
    parser.add_argument(
        "--no-gc-freeze",
        action="store_true",
        help="leave out gc.freeze() (which hub/wsgi.py, the production entry point, does once the app is built)",
    )
    parser.add_argument(
        "--no-analyze",
        action="store_true",
        help="leave SQLite without planner statistics (`hub setup` and `hub analyze` make them; PostgreSQL's "
        "autovacuum always does)",
    )
    args = parser.parse_args()
    scratch = None if args.database_url else tempfile.mkdtemp(prefix="hub-bench-")
    url = args.database_url or f"sqlite:///{scratch}/bench.sqlite3"
    if url.startswith("postgresql"):
        drop = postgres_database(url, args.keep)
    else:
        drop = (lambda: None) if args.keep or not scratch else (lambda: shutil.rmtree(scratch, ignore_errors=True))
    try:
        code = _run(url, args)
    finally:
        drop()
    if args.keep and scratch:
        print(f"# kept {url}")
    raise SystemExit(code)


def _run(url: str, args) -> int:
    from flask_migrate import upgrade
    from sqlalchemy import func, select, text

    from hub import create_app
    from hub.accounts.models import User
    from hub.accounts.services import create_access_token
    from hub.core.db import db
    from hub.core.tenancy import all_regions
    from hub.core.tenancy.registry import sync_regions
    from regions.profiles.models import Profile

    app = create_app({**BENCH_CONFIG, "SQLALCHEMY_DATABASE_URI": url, "REPORT_FIGURES_SECONDS": 300})
    with app.app_context():
        upgrade()
        sync_regions()
        with all_regions():
            existing = db.session.scalar(select(func.count()).select_from(Profile))
        db.session.remove()
    summary = existing_network(app, args.seed) if existing else None
    generated = None
    if summary is None:
        if existing:
            raise SystemExit(f"the database holds {existing} profiles but no network of seed {args.seed}")
        # In a process of its own, so that this one's memory figures are the requests' and not the generator's.
        started = time.perf_counter()
        sizes = ["--profiles", args.profiles, "--events", args.events, "--matches", args.matches, "--seed", args.seed]
        script = Path(__file__).with_name("network_data.py")
        subprocess.run([sys.executable, str(script), "--database-url", url, *map(str, sizes)], check=True)
        generated = time.perf_counter() - started
        summary = existing_network(app, args.seed)
    dialect = url.split(":", 1)[0].split("+")[0]
    with app.app_context():
        # The steady state after a bulk load: PostgreSQL's autovacuum has made planner statistics and the
        # visibility map; SQLite has copied its write-ahead log back into the database file.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            for n, spec in enumerate(args.extra_index):
                connection.execute(text(f"DROP INDEX IF EXISTS ix_bench_extra_{n}"))  # left by a broken run
                connection.execute(text(f"CREATE INDEX ix_bench_extra_{n} ON {spec}"))
            if dialect == "postgresql":
                connection.execute(text("VACUUM ANALYZE"))
            else:
                connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
                if not args.no_analyze:
                    connection.execute(text("ANALYZE"))  # what `hub analyze` does after a large import
                else:  # statistics left by an earlier run
                    connection.execute(text("DROP TABLE IF EXISTS sqlite_stat1"))
                    connection.execute(text("DROP TABLE IF EXISTS sqlite_stat4"))
        version = db.session.scalar(
            text("SELECT sqlite_version()") if dialect == "sqlite" else text("SHOW server_version")
        )
        umbrella = db.session.get(User, summary.umbrella_id)
        _token, api_token = create_access_token(umbrella, "dashboard benchmark")
        db.session.commit()
        db.session.remove()

    cohorts = summary.cohorts
    older = cohorts[0]
    counts = summary.counts
    print(
        f"# {platform.node()} · {cpu_model()} · {os.cpu_count()} cores · Python {platform.python_version()} · "
        f"{time.strftime('%Y-%m-%d %H:%M')} · {dialect} {version}"
        + (" (no statistics)" if dialect == "sqlite" and args.no_analyze else "")
        + "".join(f" · extra index {spec}" for spec in args.extra_index)
        + (" · gc.freeze() as in hub/wsgi.py" if not args.no_gc_freeze else " · no gc.freeze()")
    )
    print(
        f"# network: {counts.get('profile', 0):,} profiles, {counts.get('event', 0):,} events, "
        f"{counts.get('registration', 0):,} registrations, {counts.get('contact_request', 0):,} contact requests, "
        f"{counts.get('cocreation_match', 0):,} matches in {len(cohorts)} cohorts "
        + (f"(generated in {generated:.1f} s)" if generated is not None else "(reused)")
        + f"; load {os.getloadavg()[0]:.2f}"
    )
    print(
        f"# cohort for ?cohort= and the PDF: {older} (the older one); default filter: the cohort running today; "
        f"{args.warmup} warm-up + {args.runs} timed runs ({args.pdf_runs} for the PDF)",
        flush=True,
    )

    clients = {"umbrella": app.test_client(), "coordinator": app.test_client(), "api": app.test_client()}
    for who, email in (("umbrella", summary.umbrella_email), ("coordinator", summary.coordinator_emails[args.region])):
        answer = clients[who].post("/login", data={"email": email, "password": summary.password})
        assert answer.status_code == 302, (who, answer.status_code)
    headers = {"api": {"Authorization": f"Bearer {api_token}"}}

    page, pdf, n = PAGE_TARGET_MS, PDF_TARGET_MS, args.runs
    cases = [
        # ?fresh=1: counted on every request (the pages keep their counts for REPORT_FIGURES_SECONDS otherwise).
        Case("umbrella dashboard (default filter)", "umbrella", "/umbrella/dashboard?fresh=1", page, n),
        Case("umbrella dashboard, cohort", "umbrella", f"/umbrella/dashboard?cohort={older}&fresh=1", page, n),
        Case(
            f"region dashboard ({args.region}, coordinator)",
            "coordinator",
            f"/{args.region}/dashboard?fresh=1",
            page,
            n,
        ),
        Case("umbrella dashboard, kept counts", "umbrella", "/umbrella/dashboard", page, n),
        Case(f"region dashboard ({args.region}), kept counts", "coordinator", f"/{args.region}/dashboard", page, n),
        Case("KPI API, cohort", "api", f"/api/v1/kpis?cohort={older}", page, n),
        Case("region comparison", "umbrella", "/umbrella/compare?fresh=1", page, n),
        Case("program timeline, cohort", "umbrella", f"/umbrella/timeline?cohort={older}", page, n),
        Case("funder report PDF, cohort", "umbrella", f"/umbrella/reports/cohort/{older}.pdf", pdf, args.pdf_runs),
    ]
    if args.only:
        cases = [c for c in cases if args.only in c.name]
    if not args.no_gc_freeze:
        for case in cases:  # every module and template loaded, then frozen
            clients[case.client].get(case.path, headers=headers.get(case.client, {})).get_data()
        gc.collect()
        gc.freeze()

    with app.app_context():
        meter = SqlMeter(db.engine)
    traces: list[tuple[float, str, str, object]] = []
    for case in cases:
        _measure(case, clients[case.client], headers.get(case.client, {}), meter, args.warmup)
        if case.status == "ok":
            meter.reset()
            meter.tracing = True
            clients[case.client].get(case.path, headers=headers.get(case.client, {})).get_data()
            meter.tracing = False
            reads = [(sql, params) for sql, params, many in meter.trace if not many and _is_read(sql)]
            replayed = _replay(app, reads)
            case.sql_ms = sum(replayed)
            traces += [(ms, case.name, sql, params) for ms, (sql, params) in zip(replayed, reads, strict=True)]
        _print_row(case)

    _print_table(cases)
    _print_slowest(app, traces, args)
    with app.app_context():
        # A kept database stays as the generator left it, for the next run's comparison.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            for n in range(len(args.extra_index)):
                connection.execute(text(f"DROP INDEX ix_bench_extra_{n}"))
        db.engine.dispose()
    failed = [c for c in cases if c.status == "failed" or c.missed]
    skipped = [c for c in cases if c.status == "skipped"]
    if failed:
        print(f"# MISSED or FAILED: {', '.join(c.name for c in failed)}")
        return 1
    if skipped:
        print(f"# all measured targets met; {len(skipped)} path(s) skipped (404)")
        return 2
    print("# all targets met")
    return 0


def _measure(case: Case, client, headers: dict, meter: SqlMeter, warmup: int) -> None:
    started = time.perf_counter()
    first = client.get(case.path, headers=headers)
    first.get_data()
    case.cold_ms = (time.perf_counter() - started) * 1000
    if first.status_code == 404:
        case.status, case.note = "skipped", "answers 404 — not built yet?"
        return
    if first.status_code != 200:
        case.status, case.note = "failed", f"answers {first.status_code}"
        return
    for _ in range(warmup if case.target_ms <= PAGE_TARGET_MS else 1):
        client.get(case.path, headers=headers).get_data()
    rss_reset = _reset_peak_rss()
    for _ in range(case.runs):
        meter.reset()
        cpu, wall = time.process_time(), time.perf_counter()
        response = client.get(case.path, headers=headers)
        body = response.get_data()
        case.samples.append((time.perf_counter() - wall) * 1000)
        case.cpu.append((time.process_time() - cpu) * 1000)
        case.queries.append(meter.count)
        if response.status_code != 200:
            case.status, case.note = "failed", f"answers {response.status_code} on a timed run"
            return
        case.size = len(body)
    case.peak_rss = _peak_rss() if rss_reset else None
    tracemalloc.start()
    client.get(case.path, headers=headers).get_data()
    case.peak_python = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()


def _size(n: int) -> str:
    return f"{n / 1024:.0f} kB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.1f} MB"


def _ms(value: float) -> str:
    return f"{value:,.1f} ms" if value < 10_000 else f"{value / 1000:,.2f} s"


def _print_row(case: Case) -> None:
    if case.status != "ok":
        print(f"{case.name:42s} {case.status.upper()}: GET {case.path} {case.note}", flush=True)
        return
    verdict = "MISSED" if case.missed else "ok"
    print(
        f"{case.name:42s} median {_ms(statistics.median(case.samples)):>10s}  p95 {_ms(case.p(0.95)):>10s}  "
        f"{min(case.queries)}–{max(case.queries)} SQL  {_size(case.size):>7s}  target {_ms(case.target_ms)} {verdict}",
        flush=True,
    )


def _print_table(cases: list[Case]) -> None:
    print()
    print(
        "| case | median | p95 | max | CPU median | SQL statements | SQL time (replayed) | size | "
        "peak Python (1 request) | peak RSS | cold | target |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for c in cases:
        if c.status != "ok":
            print(f"| {c.name} | {c.status}: {c.note} | | | | | | | | | | |")
            continue
        queries = str(c.queries[0]) if min(c.queries) == max(c.queries) else f"{min(c.queries)}–{max(c.queries)}"
        rss = f"{c.peak_rss / 1024 / 1024:.0f} MiB" if c.peak_rss else "–"
        print(
            f"| {c.name} | {_ms(statistics.median(c.samples))} | {_ms(c.p(0.95))} | {_ms(max(c.samples))} | "
            f"{_ms(statistics.median(c.cpu))} | {queries} | {_ms(c.sql_ms)} | {_size(c.size)} | "
            f"{c.peak_python / 1024 / 1024:.1f} MiB | {rss} | {_ms(c.cold_ms)} | "
            f"< {_ms(c.target_ms)} {'**missed**' if c.missed else 'met'} |"
        )
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(f"\n# peak RSS of this process over the whole run: {max_rss / 1024 / 1024:.0f} MiB")


def _is_read(sql: str) -> bool:
    return sql.lstrip().split(None, 1)[0].upper() in ("SELECT", "WITH")


def _replay(app, statements) -> list[float]:
    """Each statement run again on a raw connection with all its rows fetched: its whole cost in ms.

    The statement events time ``cursor.execute`` only, and SQLite computes much of a result while it is
    fetched (a GROUP BY that follows an index streams its groups), so the events alone under-report.
    """
    from hub.core.db import db

    out = []
    with app.app_context():
        connection = db.engine.raw_connection()
        try:
            cursor = connection.cursor()
            for sql, params in statements:
                started = time.perf_counter()
                cursor.execute(sql, params)
                cursor.fetchall()
                out.append((time.perf_counter() - started) * 1000)
            connection.rollback()
        finally:
            connection.close()
    return out


def _print_slowest(app, traces, args) -> None:
    if not traces:
        return
    seen, slowest = set(), []
    for ms, case, sql, params in sorted(traces, key=lambda t: -t[0]):
        key = " ".join(sql.split())
        if key in seen:
            continue
        seen.add(key)
        slowest.append((ms, case, sql, params))
        if len(slowest) == args.top:
            break
    print(f"\n# the {len(slowest)} slowest statements (one traced request per case, replayed with all rows fetched):")
    from hub.core.db import db

    for ms, case, sql, params in slowest:
        flat = " ".join(sql.split())
        print(f"\n## {ms:.1f} ms — {case}\n{flat[:1500]}{' …' if len(flat) > 1500 else ''}")
        print(f"   parameters: {str(params)[:300]}")
        if not args.explain:
            continue
        with app.app_context():
            connection = db.engine.raw_connection()
            try:
                cursor = connection.cursor()
                if db.engine.dialect.name == "postgresql":
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                    plan = [row[0] for row in cursor.fetchall()]
                else:
                    cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
                    plan = _sqlite_plan(cursor.fetchall())
                connection.rollback()
            except Exception as exc:  # noqa: BLE001 - a plan we cannot get is reported, not fatal
                plan = [f"(no plan: {exc})"]
            finally:
                connection.close()
        print("   plan:\n" + "\n".join(f"     {line}" for line in plan))


def _sqlite_plan(rows) -> list[str]:
    """SQLite's plan rows (id, parent, notused, detail), indented as the tree they form."""
    depth, out = {0: -1}, []
    for node, parent, _unused, detail in rows:
        depth[node] = depth.get(parent, -1) + 1
        out.append("  " * depth[node] + detail)
    return out


if __name__ == "__main__":
    main()
