"""Two hub hosts on one PostgreSQL and one Redis share everything a person notices (issue 19, "nothing that
lives on one host"): a document uploaded through one is downloaded byte-identical from the other, a logout on one
ends the session on the other, a rate limit counts the requests of both, and a profile import previewed on one
is confirmed on the other.

Each host is gunicorn with the deployment's settings (config/gunicorn.conf.py) and one worker, on a port of its
own and an instance folder of its own (no shared disk), against a throw-away PostgreSQL database and a key prefix
of its own in Redis. Without a PostgreSQL server or a Redis server answering, the test is skipped with one line;
in CI (CI=true) it fails instead.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid

import pytest

from hub import create_app
from hub.core.db import db
from tests.conftest import TEST_CONFIG
from tests.factories import PASSWORD, Factory, tiny_pdf
from tests.processes import ROOT, free_port, stop

pytestmark = [pytest.mark.processes, pytest.mark.slow]

POSTGRES = os.environ.get("HUB_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("HUB_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
RESETS_PER_ADDRESS = 4
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _unavailable(what: str, exc: Exception):
    if IN_CI:
        pytest.fail(f"{what} is not reachable, and CI needs it for the two-instance test: {exc}")
    pytest.skip(f"{what} not reachable ({exc.__class__.__name__}): the two-instance test runs in CI")


@pytest.fixture(scope="module")
def shared_services():
    """A throw-away PostgreSQL database and a fresh Redis key prefix: (database URL, Redis URL, prefix)."""
    import psycopg
    import redis

    try:
        admin = psycopg.connect(POSTGRES, autocommit=True, connect_timeout=3)
    except Exception as exc:  # noqa: BLE001 - any failure means "no server here"
        _unavailable(f"PostgreSQL at {POSTGRES.rsplit('@', 1)[-1]}", exc)
    server = redis.Redis.from_url(REDIS, socket_connect_timeout=2)
    try:
        server.ping()
    except redis.RedisError as exc:
        admin.close()
        _unavailable(f"Redis at {REDIS}", exc)
    name, prefix = f"hub_two_{uuid.uuid4().hex[:12]}", f"hub-two-{uuid.uuid4().hex}"
    admin.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        yield f"{base}/{name}", REDIS, prefix
    finally:
        keys = list(server.scan_iter(f"{prefix}:*"))
        if keys:
            server.delete(*keys)
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    return tmp_path_factory.mktemp("hosts")


@pytest.fixture(scope="module")
def network(shared_services, folders):
    """The shared database migrated, with a match whose member has an account: (urls, member, match)."""
    from flask_migrate import upgrade

    from hub.core.tenancy.models import Region
    from hub.core.tenancy.registry import sync_regions

    database, _redis, _prefix = shared_services
    setup = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database, "INSTANCE_PATH": str(folders / "setup")})
    with setup.app_context():
        upgrade()
        sync_regions()
        regions = {r.slug: r for r in db.session.scalars(db.select(Region))}
        db.session.expunge_all()
    make = Factory(setup, regions)
    match = make.match("erzgebirge", title="Über zwei Hosts")
    match.owner = make.coordinator("erzgebirge")  # the region's coordination, for the import
    with setup.app_context():
        db.engine.dispose()
    return match


def _host(name: str, shared_services, tmp_path) -> tuple[str, subprocess.Popen]:
    database, redis_url, prefix = shared_services
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "HUB_DATABASE_URL": database,
        "HUB_REDIS_URL": redis_url,
        "HUB_REDIS_KEY_PREFIX": prefix,
        "HUB_INSTANCE_PATH": str(tmp_path / name),  # a disk of its own: nothing may be shared through it
        "HUB_SECRET_KEY": TEST_CONFIG["SECRET_KEY"],
        "HUB_BASE_URL": "http://hub.test",
        "HUB_PASSWORD_HASH_PROFILE": "cheapest",
        "HUB_MAIL_SERVER": "",
        "HUB_PASSWORD_RESET_LIMIT_PER_ADDRESS": f"{RESETS_PER_ADDRESS} per hour",
        # The deployment's own gunicorn settings (config/gunicorn.conf.py), one worker each.
        "HUB_BIND": f"127.0.0.1:{port}",
        "HUB_WORKERS": "1",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "config" / "gunicorn.conf.py"), "hub.wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    return f"http://127.0.0.1:{port}", process


def _wait_until_serving(url: str, process: subprocess.Popen) -> None:
    """Poll until the host answers (progress, not a time limit, decides; a dead process fails at once)."""
    import requests

    for _ in range(600):
        if process.poll() is not None:
            raise AssertionError(f"the host at {url} ended: {stop(process)[1][-2000:]}")
        try:
            if requests.get(f"{url}/login", timeout=60).status_code == 200:
                return
        except requests.RequestException:  # not listening yet (the worker answers once it has booted)
            pass
        time.sleep(0.1)
    raise AssertionError(f"the host at {url} never answered: {stop(process)[1][-2000:]}")


@pytest.fixture(scope="module")
def hosts(shared_services, network, folders):
    """Two gunicorn hosts (one worker each) on the shared database and Redis: (url of A, url of B)."""
    started = [_host("a", shared_services, folders), _host("b", shared_services, folders)]
    try:
        for url, process in started:
            _wait_until_serving(url, process)
        yield [url for url, _ in started]
    finally:
        for _url, process in started:
            stop(process)


def _csrf(browser, url: str) -> str:
    response = browser.get(url, allow_redirects=False)
    assert response.status_code == 200, (url, response.status_code)
    return CSRF.search(response.text).group(1)


def _logged_in(host: str, person):
    import requests

    browser = requests.Session()
    login = browser.post(
        f"{host}/login",
        data={"csrf_token": _csrf(browser, f"{host}/login"), "email": person.email, "password": PASSWORD},
        allow_redirects=False,
    )
    assert login.status_code == 302, login.text[-500:]
    return browser


def test_a_document_uploaded_on_one_host_is_downloaded_from_the_other(hosts, network):
    import requests

    a, b = hosts
    browser = _logged_in(a, network.members[0].owner)
    page = f"/erzgebirge/matches/{network.id}"
    data = tiny_pdf("Über zwei Hosts")

    uploaded = browser.post(
        f"{a}{page}/documents",
        data={"csrf_token": _csrf(browser, f"{a}{page}")},
        files={"file": ("Zwischenbericht.pdf", data, "application/pdf")},
        allow_redirects=False,
    )
    assert uploaded.status_code == 302, uploaded.text[-500:]
    listed = browser.get(f"{b}{page}").text  # the other host lists it
    [document_id] = set(re.findall(r"/erzgebirge/matches/documents/(\d+)", listed))

    downloaded = browser.get(f"{b}/erzgebirge/matches/documents/{document_id}")
    assert downloaded.status_code == 200
    assert downloaded.content == data, "byte-identical from the other host"
    assert downloaded.headers["Content-Disposition"].startswith("attachment")

    # A logout on A ends the same session cookie on B (kept from before the logout, which clears it in the browser).
    token = _csrf(browser, f"{b}/account")  # B knows the session
    stale = requests.Session()
    stale.cookies.update(browser.cookies.copy())
    logout = browser.post(f"{a}/logout", data={"csrf_token": token}, allow_redirects=False)
    assert logout.status_code == 302
    after = stale.get(f"{b}/account", allow_redirects=False)
    assert after.status_code == 302 and "/login" in after.headers["Location"], "the session ended on B too"
    assert stale.get(f"{b}/erzgebirge/matches/documents/{document_id}", allow_redirects=False).status_code != 200


def test_a_rate_limit_counts_the_requests_of_both_hosts(hosts, network):
    import requests

    a, b = hosts
    browser = requests.Session()
    address = network.members[0].owner.email
    answers = []
    for n in range(RESETS_PER_ADDRESS + 1):
        host = (a, b)[n % 2]  # A, B, A, B, A: no host alone reaches the limit
        token = _csrf(browser, f"{host}/password/forgot")
        response = browser.post(
            f"{host}/password/forgot", data={"csrf_token": token, "email": address}, allow_redirects=False
        )
        answers.append(response.status_code)

    assert all(status != 429 for status in answers[:RESETS_PER_ADDRESS]), answers
    assert answers[RESETS_PER_ADDRESS] == 429, f"the limit's total over both hosts: {answers}"


def test_a_profile_import_previewed_on_one_host_is_confirmed_on_the_other(hosts, network):
    from tests.test_profile_transfer import ANNA, csv_file

    a, b = hosts
    browser = _logged_in(a, network.owner)
    preview = browser.post(
        f"{a}/erzgebirge/profiles/import",
        data={"csrf_token": _csrf(browser, f"{a}/erzgebirge/profiles/import")},
        files={"file": ("teilnehmende.csv", csv_file([ANNA]), "text/csv")},
    )
    assert preview.status_code == 200, preview.text[-500:]
    token = re.search(r'name="token" value="([^"]+)"', preview.text).group(1)

    confirmed = browser.post(
        f"{b}/erzgebirge/profiles/import/confirm",
        data={"csrf_token": CSRF.search(preview.text).group(1), "token": token},
        allow_redirects=False,
    )

    assert confirmed.status_code == 302, confirmed.text[-500:]
    assert "Anna Schröder" in browser.get(f"{a}/erzgebirge/profiles/").text
