"""The simulated people of the load test (issue 19), for locust; started by bench/load_test.py.

Reads the plan that ``bench/load_data.prepare`` wrote (path in ``LOAD_PLAN``). Three kinds of people:

- participants (most): their home, the directory (the first page without a term, and searches with a term,
  a third of them with a region and kind), calendar months (page and JSON), event pages, registering for an
  event and cancelling it again (with the confirmation step), notifications, conversations (the list, a
  thread, writing a message), and now and then logging out and in again as someone else;
- coordinators (some): their home, their region's dashboard, the calendar, the directory, event pages,
  notifications;
- the umbrella (one): the umbrella dashboard, its home, the calendar; it signs in with its second factor.

Every person comes from an address of their own (X-Forwarded-For; the hub trusts one proxy hop), as behind
nginx, so the per-address login limit counts per person. Any answer other than the one expected is a
failure: 4xx/5xx, a redirect where a page was expected (e.g. to the login: the session was lost), a login
that does not go on. Think time between a person's requests: ``LOAD_WAIT`` seconds ("1-5" by default,
"0" for a closed loop that measures the most the server does).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from datetime import date

import pyotp
from locust import FastHttpUser, between, constant, task

PLAN = json.loads(open(os.environ["LOAD_PLAN"], encoding="utf-8").read())  # noqa: SIM115
_WAIT = os.environ.get("LOAD_WAIT", "1-5")
_LOW, _HIGH = (float(x) for x in (_WAIT.split("-") if "-" in _WAIT else (_WAIT, _WAIT)))
_sequence = itertools.count(1)
_accounts = itertools.count(0)
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _month_window(month: str) -> tuple[str, str]:
    year, number = (int(x) for x in month.split("-"))
    start = date(year, number, 1)
    end = date(year + number // 12, number % 12 + 1, 1)
    return start.isoformat(), end.isoformat()


class Person(FastHttpUser):
    abstract = True
    home_name = "home"
    wait_time = between(_LOW, _HIGH) if _HIGH > 0 else constant(0)
    network_timeout = 60.0
    connection_timeout = 60.0

    def on_start(self) -> None:
        n = next(_sequence)
        self.headers = {"X-Forwarded-For": f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"}
        self.csrf = ""
        self.account = self.next_account()
        self.login()

    # -- plumbing ----------------------------------------------------------------------------------

    def next_account(self) -> dict:
        raise NotImplementedError

    def _take_token(self, text: str | None) -> None:
        found = CSRF.search(text or "")
        if found:
            self.csrf = found.group(1)

    def page(self, path: str, name: str, *, expect: tuple[int, ...] = (200,), keep_token: bool = True):
        """GET a page; anything but the expected status (a redirect to the login included) is a failure."""
        with self.client.get(
            path, name=name, headers=self.headers, allow_redirects=False, catch_response=True
        ) as answer:
            if answer.status_code not in expect:
                answer.failure(f"{answer.status_code} {answer.headers.get('Location', '')}")
            elif keep_token and "html" in (answer.headers.get("Content-Type") or ""):
                self._take_token(answer.text)
            return answer

    def post(self, path: str, name: str, data: dict, *, expect: tuple[int, ...] = (302, 303), refuse: str = ""):
        """POST a form with the CSRF token; the expected answer is a redirect (the hub's pattern)."""
        with self.client.post(
            path,
            name=name,
            data={**data, "csrf_token": self.csrf},
            headers=self.headers,
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            location = answer.headers.get("Location") or ""
            if answer.status_code not in expect or (refuse and refuse in location):
                answer.failure(f"{answer.status_code} {location}")
            elif "html" in (answer.headers.get("Content-Type") or ""):
                self._take_token(answer.text)
            return answer

    def login(self) -> None:
        self.page("/login", "login: form")
        answer = self.post(
            "/login", "login", {"email": self.account["email"], "password": PLAN["password"]}, refuse="/login?"
        )
        location = answer.headers.get("Location") or ""
        if "/login/code" in location:  # the second factor (the umbrella)
            self.page("/login/code", "login: code form")
            code = pyotp.TOTP(self.account["totp"]).now()
            self.post("/login/code", "login: code", {"code": code}, refuse="/login")
        self.page("/", self.home_name)  # where the login leads; takes the fresh session's CSRF token

    def relogin(self) -> None:
        self.post("/logout", "logout", {})
        self.client.cookiejar.clear()
        self.csrf = ""
        self.account = self.next_account()
        self.login()

    # -- what everyone does --------------------------------------------------------------------------

    def calendar_page(self) -> None:
        self.page(f"/calendar/?month={random.choice(PLAN['months'])}", "calendar month page")

    def calendar_json(self) -> None:
        start, end = _month_window(random.choice(PLAN["months"]))
        self.page(f"/api/v1/calendar?start={start}&end={end}", "calendar month JSON")

    def directory_first(self) -> None:
        self.page("/directory/", "directory, no term")

    def directory_search(self) -> None:
        term = random.choice(PLAN["terms"])
        if random.random() < 1 / 3:
            kind = random.choice(["creative", "organisation"])
            self.page(f"/directory/?q={term}&region={random.choice(PLAN['regions'])}&kind={kind}",
                      "directory, term + region + kind")  # fmt: skip
        else:
            self.page(f"/directory/?q={term}", "directory, term")

    def event_ids(self) -> list[int]:
        return PLAN["network_events"]

    def event_page(self) -> None:
        self.page(f"/calendar/events/{random.choice(self.event_ids())}", "event page")

    def notifications(self) -> None:
        self.page("/notifications", "notifications")


class Participant(Person):
    weight = 85

    def next_account(self) -> dict:
        people = PLAN["participants"]
        account = people[next(_accounts) % len(people)]
        self.events = PLAN["network_events"] + PLAN["region_events"].get(account["region"], [])
        self.mine: list[int] = []
        return account

    def event_ids(self) -> list[int]:
        return self.events

    @task(20)
    def home(self) -> None:
        self.page("/", "home")

    @task(6)
    def directory_no_term(self) -> None:
        self.directory_first()

    @task(8)
    def directory_term(self) -> None:
        self.directory_search()

    @task(7)
    def month_page(self) -> None:
        self.calendar_page()

    @task(5)
    def month_json(self) -> None:
        self.calendar_json()

    @task(8)
    def event(self) -> None:
        self.event_page()

    @task(5)
    def register_or_cancel(self) -> None:
        """An event page, then register there, or cancel (question, then confirmed) if registered already.

        Half the time the event is one this person registered for earlier in the run (so cancellations are
        about as frequent as registrations), else any open event."""
        if self.mine and random.random() < 0.5:
            event_id = self.mine.pop(random.randrange(len(self.mine)))
        else:
            event_id = random.choice(self.events)
        answer = self.page(f"/calendar/events/{event_id}", "event page")
        text = answer.text or ""
        if f"/calendar/events/{event_id}/cancel" in text:
            self.post(f"/calendar/events/{event_id}/cancel", "cancel registration: question", {}, expect=(200,))
            self.post(f"/calendar/events/{event_id}/cancel", "cancel registration", {"confirmed": "1"})
        elif f"/calendar/events/{event_id}/register" in text:
            self.post(f"/calendar/events/{event_id}/register", "register", {})
            self.mine.append(event_id)

    @task(6)
    def notification_list(self) -> None:
        self.notifications()

    @task(5)
    def conversations(self) -> None:
        self.page("/conversations/", "conversations")

    @task(4)
    def thread(self) -> None:
        if self.account["conversations"]:
            self.page(f"/conversations/{random.choice(self.account['conversations'])}", "conversation thread")

    @task(2)
    def write(self) -> None:
        if self.account["conversations"]:
            conversation = random.choice(self.account["conversations"])
            self.page(f"/conversations/{conversation}", "conversation thread")
            body = "Danke für die Nachricht! Wollen wir uns beim nächsten Netzwerktreffen kurz sehen?"
            self.post(f"/conversations/{conversation}/messages", "send message", {"body": body})

    @task(2)
    def sign_in_again(self) -> None:
        self.relogin()


class Coordinator(Person):
    weight = 14
    home_name = "home (coordinator)"

    def next_account(self) -> dict:
        account = random.choice(PLAN["coordinators"])
        self.events = PLAN["network_events"] + PLAN["region_events"].get(account["region"], [])
        return account

    def event_ids(self) -> list[int]:
        return self.events

    @task(10)
    def home(self) -> None:
        self.page("/", self.home_name)

    @task(6)
    def dashboard(self) -> None:
        self.page(f"/{self.account['region']}/dashboard", "region dashboard")

    @task(4)
    def month_page(self) -> None:
        self.calendar_page()

    @task(2)
    def month_json(self) -> None:
        self.calendar_json()

    @task(3)
    def directory_term(self) -> None:
        self.directory_search()

    @task(4)
    def event(self) -> None:
        self.event_page()

    @task(3)
    def notification_list(self) -> None:
        self.notifications()

    @task(1)
    def sign_in_again(self) -> None:
        self.relogin()


class Umbrella(Person):
    fixed_count = 1
    home_name = "home (umbrella)"

    def next_account(self) -> dict:
        return PLAN["umbrella"]

    @task(5)
    def dashboard(self) -> None:
        self.page("/umbrella/dashboard", "umbrella dashboard")

    @task(3)
    def home(self) -> None:
        self.page("/", self.home_name)

    @task(2)
    def month_page(self) -> None:
        self.calendar_page()
