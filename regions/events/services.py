"""Events and registrations inside the region in scope.

Capacity holds under any number of simultaneous registrations, from any number of processes: a place
is taken by one conditional UPDATE of the event's counters (``registered_count < capacity``), which
the database applies atomically on PostgreSQL (row lock, re-checked condition) and SQLite (one
writer at a time). The registration rows then follow the counters in the same transaction.

Why one module: the counters on the event are kept by the conditional UPDATEs of registering, cancelling,
moving up from the waiting list and changing or cancelling the event; that one invariant is checked by
reading them side by side.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from flask import current_app
from sqlalchemy import or_, select, update
from sqlalchemy.orm import selectinload

from hub import audit
from hub.accounts.models import User
from hub.accounts.services import external_url
from hub.core.actions import Conflict
from hub.core.db import db, utcnow
from hub.core.jobs import effects
from hub.core.schemas import ServiceError, _m
from hub.notifications.services import notify, withdraw
from regions.events.models import Event, EventSeries, Registration
from regions.events.vocab import REGISTRATIONS, EventStatus, RegistrationStatus

MAX_OCCURRENCES = 120
MAX_SERIES_YEARS = 5
EDITABLE = (
    "title",
    "type",
    "description",
    "timezone",
    "all_day",
    "venue",
    "address",
    "online_url",
    "audience",
    "capacity",
    "registration_deadline",
    "status",
    "questions",
)
SCHEDULE_FIELDS = ("starts_at", "ends_at", "all_day", "timezone")
PROMOTED = "events.waitlist_promoted"  # the effect key's job part of a promotion's notice


ANSWER_LENGTH = 500


class EventError(ServiceError):
    """An event change or registration that cannot be made; ``field`` names the culprit."""


class AnswerError(EventError):
    """An answer to one of the event's registration questions is refused: named by its key inside ``answers``."""

    def __init__(self, message, key: str):
        super().__init__(message, "answers")
        self.key = key

    def errors(self) -> dict:
        return {"answers": {self.key: [str(self.message)]}}


# -- times ------------------------------------------------------------------------------------------


def to_utc(local: datetime, tz: str) -> datetime:
    """A wall-clock time in a time zone, as an aware UTC datetime (right across DST changes)."""
    if local.tzinfo is not None:
        return local.astimezone(UTC)
    return local.replace(tzinfo=ZoneInfo(tz)).astimezone(UTC)


def local_time(moment: datetime, tz: str) -> datetime:
    """An aware UTC datetime on the wall clock of a time zone."""
    return moment.astimezone(ZoneInfo(tz))


def schedule_from(data: dict) -> tuple[datetime, datetime]:
    """Start and end in UTC from validated form data (local times or, for all-day events, dates)."""
    tz = data.get("timezone") or "Europe/Berlin"
    if data.get("all_day"):
        first: date = data["start_date"]
        last: date = data.get("end_date") or first
        return to_utc(datetime.combine(first, time()), tz), to_utc(
            datetime.combine(last + timedelta(days=1), time()), tz
        )
    return to_utc(data["starts_at"], tz), to_utc(data["ends_at"], tz)


# -- events -----------------------------------------------------------------------------------------


def get_event(event_id: int) -> Event | None:
    """An event of the region in scope (another region's answers None)."""
    return db.session.get(Event, event_id)


def list_events(*, past: bool = False) -> list[Event]:
    """The region's events, upcoming first (or past ones, newest first)."""
    now = utcnow()
    stmt = select(Event)
    stmt = (
        stmt.where(Event.ends_at < now).order_by(Event.starts_at.desc())
        if past
        else stmt.where(Event.ends_at >= now).order_by(Event.starts_at)
    )
    return list(db.session.scalars(stmt.limit(500)))


def occurrences(rule: str, first_start: datetime, tz: str) -> list[datetime]:
    """The local start times of a series; endless or oversized rules are refused."""
    text = rule.strip().removeprefix("RRULE:")
    upper = text.upper()
    if "COUNT=" not in upper and "UNTIL=" not in upper:
        raise EventError(
            _m("A repeating event needs an end: a number of times (COUNT) or an end date (UNTIL)."), "rrule"
        )
    start_local = local_time(first_start, tz).replace(tzinfo=None)
    try:
        rule_obj = rrulestr(text, dtstart=start_local, ignoretz=True)
        limit = start_local + timedelta(days=366 * MAX_SERIES_YEARS)
        starts = []
        for moment in rule_obj:
            if moment > limit or len(starts) >= MAX_OCCURRENCES:
                raise EventError(
                    _m("A series may have at most {max} dates within five years.").format(max=MAX_OCCURRENCES), "rrule"
                )
            starts.append(moment)
    except EventError:
        raise
    except (ValueError, TypeError, OverflowError) as exc:
        raise EventError(_m("This repeat rule is not valid."), "rrule") from exc
    if not starts:
        raise EventError(_m("This repeat rule gives no date."), "rrule")
    return starts


def keyed_questions(questions: list[dict], before: list[dict] | None = None) -> list[dict]:
    """The questions with their keys, which the answers refer to: a given key stays; a question without one
    takes the key of the question with its label ``before`` (a form's text has no keys), else a new one.

    A new key is never one that a question had before, so old answers are never read as answers to another.
    """
    before = before or []
    earlier = {q["label"]: q["key"] for q in reversed(before)}
    used = {q["key"] for q in questions if q.get("key")}
    taken = used | {q["key"] for q in before}
    keyed = []
    for question in questions:
        key = question.get("key")
        if not key:
            key = earlier.get(question["label"])
            if key is None or key in used:
                key = next(f"q{n}" for n in range(1, 10000) if f"q{n}" not in taken)
            used.add(key)
            taken.add(key)
        keyed.append({**question, "key": key})
    return keyed


def _apply(event: Event, data: dict) -> None:
    for key in EDITABLE:
        if key in data:
            value = keyed_questions(data[key], event.questions) if key == "questions" else data[key]
            setattr(event, key, value)


def create_event(data: dict, *, starts_at: datetime, ends_at: datetime, rrule: str | None = None) -> Event:
    """A new event, or a series of them (every occurrence an event of its own). The caller commits."""
    if ends_at <= starts_at:
        raise EventError(_m("The end must be after the start."), "ends_at")
    if not rrule:
        event = Event(starts_at=starts_at, ends_at=ends_at, title=data["title"])
        _apply(event, data)
        db.session.add(event)
        db.session.flush()
        return event
    tz = data.get("timezone") or "Europe/Berlin"
    duration_local = local_time(ends_at, tz).replace(tzinfo=None) - local_time(starts_at, tz).replace(tzinfo=None)
    series = EventSeries(rrule=rrule.strip().removeprefix("RRULE:"))
    db.session.add(series)
    first = None
    for local_start in occurrences(rrule, starts_at, tz):
        event = Event(
            series=series,
            title=data["title"],
            starts_at=to_utc(local_start, tz),
            ends_at=to_utc(local_start + duration_local, tz),
        )
        _apply(event, data)
        db.session.add(event)
        first = first or event
    db.session.flush()
    return first


def update_event(
    event: Event,
    data: dict,
    *,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    whole_series: bool = False,
) -> list[Event]:
    """Change one event (detaching it from its series) or every not-detached, not-past occurrence."""
    start, end = starts_at or event.starts_at, ends_at or event.ends_at
    if end <= start:
        raise EventError(_m("The end must be after the start."), "ends_at")
    capacity = data.get("capacity", event.capacity)
    targets = [event]
    if whole_series and event.series_id:
        targets = [e for e in event.series.events if e.id == event.id or (not e.detached and e.ends_at >= utcnow())]
    for target in targets:
        if capacity is not None and capacity < target.registered_count:
            raise EventError(
                _m("{count} people are registered already; the capacity cannot be lower.").format(
                    count=target.registered_count
                ),
                "capacity",
            )
    shift = start - event.starts_at
    length = end - start
    cancelling = data.get("status") == EventStatus.CANCELLED
    newly_cancelled = [t for t in targets if cancelling and t.status != EventStatus.CANCELLED]
    for target in targets:
        _apply(target, data)
        if target is event or shift:
            target.starts_at = target.starts_at + shift if target is not event else start
            target.ends_at = target.starts_at + length
        target.sequence += 1
        if not whole_series and target.series_id:
            target.detached = True
    for target in newly_cancelled:  # cancelled by its status: as by the cancel button, the people are told
        target.detached = target.series_id is not None
        _tell_cancelled(target)
    db.session.flush()
    for target in targets:
        promote_waiting(target)
    return targets


def cancel_event(event: Event) -> None:
    """Cancel an event: it stays in calendars as cancelled; registered people are told by e-mail."""
    if event.status == EventStatus.CANCELLED:
        return
    event.status = EventStatus.CANCELLED
    event.sequence += 1
    event.detached = event.series_id is not None  # a cancelled date stays cancelled when the series changes
    _tell_cancelled(event)


def _tell_cancelled(event: Event) -> None:
    """Tell everyone registered or waiting that the event is cancelled."""
    for registration in db.session.scalars(
        select(Registration)
        .where(Registration.event_id == event.id, Registration.status != RegistrationStatus.CANCELLED)
        .options(selectinload(Registration.user))
    ):
        notify(
            registration.user,
            REGISTRATIONS.key,
            "event_cancelled",
            link=external_url("calendar.event", event_id=event.id),
            region=event.region_id,
            event=event,
        )


# -- registrations ----------------------------------------------------------------------------------


def registration_of(event: Event, user: User) -> Registration | None:
    """A person's registration for an event (also a cancelled one)."""
    return db.session.scalar(
        select(Registration).where(Registration.event_id == event.id, Registration.user_id == user.id)
    )


def check_open_for_registration(event: Event) -> None:
    """Refuse registrations for drafts, cancelled or past events and after the deadline."""
    now = utcnow()
    if event.status == EventStatus.CANCELLED:
        raise EventError(_m("This event has been cancelled."))
    if event.status != EventStatus.PUBLISHED:
        raise EventError(_m("This event is not open for registration yet."))
    if event.ends_at <= now:
        raise EventError(_m("This event is over."))
    if event.registration_deadline is not None and event.registration_deadline < now:
        raise EventError(_m("The registration deadline has passed."))


def check_answers(event: Event, answers: dict) -> dict:
    """Keep the answers to the event's questions; a required one must not be empty, none be over-long."""
    clean = {}
    for question in event.questions or []:
        value = str(answers.get(question["key"], "")).strip()
        if question.get("required") and not value:
            raise AnswerError(_m("Please answer: {question}").format(question=question["label"]), question["key"])
        if len(value) > ANSWER_LENGTH:
            raise AnswerError(_m("Longer than the maximum length of {max}.").format(max=ANSWER_LENGTH), question["key"])
        clean[question["key"]] = value
    return clean


def _take_place(event_id: int) -> bool:
    """Take a place if one is free and nobody waits: one atomic conditional UPDATE."""
    result = db.session.execute(
        update(Event)
        .where(
            Event.id == event_id,
            Event.waitlisted_count == 0,
            or_(Event.capacity.is_(None), Event.registered_count < Event.capacity),
        )
        .values(registered_count=Event.registered_count + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _count(event_id: int, **deltas) -> None:
    values = {getattr(Event, k): getattr(Event, k) + v for k, v in deltas.items()}
    db.session.execute(
        update(Event).where(Event.id == event_id).values(values).execution_options(synchronize_session=False)
    )


def _registered_already(by: User | None, *, a_moment_ago: bool = False) -> ServiceError:
    """Someone is registered already: the coordination registering them hears it of the person it chose.

    ``a_moment_ago``: by a twin request that raced past the check, a conflict (409) as the unique
    constraint's is.
    """
    kind = Conflict if a_moment_ago else EventError
    if by is not None:
        return kind(_m("This person is registered already."), "user_id")
    return kind(_m("You are registered already."))


def register(event: Event, user: User, answers: dict | None = None, *, by: User | None = None) -> Registration:
    """Register someone: a place if one is free, else the waiting list. The caller commits.

    A twin registration that raced past the check below is stopped by the unique (event, person)
    constraint: its IntegrityError reaches the caller, which answers it as a conflict (hub.core.glue).
    """
    check_open_for_registration(event)
    clean = check_answers(event, answers or {})
    existing = registration_of(event, user)
    if existing is not None and existing.status != RegistrationStatus.CANCELLED:
        raise _registered_already(by)
    took = _take_place(event.id)
    if not took:
        _count(event.id, waitlisted_count=1)
    status = RegistrationStatus.REGISTERED if took else RegistrationStatus.WAITLISTED
    values = {
        "status": status,
        "answers": clean,
        "registered_by_id": by.id if by else None,
        "queued_at": utcnow(),
        "cancelled_at": None,
    }
    if existing is None:
        registration = Registration(event_id=event.id, region_id=event.region_id, user_id=user.id, **values)
        db.session.add(registration)  # the unique (event, user) constraint stops a concurrent twin
    else:
        # Reuse the cancelled row only if it is still cancelled: a concurrent twin makes this a no-op.
        before = audit.snapshot(existing)
        reused = db.session.execute(
            update(Registration)
            .where(Registration.id == existing.id, Registration.status == RegistrationStatus.CANCELLED)
            .values(values)
            .execution_options(synchronize_session=False)
        )
        if reused.rowcount != 1:
            raise _registered_already(by, a_moment_ago=True)
        registration = existing
        db.session.refresh(registration)
        audit.record_update(registration, before)  # a bulk UPDATE: the flush does not see it
    db.session.flush()
    db.session.refresh(event)
    return registration


def cancel_registration(registration: Registration) -> None:
    """Give a place (or a waiting-list place) back; the first one waiting moves up. The caller commits.

    Cancelling wins over a promotion at the same moment: the row is cancelled in the status it has now.
    PostgreSQL locks it first; on SQLite a promotion may commit between the read and the UPDATE, which
    then changes nothing but makes this transaction the only writer, so the second read is current.
    """
    for _ in range(2):
        db.session.refresh(registration, with_for_update=True)
        was = registration.status
        if was == RegistrationStatus.CANCELLED:
            raise EventError(_m("This registration is cancelled already."))
        before = audit.snapshot(registration)
        changed = db.session.execute(
            update(Registration)
            .where(Registration.id == registration.id, Registration.status == was)
            .values(status=RegistrationStatus.CANCELLED, cancelled_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if changed.rowcount == 1:
            break
    else:
        raise EventError(_m("This registration is cancelled already."))
    db.session.refresh(registration)
    audit.record_update(registration, before)  # a bulk UPDATE: the flush does not see it
    # Only the request that really changed the row adjusts the counters (a double click changes nothing).
    if was == RegistrationStatus.REGISTERED:
        _count(registration.event_id, registered_count=-1)
        # Promoted a moment ago (say, while this person was cancelling their waiting-list place): the
        # notice "a place is free for you" is no longer true, so it does not go out.
        withdraw(registration.user, f"{PROMOTED}:registration:{registration.id}:")
    else:
        _count(registration.event_id, waitlisted_count=-1)
    db.session.flush()
    for answer in current_app.extensions.get(CANCELLATION_HOOKS, ()):
        answer(registration)
    event = registration.event
    db.session.refresh(event)
    promote_waiting(event)


CANCELLATION_HOOKS = "regions.events.cancellation_hooks"


def on_cancelled_registration(app, answer) -> None:
    """Let another feature answer a registration given back (in the same transaction): ``answer(registration)``.
    The events name no such feature; shared.meetings ends the person's meetings at the event this way."""
    app.extensions.setdefault(CANCELLATION_HOOKS, []).append(answer)


def promote_waiting(event: Event) -> list[Registration]:
    """Move people up from the waiting list, in order, while places are free; each is told by e-mail.

    PostgreSQL takes the waiting person's row with SKIP LOCKED: someone cancelling right now (row
    locked) is passed over, never waited for (no deadlock), and the place goes to the next one.
    """
    promoted = []
    if event.status != EventStatus.PUBLISHED or event.ends_at <= utcnow():
        return promoted  # nobody moves up into a cancelled, draft or finished event
    while True:
        result = db.session.execute(
            update(Event)
            .where(
                Event.id == event.id,
                Event.waitlisted_count > 0,
                or_(Event.capacity.is_(None), Event.registered_count < Event.capacity),
            )
            .values(registered_count=Event.registered_count + 1, waitlisted_count=Event.waitlisted_count - 1)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            break
        first = db.session.scalar(
            select(Registration)
            .where(Registration.event_id == event.id, Registration.status == RegistrationStatus.WAITLISTED)
            .order_by(Registration.queued_at, Registration.id)
            .limit(1)
            .with_for_update(skip_locked=True, of=Registration)
            .execution_options(populate_existing=True)
        )
        if first is None:  # nobody left to move up (the last one waiting is cancelling right now): keep the place
            _count(event.id, registered_count=-1, waitlisted_count=1)
            break
        first.status = RegistrationStatus.REGISTERED
        db.session.flush()
        notify(
            first.user,
            REGISTRATIONS.key,
            "waitlist_promoted",
            link=external_url("calendar.event", event_id=event.id),
            region=event.region_id,
            effect=(PROMOTED, f"registration:{first.id}", effects.slot_of(first.queued_at)),
            event=event,
        )
        promoted.append(first)
    db.session.refresh(event)
    return promoted


def check_in(registration: Registration, present: bool = True) -> None:
    """Record attendance on the day."""
    if registration.status != RegistrationStatus.REGISTERED:
        raise EventError(_m("Only registered people can be checked in."))
    registration.checked_in_at = utcnow() if present else None


def registrations(event: Event) -> list[Registration]:
    """The event's registrations: registered first, then the waiting list in order, then cancelled."""
    rank = {RegistrationStatus.REGISTERED: 0, RegistrationStatus.WAITLISTED: 1, RegistrationStatus.CANCELLED: 2}
    rows = db.session.scalars(
        select(Registration).where(Registration.event_id == event.id).order_by(Registration.queued_at, Registration.id)
    ).all()
    return sorted(rows, key=lambda r: rank[r.status])
