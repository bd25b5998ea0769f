"""Every form of the hub under odd input, generated from its pages.

The forms are found, not listed: every HTML page of ``app.url_map`` is rendered with the isolation suite's
sample objects (tests/factories.py ``SAMPLES``) for an admin, a coordinator and a participant of the region,
the owners of the samples and a visitor, and every ``<form method="post">`` on them is read with
``html.parser``. Each form is then sent with one field at a time replaced by an over-long text, a NUL
character, odd Unicode, invalid UTF-8 bytes, a wrong type (letters in a number, impossible dates, a negative
or huge number, an unknown option, the field twice) or nothing, the other fields keeping plausible valid
values. For every case:

- never a 5xx;
- a refusal (400, 404, 409, 422) changes nothing in the database; a 422 shows a German message beside the
  field, or above the form for a field the person cannot type into;
- an acceptance (a redirect) is allowed only for a value that is legitimately valid, and a text is stored
  exactly as sent (stripped of the surrounding blanks), never cut.

A POST route with no form on any page is listed in NO_FORM with its reason; a new form is fuzzed without
editing this file.
"""

from __future__ import annotations

import contextlib
import html
import io
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote_plus, urlsplit

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select
from werkzeug.exceptions import MethodNotAllowed, NotFound

from hub.core.db import berlin_today, db, utcnow
from hub.core.extensions import limiter
from hub.core.glue import CONFIRMED_FIELD
from hub.core.tenancy import all_regions
from tests.factories import PASSWORD, SAMPLES, MadePerson, tiny_pdf
from tests.test_isolation import _RULES, HOME, World

pytestmark = pytest.mark.slow

# POST routes that no page offers as a form, with the reason; every other POST route must have one.
NO_FORM: dict[str, str] = {
    "conversations.mark_read": "opening the thread marks it read; the POST is the page's side of the API's read",
}

# Forms whose answer holds further forms: sent once with valid values while the forms are found.
LEADING_FORMS = ("region.transfer.upload", "notifications.unsubscribe")

# Tables a refused request may write to: the record of the attempt itself, which the security requires.
RECORDS_OF_ATTEMPTS = {
    "security_event": "a failed sign-in (wrong password or code) is recorded "
    "(ASVS V16.3.1; tests/test_security_events.py)",
}

# Actors who look for forms, in the order in which a form is taken from them (the first who sees it sends it).
ACTORS = ("coordinator", "admin", "participant", "anonymous")

# Fields whose odd value is accepted without being stored, with the reason.
NOT_STORED = {
    "next": "where to go after the form: an odd or foreign target is replaced by the start page "
    "(tests/test_accounts.py), nothing is stored",
    "offer_tags": "split into tags at the commas, repeated tags once (regions/profiles/schemas.Tags)",
    "need_tags": "split into tags at the commas, repeated tags once (regions/profiles/schemas.Tags)",
    "sector": "kept for organisations only: a creative's profile clears it (regions/profiles/services.apply_fields)",
}

# Refusals that are right but that the page does not yet explain: the field's message is not printed
# (the template shows only the form's own errors for these sections). Nothing is written; a person sees
# the form again without a word why. To fix in the templates, then remove here.
NO_MESSAGE_YET: dict[str, set[str]] = {}

# Text inputs that take something else than text, with what they take.
NOT_TEXT = {
    "amount": "an amount in euros, German notation, stored as a number; negative ones correct earlier entries",
}


# -- finding the forms ------------------------------------------------------------------------------


@dataclass
class Field:
    """One named control of a form, as the page renders it."""

    name: str
    type: str
    value: str = ""
    checked: bool = False
    options: list[str] = field(default_factory=list)
    attrs: dict = field(default_factory=dict)


@dataclass
class Form:
    """A form as found on a page: who saw it, where it posts, its controls in page order."""

    actor: str
    page: str
    action: str
    multipart: bool
    fields: list[Field]
    endpoint: str = ""
    after: str | None = None  # the form whose answer shows this one

    def names(self) -> list[str]:
        """The controls a person can change, once each, in page order (the CSRF token is not one)."""
        return list(dict.fromkeys(f.name for f in self.fields if f.name != "csrf_token"))


class FormReader(HTMLParser):
    """Collects the ``<form method="post">`` of a page with their inputs, selects and textareas."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: Field | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            if a.get("method", "get").lower() == "post":
                self._form = {
                    "action": a.get("action", ""),
                    "multipart": "multipart" in a.get("enctype", ""),
                    "fields": [],
                }
                self.forms.append(self._form)
            return
        if self._form is None or ("name" not in a and tag != "option") or "disabled" in a:
            return
        if tag == "input":
            kind = a.get("type", "text").lower()
            self._form["fields"].append(Field(a["name"], kind, a.get("value", ""), "checked" in a, attrs=a))
        elif tag == "button":
            self._form["fields"].append(Field(a["name"], "submit", a.get("value", ""), attrs=a))
        elif tag == "select":
            self._select = Field(a["name"], "select", attrs=a)
            self._form["fields"].append(self._select)
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._select.options.append(value)
            if "selected" in a and not self._select.checked:
                self._select.value, self._select.checked = value, True
        elif tag == "textarea":
            self._textarea = Field(a["name"], "textarea", attrs=a)
            self._form["fields"].append(self._textarea)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data


def _is_page(rule) -> bool:
    """A GET route that renders an HTML page (not the API, files, feeds or downloads)."""
    return (
        "GET" in rule.methods
        and not rule.rule.startswith("/api/")
        and rule.endpoint not in ("static", "api_docs.docs_asset", "core.region_css")
        and not re.search(r"\.(ics|csv|xlsx|pdf|css|<fmt>)$", rule.rule)
        and "<token>" not in rule.rule
    )


def _post_endpoints() -> list[str]:
    """Every non-API route that takes a POST."""
    return sorted({r.endpoint for r in _RULES if "POST" in r.methods and not r.rule.startswith("/api/")})


class FormWorld(World):
    """The isolation suite's samples, in the home region only, with an admin among the actors."""

    def __init__(self, app, make):
        self.app = app
        self.make = make
        self.marker = {HOME: f"FUZZ{uuid.uuid4().hex[:8]}"}
        self.actors = {
            "coordinator": make.coordinator(HOME),
            "admin": make.admin(),
            "participant": make.participant(HOME),
            "anonymous": None,
        }
        self.samples = {HOME: {arg: factory(make, HOME, self.marker[HOME]) for arg, factory in SAMPLES.items()}}
        # A person with the second factor on: signed in fully (the account page's factor forms), and halfway,
        # between password and code (the code form).
        self.actors["second factor"] = self.actors["code step"] = make.participant(HOME)
        # Each sign-in uses a recovery code of its own (one used while the forms are found stays used).
        self.recovery_codes = self._turn_on_second_factor(self.actors["second factor"])
        # The owners of samples see forms nobody else does (their ratings, a contact request to them).
        for arg, made in self.samples[HOME].items():
            if getattr(made, "owner", None) is not None:
                self.actors[f"owner of {arg}"] = made.owner
        self.extra_pages = self._pages_with_state()
        self.forms = self._find_forms()
        # The login form is filled with an account that exists (the visitor's page leaves it empty).
        for f in self.forms["accounts.login"].fields:
            if f.name == "email":
                f.value = self.actors["participant"].email

    def _pages_with_state(self) -> list[str]:
        """Pages whose forms show only in some state (a registration to cancel, a pair to remove, a link to
        follow), made here, beside the samples' own pages."""
        make, marker = self.make, self.marker[HOME]
        participant = self.actors["participant"]
        for actor in ("coordinator", "admin", "participant"):
            make.access_token(self.actors[actor], name=f"{marker} token of {actor}")
        own = make.profile(
            HOME, user=participant, name=f"{marker} own profile", visibility="network", need_tags=["Fuzzholz"]
        )
        own.owner = participant
        other = make.person(HOME, name=f"{marker} network person", visibility="network", offer_tags=["Fuzzholz"])
        # Issue 18: a blocked conversation (its unblock), a hidden and a saved person (their undo), a network
        # event with meetings where the participant has a proposal out and an accepted meeting (withdraw,
        # cancel) and someone left to propose to; `other` stays suggested (hide, save).
        blocked = make.person(HOME, name=f"{marker} blocked person", visibility="network")
        hidden = make.person(HOME, name=f"{marker} hidden person", visibility="network")
        saved = make.person(HOME, name=f"{marker} saved person", visibility="network")
        thread = make.conversation(blocked, own)
        meeting_event = make.event(HOME, title=f"{marker} meeting event", audience="network", capacity=20)
        make.meeting_setup(meeting_event, tables=3)
        for person in (participant, hidden.owner, saved.owner, other.owner):
            make.registration(meeting_event, person)
        mine = MadePerson(
            id=own.id, name="own", region=HOME, email=participant.email, owner=participant, profile_id=own.id
        )
        make.meeting(meeting_event, mine, hidden, slot=0)
        make.meeting(meeting_event, mine, saved, slot=1, place="Tisch 2", accept=True)
        open_event = make.event(HOME, title=f"{marker} open event", capacity=20)
        booked_event = make.event(HOME, title=f"{marker} booked event", capacity=20)
        make.registration(booked_event, participant)
        archived = make.profile(HOME, name=f"{marker} archived profile")
        session = self.samples[HOME]["session_id"]
        with make.inside(HOME):
            from hub.accounts.services import request_password_reset
            from hub.core.mail.models import OutboxMessage
            from hub.notifications.services import unsubscribe_token
            from regions.matches.models import MatchSuggestion
            from regions.profiles import services as profiles
            from regions.speeddating import services as speeddating

            profiles.archive(profiles.get_profile(archived.id))
            from hub.accounts.models import User
            from hub.core.actions import Actor
            from shared.conversations import actions as conversations
            from shared.meet import actions as meet

            with all_regions():
                me = Actor(db.session.get(User, participant.id), None)
                conversations.block(me, thread.id)
                meet.hide_person(me, hidden.id)
                meet.save_person(me, saved.id)
            the_session = speeddating.get_session(session.id)
            speeddating.set_pair(the_session, session.creatives[0].id, session.organisations[0].id, "wish")
            suggested_in = db.session.get(MatchSuggestion, self.samples[HOME]["suggestion_id"].id).session_id
            request_password_reset(participant.email)
            for message in db.session.scalars(select(OutboxMessage)):  # one given up, for the retry button
                message.attempts, message.given_up_at = 9, utcnow()
            db.session.commit()
            reset_mail = db.session.scalars(
                select(OutboxMessage.body)
                .where(OutboxMessage.body.contains("/password/reset/"))
                .order_by(OutboxMessage.id.desc())
            ).first()
            reset_link = re.search(r"/password/reset/\S+", reset_mail)[0]
            unsubscribe = unsubscribe_token(participant.email, "members")
        return [
            f"/directory/profiles/{other.id}",
            f"/calendar/events/{open_event.id}",
            f"/calendar/events/{booked_event.id}",
            self.url("region.events.registrations", HOME, HOME, event_id=booked_event.id),
            self.url("region.profiles.edit", HOME, HOME, profile_id=archived.id),
            self.url("region.matches.suggestions", HOME, HOME, session_id=suggested_in),
            reset_link,
            f"/invitations/{self.samples[HOME]['invitation_id'].extra}",
            f"/unsubscribe/{unsubscribe}",
            "/directory/?q=Holz&kind=creative",  # a search, which the directory offers to save
            f"/conversations/{thread.id}",
            f"/calendar/events/{meeting_event.id}/meetings?with={other.id}",
            # Teams across regions: the request of the guest sample on its match's page, and the accepted
            # person's own page of the joined sample (their journal and milestones).
            self.url("region.teams.request_guest", HOME, HOME, match_id=int(self.samples[HOME]["guest_id"].extra)),
            self.url("region.teams.joint", HOME, HOME, joint_id=self.samples[HOME]["joined_id"].id),
        ]

    def _turn_on_second_factor(self, person) -> list[str]:
        """Turn the person's second factor on; its recovery codes, to sign in with."""
        import pyotp

        from hub.accounts import two_factor
        from hub.accounts.models import User

        with self.app.app_context():
            user = db.session.get(User, person.id)
            secret = two_factor.begin_setup(user)
            codes = two_factor.enable(user, pyotp.TOTP(secret).now())
            db.session.commit()
        return codes

    def client_for(self, actor: str):
        person = self.actors[actor]
        if actor in ("second factor", "code step"):
            client = self.app.test_client()
            answer = client.post("/login", data={"email": person.email, "password": PASSWORD})
            assert answer.status_code == 302 and answer.headers["Location"].endswith("/login/code")
            if actor == "second factor":
                assert client.post("/login/code", data={"code": self.recovery_codes.pop()}).status_code == 302
            return client
        if person is None or actor in ACTORS:
            return super().client_for(actor)
        return self.client_for_email(person.email)

    def _find_forms(self) -> dict[str, Form]:
        """The first form that posts to each endpoint, from the pages every actor sees."""
        found: dict[str, Form] = {}
        for actor in self.actors:
            client = self.client_for(actor)
            pages = [self.url(rule.endpoint, HOME, objects_from=HOME) for rule in _RULES if _is_page(rule)]
            for page in self.extra_pages + pages:
                response = client.get(page)
                self._read_forms(found, actor, page, response)
            # Forms that answer with further forms (the import's preview with its confirm button).
            for endpoint in LEADING_FORMS:
                form = found.get(endpoint)
                if form is not None and form.actor == actor:
                    body, content_type = _encode(valid_values(form), form.multipart)
                    response = client.post(form.action, data=body, content_type=content_type)
                    self._read_forms(found, actor, form.action, response, after=endpoint)
        return found

    def _read_forms(self, found: dict[str, Form], actor: str, page: str, response, after=None, fresh=False) -> None:
        """Add the post forms of a page, each under the endpoint it posts to."""
        adapter = self.app.url_map.bind("hub.test")
        if response.status_code != 200 or response.mimetype != "text/html":
            return
        reader = FormReader()
        reader.feed(response.get_data(as_text=True))
        for raw in reader.forms:
            action = urlsplit(raw["action"]).path or page
            try:
                endpoint, _args = adapter.match(action, method="POST")
            except (NotFound, MethodNotAllowed):
                continue
            known = found.get(endpoint)
            if known is None or known.actor == actor and (fresh or len(raw["fields"]) > len(known.fields)):
                found[endpoint] = Form(
                    actor, page, raw["action"] or page, raw["multipart"], raw["fields"], endpoint, after
                )


_BUILT: dict[int, FormWorld] = {}


@pytest.fixture
def world(app, make):
    """The sample world and its forms, built once per run and restored row by row before every later test."""
    known = _BUILT.get(id(app))
    if known is None:
        fresh = FormWorld(app, make)
        fresh.keep()
        _BUILT[id(app)] = fresh
        return fresh
    known.restore()
    return known


# -- plausible values -------------------------------------------------------------------------------

NEW_PASSWORD = "ein neues Kennwort für die Tests"

# What a person writes into the empty fields of a new object's form (the other empty fields stay empty).
PLAUSIBLE = {
    "title": "Beispiel",
    "name": "Beispiel",
    "display_name": "Beispiel",
    "challenge": "Eine Herausforderung",
    "starts_at": lambda soon: f"{soon.isoformat()}T18:00",
    "ends_at": lambda soon: f"{soon.isoformat()}T20:00",
    "starts_on": lambda soon: soon.isoformat(),
    "ends_on": lambda soon: (soon + timedelta(days=200)).isoformat(),
    "email": lambda soon: f"fuzz-{uuid.uuid4().hex[:8]}@example.org",
    "funding_per_match": "2.500,00",
    "message": "Hallo, lass uns sprechen!",
    "body": "Ein Eintrag",
    "goals": "Ein Ziel",
}


# Fields sent with a wrong value even "as found": the right one would end the state the form belongs to (the
# second factor turned off), and the odd values would then meet another page.
REFUSED_AS_FOUND = {"password_or_code": "000000"}


def _plausible(f: Field) -> str:
    """A valid value for a control the page left empty: what a person fills into a required field."""
    if f.value or not (f.name in PLAUSIBLE or "required" in f.attrs):
        return f.value
    soon = berlin_today() + timedelta(days=30)
    if f.name in PLAUSIBLE:
        value = PLAUSIBLE[f.name]
        return value(soon) if callable(value) else value
    by_type = {
        "email": f"fuzz-{uuid.uuid4().hex[:6]}@example.org",
        "url": "https://example.org",
        "tel": "+49 371 123456",
        "date": soon.isoformat(),
        "datetime-local": f"{soon.isoformat()}T18:00",
        "time": "18:00",
        "number": f.attrs.get("min") or "1",
        "password": PASSWORD if "current" in f.name else NEW_PASSWORD,
    }
    if f.type in by_type:
        return by_type[f.type]
    if f.name.endswith(("_id", "amount")):
        return "1"
    return "Beispiel"


def valid_values(form: Form) -> list[tuple[str, object]]:
    """The form as a person would send it: current values, the selected (or first) option, checked boxes,
    the first button."""
    pairs: list[tuple[str, object]] = []
    radios_done = set()
    current = "new_password" if any(f.name.endswith("_confirm") for f in form.fields) else "current_password"
    for f in form.fields:
        if f.type == "submit":
            if not any(g.type == "submit" for g in form.fields[: form.fields.index(f)]):
                pairs.append((f.name, f.value))
            continue
        if f.name in REFUSED_AS_FOUND:
            pairs.append((f.name, REFUSED_AS_FOUND[f.name]))
        elif f.type == "password":
            pairs.append((f.name, PASSWORD if "current" in f.name or current == "current_password" else NEW_PASSWORD))
            continue
        if f.type == "checkbox":
            if f.checked:
                pairs.append((f.name, f.value or "on"))
        elif f.type == "radio":
            if f.name in radios_done:
                continue
            group = [g for g in form.fields if g.name == f.name and g.type == "radio"]
            chosen = next((g for g in group if g.checked), group[0])
            pairs.append((f.name, chosen.value))
            radios_done.add(f.name)
        elif f.type == "select":
            if f.attrs.get("multiple") is not None and "multiple" in f.attrs:
                pairs.append((f.name, f.value)) if f.checked else None
            else:
                pairs.append((f.name, f.value if f.checked else next((o for o in f.options if o), "")))
        elif f.type == "file":
            pairs.append((f.name, _upload(f)))
        else:
            pairs.append((f.name, _plausible(f)))
    # a confirmation repeats its password
    given = dict(pairs)
    return [(k, given.get(k[: -len("_confirm")], v) if k.endswith("_confirm") else v) for k, v in pairs]


@dataclass
class Upload:
    """A file to send with a form."""

    filename: str | bytes
    data: bytes


def _upload(f: Field) -> Upload | str:
    accept = f.attrs.get("accept", "")
    if f.name == "file" and ".csv" in accept:
        rows = "Name;Art;E-Mail\r\nBeispiel aus der Datei;Kreative;beispiel-datei@example.org\r\n"
        return Upload("teilnehmende.csv", rows.encode())
    if "image" in accept:
        return ""
    if f.name in ("receipt",):
        return ""
    return Upload("Konzept.pdf", tiny_pdf())


# -- odd values -------------------------------------------------------------------------------------

_BASE = "Ein langer Text, der nicht abgeschnitten werden darf. "
LONG = (_BASE * (100_000 // len(_BASE) + 1))[:99_996] + "ENDE"
ODD_UNICODE = "Kul\u202etur\u200d und e\u0301\u0308 \U0001f469\U0001f3fd\u200d\U0001f3a8 \uffff Ende"
BAD_UTF8 = b"Caf\xe9 \xff\xfe\xc3( Ende"

# (case, value); a list sends the field twice, bytes are sent raw.
ODD_VALUES = [
    ("over-long", LONG),
    ("NUL", "vor\x00nach"),
    ("odd Unicode", ODD_UNICODE),
    ("invalid UTF-8", BAD_UTF8),
    ("letters in a number", "zwölf"),
    ("impossible ISO date", "2026-13-45"),
    ("impossible German date", "31.02.2026"),
    ("negative number", "-1"),
    ("huge number", str(10**30)),
    ("unknown option", "gibt-es-nicht"),
    ("twice", None),
    ("empty", ""),
]

TEXT_TYPES = {"text", "textarea", "search", "email", "url", "tel"}
# Controls a person cannot type into: their refusal may be explained above the form instead of beside them.
CANNOT_TYPE = {"hidden", "file", "select", "radio", "checkbox", "submit"}


def _encode(pairs: list[tuple[str, object]], multipart: bool) -> tuple[bytes, str]:
    """A form body as a browser would send it; bytes are sent as they are, even when not UTF-8."""
    if not multipart:
        body = "&".join(
            f"{quote_plus(k)}={quote_plus(v if isinstance(v, bytes) else str(v).encode())}" for k, v in pairs
        )
        return body.encode("ascii"), "application/x-www-form-urlencoded"
    boundary = f"----fuzz{uuid.uuid4().hex}"
    out = io.BytesIO()
    for name, value in pairs:
        out.write(f"--{boundary}\r\n".encode())
        if isinstance(value, Upload):
            filename = value.filename if isinstance(value.filename, bytes) else value.filename.encode()
            out.write(
                b'Content-Disposition: form-data; name="' + name.encode() + b'"; filename="' + filename + b'"\r\n'
            )
            out.write(b"Content-Type: application/octet-stream\r\n\r\n" + value.data + b"\r\n")
        else:
            data = value if isinstance(value, bytes) else str(value).encode()
            out.write(f'Content-Disposition: form-data; name="{name}"\r\n\r\n'.encode() + data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def _with(pairs, name: str, f: Field, value) -> list[tuple[str, object]]:
    """The form with one field replaced by an odd value (or sent twice)."""
    if f.type == "file":
        if value is None:
            current = next((v for k, v in pairs if k == name), "")
            replacement = [current, Upload("Zweite.pdf", tiny_pdf())]
        elif value == "":
            replacement = [""]
        else:
            replacement = [Upload(value, tiny_pdf())]
    elif value is None:
        current = next((v for k, v in pairs if k == name), _plausible(f))
        other = next((o for o in f.options if o and o != current), "Ein anderer Wert")
        replacement = [current, other]
    else:
        replacement = [value]
    kept = [(k, v) for k, v in pairs if k != name]
    return kept + [(name, v) for v in replacement]


# -- judging the answers ----------------------------------------------------------------------------


def _german_patterns() -> re.Pattern:
    """Any message of the German catalogue, placeholders matching anything."""
    with open(Path(__file__).resolve().parent.parent / "hub/translations/de/LC_MESSAGES/messages.po", "rb") as fh:
        catalog = read_po(fh)
    texts = {m.string if isinstance(m.string, str) else m.string[0] for m in catalog if m.id and m.string}
    parts = sorted(
        (re.sub(r"\\\{\w+\\\}|%\\\(\w+\\\)s", ".+?", re.escape(t)) for t in texts if t), key=len, reverse=True
    )
    one = "(?:" + "|".join(parts) + ")"
    return re.compile(rf"{one}(?: {one})*", re.S)


GERMAN = _german_patterns()


def _shown_error(body: str, name: str) -> str | None:
    found = re.search(rf'<p class="error" id="e-{re.escape(name)}">(.*?)</p>', body, re.S)
    return html.unescape(found.group(1).strip()) if found else None


def _any_error(body: str) -> str | None:
    """A message about the whole form (or, in its summary, about one field, after the field's name), or beside
    any of its fields."""
    found = re.search(
        r'<div class="form-errors" role="alert">\s*<p>(?:<a href="#f-\w+">[^<]*</a>: )?(.*?)</p>', body, re.S
    )
    found = found or re.search(r'<p class="error"[^>]*>(.*?)</p>', body, re.S)
    return html.unescape(found.group(1).strip()) if found else None


def _cells(value):
    """Every text inside a stored value, also inside JSON."""
    if isinstance(value, str):
        yield value
        if value[:1] in "[{":
            with contextlib.suppress(ValueError):
                yield from _cells(json.loads(value))
    elif isinstance(value, dict):
        for v in value.values():
            yield from _cells(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _cells(v)


def _written(before: dict, after: dict) -> set[str]:
    """The texts in rows that are new or changed."""
    texts = set()
    for table, rows in after.items():
        old = {repr(row) for row in before.get(table, ())}  # rows may hold JSON lists: compared as text
        for row in rows:
            if repr(row) not in old:
                texts.update(_cells(list(row)))
    return texts


def _sent_text(value) -> str | None:
    """What the hub receives for a sent value, as a text field stores it (stripped)."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace").strip()
    if isinstance(value, str):
        return value.strip()
    return None


def _acceptable(f: Field, case: str, value) -> bool:
    """Whether accepting this value can be right at all (a text may be anything a person writes)."""
    if case in ("empty", "twice") or f.name in NOT_STORED:
        return True
    if f.type == "file":
        return True  # a file's name is cleaned (regions/matches/documents.shown_name); its content is checked
    if case == "NUL":
        return False
    if f.name in NOT_TEXT:
        return case == "negative number" and NOT_TEXT[f.name].startswith("an amount")
    if f.type in TEXT_TYPES:
        return True
    if f.type == "number":
        return case == "negative number" and not f.attrs.get("min", "").isdigit()
    if f.type == "password":
        return case not in ("over-long",)
    return False


def _judge(form: Form, name: str, f: Field, case: str, value, response, before, after, *, as_found: int) -> str | None:
    """What is wrong with the answer to one case, or None."""
    status = response.status_code
    body = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
    if status >= 500:
        return f"answered {status}"
    if status in (400, 404, 409, 413, 422, 429) or (status == 403 and case == "twice"):
        changed = sorted(t for t in after if after[t] != before.get(t) and t not in RECORDS_OF_ATTEMPTS)
        if changed:
            return f"refused with {status} but wrote to {', '.join(changed)}"
        if status == 422 and body and name not in NO_MESSAGE_YET.get(form.endpoint, ()):
            # A value the field itself must refuse is explained beside it (a field one cannot type into:
            # anywhere on the page); a value refused for another reason (a duplicate, a later date, a form
            # that is refused as found, such as a registration not open yet) anywhere.
            own = not _acceptable(f, case, value) and f.type not in CANNOT_TYPE and as_found in (302, 303)
            shown = _shown_error(body, name) if own else _shown_error(body, name) or _any_error(body)
            if shown is None:
                where = "beside the field" if own else "on the page"
                return f"422 without a message {where} (elsewhere: {_any_error(body)!r})"
            if not GERMAN.fullmatch(shown):
                return f"422 with a message that is not German: {shown[:200]!r}"
        return None
    if status == 200 and after == before:
        return None  # the form again, or a page that only shows something (the import's preview)
    if status in (200, 302, 303):  # accepted; a 200 shows what was made (a feed address, shown once)
        if not _acceptable(f, case, value):
            return f"accepted ({status}) a value that cannot be valid for a {f.type} field"
        sent = _sent_text(value)
        stored_as_text = f.type in TEXT_TYPES and f.name not in NOT_STORED | NOT_TEXT.keys()
        if stored_as_text and sent and after != before and sent not in _written(before, after):
            return f"accepted ({status}) but did not store the text as sent"
        return None
    return f"answered {status}"


def _post(client, form: Form, pairs):
    # The person answers a destructive action's question with yes (hub.core.glue.page_action(confirm=…)), so the
    # action behind it meets the odd values too; the question itself is tests/test_confirmations.py's.
    body, content_type = _encode([*pairs, (CONFIRMED_FIELD, "1")], form.multipart)
    limiter.reset()  # the throttle is tested in tests/test_throttle.py; here every case reaches validation
    return client.post(form.action, data=body, content_type=content_type)


# -- the suite --------------------------------------------------------------------------------------


def test_every_post_route_with_a_form_is_fuzzed(world):
    """A POST route either has a form on some page (and is fuzzed below) or is listed in NO_FORM with its reason."""
    missing = set(_post_endpoints()) - set(world.forms) - set(NO_FORM)
    assert not missing, "no page shows a form for: " + ", ".join(sorted(missing))
    listed_but_found = set(NO_FORM) & set(world.forms)
    assert not listed_but_found, "now has a form, remove from NO_FORM: " + ", ".join(sorted(listed_but_found))


@pytest.mark.parametrize("endpoint", [e for e in _post_endpoints() if e not in NO_FORM])
def test_form_survives_odd_input(world, endpoint):
    """Each field of the form, one at a time, with each odd value: a clear refusal or a faithful acceptance."""
    form = world.forms.get(endpoint)
    if form is None:
        pytest.skip("no form found (test_every_post_route_with_a_form_is_fuzzed says why)")
    client = world.client_for(form.actor)
    if form.after:  # shown by another form's answer: send that first, for a fresh form
        leading = world.forms[form.after]
        world._read_forms(
            world.forms,
            form.actor,
            leading.action,
            _post(client, leading, valid_values(leading)),
            form.after,
            fresh=True,
        )
        form = world.forms[endpoint]
    first = _post(client, form, valid_values(form))  # as found: the cases below start from a valid form
    assert first.status_code < 500, f"{form.action} as found: {first.status_code}"
    before = world.snapshot()
    problems = []
    for name in form.names():
        f = next(x for x in form.fields if x.name == name)
        for case, value in ODD_VALUES:
            try:
                response = _post(client, form, _with(valid_values(form), name, f, value))
            except Exception as exc:  # the test app propagates what would be a 500
                with world.app.app_context():
                    db.session.rollback()
                problems.append(f"{name} = {case}: raised {type(exc).__name__}: {str(exc)[:300]}")
                before = world.snapshot()
                continue
            after = world.snapshot()
            wrong = _judge(form, name, f, case, value, response, before, after, as_found=first.status_code)
            if wrong:
                problems.append(f"{name} = {case}: {wrong}")
            before = after
            if form.actor == "anonymous" or "/login" in response.headers.get("Location", ""):
                client = world.client_for(form.actor)  # a visitor who logged in, or a sender logged out
                before = world.snapshot()  # logging in is written down
    assert not problems, f"{form.action} as {form.actor}:\n" + "\n".join(problems)
