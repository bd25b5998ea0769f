"""Throttling that protects without locking anyone out: the login back-off per client and per (account,
client), and the limits on every other route that a script could hammer, each refused with 429 and a
Retry-After that is right to the second.

The clock is stopped (time_machine, tick=False) wherever a wait is compared, and moved on by exactly the
waits the hub announced; the counters live in Flask-Limiter's memory storage, or in Redis for the test
of several workers.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

import pytest

from hub.core.db import utcnow
from tests.factories import PASSWORD
from tests.pages import bearer, form_error, page, refusal_shown
from tests.processes import ROOT

# The test client's own address is 127.0.0.1; a session stays with the address it logged in from.
ATTACKER, OWNER, NEIGHBOUR = "203.0.113.66", "127.0.0.1", "198.51.100.20"


@pytest.fixture
def clock(time_machine):
    """The clock stopped now; clock.shift(seconds) moves it on."""
    time_machine.move_to(utcnow(), tick=False)
    return time_machine


def login(client, email: str, password: str = PASSWORD, *, ip: str = OWNER):
    """Send the login form from a client with this remote address."""
    return client.post("/login", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": ip})


def retry_after(response) -> int:
    assert response.status_code == 429
    return int(response.headers["Retry-After"])


# The login back-off ----------------------------------------------------------------------------


def test_an_attacker_hammering_an_account_from_one_client_does_not_stop_its_owner_from_another(
    app, client, make, clock
):
    owner = make.participant("erzgebirge")
    guesses = 0
    while guesses < 20:  # every wait sat out, so that each guess is really tried
        response = login(client, owner.email, "guess", ip=ATTACKER)
        if response.status_code == 429:
            clock.shift(retry_after(response))
        else:
            assert response.status_code == 422
            guesses += 1
    assert retry_after(login(client, owner.email, ip=ATTACKER)) == app.config["LOGIN_BACKOFF_MAX_SECONDS"]
    assert login(app.test_client(), owner.email, ip=OWNER).status_code == 302


def test_each_wrong_password_doubles_the_wait_of_that_client_for_that_account_up_to_the_cap(
    app, client, make, clock, monkeypatch
):
    monkeypatch.setitem(app.config, "LOGIN_BACKOFF_MAX_SECONDS", 40)
    person = make.participant("erzgebirge")
    waits = []
    for _ in range(8):
        assert login(client, person.email, "wrong password").status_code == 422
        waits.append(retry_after(login(client, person.email)))
        clock.shift(waits[-1])
    assert waits == [1, 2, 4, 8, 16, 32, 40, 40]


def test_a_client_waiting_is_let_in_the_second_its_wait_is_over(client, make, clock):
    person = make.participant("erzgebirge")
    for _ in range(3):
        login(client, person.email, "wrong password")
        clock.shift(60)
    assert login(client, person.email, "wrong password").status_code == 422  # the fourth: 8 seconds
    clock.shift(7)
    assert retry_after(login(client, person.email)) == 1
    clock.shift(1)
    assert login(client, person.email).status_code == 302


def test_a_refused_attempt_is_not_counted_and_does_not_lengthen_the_wait(client, make, clock):
    person = make.participant("erzgebirge")
    login(client, person.email, "wrong password")
    login(client, person.email, "wrong password")  # refused: the first wait runs
    for _ in range(20):
        assert retry_after(login(client, person.email, "wrong password")) == 1
    clock.shift(1)
    assert login(client, person.email, "wrong password").status_code == 422
    assert retry_after(login(client, person.email)) == 2  # the second failure, not the 22nd


def test_a_successful_login_resets_the_clients_counters(client, make, clock):
    person = make.participant("erzgebirge")
    for wait in (1, 2, 4):
        assert login(client, person.email, "wrong password").status_code == 422
        clock.shift(wait)
    assert login(client, person.email).status_code == 302
    client.post("/logout")
    assert login(client, person.email, "wrong password").status_code == 422
    assert retry_after(login(client, person.email)) == 1


def test_many_clients_failing_on_one_account_make_those_clients_wait_longer_but_never_another(
    app, client, make, clock, monkeypatch
):
    monkeypatch.setitem(app.config, "LOGIN_BACKOFF_ACCOUNT_FREE", 2)
    person = make.participant("erzgebirge")
    botnet = [f"203.0.113.{n}" for n in range(1, 8)]
    for ip in botnet:
        assert login(client, person.email, "guess", ip=ip).status_code == 422
    # Seven failures on the account, two of them free: the last client waits 2^(5-1) seconds, not 1.
    assert retry_after(login(client, person.email, ip=botnet[-1])) == 16
    assert login(app.test_client(), person.email, ip=OWNER).status_code == 302


def test_wrong_passwords_for_many_accounts_from_one_client_slow_that_client_after_a_few(app, client, make, clock):
    free = app.config["LOGIN_BACKOFF_CLIENT_FREE"]
    people = [make.participant("erzgebirge") for _ in range(free + 2)]
    for person in people[: free + 1]:
        assert login(client, person.email, "guess", ip=ATTACKER).status_code == 422
    # A fresh account, but this client has sprayed one password too many.
    assert retry_after(login(client, people[-1].email, "guess", ip=ATTACKER)) == 1
    assert login(app.test_client(), people[-1].email, ip=NEIGHBOUR).status_code == 302


def test_unknown_addresses_are_counted_like_accounts_so_the_wait_reveals_nothing(client, make, clock):
    person = make.participant("erzgebirge")
    waits = []
    for email, ip in ((person.email, ATTACKER), ("nobody@example.org", NEIGHBOUR)):
        for wait in (1, 2):
            assert login(client, email, "wrong password", ip=ip).status_code == 422
            clock.shift(wait)
        assert login(client, email, "wrong password", ip=ip).status_code == 422
        waits.append(retry_after(login(client, email, ip=ip)))
    assert waits == [4, 4]


def test_the_login_page_says_in_german_how_long_to_wait(client, make, clock):
    person = make.participant("erzgebirge")
    for wait in (1, 2, 4):
        login(client, person.email, "wrong password")
        clock.shift(wait)
    login(client, person.email, "wrong password")
    response = login(client, person.email)
    assert response.headers["Retry-After"] == "8"
    assert form_error(page(response)) == (
        "Zu viele Fehlversuche. Bitte warten Sie 8 Sekunden, bevor Sie es erneut versuchen."
    )
    assert 'name="email"' in page(response), "the form is there again"


# Flask-Limiter's limits: Retry-After on every limited route -------------------------------------


def refused_twice(clock, send) -> int:
    """Send until refused; check that the refusal holds until its Retry-After is over, and return it."""
    for _ in range(10):
        response = send()
        if response.status_code == 429:
            break
    wait = retry_after(response)
    clock.shift(wait - 1)
    assert retry_after(send()) == 1
    clock.shift(1)
    assert send().status_code != 429
    return wait


def test_forgot_password_is_limited_per_client_with_retry_after(app, client, clock, monkeypatch):
    monkeypatch.setitem(app.config, "PASSWORD_RESET_LIMIT_PER_IP", "2 per minute")
    n = iter(range(100))

    def send():
        return client.post("/password/forgot", data={"email": f"someone{next(n)}@example.org"})

    assert refused_twice(clock, send) == 60


def test_reset_links_for_one_address_are_limited_whoever_asks(app, client, make, clock, monkeypatch):
    monkeypatch.setitem(app.config, "PASSWORD_RESET_LIMIT_PER_ADDRESS", "1 per hour")
    person = make.participant("erzgebirge")

    def forgot(email, ip):
        return client.post("/password/forgot", data={"email": email}, environ_base={"REMOTE_ADDR": ip})

    assert forgot(person.email, OWNER).status_code == 302
    refused = forgot(person.email.upper(), ATTACKER)
    assert retry_after(refused) == 3600
    assert refusal_shown(app, 3600) in page(refused)
    assert "Bitte warten Sie 60 Minuten" in page(refused)
    assert forgot("someone-else@example.org", ATTACKER).status_code == 302


def test_the_reset_form_is_limited_per_client_together_with_forgot_password(app, client, clock, monkeypatch):
    monkeypatch.setitem(app.config, "PASSWORD_RESET_LIMIT_PER_IP", "2 per minute")
    client.post("/password/forgot", data={"email": "a@example.org"})

    def send():
        return client.post("/password/reset/not-a-token", data={"password": "x", "password_confirm": "x"})

    assert send().status_code == 404
    assert refused_twice(clock, send) == 60
    assert client.get("/password/reset/not-a-token").status_code == 404, "reading the page is not limited"


def test_invitations_are_limited_per_coordinator(app, make, clock, monkeypatch):
    monkeypatch.setitem(app.config, "INVITATION_LIMIT_PER_COORDINATOR", "2 per hour")
    first, second = app.test_client(), app.test_client()
    login(first, make.coordinator("erzgebirge").email)
    login(second, make.coordinator("erzgebirge").email)
    n = iter(range(100))

    def invite(client):
        data = {"email": f"neu{next(n)}@example.org", "name": "Nora Neu", "role": "participant"}
        return client.post("/erzgebirge/members/invitations", data=data)

    assert invite(first).status_code == invite(first).status_code == 302
    refused = invite(first)
    assert retry_after(refused) == 3600
    assert refusal_shown(app, 3600) in page(refused)
    assert invite(second).status_code == 302, "another coordinator has a count of their own"


def test_contact_requests_are_limited_per_person_across_pages_and_api(app, make, clock, monkeypatch):
    monkeypatch.setitem(app.config, "CONTACT_REQUEST_LIMIT_PER_PERSON", "1 per hour")
    asker = make.participant("lausitz", name="Lars Lausitzer")
    make.profile("lausitz", user=asker, name="Lars Lausitzer Festival", visibility="network")
    wanted = [make.profile("erzgebirge", name=f"Erika Holzbau {n}", visibility="network") for n in range(2)]
    browser = app.test_client()
    login(browser, asker.email)
    first = browser.post(f"/directory/profiles/{wanted[0].id}/contact", data={"message": "Hallo, lass uns reden!"})
    assert first.status_code in (302, 422)  # counted, whatever the answer
    api = app.test_client()
    refused = api.post(
        f"/api/v1/directory/profiles/{wanted[1].id}/contact-requests",
        json={"message": "Hallo, lass uns reden!"},
        headers=bearer(make.access_token(asker).extra),
    )
    assert retry_after(refused) == 3600
    assert refused.get_json()["code"] == 429
    assert "60 Minuten" in refused.get_json()["message"]


@pytest.mark.parametrize(
    "path, data",
    [
        ("/language", {"lang": "en", "next": "/"}),
        ("/invitations/no-such-token", {"name": "Nora", "password": "x", "password_confirm": "x"}),
        ("/unsubscribe/no-such-token", {}),
    ],
)
def test_every_other_public_form_is_limited_per_client(app, client, clock, monkeypatch, path, data):
    monkeypatch.setitem(app.config, "PUBLIC_FORM_LIMIT_PER_IP", "3 per minute")
    assert refused_twice(clock, lambda: client.post(path, data=data)) == 60
    assert client.get("/login").status_code == 200, "pages are read freely"


def test_every_route_open_to_visitors_that_accepts_a_form_is_limited(app, clock, monkeypatch):
    from hub.core.extensions import limiter
    from hub.core.rate_limits import SAFE_METHODS

    for setting in ("PUBLIC_FORM_LIMIT_PER_IP", "LOGIN_LIMIT_PER_IP", "PASSWORD_RESET_LIMIT_PER_IP"):
        monkeypatch.setitem(app.config, setting, "1 per minute")
    public_writes = [
        rule
        for rule in app.url_map.iter_rules()
        if getattr(app.view_functions[rule.endpoint], "hub_public", False)
        and rule.methods - SAFE_METHODS
        and not rule.rule.startswith("/api/")
    ]
    assert len(public_writes) >= 7, "login, forgot, reset, invitation, language, unsubscribe and its undo"
    for rule in public_writes:  # found, not listed: a public form added later is covered too
        limiter.reset()
        with app.test_request_context():
            values = {arg: "erzgebirge" if arg == "region" else "no-such-token" for arg in rule.arguments}
            path = rule.build(values, append_unknown=False)[1]
        client = app.test_client()
        client.post(path, data={"email": "someone@example.org"})
        refused = client.post(path, data={"email": "someone@example.org"})
        assert refused.status_code == 429, rule.endpoint
        assert refused.headers["Retry-After"] == "60", rule.endpoint


def test_the_api_is_limited_per_person_over_all_their_tokens(app, make, clock, monkeypatch):
    monkeypatch.setitem(app.config, "API_LIMIT_PER_USER", "3 per minute")
    person, other = make.participant("erzgebirge"), make.participant("erzgebirge")
    tokens = [bearer(make.access_token(person).extra) for _ in range(2)]
    client = app.test_client()
    calls = iter(range(100))

    def send():
        return client.get("/api/v1/me", headers=tokens[next(calls) % 2])

    assert refused_twice(clock, send) == 60
    for _ in range(3):
        send()
    refused = send()
    assert retry_after(refused) == 60
    assert refused.get_json() == {
        "code": 429,
        "status": "Zu viele Versuche",
        "message": "Zu viele Versuche. Bitte warten Sie 1 Minute und versuchen Sie es dann erneut.",
    }
    assert client.get("/api/v1/me", headers=bearer(make.access_token(other).extra)).status_code == 200


def test_the_api_is_limited_per_client_over_all_endpoints(app, client, clock, monkeypatch):
    monkeypatch.setitem(app.config, "API_LIMIT_PER_IP", "3 per minute")
    paths = iter(["/api/v1/regions", "/api/v1/me", "/api/v1/openapi.json"] * 10)
    assert refused_twice(clock, lambda: client.get(next(paths))) == 60
    assert client.get("/api/v1/regions", environ_base={"REMOTE_ADDR": NEIGHBOUR}).status_code == 200


# Several workers share the counters through Redis ---------------------------------------------

WORKER = """
import json, sys
from hub import create_app
config, requests = json.loads(sys.argv[1]), json.loads(sys.argv[2])
client = create_app(config).test_client()
answers = []
for path, data, ip in requests:
    response = client.post(path, data=data, environ_base={"REMOTE_ADDR": ip})
    answers.append([response.status_code, response.headers.get("Retry-After")])
print(json.dumps(answers))
"""


def redis_url() -> str:
    """The Redis server of the tests; skipped (outside CI only) when none answers."""
    url = os.environ.get("HUB_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"Redis is not reachable at {url} ({exc}); CI runs this test")
    return url


def worker(app, url: str, prefix: str, requests: list) -> list:
    """One more hub process on the same database and Redis: its answers as [status, Retry-After]."""
    return hub_process_answers(app, requests, REDIS_URL=url, REDIS_KEY_PREFIX=prefix)


def hub_process_answers(app, requests: list, **settings) -> list:
    """The answers [status, Retry-After] of a hub process of its own on the test database."""
    config = {
        "SECRET_KEY": app.config["SECRET_KEY"],
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "PASSWORD_HASH_PROFILE": "cheapest",
        "WTF_CSRF_ENABLED": False,
        "MAIL_SERVER": "",
        "BASE_URL": "http://hub.test",
        "LOGIN_BACKOFF_BASE_SECONDS": 300,
        "PASSWORD_RESET_LIMIT_PER_ADDRESS": "1 per hour",
        **settings,
    }
    done = subprocess.run(
        [sys.executable, "-c", WORKER, json.dumps(config), json.dumps(requests)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.slow
@pytest.mark.processes
def test_back_off_and_limits_are_shared_by_workers_through_redis(app, make):
    import redis

    url, prefix = redis_url(), f"hub-test-{uuid.uuid4().hex}"
    person = make.participant("erzgebirge")
    wrong = {"email": person.email, "password": "wrong password"}
    right = {"email": person.email, "password": PASSWORD}
    try:
        first = worker(app, url, prefix, [["/login", wrong, ATTACKER], ["/password/forgot", right, OWNER]])
        assert [status for status, _ in first] == [422, 302]
        second = worker(
            app,
            url,
            prefix,
            [["/login", right, ATTACKER], ["/password/forgot", right, NEIGHBOUR], ["/login", right, OWNER]],
        )
        (login_status, login_wait), (forgot_status, forgot_wait), (owner_status, _) = second
        assert login_status == 429 and 200 <= int(login_wait) <= 300, "the other worker's back-off holds"
        assert forgot_status == 429 and 3000 <= int(forgot_wait) <= 3600, "the other worker's count holds"
        assert owner_status == 302, "a client that has not failed is let in"
    finally:
        server = redis.Redis.from_url(url)
        keys = list(server.scan_iter(f"{prefix}:*"))
        assert keys, "the counters were in Redis, under the prefix"
        server.delete(*keys)


@pytest.mark.processes
def test_with_the_request_limits_switched_off_logins_work_and_the_back_off_still_holds(app, make):
    """RATELIMIT_ENABLED=False switches off Flask-Limiter, which then has no storage (a process of its own:
    the limiter is one for all apps of a process). Logging in must not fail for that, and the back-off,
    which protects accounts rather than the server, keeps counting."""
    person = make.participant("erzgebirge")
    wrong = {"email": person.email, "password": "wrong password"}
    right = {"email": person.email, "password": PASSWORD}
    answers = hub_process_answers(
        app,
        [["/login", wrong, ATTACKER], ["/login", right, ATTACKER], ["/login", right, OWNER]],
        RATELIMIT_ENABLED=False,
    )
    assert [status for status, _ in answers] == [422, 429, 302]
    assert 200 <= int(answers[1][1]) <= 300
