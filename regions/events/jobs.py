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
from hub.core.db import db, in_transaction, utcnow
from hub.core.jobs import each_region, effects, job
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


def _tell(topic: str, template: str, registration: Registration, effect, link: str, extra: dict) -> object:
    event = registration.event
    return notify(
        registration.user, topic, template, link=link, region=event.region_id, effect=effect, event=event, **extra
    )


def _sweep(job_id: str, rows, topic: str, template: str, *, to_calendar: bool = False, extra=None) -> int:
    """Tell each registration's person once per event date (the event's page, or the calendar, as the
    link); rows already done are skipped up front. ``extra(registration)`` adds to the template's values."""
    keyed = [(r, f"registration:{r.id}", effects.slot_of(r.event.starts_at)) for r in rows if r.user.active]
    done = effects.done(job_id, ((subject, slot) for _, subject, slot in keyed))
    told = 0
    for registration, subject, slot in keyed:
        if (subject, slot) in done:
            continue
        if to_calendar:
            link = external_url("calendar.index")
        else:
            link = external_url("calendar.event", event_id=registration.event_id)
        values = extra(registration) if extra else {}
        tell = partial(_tell, topic, template, registration, (job_id, subject, slot), link, values)
        told += in_transaction(tell) is not None
    return told


@job("events.reminders", every=timedelta(minutes=15), title=_l("Remind registered people of their events"))
def reminders() -> dict[str, int]:
    """Remind everyone registered for an event that starts within EVENT_REMINDER_HOURS."""
    now = utcnow()
    lead = timedelta(hours=current_app.config["EVENT_REMINDER_HOURS"])
    told = 0
    for _region in each_region():
        rows = _registrations(RegistrationStatus.REGISTERED, now, now + lead)
        told += _sweep("events.reminders", rows, REMINDERS.key, "event_reminder", extra=lambda r: {"registration": r})
    return {"reminded": told}


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
            WAITLIST.key,
            "waitlist_still_waiting",
            extra=lambda r: {"position": positions[r.id]},  # noqa: B023 - called within this iteration
        )
        # Events that began within the last day: a waiting list that did not move is over.
        closed += _sweep(
            "events.waitlist_closed",
            _registrations(RegistrationStatus.WAITLISTED, now - timedelta(days=1), now),
            WAITLIST.key,
            "waitlist_no_place",
            to_calendar=True,
        )
    return {"still_waiting": waiting, "no_place": closed}
