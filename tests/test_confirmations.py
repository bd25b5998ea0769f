"""Every destructive page action asks first, generated from ``app.url_map``.

A POST page route whose endpoint's name says that it destroys (a verb of DESTRUCTIVE_VERBS: remove, delete,
cancel, revoke, …) must ask before it acts, through the one mechanism, ``hub.core.glue.page_action(confirm=…)``,
or be listed in EXEMPT with the reason. Routes whose name does not say it but that destroy for some input (a
final status) are listed in ALSO_ASKING. For each of them, with the isolation suite's sample objects
(tests/factories.py ``SAMPLES``, or a setup of SETUPS where a form needs more than the URL):

- a POST without ``confirmed=1`` changes nothing in the database and answers 200 with the confirmation page:
  the question, the form's own fields again with ``confirmed=1``, "Ja, …" and "Abbrechen";
- sending that page's form (as a browser would) acts: a redirect without an error, and the database changed.

A new destructive route that does not ask fails here: its POST acts at once (or is refused for want of a setup).
The API asks nothing: a program's DELETE or POST is meant as sent (docs/ARCHITECTURE.md, "Confirmations").
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from flask import url_for

from hub.core.db import berlin_today, db
from tests.factories import PASSWORD, SAMPLES, Factory, Made
from tests.pages import bearer
from tests.parity import flashed_errors
from tests.rows import all_rows
from tests.test_isolation import _RULES, HOME

# Words in an endpoint's name (its function, split at "_") that say the route takes something away.
DESTRUCTIVE_VERBS = {
    "archive",
    "cancel",
    "clear",
    "deactivate",
    "decline",
    "delete",
    "destroy",
    "disable",
    "discard",
    "drop",
    "end",
    "erase",
    "leave",
    "purge",
    "reject",
    "remove",
    "revoke",
    "unpublish",
    "unsubscribe",
    "wipe",
    "withdraw",
}

# Destructive routes that do not ask through page_action(confirm=…), each with the reason.
EXEMPT = {
    "accounts.two_factor_disable": "the form asks for the password or a current code: that is its confirmation",
    "privacy.erase": "the form asks for the password and the typed e-mail address: that is its confirmation",
    "region.members.erase": "the coordinator types the member's e-mail address: that is its confirmation",
    "region.access.decline": "two steps already: „Ablehnen …“ opens a panel with a form for the reason the person is "
    "told, and only its own button declines",
    "region.transfer.cancel": "drops an upload's preview that was never imported: nothing stored changes, and the "
    "file can be uploaded again",
    "notifications.unsubscribe": "the e-mailed link's own page is the question, a mail program's one-click request "
    "(RFC 8058) cannot answer one, and the answer page offers to take it back (notifications.resubscribe)",
}

# Routes whose name does not say it, but that destroy for some input: they ask then (and only then).
ALSO_ASKING = {
    "region.matches.change_status": "completed and discontinued are final",
    "region.events.edit": "the status field cancels the event, as the cancel button does",
}

UNSAFE_PAGE_POSTS = sorted({r.endpoint for r in _RULES if "POST" in r.methods and not r.rule.startswith("/api/")})


def _destructive(endpoint: str) -> bool:
    return bool(set(endpoint.rsplit(".", 1)[-1].split("_")) & DESTRUCTIVE_VERBS)


DESTRUCTIVE = sorted(e for e in UNSAFE_PAGE_POSTS if _destructive(e))
ASKING = sorted(set(DESTRUCTIVE) - set(EXEMPT) | set(ALSO_ASKING))


# -- the cases ----------------------------------------------------------------------------------------


@dataclass
class Case:
    """Who sends which form to which URL."""

    url: str
    actor: Made
    form: dict = field(default_factory=dict)
    prepare: Callable | None = None  # fills the form from a page the actor sees (after signing in)


def _url(app, endpoint: str, **values) -> str:
    with app.test_request_context():
        return url_for(endpoint, **values)


def _rule(endpoint: str):
    return next(r for r in _RULES if r.endpoint == endpoint)


def sample_case(app, make: Factory, endpoint: str) -> Case:
    """The route's URL filled with samples of the home region; sent by a sample's owner, or its coordination."""
    marker = f"ASK{uuid.uuid4().hex[:8]}"
    values, owner = {"region": HOME}, None
    for arg in _rule(endpoint).arguments - {"region"}:
        assert arg in SAMPLES, f"{endpoint}: no sample for <{arg}> (tests/factories.py) and no setup in SETUPS"
        made = SAMPLES[arg](make, HOME, marker)
        values[arg] = made.id
        owner = owner or made.owner
    return Case(_url(app, endpoint, **values), owner or make.coordinator(HOME))


def _own_token(app, make):
    person = make.coordinator(HOME)
    token = make.access_token(person, name="Auswertung")
    return Case(_url(app, "accounts.revoke_token", access_token_id=token.id), person)


def _other_device(app, make):
    person = make.participant(HOME)
    other = make.login_session(person, user_agent="Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko Firefox/128.0")
    return Case(_url(app, "accounts.end_session", login_session_id=other.id), person)


def _own_registration(app, make):
    person = make.participant(HOME)
    event = make.event(HOME, title="Fachveranstaltung Digitalisierung", capacity=5)
    make.registration(event, person)
    return Case(_url(app, "calendar.cancel", event_id=event.id), person)


def _session_participant(app, make):
    session = make.session(HOME)
    return Case(
        _url(app, "region.speeddating.remove_participant", region=HOME, session_id=session.id),
        make.coordinator(HOME),
        {"participant_id": session.creatives[0].id},
    )


def _wished_pair(app, make):
    session = make.session(HOME)
    with make.inside(HOME):
        from regions.speeddating import services as speeddating

        pair = speeddating.set_pair(
            speeddating.get_session(session.id), session.creatives[0].id, session.organisations[0].id, "wish"
        )
        db.session.commit()
        pair_id = pair.id
    return Case(
        _url(app, "region.speeddating.remove_pair", region=HOME, session_id=session.id),
        make.coordinator(HOME),
        {"pair_id": pair_id},
    )


def _match_to_complete(app, make):
    match = make.match(HOME, title="Ehrenamt digital")
    return Case(
        _url(app, "region.matches.change_status", region=HOME, match_id=match.id),
        make.coordinator(HOME),
        {"status": "completed", "on": berlin_today().isoformat()},
    )


def _event_cancelled_by_its_form(app, make):
    event = make.event(HOME, title="Netzwerktreffen Annaberg")
    make.registration(event, make.participant(HOME))
    edit = _url(app, "region.events.edit", region=HOME, event_id=event.id)

    def prepare(client) -> dict:
        return {**form_on(client.get(edit).get_data(as_text=True), edit), "status": "cancelled"}

    return Case(edit, make.coordinator(HOME), prepare=prepare)


def _member_of_another_regions_team(app, make):
    """A person of the home region accepted into another region's match: its coordination takes them out."""
    match = make.match("lausitz", title="Team der Lausitz")
    person = make.person(HOME, "creative", name="Gast aus dem Erzgebirge", visibility="network")
    guest = make.guest(match, person, status="accepted")
    return Case(_url(app, "region.teams.remove", region=HOME, joint_id=guest.id), make.coordinator(HOME))


# Routes whose form needs more than the URL's samples: a setup (app, make) -> Case.
def _meeting_at_a_fair(make, *, accept: bool):
    """A meeting at an event with meetings on: the proposer's (proposed) or accepted."""
    from datetime import UTC, datetime, timedelta

    start = (datetime.now(UTC) + timedelta(days=30)).replace(hour=15, minute=0, second=0, microsecond=0)
    event = make.event(HOME, title="Netzwerkbörse", start=start, hours=2)
    proposer, invitee = (make.person(HOME, name=name, visibility="region") for name in ("Anna Holz", "Ben Film"))
    for person in (proposer, invitee):
        make.registration(event, person.owner)
    make.meeting_setup(event)
    meeting = make.meeting(event, proposer, invitee, accept=accept)
    return meeting, proposer.owner


def _own_proposal(app, make):
    meeting, proposer = _meeting_at_a_fair(make, accept=False)
    return Case(_url(app, "meetings.withdraw", event_meeting_id=meeting.id), proposer)


def _accepted_meeting(app, make):
    meeting, proposer = _meeting_at_a_fair(make, accept=True)
    return Case(_url(app, "meetings.cancel", event_meeting_id=meeting.id), proposer)


SETUPS: dict[str, Callable] = {
    "accounts.revoke_token": _own_token,
    "accounts.end_session": _other_device,
    "calendar.cancel": _own_registration,
    "meetings.withdraw": _own_proposal,
    "meetings.cancel": _accepted_meeting,
    "region.speeddating.remove_participant": _session_participant,
    "region.speeddating.remove_pair": _wished_pair,
    "region.matches.change_status": _match_to_complete,
    "region.events.edit": _event_cancelled_by_its_form,
    "region.teams.remove": _member_of_another_regions_team,
}


# -- reading pages ------------------------------------------------------------------------------------


class _Forms(HTMLParser):
    """The post forms of a page (their action and fields as a browser sends them), the h1 and the links."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []
        self.h1 = ""
        self.links: dict[str, str] = {}  # text -> href
        self._in: str | None = None
        self._href = ""
        self._text = ""
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self.forms.append((a.get("action", ""), []))
        elif tag == "h1":
            self._in, self._text = "h1", ""
        elif tag == "a":
            self._in, self._text, self._href = "a", "", a.get("href", "")
        elif not self.forms or "name" not in a and tag != "option":
            return
        elif tag == "input":
            if a.get("type", "text") in ("checkbox", "radio") and "checked" not in a:
                return
            if a.get("type") not in ("submit", "button", "file"):
                self.forms[-1][1].append((a["name"], a.get("value", "")))
        elif tag == "textarea":
            self._in, self._text, self._href = "textarea", "", a["name"]
        elif tag == "select":
            self._select, self._select_first, self._select_chosen = a["name"], None, False
        elif tag == "option" and self._select:
            if self._select_first is None:
                self._select_first = a.get("value", "")
            if "selected" in a:
                self.forms[-1][1].append((self._select, a.get("value", "")))
                self._select_chosen = True

    def handle_endtag(self, tag):
        if tag == "h1" and self._in == "h1":
            self.h1, self._in = self._text.strip(), None
        elif tag == "a" and self._in == "a":
            self.links[" ".join(self._text.split())] = self._href
            self._in = None
        elif tag == "textarea" and self._in == "textarea":
            self.forms[-1][1].append((self._href, self._text.removeprefix("\n")))
            self._in = None
        elif tag == "select" and self._select:
            if not self._select_chosen and self._select_first is not None:
                self.forms[-1][1].append((self._select, self._select_first))
            self._select = None

    def handle_data(self, data):
        if self._in:
            self._text += data


def read(html: str) -> _Forms:
    reader = _Forms()
    reader.feed(html)
    return reader


def form_on(html: str, action: str) -> dict:
    """The fields of the page's form that posts to ``action`` (a form without one posts to the page's own address,
    which is ``action`` then), as a browser would send them unchanged."""
    forms = [fields for target, fields in read(html).forms if (target or action) == action]
    assert forms, f"no form posts to {action}"
    return dict(forms[0])


def snapshot(app) -> dict:
    """Every row of every table."""
    return all_rows(app)


def signed_in(app, person: Made):
    client = app.test_client()
    assert client.post("/login", data={"email": person.email, "password": PASSWORD}).status_code == 302
    return client


def confirmation_form(html: str, url: str) -> list[tuple[str, str]]:
    """The confirmation page's form (the one that posts to the action's own URL with confirmed=1)."""
    forms = [fields for target, fields in read(html).forms if target == url and ("confirmed", "1") in fields]
    assert len(forms) == 1, f"the confirmation page has no form that sends confirmed=1 to {url}"
    return forms[0]


# -- the suite ----------------------------------------------------------------------------------------


def test_there_are_destructive_routes_to_check():
    """The verbs find the routes (a renamed verb list that matched nothing would prove nothing)."""
    assert len(ASKING) >= 15
    assert {"region.matches.delete_document", "calendar.cancel", "accounts.revoke_token"} <= set(ASKING)


def test_exemptions_name_destructive_routes_that_exist():
    assert set(EXEMPT) <= set(DESTRUCTIVE), "an exemption for a route that is gone or not destructive: remove it"
    assert set(ALSO_ASKING) <= set(UNSAFE_PAGE_POSTS) - set(DESTRUCTIVE)


@pytest.mark.parametrize("endpoint", ASKING)
def test_a_destructive_action_asks_first_and_acts_once_confirmed(app, make, endpoint):
    case = SETUPS[endpoint](app, make) if endpoint in SETUPS else sample_case(app, make, endpoint)
    client = signed_in(app, case.actor)
    form = case.prepare(client) if case.prepare else case.form
    before = snapshot(app)

    asked = client.post(case.url, data=form, headers={"Referer": "http://localhost/erzgebirge/"})

    assert asked.status_code == 200, (
        f"{endpoint}: a POST without confirmed=1 answered {asked.status_code}; a destructive page action asks first "
        "(hub.core.glue.page_action(confirm=…)) or is listed in EXEMPT with the reason"
    )
    assert snapshot(app) == before, f"{endpoint}: asking changed the database"
    html = asked.get_data(as_text=True)
    page = read(html)
    assert page.h1.endswith("?"), f"{endpoint}: the page's heading is no question: {page.h1!r}"
    assert page.links.get("Abbrechen") == "/erzgebirge/"
    fields = confirmation_form(html, case.url)
    for name, value in form.items():
        if name == "csrf_token":  # a fresh token, signed with the second it was made in: not the same text
            continue
        assert (name, str(value)) in fields, f"{endpoint}: the confirmation does not send {name} again"
    assert "csrf_token" in dict(fields)
    assert '<button type="submit">Ja, ' in html

    done = client.post(case.url, data=dict(fields))

    assert done.status_code == 302, f"{endpoint}: confirmed, it answered {done.status_code}"
    assert flashed_errors(client) == []
    assert snapshot(app) != before, f"{endpoint}: confirmed, it changed nothing"


# -- the page's details -------------------------------------------------------------------------------


def _asked(app, make, **headers_and_form):
    case = _own_token(app, make)
    client = signed_in(app, case.actor)
    form = headers_and_form.pop("form", {})
    return case, client.post(case.url, data=form, headers=headers_and_form)


def test_the_question_names_what_goes_and_says_what_happens(app, make):
    case, response = _asked(app, make)
    html = response.get_data(as_text=True)
    assert read(html).h1 == "Den Token „Auswertung“ widerrufen?"
    assert "Programme, die ihn benutzen, verlieren sofort ihren Zugang." in html
    assert '<button type="submit">Ja, widerrufen</button>' in html
    assert "<title>Den Token „Auswertung“ widerrufen? · CIMIS Hub</title>" in html


@pytest.mark.parametrize(
    "referrer",
    [
        "https://evil.example/account",
        "http://evil.example/",
        "//evil.example/",
        "javascript:alert(1)",
        "http://localhost.evil.example/account",
    ],
)
def test_abbrechen_never_leads_to_another_host(app, make, referrer):
    _case, response = _asked(app, make, Referer=referrer)
    assert read(response.get_data(as_text=True)).links["Abbrechen"] == "/"


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example/", "/\\evil.example", " //evil.example"])
def test_a_next_field_to_another_host_is_not_followed(app, make, target):
    _case, response = _asked(app, make, form={"next": target})
    assert read(response.get_data(as_text=True)).links["Abbrechen"] == "/"


def test_abbrechen_leads_back_to_the_page_the_button_was_on(app, make):
    _case, response = _asked(app, make, Referer="http://localhost/account?tab=1#tokens")
    assert read(response.get_data(as_text=True)).links["Abbrechen"] == "/account?tab=1#tokens"
    _case, response = _asked(app, make, form={"next": "/account#tokens"}, Referer="http://localhost/")
    assert read(response.get_data(as_text=True)).links["Abbrechen"] == "/account#tokens"


def test_abbrechen_never_leads_to_an_address_that_answers_post_only(app, make):
    case, response = _asked(app, make, Referer="http://localhost/account/tokens/1/revoke")
    assert read(response.get_data(as_text=True)).links["Abbrechen"] == "/"
    case, response = _asked(app, make, Referer="http://localhost/account/sessions/end-all")
    assert read(response.get_data(as_text=True)).links["Abbrechen"] == "/"
    case, response = _asked(app, make, form={"next": "/account/tokens/1/revoke"})
    assert read(response.get_data(as_text=True)).links["Abbrechen"] == "/"
    case, response = _asked(app, make, form={"next": "/account"})
    assert read(response.get_data(as_text=True)).links["Abbrechen"] == "/account"


def test_the_confirmation_carries_a_fresh_csrf_token_that_the_hub_accepts(app, make):
    case = _own_token(app, make)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        client = app.test_client()
        login = form_on(client.get("/login").get_data(as_text=True), "/login")
        form = {**login, "email": case.actor.email, "password": PASSWORD}
        assert client.post("/login", data=form).status_code == 302
        account = client.get("/account").get_data(as_text=True)
        asked = client.post(case.url, data=form_on(account, case.url))
        assert asked.status_code == 200
        fields = confirmation_form(asked.get_data(as_text=True), case.url)
        assert client.post(case.url, data=dict(fields)).status_code == 302
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    with app.app_context():
        from hub.accounts.models import AccessToken

        assert db.session.get(AccessToken, int(case.url.split("/")[-2])).revoked_at is not None


def test_confirmed_must_say_yes(app, make):
    """Only ``confirmed=1`` is a yes; anything else asks again."""
    case = _own_token(app, make)
    client = signed_in(app, case.actor)
    before = snapshot(app)
    for value in ("0", "", "ja", "true"):
        assert client.post(case.url, data={"confirmed": value}).status_code == 200
    assert snapshot(app) == before


# -- which questions ----------------------------------------------------------------------------------


def test_leaving_the_waiting_list_asks_in_those_words_with_the_place_in_the_queue(app, make):
    event = make.event(HOME, title="Peer-Learning Meißen", capacity=1)
    make.registration(event, make.participant(HOME))
    make.registration(event, make.participant(HOME))
    waiting = make.participant(HOME)
    assert make.registration(event, waiting).extra == "waitlisted"
    client = signed_in(app, waiting)
    response = client.post(f"/calendar/events/{event.id}/cancel")
    html = response.get_data(as_text=True)
    assert read(html).h1 == "Die Warteliste für „Peer-Learning Meißen“ verlassen?"
    assert "Sie geben Ihren Platz 2 in der Warteschlange auf." in html
    assert '<button type="submit">Ja, Warteliste verlassen</button>' in html


def test_a_change_that_loses_nothing_is_made_at_once(app, make):
    """Asking is for what cannot be had back: a match that starts, an event saved as it was, go through."""
    match = make.match(HOME, title="Ehrenamt digital", status="proposed")
    client = signed_in(app, make.coordinator(HOME))
    response = client.post(
        f"/erzgebirge/matches/{match.id}/status", data={"status": "active", "on": berlin_today().isoformat()}
    )
    assert response.status_code == 302


def test_nothing_to_lose_is_not_asked_about_and_the_action_says_why(app, make):
    """A token revoked already, someone else's token: no question, the action answers as before."""
    case = _own_token(app, make)
    client = signed_in(app, case.actor)
    assert client.post(case.url, data={"confirmed": "1"}).status_code == 302
    assert client.post(case.url).status_code == 302  # revoked already: nothing to ask, nothing changes
    stranger = signed_in(app, make.participant(HOME))
    assert stranger.post(case.url).status_code == 404


def test_the_api_asks_nothing(app, client, make):
    """A program's call is meant as sent: the API's cancel acts at once."""
    coordinator = make.coordinator(HOME)
    event = make.event(HOME, title="Abschlussveranstaltung")
    token = make.access_token(coordinator).extra
    response = client.post(f"/api/v1/regions/{HOME}/events/{event.id}/cancel", headers=bearer(token))
    assert response.status_code == 200
    with make.inside(HOME):
        from regions.events.models import Event

        assert db.session.get(Event, event.id).status.value == "cancelled"


def test_a_form_with_errors_is_refused_before_anything_is_asked(app, make):
    """Bad input is explained beside its field first (422); the question comes for a form that could be sent."""
    match = make.match(HOME, title="Ehrenamt digital")
    client = signed_in(app, make.coordinator(HOME))
    response = client.post(f"/erzgebirge/matches/{match.id}/status", data={"status": "completed", "on": "31.02.2026"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'name="confirmed"' not in html and "Ja, Status ändern" not in html
