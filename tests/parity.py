"""Parity: one use case sent through the page and through the API ends the same way and stores the same.

A parity test builds a small world, sends one case through the page as a signed-in person, takes a
snapshot of what is stored, wipes the database, builds the same world again and sends the same case
through the API with that person's token. Both answers are read as an ``Outcome`` (done, refused with
the fields named, forbidden, not found, conflict); both must equal the case's expectation, and the two
snapshots must be equal. Snapshots hold names and values, never ids (the two worlds' ids may differ).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from werkzeug.datastructures import MultiDict

from tests.conftest import AuthActions, Factory, wipe_database


@dataclass(frozen=True)
class Outcome:
    """What a person notices: it was done, refused (which fields), forbidden, not found, or a conflict."""

    kind: str
    fields: frozenset[str] = frozenset()

    def __repr__(self) -> str:
        return f"{self.kind}{sorted(self.fields) if self.fields else ''}"


def done() -> Outcome:
    return Outcome("done")


def refused(*fields: str) -> Outcome:
    return Outcome("refused", frozenset(fields))


FORBIDDEN = Outcome("forbidden")
NOT_FOUND = Outcome("not found")
CONFLICT = Outcome("conflict")

_STATUS = {403: FORBIDDEN, 404: NOT_FOUND, 409: CONFLICT}
_NAMED_FIELD = re.compile(r'<a href="#f-([\w.-]+)">')


def page_outcome(response, client=None) -> Outcome:
    """A page's answer: a redirect is done, unless it brings an error message back (a button without a form is
    refused that way, hub.core.glue.page_action); 422 names the refused fields in its error summary."""
    if response.status_code in (302, 303):
        return refused("_form") if client is not None and flashed_errors(client) else done()
    if response.status_code == 422:
        html = response.get_data(as_text=True)
        summary = html[html.find('class="form-errors"') :]
        named = set(_NAMED_FIELD.findall(summary[: summary.find("</div>")]))
        if not named and "form-errors" in html:
            named = {"_form"}
        return refused(*named)
    return _STATUS.get(response.status_code, Outcome(f"HTTP {response.status_code}"))


def flashed_errors(client) -> list[str]:
    """The error messages waiting in the client's session for the next page."""
    with client.session_transaction() as session:
        return [text for category, text in session.get("_flashes", []) if category == "error"]


def api_outcome(response) -> Outcome:
    """An API answer: 2xx is done; 422 names the refused fields in ``errors.json``."""
    if 200 <= response.status_code < 300:
        return done()
    if response.status_code == 422:
        return refused(*response.get_json().get("errors", {}).get("json", {}))
    return _STATUS.get(response.status_code, Outcome(f"HTTP {response.status_code}"))


def form_value(value: Any) -> Any:
    """A value as a browser's form sends it (German notation for amounts)."""
    if isinstance(value, Decimal):
        return f"{value:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def json_value(value: Any) -> Any:
    """A value as an API client sends it (amounts as strings with a dot, dates in ISO 8601)."""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    return value


def as_form(values: dict) -> MultiDict:
    form = MultiDict()
    for name, value in values.items():
        for one in value if isinstance(value, (list, tuple)) else [value]:
            form.add(name, form_value(one))
    return form


@dataclass
class Channel:
    """One way in: how the person is signed in and how the case is sent."""

    name: str
    send: Callable[..., Any]
    outcome: Callable[[Any], Outcome]


@dataclass
class UseCase:
    """A use case as both adapters offer it.

    ``world(make)`` builds what the case needs and returns a dict of names (at least the acting people);
    ``page(world, values)`` and ``api(world, values)`` give (method, URL, payload) for each adapter;
    ``snapshot(app, world)`` reads what is stored, by names and values. Where the page's form names the
    values otherwise than the API (a row per person, say), ``form(world, values)`` gives the form's values and
    ``page_field(name)`` the API's name of a field the page refuses. ``confirmed``: the page asks first (a
    destructive action, ``hub.core.glue.page_action(confirm=…)``), and the person answers yes; the API asks nothing.
    """

    world: Callable[[Factory], dict]
    page: Callable[[dict, dict], tuple[str, str]]
    api: Callable[[dict, dict], tuple[str, str]]
    snapshot: Callable[[Any, dict], Any]
    api_method: str = "POST"
    form: Callable[[dict, dict], dict] | None = None
    page_field: Callable[[str], str] | None = None
    confirmed: bool = False


@dataclass(frozen=True)
class Case:
    """One case of a use case: who sends which values, and what must come of it (on both ways in)."""

    name: str
    actor: str
    values: dict = field(default_factory=dict)
    expect: Outcome = field(default_factory=done)


def check_parity(app, regions, client, use: UseCase, case: Case) -> None:
    """Send ``case`` through the page, then (in a fresh world) through the API; compare both with each other."""
    results = []
    for way in ("page", "api"):
        make = Factory(app, regions)
        world = use.world(make)
        values = {k: (v(world) if callable(v) else v) for k, v in case.values.items()}
        person = world[case.actor]
        person = person.owner if getattr(person, "profile_id", 0) else person  # a participant: their account
        if way == "page":
            client.post("/logout")
            AuthActions(client).login(person)
            url = use.page(world, values)
            form = as_form(use.form(world, values) if use.form else values)
            if use.confirmed:
                form.add("confirmed", "1")
            response = client.post(url, data=form)
            outcome = page_outcome(response, client)
            if use.page_field and outcome.fields:
                outcome = Outcome(outcome.kind, frozenset(map(use.page_field, outcome.fields)))
            client.post("/logout")
        else:
            token = make.access_token(person).extra
            url = use.api(world, values)
            body = {k: json_value(v) for k, v in values.items()}
            response = client.open(url, method=use.api_method, json=body, headers={"Authorization": f"Bearer {token}"})
            outcome = api_outcome(response)
        results.append((way, outcome, use.snapshot(app, world), response))
        wipe_database(app)
    (_, page_result, page_state, page_response), (_, api_result, api_state, api_response) = results
    assert page_result == case.expect, f"page: {page_result!r} ({page_response.status_code}), expected {case.expect!r}"
    assert api_result == case.expect, (
        f"API: {api_result!r} ({api_response.status_code} {api_response.get_data(as_text=True)[:300]}),"
        f" expected {case.expect!r}"
    )
    assert page_state == api_state, f"stored differently:\n page: {page_state}\n  API: {api_state}"
