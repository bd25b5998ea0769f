"""iCalendar feeds that calendar programs subscribe to, and single events as .ics downloads.

Routes (blueprint ``feeds_bp``):

- ``/calendar/network.ics`` — the events of all regions an anonymous visitor may see (public ones).
- ``/<region>/events.ics`` — one region's events the caller may see (visitors: the public ones).
- ``/calendar/events/<id>.ics`` — one event, if the caller may see it (404 otherwise).
- ``/calendar/feeds/<token>/mine.ics`` — the token owner's own registrations (registered or on the
  waiting list; a cancelled registration is left out, a cancelled event stays as STATUS:CANCELLED), and
  what other features add for them (``shared.calendar.feed_extras``: accepted meetings at events).
- ``/calendar/feeds/<token>/network.ics`` — everything the token owner may see, all regions.

Feeds cover a time window: events overlapping the time from one year ago (midnight UTC) to three
years ahead; drafts are never in a feed (a single draft can be downloaded by its coordination).

The online meeting link follows the rule of the pages and the API: a visitor's feed (the public network
feed always, a region feed or a download without a session) never carries it; a signed-in member's
and the private feeds do. The ETags and the VEVENT cache keep the two audiences apart.

How a feed stays fast at 20,000 events: the ETag is made of the feed's count, latest ``updated_at``
and sum of SEQUENCE (with the viewer's class, the language and the day). A revalidation
(If-None-Match) gets them from one aggregate query and answers 304 before anything is listed or
rendered. Otherwise one query lists the events' (id, SEQUENCE, updated_at) — the same ETag comes from
these rows —, the VEVENTs come from the per-event cache in ``shared.calendar.ics``, and only events
that changed since they were last rendered are loaded (one more query) and rendered. The body goes to
the server as byte strings of a few hundred events each, with a known length.

Private feeds: the secret in the URL is the person's feed token (``shared.calendar.feed_tokens``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, time

from dateutil.relativedelta import relativedelta
from flask import Blueprint, Response, abort, current_app, g, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import String, and_, case, func, literal, select, type_coerce
from sqlalchemy.sql.elements import UnaryExpression
from sqlalchemy.sql.operators import custom_op

from hub.accounts.models import User
from hub.accounts.services import external_url
from hub.core.access import personal, public
from hub.core.actions import Actor
from hub.core.db import db, utcnow
from hub.core.glue import page_action
from hub.core.schemas import load_buttons
from hub.core.tenancy import all_regions
from regions.events.models import Event, Registration
from regions.events.vocab import EventStatus, RegistrationStatus
from shared.calendar import feed_extras, feed_tokens, ics
from shared.calendar.queries import find_visible_event, visible_events
from shared.calendar.schemas import FeedActionSchema
from shared.directory.search import Viewer

feeds_bp = Blueprint("calendar_feeds", __name__, template_folder="templates")

FEED_STATUSES = (EventStatus.PUBLISHED, EventStatus.CANCELLED)
YEARS_BACK, YEARS_AHEAD = 1, 3
# Up to this many missing events are loaded by id; more are loaded with the feed's own conditions.
LOAD_BY_ID = 500
# VEVENTs per byte string of the body: few large writes for the server, no copy of the whole feed.
CHUNK_EVENTS = 256


# -- the time window --------------------------------------------------------------------------------


def feed_window(today=None) -> tuple[datetime, datetime]:
    """From one year ago to three years ahead, at midnight UTC (it moves once a day)."""
    today = today or utcnow().date()
    start = datetime.combine(today - relativedelta(years=YEARS_BACK), time(), UTC)
    end = datetime.combine(today + relativedelta(years=YEARS_AHEAD), time(), UTC)
    return start, end


# -- what a feed holds ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Feed:
    """Which events a feed holds: the viewer's visible ones, optionally of one region or registrant."""

    kind: str
    viewer: Viewer
    region_id: int | None = None
    registrant_id: int | None = None
    # What other features add to a private feed (``shared.calendar.feed_extras``): their state for the ETag.
    extra_state: tuple = ()

    @property
    def signed_in(self) -> bool:
        """Whether the feed is a signed-in member's, and so carries the online links (as the pages do)."""
        return self.viewer.user_id is not None

    def viewer_class(self) -> tuple:
        """What of the viewer decides the content: viewers of one class get the same feed."""
        v = self.viewer
        if v.sees_all:
            return ("all",)
        if self.region_id is not None:
            return (v.user_id is not None, self.region_id in v.member_regions, self.region_id in v.coordinated_regions)
        return (v.user_id is not None, sorted(v.member_regions), sorted(v.coordinated_regions))

    def conditions(self, window: tuple[datetime, datetime]) -> list:
        start, end = window
        out = [
            _scanned(Event.starts_at) < end,
            Event.ends_at > start,
            Event.status.in_(FEED_STATUSES),
            visible_events(self.viewer),
        ]
        if self.region_id is not None:
            out.append(Event.region_id == self.region_id)
        return out

    def select(self, window, *columns):
        stmt = select(*columns).select_from(Event).where(*self.conditions(window))
        if self.registrant_id is not None:
            stmt = stmt.join(
                Registration,
                and_(
                    Registration.event_id == Event.id,
                    Registration.user_id == self.registrant_id,
                    Registration.status != RegistrationStatus.CANCELLED,
                ),
            )
        return stmt


def _scanned(column):
    """The column, on SQLite with a unary + (a no-op there) so that its index is not used for the window.

    The window holds nearly every event; without statistics SQLite's planner would still take the
    starts_at index and fetch the rows one by one, three times slower than reading the table.
    """
    if db.engine.dialect.name != "sqlite":
        return column
    return UnaryExpression(column.expression, operator=custom_op("+"), type_=column.type)


def _etag(*parts) -> str:
    digest = hashlib.sha256(repr((ics.FORMAT_VERSION, *parts)).encode()).hexdigest()[:40]
    return f"ics-{digest}"


def _stamp(value) -> str:
    """updated_at as the database returns it without conversion (a datetime, or SQLite's text), as text."""
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if value.tzinfo else value).isoformat()
    return "" if value is None else str(value)


# updated_at exactly as the database returns it: no conversion per row, and equal values stay equal.
_CHANGED = type_coerce(Event.updated_at, String)


def _waitlisted(feed: Feed):
    if feed.registrant_id is None:
        return literal(0)
    return case((Registration.status == RegistrationStatus.WAITLISTED, 1), else_=0)


def _feed_etag(feed: Feed, window, name: str, count: int, changed, sequences: int, waitlisted: int) -> str:
    return _etag(
        feed.kind,
        name,
        feed.region_id,
        feed.registrant_id,
        feed.extra_state,
        feed.viewer_class(),
        window[0].date().isoformat(),
        ics.current_language(),
        (int(count), _stamp(changed), int(sequences or 0), int(waitlisted or 0)),
    )


def feed_etag(feed: Feed, window, name: str) -> str:
    """The feed's ETag from one aggregate query, before anything is listed or rendered.

    It changes when an event enters or leaves the feed (the count, or the latest change), when one is
    changed (its ``updated_at``; the sum of SEQUENCE also for changes that commit out of order), when
    someone moves up from the waiting list, when the window moves (daily), and with the viewer's class
    and the language (and the calendar's name). ``feed_body`` computes the same ETag from the rows it lists.
    """
    row = db.session.execute(
        feed.select(
            window,
            func.count(),
            func.max(_CHANGED),
            func.coalesce(func.sum(Event.sequence), 0),
            func.coalesce(func.sum(_waitlisted(feed)), 0),
        )
    ).one()
    return _feed_etag(feed, window, name, *row)


def feed_body(feed: Feed, window, name: str, extra=None) -> tuple[str, list[bytes]]:
    """The ETag and the whole calendar as byte strings of about 256 events each.

    One query lists the events, one more (at most) loads those whose VEVENT is not cached.
    """
    rows = [
        tuple(row)
        for row in db.session.execute(
            feed.select(window, Event.id, Event.sequence, _CHANGED, _waitlisted(feed)).order_by(Event.id)
        )
    ]
    etag = _feed_etag(
        feed,
        window,
        name,
        len(rows),
        max((row[2] for row in rows), default=None),
        sum(row[1] for row in rows),
        sum(row[3] for row in rows),
    )

    def load(ids: list[int]):
        # populate_existing: never render from an older copy the session may hold
        fresh = {"populate_existing": True}
        if len(ids) <= LOAD_BY_ID:
            return db.session.scalars(select(Event).where(Event.id.in_(ids)).execution_options(**fresh))
        wanted = set(ids)
        return (e for e in db.session.scalars(feed.select(window, Event).execution_options(**fresh)) if e.id in wanted)

    texts = ics.vevents(rows, load, signed_in=feed.signed_in)
    chunks = [ics.calendar_start(name)]
    chunks += [b"".join(texts[i : i + CHUNK_EVENTS]) for i in range(0, len(texts), CHUNK_EVENTS)]
    chunks += extra() if extra else []
    chunks.append(ics.CALENDAR_END)
    return etag, chunks


def event_chunks(event: Event, *, signed_in: bool) -> list[bytes]:
    """One event as a calendar of its own, as a signed-in member or a visitor sees it."""
    return [ics.calendar_start(event.title), ics.render_vevent(event, signed_in=signed_in), ics.CALENDAR_END]


# -- responses --------------------------------------------------------------------------------------


def _not_modified(etag: str, *, private: bool) -> Response:
    response = Response(status=304)
    response.set_etag(etag)
    response.headers["Cache-Control"] = "private, no-cache" if private else "no-cache"
    return response


def _calendar(chunks: list[bytes], etag: str, filename: str, *, private: bool, download: bool = False) -> Response:
    response = Response(chunks, mimetype="text/calendar")
    response.headers["Content-Length"] = str(sum(map(len, chunks)))
    response.set_etag(etag)
    response.headers["Cache-Control"] = "private, no-cache" if private else "no-cache"
    disposition = "attachment" if download else "inline"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    if private:
        response.headers["X-Robots-Tag"] = "noindex"
    return response


def _serve(feed: Feed, name: str, filename: str, *, private: bool, extra=None) -> Response:
    """A revalidation costs the aggregate query (304 if unchanged); otherwise the listing gives the ETag."""
    window = feed_window()
    if request.if_none_match:
        etag = feed_etag(feed, window, name)
        if request.if_none_match.contains_weak(etag):
            return _not_modified(etag, private=private)
    etag, chunks = feed_body(feed, window, name, extra)
    return _calendar(chunks, etag, filename, private=private)


def _viewer() -> Viewer:
    return Viewer.of(current_user)


@feeds_bp.get("/calendar/network.ics")
@public
def network():
    """The public network calendar: every region's public events."""
    feed = Feed("network", Viewer(user_id=None))
    # The calendar spans the regions; visible_events() is its one visibility rule.
    with all_regions(read_only=True):
        return _serve(feed, _("CIMIS Hub – network calendar"), "cimis-network.ics", private=False)


@feeds_bp.get("/<region>/events.ics")
@public
def region_feed():
    """One region's events as the caller may see them (inside the region's wall)."""
    feed = Feed("region", _viewer(), region_id=g.region.id)
    name = _("CIMIS Hub – %(region)s", region=g.region.name)
    return _serve(feed, name, f"cimis-{g.region.slug}.ics", private=current_user.is_authenticated)


@feeds_bp.get("/calendar/events/<int:event_id>.ics")
@public
def event_download(event_id: int):
    """One event as an .ics file, if the caller may see it."""
    event = find_visible_event(_viewer(), event_id) or abort(404)
    private = current_user.is_authenticated
    etag = _etag("event", event.id, event.sequence, event.updated_at, ics.current_language(), private)
    if request.if_none_match.contains_weak(etag):
        return _not_modified(etag, private=private)
    with all_regions(read_only=True):
        chunks = event_chunks(event, signed_in=private)
    return _calendar(chunks, etag, f"event-{event.id}.ics", private=private, download=True)


@feeds_bp.get("/calendar/feeds/<token>/mine.ics")
@public
def private_mine(token: str):
    """The token owner's own registrations, and what other features add for them (their meetings at events)."""
    user = feed_tokens.feed_owner(token) or abort(404)
    with _language_of(user), all_regions(read_only=True):
        state, extra = feed_extras.private_extras(user, feed_window())
        feed = Feed("mine", Viewer.of(user), registrant_id=user.id, extra_state=state)
        return _serve(feed, _("CIMIS Hub – my events"), "cimis-mine.ics", private=True, extra=extra)


@feeds_bp.get("/calendar/feeds/<token>/network.ics")
@public
def private_network(token: str):
    """Everything the token owner may see, in all regions."""
    user = feed_tokens.feed_owner(token) or abort(404)
    with _language_of(user), all_regions(read_only=True):
        feed = Feed("network", Viewer.of(user))
        return _serve(feed, _("CIMIS Hub – network calendar"), "cimis-network.ics", private=True)


def _language_of(user: User):
    languages = current_app.config["LANGUAGES"]
    return force_locale(user.locale if user.locale in languages else languages[0])


@feeds_bp.get("/calendar/subscribe")
@public
def subscribe():
    """How to subscribe, for everyone: the public feed and help for the calendar programs; a signed-in
    person also sees their private feed addresses again (computed, never stored), to renew or switch off."""
    actor = Actor.current()
    signed_in = actor.user is not None
    page = render_template(
        "calendar/subscribe.html",
        urls=feed_tokens.current_urls(actor) if signed_in else None,
        active=feed_tokens.active_feed_token(actor.user) if signed_in else None,
        public_url=external_url("calendar_feeds.network"),
        webcal=webcal,
    )
    response = Response(page)
    response.headers["Cache-Control"] = "private, no-store"  # the page holds the secret addresses
    return response


@feeds_bp.post("/calendar/subscribe")
@login_required
@personal
def change_subscription():
    """New private feed addresses (the previous ones stop working), or none any more."""
    if load_buttons(FeedActionSchema(), request.form)["action"] == "revoke":
        return page_action(
            lambda data: feed_tokens.switch_off(Actor.current()),
            refused=url_for(".subscribe"),
            done=url_for(".subscribe"),
            message=_("Your private calendar addresses have been switched off."),
        )
    renewing = feed_tokens.active_feed_token(current_user) is not None
    return page_action(
        lambda data: feed_tokens.renew(Actor.current()),
        refused=url_for(".subscribe"),
        done=url_for(".subscribe", _anchor="private"),
        message=_("You have new private addresses; the previous ones no longer work.")
        if renewing
        else _("Your private addresses are ready."),
    )


def webcal(url: str) -> str:
    """The ``webcal://`` form of a feed address: calendar programs open it as a subscription."""
    return "webcal://" + url.split("://", 1)[1]
