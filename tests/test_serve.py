"""`make serve` (hub/core/serve.py): migrations first, then gunicorn and the scheduler; Ctrl-C stops both cleanly."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from tests.processes import ROOT, free_port

PRODUCTION = {
    "HUB_ENV": "production",
    "HUB_SECRET_KEY": "s" * 48,
    "HUB_BASE_URL": "https://hub.example.org",
    "HUB_PASSWORD_HASH_PROFILE": "cheapest",
}


def _env(tmp_path, **extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    env.update(PRODUCTION)
    env.update(
        HUB_DATABASE_URL=f"sqlite:///{tmp_path / 'hub.sqlite3'}",
        HUB_INSTANCE_PATH=str(tmp_path / "instance"),
        HUB_REDIS_URL="",
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


def _get(url: str, headers: dict | None = None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0) until its parent reaps it.
    with open(f"/proc/{pid}/stat") as fh:
        return fh.read().split(") ")[1][0] != "Z"


def test_serve_refuses_without_a_secret_key_and_says_what_to_set(tmp_path):
    env = _env(tmp_path)
    del env["HUB_SECRET_KEY"]
    done = subprocess.run(
        [sys.executable, "-m", "hub.core.serve"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert "HUB_SECRET_KEY must be set" in done.stderr
    assert "set HUB_SECRET_KEY and HUB_BASE_URL" in done.stderr
    assert not (tmp_path / "hub.sqlite3").exists()  # nothing started, nothing migrated


@pytest.mark.slow
@pytest.mark.processes
def test_serve_migrates_serves_with_workers_and_the_scheduler_and_stops_both_on_ctrl_c(tmp_path):
    port = free_port()
    env = _env(tmp_path, HUB_WORKERS="2", PORT=str(port))
    process = subprocess.Popen(
        [sys.executable, "-m", "hub.core.serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        status = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                status = _get(f"{base}/readyz")[0]
            except OSError:
                status = None
            if status == 200:
                break
            time.sleep(0.5)
        assert status == 200, "not ready within 120 s"
        assert _get(f"{base}/healthz")[0] == 200
        code, headers, _ = _get(f"{base}/login", {"X-Request-ID": "serve-test-1", "Accept-Encoding": "gzip"})
        assert code == 200
        assert headers["X-Request-ID"] == "serve-test-1"
        assert headers["Content-Encoding"] == "gzip"
    finally:
        time.sleep(0.5)
        process.send_signal(signal.SIGINT)  # what Ctrl-C sends to the foreground process
        try:
            output, _ = process.communicate(timeout=90)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
    assert process.returncode == 0, output
    pids = re.search(r"started gunicorn \(pid (\d+)\) and the scheduler \(pid (\d+)\)", output)
    assert pids, output
    assert not any(_alive(int(pid)) for pid in pids.groups())
    assert "Running upgrade" in output or "Running upgrade" in output.replace("\n", " ")  # migrations ran first
    assert output.index("Running upgrade") < output.index("started gunicorn")
    assert "empty database: no demo data in production" in output
    assert "Booting worker" in output and output.count("Booting worker") >= 2
    assert "scheduler: SIGTERM received" in output  # the scheduler stopped by itself, cleanly
    assert "Handling signal: term" in output  # gunicorn's graceful stop, not the quick one
    access = [line for line in output.splitlines() if '"logger": "hub.core.access"' in line]
    assert any('"request_id": "serve-test-1"' in line and '"route": "/login"' in line for line in access), access


def test_the_production_entry_point_compiles_every_template_before_the_workers_fork(tmp_path):
    """Importing hub.wsgi (gunicorn's master, before it forks) leaves every template compiled in Jinja's cache."""
    script = (
        "import hub.wsgi as w; from hub.core.serve import TEMPLATE_SUFFIXES; env = w.app.jinja_env; "
        "listed = [n for n in env.list_templates() if n.endswith(TEMPLATE_SUFFIXES)]; "
        "cached = {key[1] for key in env.cache.keys()}; "
        "print(len(listed), len(set(listed) - cached))"
    )
    done = subprocess.run([sys.executable, "-c", script], env=_env(tmp_path), capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    listed, missing = (int(n) for n in done.stdout.split()[-2:])
    assert listed > 100 and missing == 0


def test_a_worker_renders_its_pages_from_the_templates_compiled_at_start_up(app, client, auth, make, monkeypatch):
    """After compile_templates (what hub/wsgi.py does before forking), the first pages compile nothing more."""
    from hub.core.serve import compile_templates

    compile_templates(app)

    def compile_again(*args, **kwargs):
        raise AssertionError("a template was compiled after start-up")

    monkeypatch.setattr(app.jinja_env, "compile", compile_again)
    auth.login(make.participant("erzgebirge"))
    for path in ("/", "/calendar/", "/directory/", "/notifications"):
        assert client.get(path).status_code == 200, path
