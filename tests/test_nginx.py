"""The example nginx configuration (config/deploy/nginx.conf) in front of gunicorn (config/gunicorn.conf.py).

nginx runs the very site file, with only its placeholders substituted (the upstream's port, the code's folder,
free loopback ports instead of 80/443, a self-signed certificate, its own log and temp folders), and the test
checks through it: /healthz, a page over HTTPS (the app sees HTTPS through HUB_PROXY_FIX=1: HSTS is set), the
request id nginx made reaching the app, gzip by nginx, a fingerprinted static file served by nginx with a year's
cache, the redirect to HTTPS, and the upload limit. Without nginx (Debian's package) or openssl it skips with one
line, except in CI (CI=true), where it fails.
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.processes import ROOT, free_port

pytestmark = [pytest.mark.slow, pytest.mark.processes]

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
SITE = ROOT / "config" / "deploy" / "nginx.conf"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
MIME_TYPES = "/etc/nginx/mime.types"


def _need(tool: str | None, what: str) -> None:
    if tool:
        return
    if IN_CI:
        pytest.fail(f"{what} is missing, and CI needs it (.ci/run installs Debian's nginx)")
    pytest.skip(f"{what} is missing: the nginx example configuration is not run here")


def site_config(work: Path, *, upstream: int, http: int, https: int) -> str:
    """config/deploy/nginx.conf with its placeholders replaced for a test run on loopback."""
    text = SITE.read_text()
    replacements = [
        ("server 127.0.0.1:8000 ", f"server 127.0.0.1:{upstream} "),
        ("/srv/cimis-hub/", f"{ROOT}/"),
        ("listen 80;", f"listen 127.0.0.1:{http};"),
        ("listen [::]:80;", ""),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;"),
        ("listen [::]:443 ssl http2;", ""),
        ("/etc/letsencrypt/live/hub.example.org/fullchain.pem", str(work / "cert.pem")),
        ("/etc/letsencrypt/live/hub.example.org/privkey.pem", str(work / "key.pem")),
        ("/var/log/nginx/cimis-hub.access.log", str(work / "access.log")),
    ]
    for old, new in replacements:
        assert old in text, f"the example configuration no longer has {old!r}: update the test's substitutions"
        text = text.replace(old, new)
    return text


def main_config(work: Path) -> str:
    """What /etc/nginx/nginx.conf would be, for one unprivileged run with its own folders."""
    temp = {name: work / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for folder in temp.values():
        folder.mkdir(mode=0o777)
        os.chmod(folder, 0o777)
    user = "user nobody nogroup;\n" if os.geteuid() == 0 else ""  # as root, the workers still run unprivileged
    return f"""{user}worker_processes 1;
daemon off;
pid {work / "nginx.pid"};
error_log {work / "error.log"} info;
events {{ worker_connections 64; }}
http {{
    include {MIME_TYPES};
    default_type application/octet-stream;
    client_body_temp_path {temp["body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
    access_log {work / "default-access.log"};
    include {work / "site.conf"};
}}
"""


def _wait_for(url: str, context=None, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5, context=context) as response:
                if response.status == 200:
                    return
        except (OSError, urllib.error.HTTPError):
            pass
        time.sleep(0.5)
    raise AssertionError(f"{url} did not answer 200 within {timeout} s")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _fetch(url: str, context, headers=None, data=None):
    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context), _NoRedirect())
    request = urllib.request.Request(url, headers=headers or {}, data=data)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def _logged(log: Path, text: str, timeout: float = 10) -> bool:
    """nginx writes the access line as the request ends, a moment after the client has the answer."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if log.exists() and text in log.read_text():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def stack():
    _need(NGINX, "nginx")
    _need(shutil.which("openssl"), "openssl")
    work = Path(tempfile.mkdtemp(prefix="hub-nginx-"))
    os.chmod(work, 0o755)
    processes: list[subprocess.Popen] = []
    try:
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=hub.example.org",
             "-keyout", str(work / "key.pem"), "-out", str(work / "cert.pem")],
            check=True, capture_output=True,
        )  # fmt: skip
        upstream, http, https = free_port(), free_port(), free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
        env.update(
            HUB_ENV="production",
            HUB_SECRET_KEY="n" * 48,
            HUB_BASE_URL="https://hub.example.org",
            HUB_DATABASE_URL=f"sqlite:///{work / 'hub.sqlite3'}",
            HUB_INSTANCE_PATH=str(work / "instance"),
            HUB_PASSWORD_HASH_PROFILE="cheapest",
            HUB_PROXY_FIX="1",
            HUB_COMPRESS="0",
            HUB_SESSION_COOKIE_SECURE="true",
            HUB_BIND=f"127.0.0.1:{upstream}",
            HUB_WORKERS="1",
            PYTHONPATH=str(ROOT),
        )
        bin_dir = Path(sys.executable).parent
        subprocess.run([str(bin_dir / "hub"), "setup"], cwd=ROOT, env=env, check=True, capture_output=True)
        gunicorn = subprocess.Popen(
            [str(bin_dir / "gunicorn"), "-c", str(ROOT / "config" / "gunicorn.conf.py"), "hub.wsgi:app"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        processes.append(gunicorn)
        (work / "site.conf").write_text(site_config(work, upstream=upstream, http=http, https=https))
        (work / "nginx.conf").write_text(main_config(work))
        checked = subprocess.run([NGINX, "-t", "-c", str(work / "nginx.conf")], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr
        nginx = subprocess.Popen(
            [NGINX, "-c", str(work / "nginx.conf")], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        processes.append(nginx)
        _wait_for(f"http://127.0.0.1:{upstream}/readyz")
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        _wait_for(f"https://127.0.0.1:{https}/healthz", context)
        yield {"https": f"https://127.0.0.1:{https}", "http": f"http://127.0.0.1:{http}", "context": context,
               "work": work}  # fmt: skip
    finally:
        for process in reversed(processes):
            process.terminate()
            try:
                process.communicate(timeout=45)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(work, ignore_errors=True)


def test_nginx_in_front_of_gunicorn(stack):
    base, context = stack["https"], stack["context"]

    status, headers, body = _fetch(f"{base}/healthz", context)
    assert (status, body) == (200, b'{"status":"ok"}\n')
    status, headers, body = _fetch(f"{base}/readyz", context)
    assert status == 200, body

    # A page: the app's answer, compressed by nginx; the app saw HTTPS (HSTS) and nginx's request id.
    status, headers, body = _fetch(f"{base}/login", context, {"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    page = gzip.decompress(body).decode()
    assert "Content-Security-Policy" in headers
    assert headers["Strict-Transport-Security"].startswith("max-age=")
    assert re.fullmatch(r"[0-9a-f]{32}", headers["X-Request-ID"])
    assert _logged(stack["work"] / "access.log", f"request_id={headers['X-Request-ID']}")

    # A fingerprinted static file, served by nginx itself (no X-Request-ID: gunicorn never saw it), gzip, a year.
    css = re.search(r'href="(/static/css/hub\.css\?v=[0-9a-f]{12})"', page).group(1)
    status, headers, body = _fetch(f"{base}{css}", context, {"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert headers["Content-Encoding"] == "gzip"
    assert "X-Request-ID" not in headers
    assert gzip.decompress(body) == (ROOT / "hub" / "static" / "css" / "hub.css").read_bytes()
    status, headers, _ = _fetch(f"{base}/static/css/hub.css", context)
    assert (status, headers["Cache-Control"]) == (200, "public, max-age=300")

    # Plain HTTP: to HTTPS, except the liveness check.
    status, headers, _ = _fetch(f"{stack['http']}/login", None)
    assert status == 301 and headers["Location"].startswith("https://")
    assert _fetch(f"{stack['http']}/healthz", None)[0] == 200

    # Bodies above the app's 20 MiB are refused by nginx before a worker sees them.
    status, _, _ = _fetch(f"{base}/login", context, data=b"x" * (21 * 1024 * 1024))
    assert status == 413
