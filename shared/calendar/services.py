"""The shared calendar for one viewer: a month, the coming events, one event, and their own registrations.

Reading crosses regions (``all_regions()`` with the visibility rule of ``queries.visible_events``);
registering writes into the event's region only (``region_scope(event.region_id)``), through the
events services, so the wall checks every write.

Why one module of about 400 lines: the month, the list, the event and the registrations are read through the one
visibility rule and the one window of rows that the API dumps; apart, each would carry its own copy of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, g, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import func, select

from hub.accounts.models import User
from hub.accounts.services import external_url
from hub.core.db import db, utcnow
from hub.core.schemas import _m
from hub.core.tenancy import all_regions, region_scope
from hub.notifications.services import notify
from regions.events import services as events
from regions.events.models import Event, Registration
from regions.events.services import EventError
from regions.events.vocab import REGISTRATIONS, EventStatus, RegistrationStatus
from shared.calendar.queries import visible_events
from shared.directory.search import Viewer

LIST_PAGE_SIZE = 30
ICS_ENDPOINT = "calendar_feeds.event_download"
ACTIVE = (RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED)
# What a month cell needs; the description and the rest stay in the database.
GRID_COLUMNS = (
    Event.id,
    Event.region_id,
    Event.title,
    Event.type,
    Event.starts_at,
    Event.ends_at,
    Event.timezone,
    Event.all_day,
    Event.status,
)


def display_zone() -> ZoneInfo:
    """The time zone the hub shows times in (Europe/Berlin)."""
    return ZoneInfo(current_app.config["TIMEZONE"])


def this_month() -> date:
    """The first day of the current month on the hub's wall clock."""
    return datetime.now(display_zone()).date().replace(day=1)


def add_months(first: date, months: int) -> date:
    """The first day of the month ``months`` later (or earlier)."""
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Filters:
    """What the viewer narrowed the calendar to: regions (ids), event types, only their own registrations."""

    regions: tuple[int, ...] = ()
    types: tuple[str, ...] = ()
    mine: bool = False


# What the API's calendar shows of an event (shared.calendar.schemas.dump_events): plain rows, no ORM objects.
API_COLUMNS = (
    *GRID_COLUMNS,
    Event.description,
    Event.venue,
    Event.address,
    Event.online_url,
    Event.audience,
    Event.capacity,
    Event.registered_count,
    Event.waitlisted_count,
    Event.registration_deadline,
    Event.questions,
)


@dataclass(frozen=True)
class Entry:
    """An event as one viewer sees it: with their own registration status, if they have one.

    ``event`` is an Event, or for month cells a row of the few columns a cell shows (GRID_COLUMNS).
    """

    event: Event
    my_status: RegistrationStatus | None = None
    # The start on the hub's clock ("10:00") for month cells; empty for all-day events.
    start_label: str = ""

    def __getattr__(self, name):
        return getattr(self.event, name)


@dataclass
class Day:
    """One cell of the month grid."""

    day: date
    in_month: bool
    is_today: bool
    entries: list[Entry] = field(default_factory=list)


@dataclass
class Month:
    """A month grid: whole weeks, Monday to Sunday, and how many events touch the month itself."""

    first: date
    weeks: list[list[Day]]
    count: int

    @property
    def previous(self) -> date:
        return add_months(self.first, -1)

    @property
    def next(self) -> date:
        return add_months(self.first, 1)


def local_days(event: Event) -> tuple[date, date]:
    """The first and last calendar day an event covers (all-day events on their own zone's clock)."""
    zone = ZoneInfo(event.timezone) if event.all_day else display_zone()
    first = event.starts_at.astimezone(zone)
    # The end is exclusive: an event ending at midnight does not touch the next day.
    last = (event.ends_at - timedelta(microseconds=1)).astimezone(zone)
    return first.date(), max(first.date(), last.date())


def when(event: Event) -> str:
    """Date and time of an event in words, on the hub's clock; all-day events by their dates only."""
    first_day, last_day = local_days(event)
    if event.all_day:
        if first_day == last_day:
            return _("%(date)s, all day", date=format_date(first_day, "full"))
        return f"{format_date(first_day, 'full')} – {format_date(last_day, 'full')}"
    start, end = clock(event.starts_at), clock(event.ends_at)
    if first_day == last_day:
        return f"{format_date(first_day, 'full')}, {start}–{end}"
    return f"{format_date(first_day, 'full')}, {start} – {format_date(last_day, 'full')}, {end}"


PLACEHOLDER_ID = 987654321  # an id no event has; addresses are built with it and filled in


def _event_address(endpoint: str, event_id: int, external: bool, suffix: str = "") -> str:
    """An event's address; one URL is built per request and endpoint, the rest filled in (hundreds per month)."""
    key = (endpoint, external, suffix)
    cache = g.setdefault("calendar_addresses", {})
    if key not in cache:
        cache[key] = url_for(endpoint, event_id=PLACEHOLDER_ID, _external=external) + suffix
    return cache[key].replace(str(PLACEHOLDER_ID), str(event_id))


def event_url(event_id: int, *, external: bool = False) -> str:
    """The event's page in the calendar."""
    return _event_address("calendar.event", event_id, external)


def ics_url(event_id: int, *, external: bool = False) -> str:
    """Where the event's .ics file is downloaded."""
    if ICS_ENDPOINT in current_app.view_functions:
        return _event_address(ICS_ENDPOINT, event_id, external)
    # Without the feeds blueprint: its address by convention.
    return _event_address("calendar.event", event_id, external, ".ics")


def clock(moment: datetime, zone: ZoneInfo | None = None) -> str:
    """A time of day on the hub's clock, e.g. 10:00 (the same in German and English; cheap for a full month)."""
    return moment.astimezone(zone or display_zone()).strftime("%H:%M")


def _filtered(stmt, viewer: Viewer, filters: Filters):
    """The visibility rule and the viewer's filters, added to a SELECT of events."""
    stmt = stmt.where(visible_events(viewer))
    if filters.regions:
        stmt = stmt.where(Event.region_id.in_(filters.regions))
    if filters.types:
        stmt = stmt.where(Event.type.in_(filters.types))
    if filters.mine and viewer.user_id is not None:
        stmt = stmt.where(
            Event.id.in_(
                select(Registration.event_id).where(
                    Registration.user_id == viewer.user_id, Registration.status.in_(ACTIVE)
                )
            )
        )
    return stmt


def _my_statuses(viewer: Viewer, start: datetime | None, end: datetime | None) -> dict[int, RegistrationStatus]:
    """The viewer's active registrations for events overlapping [start, end): one query."""
    if viewer.user_id is None:
        return {}
    stmt = (
        select(Registration.event_id, Registration.status)
        .join(Event, Event.id == Registration.event_id)
        .where(Registration.user_id == viewer.user_id, Registration.status.in_(ACTIVE))
    )
    if start is not None:
        stmt = stmt.where(Event.ends_at > start)
    if end is not None:
        stmt = stmt.where(Event.starts_at < end)
    with all_regions():
        return {event_id: RegistrationStatus(status) for event_id, status in db.session.execute(stmt)}


def window_events(
    viewer: Viewer, start: datetime, end: datetime, filters: Filters = Filters(), *, columns: bool | tuple = False
) -> list[Entry]:
    """The visible events overlapping [start, end), earliest first, each with the viewer's status.

    ``columns=True`` reads only what a month cell shows, as plain rows instead of Event objects: a full month
    holds hundreds of events, and their descriptions and ORM bookkeeping would be most of the page's cost.
    Other columns (``API_COLUMNS``) give plain rows of those columns.
    """
    chosen = GRID_COLUMNS if columns is True else columns
    stmt = select(*chosen) if chosen else select(Event)
    stmt = _filtered(stmt.where(Event.starts_at < end, Event.ends_at > start), viewer, filters)
    stmt = stmt.order_by(Event.starts_at, Event.id)
    with all_regions():
        found = list(db.session.execute(stmt) if chosen else db.session.scalars(stmt))
    mine = _my_statuses(viewer, start, end)
    if columns is not True:
        return [Entry(e, mine.get(e.id)) for e in found]
    zone = display_zone()
    return [Entry(e, mine.get(e.id), "" if e.all_day else clock(e.starts_at, zone)) for e in found]


def month(viewer: Viewer, first: date, filters: Filters = Filters()) -> Month:
    """A month as weeks from Monday to Sunday, each day with the visible events that touch it."""
    zone = display_zone()
    grid_start = first - timedelta(days=first.weekday())
    following = add_months(first, 1)
    grid_end = following + timedelta(days=(7 - following.weekday()) % 7)
    start = datetime.combine(grid_start, time(), zone)
    end = datetime.combine(grid_end, time(), zone)
    entries = window_events(viewer, start, end, filters, columns=True)
    today = datetime.now(zone).date()
    days = [grid_start + timedelta(days=n) for n in range((grid_end - grid_start).days)]
    cells = {d: Day(d, d.month == first.month, d == today) for d in days}
    for entry in entries:
        first_day, last_day = local_days(entry.event)
        day = max(first_day, grid_start)
        while day <= last_day and day < grid_end:
            cells[day].entries.append(entry)
            day += timedelta(days=1)
    weeks = [[cells[d] for d in days[i : i + 7]] for i in range(0, len(days), 7)]
    in_month = {entry.id for d in days if d.month == first.month for entry in cells[d].entries}
    return Month(first, weeks, len(in_month))


def upcoming(viewer: Viewer, filters: Filters = Filters(), *, page: int = 1) -> tuple[list[Entry], bool]:
    """The visible events that have not ended yet, soonest first, a page at a time; and whether more follow."""
    now = utcnow()
    stmt = _filtered(select(Event).where(Event.ends_at > now), viewer, filters)
    stmt = stmt.order_by(Event.starts_at, Event.id).offset((page - 1) * LIST_PAGE_SIZE).limit(LIST_PAGE_SIZE + 1)
    with all_regions():
        found = list(db.session.scalars(stmt))
    more = len(found) > LIST_PAGE_SIZE
    found = found[:LIST_PAGE_SIZE]
    mine = _my_statuses(viewer, now, None) if found else {}
    return [Entry(e, mine.get(e.id)) for e in found], more


def coming(viewer: Viewer, limit: int, filters: Filters = Filters(), *, after: datetime | None = None) -> list[Entry]:
    """The next visible events that take place (not cancelled) and have not ended by ``after`` (default: now),
    soonest first, at most ``limit``: one statement, and one more for a signed-in viewer's own statuses."""
    after = after or utcnow()
    stmt = _filtered(select(Event).where(Event.ends_at > after, Event.status == EventStatus.PUBLISHED), viewer, filters)
    with all_regions():
        found = list(db.session.scalars(stmt.order_by(Event.starts_at, Event.id).limit(limit)))
    mine = _my_statuses(viewer, after, None) if found else {}
    return [Entry(e, mine.get(e.id)) for e in found]


def after_month(viewer: Viewer, first: date, filters: Filters = Filters(), limit: int = 5) -> list[Entry]:
    """What comes next after a month without events: the next events from the month's start on (from now on
    for a month that is over), so that an empty month still shows where to go."""
    start = datetime.combine(first, time(), display_zone())
    return coming(viewer, limit, filters, after=max(start, utcnow()))


def find_entry(viewer: Viewer, event_id: int) -> Entry | None:
    """One event the viewer may see, with their status; None when it does not exist for them."""
    with all_regions():
        event = db.session.scalar(select(Event).where(Event.id == event_id, visible_events(viewer)))
        if event is None:
            return None
        status = None
        if viewer.user_id is not None:
            status = db.session.scalar(
                select(Registration.status).where(
                    Registration.event_id == event.id,
                    Registration.user_id == viewer.user_id,
                    Registration.status.in_(ACTIVE),
                )
            )
    return Entry(event, RegistrationStatus(status) if status else None)


def waiting_position(event: Event, user: User) -> int | None:
    """Where the person stands on the event's waiting list (1 = next to move up)."""
    with all_regions():
        mine = db.session.scalar(
            select(Registration.queued_at).where(
                Registration.event_id == event.id,
                Registration.user_id == user.id,
                Registration.status == RegistrationStatus.WAITLISTED,
            )
        )
        if mine is None:
            return None
        ahead = db.session.scalar(
            select(func.count()).where(
                Registration.event_id == event.id,
                Registration.status == RegistrationStatus.WAITLISTED,
                Registration.queued_at < mine,
            )
        )
    return ahead + 1


def registration_problem(event: Event) -> str | None:
    """Why nobody can register for the event right now, in words; None when registration is open."""
    try:
        events.check_open_for_registration(event)
    except EventError as exc:
        return str(exc.message)
    return None


def my_registrations(viewer: Viewer) -> list[tuple[Registration, Entry]]:
    """The viewer's active registrations for events they may see, by date."""
    if viewer.user_id is None:
        return []
    stmt = (
        select(Registration, Event)
        .join(Event, Event.id == Registration.event_id)
        .where(Registration.user_id == viewer.user_id, Registration.status.in_(ACTIVE), visible_events(viewer))
        .order_by(Event.starts_at, Event.id)
    )
    with all_regions():
        rows = db.session.execute(stmt).all()
    return [(registration, Entry(event, registration.status)) for registration, event in rows]


def _locked_registration(event: Event, user: User) -> Registration | None:
    """The person's registration row, locked until commit (PostgreSQL), so that a double click waits."""
    return db.session.scalar(
        select(Registration)
        .where(Registration.event_id == event.id, Registration.user_id == user.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def register_self(event: Event, user: User, answers: dict) -> Registration:
    """Register the signed-in person (a place, or the waiting list) and confirm by e-mail. The caller commits.

    A second registration that races the first one past the checks hits the unique (event, user)
    constraint: its IntegrityError reaches the caller (``hub.core.glue``: a conflict, 409).
    """
    with region_scope(event.region_id):
        _locked_registration(event, user)
        registration = events.register(event, user, answers)
        notify(
            user,
            REGISTRATIONS.key,
            "registration_confirmed",
            link=external_url("calendar.event", event_id=event.id),
            region=event.region_id,
            event=event,
            registration=registration,
        )
        db.session.flush()
    return registration


def cancel_own(event: Event, user: User) -> Registration:
    """Give one's place (or waiting-list place) back; the first one waiting moves up. The caller commits."""
    with region_scope(event.region_id):
        registration = _locked_registration(event, user)
        if registration is None or registration.status == RegistrationStatus.CANCELLED:
            raise EventError(_m("You are not registered for this event."))
        if event.status == EventStatus.CANCELLED:
            raise EventError(_m("This event has been cancelled."))
        if event.ends_at <= utcnow():
            raise EventError(_m("This event is over."))
        events.cancel_registration(registration)
        db.session.flush()
    return registration
