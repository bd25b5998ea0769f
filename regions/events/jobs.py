"""Reminders before an event, and notices to people on its waiting list.

Each job sweeps what is due now: registrations of events starting within the reminder lead. The key of
each notice is the registration and the event's start, so a moved event reminds again, and nobody is
reminded twice of the same date, however many schedulers run.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from functools import partial

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hub.accounts.services import external_url
from hub.db import db, in_transaction, utcnow
from hub.jobs import each_region, effects, job
from hub.notifications.services import notify
from regions.events.models import Event, Registration
from regions.events.vocab import REMINDERS, WAITLIST, EventStatus, RegistrationStatus


def _registrations(status: RegistrationStatus, starts_after, starts_before) -> list[Registration]:
    """Registrations of a status at published events starting in a window, the waiting list in order."""
    return list(
        db.session.scalars(
            select(Registration)
            .join(Event, Event.id == Registration.event_id)
            .where(
                Registration.status == status,
                Event.status == EventStatus.PUBLISHED,
                Event.starts_at > starts_after,
                Event.starts_at <= starts_before,
            )
            .order_by(Registration.event_id, Registration.queued_at, Registration.id)
            .options(selectinload(Registration.event), selectinload(Registration.user))
        )
    )


def _sweep(job_id: str, rows, tell) -> int:
    """Tell each registration's person once per event date; rows already done are skipped up front."""
    keyed = [(r, f"registration:{r.id}", effects.slot_of(r.event.starts_at)) for r in rows if r.user.active]
    done = effects.done(job_id, ((subject, slot) for _, subject, slot in keyed))
    told = 0
    for registration, subject, slot in keyed:
        if (subject, slot) not in done:
            told += in_transaction(partial(tell, registration, (job_id, subject, slot))) is not None
    return told


def _remind(registration: Registration, effect) -> object:
    event = registration.event
    return notify(
        registration.user,
        REMINDERS.key,
        "event_reminder",
        link=external_url("calendar.event", event_id=event.id),
        region=event.region_id,
        effect=effect,
        event=event,
        registration=registration,
    )


@job("events.reminders", every=timedelta(minutes=15), title=_l("Remind registered people of their events"))
def reminders() -> dict[str, int]:
    """Remind everyone registered for an event that starts within EVENT_REMINDER_HOURS."""
    now = utcnow()
    lead = timedelta(hours=current_app.config["EVENT_REMINDER_HOURS"])
    told = 0
    for _region in each_region():
        told += _sweep("events.reminders", _registrations(RegistrationStatus.REGISTERED, now, now + lead), _remind)
    return {"reminded": told}


def _still_waiting(positions: dict[int, int], registration: Registration, effect) -> object:
    event = registration.event
    return notify(
        registration.user,
        WAITLIST.key,
        "waitlist_still_waiting",
        link=external_url("calendar.event", event_id=event.id),
        region=event.region_id,
        effect=effect,
        event=event,
        position=positions[registration.id],
    )


def _no_place(registration: Registration, effect) -> object:
    event = registration.event
    return notify(
        registration.user,
        WAITLIST.key,
        "waitlist_no_place",
        link=external_url("calendar.index"),
        region=event.region_id,
        effect=effect,
        event=event,
    )


@job("events.waitlist_notices", every=timedelta(minutes=15), title=_l("Tell the waiting lists where they stand"))
def waitlist_notices() -> dict[str, int]:
    """Before an event, tell those still waiting their place in the queue; once it has begun, tell those
    who did not move up that no place became free."""
    now = utcnow()
    lead = timedelta(hours=current_app.config["EVENT_REMINDER_HOURS"])
    waiting = closed = 0
    for _region in each_region():
        rows = _registrations(RegistrationStatus.WAITLISTED, now, now + lead)
        queue_lengths: Counter[int] = Counter()
        positions: dict[int, int] = {}
        for registration in rows:  # in waiting-list order per event
            queue_lengths[registration.event_id] += 1
            positions[registration.id] = queue_lengths[registration.event_id]
        waiting += _sweep(
            "events.waitlist_notices",
            rows,
            partial(_still_waiting, positions),
        )
        # Events that began within the last day: a waiting list that did not move is over.
        closed += _sweep(
            "events.waitlist_closed",
            _registrations(RegistrationStatus.WAITLISTED, now - timedelta(days=1), now),
            _no_place,
        )
    return {"still_waiting": waiting, "no_place": closed}
