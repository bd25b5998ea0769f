"""Load test (issue 19): many people at once against gunicorn on loopback, in production mode.

    .venv/bin/python bench/load_test.py [--database both|sqlite|postgresql] [--users 100] [--duration 180]
        [--workers 4] [--wait 1-5] [--profiles 100000] [--events 20000] [--keep]

For each database: makes (or with --keep reuses) the generated network and the simulated people
(bench/load_data.py), starts ``gunicorn -w N hub.wsgi:app`` with HUB_ENV=production (a real secret key, a public
base URL, Redis for the shared rate-limit counters, one trusted proxy hop), runs locust headless with
bench/locustfile.py for --duration seconds (--users people, started --spawn-rate a second), and meanwhile
samples the CPU time of the gunicorn workers, of the PostgreSQL backends of this database, of locust itself
and of the whole machine (psutil, every second). Prints the machine, the versions, per request kind the
count, failures, p50/p95/p99 and requests per second (locust's figures: response times above 100 ms are
rounded to 10 ms), the failures by kind, server errors in gunicorn's log, where the CPU went and what limits
(the workers or the database), and a markdown table for docs/BENCHMARKS.md. Exit status 1 when a request
failed.

Passwords are real Argon2id hashes with the hub's production parameters (``PASSWORD_HASH_PROFILE`` as configured):
every login (at the start, and when a participant signs out and in as someone else) pays a real check.
--wait 0 drops the think time (a closed loop: the most the server does, not 100 people using it).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load_data  # noqa: E402

TARGET_P95_MS = 300


class CpuSampler(threading.Thread):
    """CPU seconds of the gunicorn workers, the database's backends, the client and the whole machine."""

    def __init__(self, server: load_data.Gunicorn, database: str | None, client_pid: int | None, every: float = 1.0):
        super().__init__(daemon=True)
        import psutil

        self.psutil, self.server, self.database, self.client_pid, self.every = (
            psutil,
            server,
            database,
            client_pid,
            every,
        )
        self.stop_event = threading.Event()
        self.first: dict[tuple[str, int], float] = {}
        self.last: dict[tuple[str, int], float] = {}
        self.machine_first = psutil.cpu_times()
        self.machine_last = self.machine_first
        self.started = self.ended = time.monotonic()
        self.samples: list[dict[str, float]] = []

    def _pids(self) -> list[tuple[str, int]]:
        found = [("workers", pid) for pid in self.server.worker_pids()]
        if self.client_pid:
            found.append(("client", self.client_pid))
        if self.database:
            for proc in self.psutil.process_iter(["name", "cmdline"]):
                try:
                    line = " ".join(proc.info["cmdline"] or [])
                except (self.psutil.Error, TypeError):
                    continue
                if line.startswith("postgres:") and f" {self.database} " in f"{line} ":
                    found.append(("database", proc.pid))
        return found

    def _read(self) -> None:
        now: dict[str, float] = {}
        for group, pid in self._pids():
            try:
                times = self.psutil.Process(pid).cpu_times()
            except self.psutil.Error:
                continue
            total = times.user + times.system
            key = (group, pid)
            # A process that appeared during the run counts from its start (a new backend, a new worker).
            if key not in self.first:
                self.first[key] = 0.0 if self.samples else total
            self.last[key] = total
            now[group] = now.get(group, 0.0) + total
        self.machine_last = self.psutil.cpu_times()
        self.samples.append(now)

    def run(self) -> None:
        self.started = time.monotonic()
        while not self.stop_event.is_set():
            self._read()
            self.stop_event.wait(self.every)
        self._read()
        self.ended = time.monotonic()

    def stop(self) -> dict[str, float]:
        self.stop_event.set()
        self.join()
        wall = max(self.ended - self.started, 1e-9)
        used: dict[str, float] = {}
        for key, last in self.last.items():
            used[key[0]] = used.get(key[0], 0.0) + last - self.first.get(key, 0.0)
        fields = [f for f in ("user", "nice", "system", "irq", "softirq", "steal") if hasattr(self.machine_last, f)]
        busy = sum(getattr(self.machine_last, f) - getattr(self.machine_first, f) for f in fields)
        shares = {group: used.get(group, 0.0) / wall for group in ("workers", "database", "client")}
        shares["machine"] = busy / wall
        shares["others"] = max(shares["machine"] - sum(shares[g] for g in ("workers", "database", "client")), 0.0)
        shares["wall"] = wall
        return shares


def verdict(shares: dict[str, float], cores: int, dialect: str) -> str:
    workers, database = shares["workers"], shares["database"]
    saturated = shares["machine"] >= 0.9 * cores
    where = (
        "the workers (the hub's Python: SQLite runs inside them)"
        if dialect == "sqlite"
        else "the workers (the hub's Python)"
        if workers >= 2 * database
        else "the database"
        if database >= 2 * workers
        else "both, the workers and the database"
    )
    if saturated and shares["others"] > workers + database:
        return (
            f"the machine's {cores} cores were busy ({shares['machine']:.2f} of {cores}), mostly with other work "
            f"({shares['others']:.2f} cores): not a measurement of the hub; of the server's share most went to {where}"
        )
    if saturated:
        return f"the machine's {cores} cores were busy ({shares['machine']:.2f} of {cores}); most of it went to {where}"
    return (
        f"the machine was not saturated ({shares['machine']:.2f} of {cores} cores busy): the offered load, not the "
        f"server, set the pace; of the server's share most went to {where}"
    )


def warm_up(base: str, plan: dict, workers: int) -> float:
    """Every worker's first requests compile templates and fill caches: a few rounds of the main pages first,
    signed in as a participant and a coordinator, from as many threads as there are workers (not counted)."""
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    started = time.perf_counter()
    participant = plan["participants"][-1]
    coordinator = plan["coordinators"][0]
    people = [
        (load_data.http_login(base, participant["email"], plan["password"]),
         ["/", "/directory/", "/directory/?q=holz", "/calendar/", f"/calendar/events/{plan['network_events'][0]}",
          "/notifications", "/conversations/", "/api/v1/calendar"]),
        (load_data.http_login(base, coordinator["email"], plan["password"]),
         ["/", f"/{coordinator['region']}/dashboard"]),
    ]  # fmt: skip

    def fetch(item):
        cookie, path = item
        request = urllib.request.Request(base + path, headers={**load_data.CLIENT_HEADERS, "Cookie": cookie})
        with urllib.request.urlopen(request, timeout=120) as answer:
            answer.read()

    jobs = [(cookie, path) for cookie, paths in people for path in paths] * (2 * workers)
    with ThreadPoolExecutor(max(workers, 1)) as pool:
        list(pool.map(fetch, jobs))
    return time.perf_counter() - started


def run_locust(args, plan_path: str, base: str, prefix: str, sampler_factory) -> tuple[int, dict]:
    env = dict(os.environ, LOAD_PLAN=plan_path, LOAD_WAIT=args.wait, PYTHONWARNINGS="ignore")
    command = [str(load_data.ROOT / ".venv/bin/locust"), "-f", str(load_data.BENCH / "locustfile.py"), "--headless",
               "-u", str(args.users), "-r", str(args.spawn_rate), "-t", f"{args.duration}s", "--host", base,
               "--csv", prefix, "--only-summary", "--stop-timeout", "10", "--loglevel", "WARNING"]  # fmt: skip
    if args.reset_stats:
        command.append("--reset-stats")
    with open(prefix + "_locust.log", "wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=log)
        sampler = sampler_factory(process.pid)
        sampler.start()
        process.wait()
        shares = sampler.stop()
    return process.returncode, shares


def read_stats(prefix: str) -> tuple[list[dict], list[dict]]:
    with open(prefix + "_stats.csv", encoding="utf-8") as f:
        stats = list(csv.DictReader(f))
    failures = []
    if Path(prefix + "_failures.csv").exists():
        with open(prefix + "_failures.csv", encoding="utf-8") as f:
            failures = list(csv.DictReader(f))
    return stats, failures


def server_errors(log: str, offset: int = 0) -> tuple[list[str], dict[int, int], dict[str, list[float]]]:
    """From byte ``offset`` of gunicorn's log: error lines, the statuses of the hub's access log (one JSON line
    per request) and the server-side milliseconds per endpoint."""
    with open(log, "rb") as f:
        f.seek(offset)
        text = f.read().decode(errors="replace")
    errors, statuses, durations = [], {}, {}
    for line in text.splitlines():
        if line.startswith("{"):
            try:
                entry = json.loads(line)
            except ValueError:
                entry = {}
            if isinstance(entry.get("status"), int) and entry.get("logger", "hub.core.access") == "hub.core.access":
                statuses[entry["status"]] = statuses.get(entry["status"], 0) + 1
                if entry.get("duration_ms") is not None:
                    durations.setdefault(str(entry.get("endpoint")), []).append(float(entry["duration_ms"]))
            if entry.get("level") in ("ERROR", "CRITICAL"):
                errors.append(line)
        elif re.search(r"Traceback|\[ERROR\]|\bERROR\b", line):
            errors.append(line)
    return errors, statuses, durations


def table(stats: list[dict], dialect: str, workers: int) -> list[str]:
    lines = [
        f"| request kind ({dialect}, {workers} workers) | requests | failures | req/s | p50 ms | p95 ms | p99 ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    rows = [s for s in stats if s["Name"] != "Aggregated"]
    rows.sort(key=lambda s: -int(s["Request Count"]))
    for s in [*rows, *[s for s in stats if s["Name"] == "Aggregated"]]:
        name = "**all**" if s["Name"] == "Aggregated" else f"{s['Type']} {s['Name']}"
        p95 = s["95%"]
        mark = " ⚠" if s["Name"] != "Aggregated" and p95 not in ("N/A", "") and float(p95) >= TARGET_P95_MS else ""
        lines.append(
            f"| {name} | {int(s['Request Count']):,} | {int(s['Failure Count']):,} | {float(s['Requests/s']):.1f} | "
            f"{s['50%']} | {p95}{mark} | {s['99%']} |"
        )
    return lines


def one_database(args, dialect: str) -> int:
    url = args.database_url if args.database_url and load_data.dialect_of(args.database_url) == dialect else (
        load_data.default_url(dialect, args.profiles)
    )  # fmt: skip
    print(f"\n## {dialect}: {url}", flush=True)
    plan = load_data.prepare(url, profiles=args.profiles, events=args.events, matches=args.matches,
                             participants=args.participants, seed=args.seed, keep=args.keep)  # fmt: skip
    plan_path = f"/tmp/hub_load_plan_{dialect}_{args.profiles}.json"
    Path(plan_path).write_text(json.dumps(plan))
    counts = plan["counts"]
    port = load_data.free_port()
    log = f"/tmp/hub_load_gunicorn_{dialect}_{port}.log"
    server = load_data.Gunicorn("hub.wsgi:app", port, args.workers, load_data.hub_environment(url, port), log)
    try:
        server.wait("/login")
        print(f"# warm-up: {warm_up(server.base, plan, args.workers):.0f} s (not counted)", flush=True)
        prefix = f"/tmp/hub_load_{dialect}_{port}"
        database = url.rsplit("/", 1)[1] if dialect == "postgresql" else None
        print(load_data.machine_line())
        print(
            f"# {plan['database_version']} · {counts.get('profile', 0):,} profiles, "
            f"{counts.get('event', 0):,} events · "
            f"{len(plan['participants']):,} participants with passwords (Argon2id {plan['hash_parameters']}) · "
            f"gunicorn -w {args.workers} (sync) · {args.users} users, +{args.spawn_rate}/s, {args.duration} s, "
            f"think time {args.wait} s",
            flush=True,
        )
        offset = Path(log).stat().st_size
        code, shares = run_locust(args, plan_path, server.base, prefix, lambda pid: CpuSampler(server, database, pid))
        print(f"# after: load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        server.stop()
    stats, failures = read_stats(prefix)
    print()
    print("\n".join(table(stats, dialect, args.workers)))
    if failures:
        print("\nfailures:")
        for f in failures:
            print(f"  {f['Occurrences']:>6} × {f['Method']} {f['Name']}: {f['Error'][:200]}")
    errors, statuses, durations = server_errors(log, offset)
    print(f"\nserver log {log}: {len(errors)} error lines" + ("" if not errors else ", first ones:"))
    for line in errors[:10]:
        print("  " + line[:300])
    if statuses:
        counted = ", ".join(f"{code}: {n:,}" for code, n in sorted(statuses.items()))
        print(f"statuses in the hub's access log: {counted}")
    if durations:
        # Inside the worker, from the request's start to its response: the rest of the client's time is the
        # wait for a free worker (and the network), so a large gap says the workers are the bottleneck.
        print("server-side time per endpoint (the hub's access log), ms: endpoint, requests, p50, p95")
        for endpoint, times in sorted(durations.items(), key=lambda item: -len(item[1]))[:20]:
            ordered = sorted(times)
            p50, p95 = ordered[len(ordered) // 2], ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
            print(f"  {endpoint:45s} {len(ordered):6,d} {p50:8.1f} {p95:8.1f}")
    cores = os.cpu_count() or 1
    print(
        f"\nCPU during the run ({shares['wall']:.0f} s), in cores: gunicorn workers {shares['workers']:.2f}, "
        f"database backends {shares['database']:.2f}, locust {shares['client']:.2f}, everything else on the machine "
        f"{shares['others']:.2f}; machine busy {shares['machine']:.2f} of {cores}"
    )
    print(f"limit: {verdict(shares, cores, dialect)}")
    if not args.keep:
        load_data.drop_database(url)
    total = next((s for s in stats if s["Name"] == "Aggregated"), None)
    failed = int(total["Failure Count"]) if total else 1
    return 1 if failed or code not in (0, 1) else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["both", "sqlite", "postgresql"], default="both")
    parser.add_argument("--database-url", help="instead of the default database of that dialect")
    parser.add_argument("--profiles", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--matches", type=int, default=1_000)
    parser.add_argument("--participants", type=int, default=1_000, help="simulated accounts with a password")
    parser.add_argument("--users", type=int, default=100, help="concurrent simulated people")
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--duration", type=int, default=180, help="seconds")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--wait", default="1-5", help="think time in seconds between a person's requests, or 0")
    parser.add_argument("--reset-stats", action="store_true", help="count only after all users have started")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the database and reuse a kept one")
    args = parser.parse_args()
    dialects = ["postgresql", "sqlite"] if args.database == "both" else [args.database]
    status = 0
    for dialect in dialects:
        status |= one_database(args, dialect)
    sys.exit(status)


if __name__ == "__main__":
    main()
