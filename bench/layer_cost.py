"""The cost of the hub's layers (issue 19, item 5): a full endpoint against a bare one running the same SQL.

    .venv/bin/python bench/layer_cost.py [--database postgresql|sqlite] [--workers 4] [--concurrency 8]
        [--seconds 20] [--rounds 2] [--profiles 100000] [--events 20000] [--keep]

1. The data of the load test (bench/load_data.py: the generated network, 100,000 profiles and 20,000 events by
   default; --keep reuses a kept database).
2. For every case, one real request through the hub in this process (Flask test client, the same database,
   logged in as the case's person; a first request warms the caches, the second is captured): every statement
   the hub sends, with its parameters, from SQLAlchemy's ``before_cursor_execute`` event. Only reads are
   replayed; a write (there should be none in a warm GET) is named and left out.
3. Two gunicorn servers with the same settings (-w N sync workers, loopback, same database): the hub
   (``hub.wsgi:app``, production mode as in bench/load_test.py) and bench/bare_app.py, which runs the captured
   statements on a raw DB-API cursor from an SQLAlchemy pool and dumps the rows as JSON.
4. A bounded client with fixed concurrency — wrk (Debian's ``wrk``) if installed, else a Python client with
   threads and keep-alive-less http.client — for --seconds per case and side, the sides alternating for --rounds
   rounds; requests per second (median of the rounds), the ratio full / bare (target ≥ 0.7), and at
   concurrency 1 the time per request (p50). The client's own ceiling is measured on the bare app's ``/noop``
   (no database) with its CPU time per request.

Cases: (a) the calendar month JSON ``GET /api/v1/calendar?start&end`` as a participant (one month); (b) the
directory search, in the API ``GET /api/v1/directory?q=…&region=…`` (JSON against JSON: the comparison the issue
asks for; the page's HTML rendering is a layer the bare endpoint would not have) and, for reference, the page
``GET /directory/?q=…&region=…`` against the same SQL; (c) the signed-in reader of the whole network (the umbrella)
with the calendar JSON of a month with 5 days of overlap on either side (~790 events at 20,000 events), the case
PEERS.md records for Indico (142 ms for 777 events, 3.3.14 under uWSGI with 2 processes, measured 2026-11-25 on a
machine of this kind). Indico is not run here: the comparison is with that recorded figure, not side by side;
(d) the floor: the calendar JSON of a day without events, what every signed-in API request costs before its
own work (session, user, rate limit in Redis, arguments, the response).
"""

from __future__ import annotations

import argparse
import os
import pickle
import re
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load_data  # noqa: E402

INDICO_MS = 142  # PEERS.md: calendar JSON, all regions, one month + overlap (777 events)
INDICO_ISSUE_MS = 75  # issue 19: the same request measured beside the hub in an earlier run on this machine


def month_window(month: str, overlap_days: int = 0) -> tuple[str, str]:
    year, number = (int(x) for x in month.split("-"))
    start = date(year, number, 1) - timedelta(days=overlap_days)
    end = date(year + number // 12, number % 12 + 1, 1) + timedelta(days=overlap_days)
    return start.isoformat(), end.isoformat()


def cases(args, plan: dict) -> list[dict]:
    participant = plan["participants"][0]
    start, end = month_window(args.month)
    wide_start, wide_end = month_window(args.month, overlap_days=args.overlap)
    term = urllib.parse.quote(args.term)
    region = participant["region"]
    return [
        {"name": "calendar_json", "label": "(a) calendar month JSON, participant",
         "path": f"/api/v1/calendar?start={start}&end={end}", "who": "participant"},
        {"name": "directory_api", "label": f"(b) directory search API, '{args.term}' + region",
         "path": f"/api/v1/directory?q={term}&region={region}", "who": "participant"},
        {"name": "directory_page", "label": f"(b') directory page, '{args.term}' + region (HTML vs JSON)",
         "path": f"/directory/?q={term}&region={region}", "who": "participant"},
        {"name": "calendar_json_empty", "label": "(d) the floor: calendar JSON of an empty day, participant",
         "path": "/api/v1/calendar?start=2031-01-01&end=2031-01-02", "who": "participant"},
        {"name": "calendar_json_network", "label": f"(c) calendar JSON, umbrella, month ± {args.overlap} days",
         "path": f"/api/v1/calendar?start={wide_start}&end={wide_end}", "who": "umbrella"},
    ]  # fmt: skip


# -- capturing the SQL ----------------------------------------------------------------------------------


def capture(url: str, plan: dict, the_cases: list[dict]) -> tuple[dict, dict]:
    """Per case: the read statements of one warm request, and what else it sent (left out)."""
    import pyotp
    from sqlalchemy import event, update

    from hub.accounts.models import User
    from hub.core.db import db

    # The login's back-off needs the limiter (in memory here); its limits far above one login each.
    limits = {key: "1000000 per minute" for key in ("LOGIN_LIMIT_PER_IP", "API_LIMIT_PER_USER", "API_LIMIT_PER_IP")}
    app = load_data.prep_app(url, WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=True, **limits)
    clients = {}
    for who, account in (("participant", plan["participants"][0]), ("umbrella", plan["umbrella"])):
        client = app.test_client()
        answer = client.post("/login", data={"email": account["email"], "password": plan["password"]})
        if "/login/code" in (answer.headers.get("Location") or ""):
            answer = client.post("/login/code", data={"code": pyotp.TOTP(account["totp"]).now()})
        assert answer.status_code == 302 and "/login" not in answer.headers["Location"], f"login {who}"
        clients[who] = client
    with app.app_context():
        engine = db.engine
        # The HTTP login of the umbrella below may use the same time step's code again.
        db.session.execute(update(User).where(User.email == plan["umbrella"]["email"]).values(totp_last_step=None))
        db.session.commit()
        db.session.remove()
    seen: list[tuple[str, object]] = []
    listener = lambda conn, cursor, statement, parameters, context, executemany: seen.append((statement, parameters))  # noqa: E731
    captured, skipped = {}, {}
    for case in the_cases:
        client = clients[case["who"]]
        assert client.get(case["path"]).status_code == 200, case["path"]  # warm
        seen.clear()
        event.listen(engine, "before_cursor_execute", listener)
        answer = client.get(case["path"])
        event.remove(engine, "before_cursor_execute", listener)
        assert answer.status_code == 200, case["path"]
        reads = [(s, p) for s, p in seen if s.lstrip().upper().startswith(("SELECT", "WITH"))]
        captured[case["name"]] = reads
        skipped[case["name"]] = [s.split()[0] for s, _p in seen if (s, _p) not in reads]
        case["statements"] = len(reads)
        case["size_full"] = len(answer.data)
        if case["name"].startswith("calendar_json"):
            case["events"] = len(answer.get_json())
    with app.app_context():
        db.engine.dispose()
    return captured, skipped


# -- the client ---------------------------------------------------------------------------------------


def wrk(url: str, cookie: str, concurrency: int, seconds: float) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    duration = f"{max(1, round(seconds))}s"
    command = ["wrk", "-t", str(min(concurrency, 2)), "-c", str(concurrency), "-d", duration, "--latency",
               "--timeout", "30s"]  # fmt: skip
    for header, value in load_data.CLIENT_HEADERS.items():
        command += ["-H", f"{header}: {value}"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)

    def pct(q: str) -> float:
        found = re.search(rf"^\s+{q}%\s+([\d.]+)(us|ms|s)\b", out, re.M)
        value, unit = float(found.group(1)), found.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"rps": rps, "requests": total, "p50": pct("50"), "p99": pct("99"), "bad": int(bad.group(1)) if bad else 0,
            "socket_errors": errors.group(1).strip() if errors else "", "client_cpu": cpu}  # fmt: skip


def python_client(url: str, cookie: str, concurrency: int, seconds: float) -> dict:
    """Threads, each with its own connection per request (gunicorn's sync workers close it anyway)."""
    import http.client

    parsed = urllib.parse.urlsplit(url)
    target = parsed.path + ("?" + parsed.query if parsed.query else "")
    headers = {**load_data.CLIENT_HEADERS, **({"Cookie": cookie} if cookie else {})}
    times: list[float] = []
    bad = [0]
    stop = time.monotonic() + seconds
    lock = threading.Lock()
    started_cpu = time.process_time()

    def worker():
        local, wrong = [], 0
        while time.monotonic() < stop:
            begun = time.perf_counter()
            connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
            connection.request("GET", target, headers=headers)
            response = connection.getresponse()
            response.read()
            connection.close()
            local.append(time.perf_counter() - begun)
            wrong += not (200 <= response.status < 400)
        with lock:
            times.extend(local)
            bad[0] += wrong

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    begun = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - begun
    ordered = sorted(times)
    return {"rps": len(times) / wall, "requests": len(times), "p50": statistics.median(ordered) * 1000,
            "p99": ordered[int(0.99 * (len(ordered) - 1))] * 1000, "bad": bad[0], "socket_errors": "",
            "client_cpu": time.process_time() - started_cpu}  # fmt: skip


def sample(url: str, cookie: str) -> str:
    """One answer's status and the start of its body, to say what went wrong."""
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, headers={**load_data.CLIENT_HEADERS, "Cookie": cookie})
    try:
        with urllib.request.urlopen(request) as answer:
            return f"{answer.status} {answer.read(300)!r}"
    except urllib.error.HTTPError as error:
        return f"{error.code} {error.read(300)!r}"


# -- the run ------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="postgresql")
    parser.add_argument("--database-url")
    parser.add_argument("--profiles", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--matches", type=int, default=1_000)
    parser.add_argument("--participants", type=int, default=1_000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--month", default="2026-03")
    parser.add_argument("--overlap", type=int, default=5, help="days before and after the month in case (c)")
    parser.add_argument("--term", default="holz")
    parser.add_argument("--client", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    dialect = args.database
    url = args.database_url or load_data.default_url(dialect, args.profiles)
    plan = load_data.prepare(url, profiles=args.profiles, events=args.events, matches=args.matches,
                             participants=args.participants, seed=args.seed, keep=args.keep)  # fmt: skip
    the_cases = cases(args, plan)
    captured, skipped = capture(url, plan, the_cases)
    statements_file = f"/tmp/hub_layer_statements_{dialect}_{os.getpid()}.pickle"
    with open(statements_file, "wb") as f:
        pickle.dump(captured, f)
    use_wrk = args.client == "wrk" or (args.client == "auto" and shutil.which("wrk"))
    client = wrk if use_wrk else python_client
    full_port, bare_port = load_data.free_port(), load_data.free_port()
    hub_env = load_data.hub_environment(url, full_port)
    # The API's per-person limit (300 a minute) would answer most of a fixed-concurrency client's requests
    # with 429: raised here; the limiter still counts every request in Redis, as in production.
    hub_env.update(HUB_API_LIMIT_PER_USER="100000000 per minute", HUB_API_LIMIT_PER_IP="100000000 per minute")
    bare_env = dict(os.environ, BARE_DATABASE_URL=url, BARE_STATEMENTS=statements_file)
    full = load_data.Gunicorn("hub.wsgi:app", full_port, args.workers, hub_env, f"/tmp/hub_layer_full_{full_port}.log")
    bare_env["PYTHONPATH"] = str(load_data.BENCH)
    bare = load_data.Gunicorn("bare_app:app", bare_port, args.workers, bare_env, f"/tmp/hub_layer_bare_{bare_port}.log")
    try:
        full.wait("/login")
        bare.wait("/noop")
        cookies = {
            "participant": load_data.http_login(full.base, plan["participants"][0]["email"], plan["password"]),
            "umbrella": load_data.http_login(
                full.base, plan["umbrella"]["email"], plan["password"], totp=plan["umbrella"]["totp"]
            ),
        }
        print(load_data.machine_line())
        counts = plan["counts"]
        print(
            f"# {plan['database_version']} · {counts.get('profile', 0):,} profiles, {counts.get('event', 0):,} "
            f"events · gunicorn -w {args.workers} (sync) for both apps · client "
            f"{'wrk' if use_wrk else 'Python threads'}, concurrency {args.concurrency}, {args.seconds:g} s per side "
            f"and round, {args.rounds} rounds",
            flush=True,
        )
        for case in the_cases:
            warm = client(f"{full.base}{case['path']}", cookies[case["who"]], 2, 1)
            client(f"{bare.base}/case/{case['name']}", "", 2, 1)
            if warm["bad"]:
                what = sample(full.base + case["path"], cookies[case["who"]])
                raise SystemExit(f"{case['path']}: {warm['bad']} answers not 2xx/3xx from the hub, e.g. {what}")
        ceiling = client(f"{bare.base}/noop", "", args.concurrency, args.seconds)
        print(
            f"# client ceiling: /noop of the bare app (no database) {ceiling['rps']:.0f} requests/s, client CPU "
            f"{1e6 * ceiling['client_cpu'] / max(ceiling['requests'], 1):.0f} µs per request"
        )
        print()
        print(
            "| case | SQL statements | full req/s | bare req/s | full / bare | full p50 ms (c=1) | bare p50 ms (c=1) |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|")
        errors = 0
        for case in the_cases:
            full_rps, bare_rps = [], []
            for _ in range(args.rounds):
                one = client(f"{full.base}{case['path']}", cookies[case["who"]], args.concurrency, args.seconds)
                two = client(f"{bare.base}/case/{case['name']}", "", args.concurrency, args.seconds)
                full_rps.append(one["rps"])
                bare_rps.append(two["rps"])
                errors += one["bad"] + two["bad"]
            single_full = client(f"{full.base}{case['path']}", cookies[case["who"]], 1, max(args.seconds / 2, 3))
            single_bare = client(f"{bare.base}/case/{case['name']}", "", 1, max(args.seconds / 2, 3))
            errors += single_full["bad"] + single_bare["bad"]
            f, b = statistics.median(full_rps), statistics.median(bare_rps)
            label = case["label"] + (f" ({case['events']} events)" if "events" in case else "")
            left = f" (left out: {', '.join(skipped[case['name']])})" if skipped[case["name"]] else ""
            print(
                f"| {label} | {case['statements']}{left} | {f:.1f} | {b:.1f} | {f / b:.2f} | "
                f"{single_full['p50']:.1f} | {single_bare['p50']:.1f} |",
                flush=True,
            )
            case["single_full"] = single_full["p50"]
        network = next(c for c in the_cases if c["name"] == "calendar_json_network")
        print(
            f"\nWhole-network reader: {network['single_full']:.0f} ms per request for {network.get('events')} events "
            f"at concurrency 1, against Indico's recorded {INDICO_MS} ms for 777 events (PEERS.md) and "
            f"{INDICO_ISSUE_MS} ms (issue 19, an earlier run beside the hub); Indico is not run here: "
            f"{network['single_full'] / INDICO_MS:.2f} and {network['single_full'] / INDICO_ISSUE_MS:.2f} of "
            f"Indico's time (target ≤ 0.5)."
        )
        print(f"answers not 2xx/3xx: {errors}")
    finally:
        full.stop()
        bare.stop()
        Path(statements_file).unlink(missing_ok=True)
        if not args.keep:
            load_data.drop_database(url)


if __name__ == "__main__":
    main()
