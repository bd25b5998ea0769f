"""Meetings at events: who can be met, which slots and places are free, and every change of a meeting.

A meeting joins two people of any region at an event of one region. Reads open the wall (``all_regions``)
for the caller's own meetings only (the coordination's set-up and figures are ``shared.meetings.setups``);
writes go into the event's region (``region_scope(event.region_id)``), so the wall still checks them. Who may
call what is ``shared.meetings.access``; these functions assume the caller was let in and check the rules:
both registered, a slot and a place of the event, free for both people and the place (no double booking: the
check here, and the unique bookings in the database for two requests at the same moment).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import joinedload

from hub.accounts.models import User
from hub.accounts.services import external_url
from hub.core.actions import Conflict
from hub.core.db import db, utcnow
from hub.core.schemas import ServiceError, _m
from hub.core.tenancy import all_regions, region_scope
from hub.notifications.services import notify
from regions.events.models import Event, Registration
from regions.events.vocab import EventStatus, RegistrationStatus
from regions.profiles.models import Profile
from shared.directory.models import DirectoryEntry
from shared.directory.search import Viewer, find_visible_profile, visible_to
from shared.meetings import slots as slot_rules
from shared.meetings.models import MEETINGS, OPEN, EventMeeting, MeetingBooking, MeetingSetup, MeetingStatus
from shared.meetings.slots import Slot

SLOT_TAKEN = _m("You or the other person already have a meeting at this time. Please choose another slot.")
NOT_REGISTERED = _m("Meetings here are for the people registered for the event. Register first, then propose meetings.")
PLACE_TAKEN = _m("This table or place is taken at this time. Please choose another one.")


class MeetingError(ServiceError):
    """A meeting that cannot be proposed or changed so."""


# -- reading -------------------------------------------------------------------------------------------


def setup_of(event_id: int) -> MeetingSetup | None:
    """The event's meeting set-up (its region's row, read across regions for the people of every region)."""
    with all_regions(read_only=True):
        return db.session.scalar(select(MeetingSetup).where(MeetingSetup.event_id == event_id))


def registered(event_id: int, user_ids: list[int]) -> set[int]:
    """Which of these people hold a place at the event (registered, not waiting or cancelled)."""
    with all_regions(read_only=True):
        return set(
            db.session.scalars(
                select(Registration.user_id).where(
                    Registration.event_id == event_id,
                    Registration.user_id.in_(user_ids),
                    Registration.status == RegistrationStatus.REGISTERED,
                )
            )
        )


@dataclass(frozen=True)
class Person:
    """Someone registered for the event whom the viewer may see in the directory."""

    user_id: int
    profile: Profile


def people_to_meet(event: Event, user: User) -> list[Person]:
    """The others registered for the event whose profile the person sees in the directory (its rule), by name."""
    with all_regions(read_only=True):
        rows = db.session.execute(
            select(Registration.user_id, Profile)
            .join(Profile, Profile.user_id == Registration.user_id)
            .join(DirectoryEntry, DirectoryEntry.profile_id == Profile.id)
            .where(
                Registration.event_id == event.id,
                Registration.status == RegistrationStatus.REGISTERED,
                Registration.user_id != user.id,
                Profile.archived_at.is_(None),
                visible_to(Viewer.of(user)),
            )
            .order_by(Profile.display_name, Profile.id)
        ).all()
    found: dict[int, Profile] = {}
    for user_id, profile in rows:
        found.setdefault(user_id, profile)
    return [Person(user_id, profile) for user_id, profile in found.items()]


def _loaded(stmt):
    return stmt.options(
        joinedload(EventMeeting.event),
        joinedload(EventMeeting.proposer),
        joinedload(EventMeeting.invitee),
        joinedload(EventMeeting.proposer_profile),
        joinedload(EventMeeting.invitee_profile),
    )


def _involving(user_ids):
    return or_(EventMeeting.proposer_id.in_(user_ids), EventMeeting.invitee_id.in_(user_ids))


def meetings_of(user_id: int, *, event_id: int | None = None) -> list[EventMeeting]:
    """The person's meetings (of one event, or all), by time: one statement."""
    stmt = _loaded(select(EventMeeting)).where(_involving([user_id]))
    if event_id is not None:
        stmt = stmt.where(EventMeeting.event_id == event_id)
    with all_regions(read_only=True):
        return list(db.session.scalars(stmt.order_by(EventMeeting.starts_at, EventMeeting.id)).unique())


def meeting_for(user_id: int, meeting_id: int) -> EventMeeting | None:
    """A meeting the person is one of the two of; None for anyone else."""
    with all_regions(read_only=True):
        meeting = db.session.scalar(_loaded(select(EventMeeting)).where(EventMeeting.id == meeting_id))
    if meeting is None or user_id not in (meeting.proposer_id, meeting.invitee_id):
        return None
    return meeting


def _accepted_overlapping(start: datetime, end: datetime, *, user_ids=(), event_id=None, exclude=None):
    """Accepted meetings in [start, end) of these people (at any event), or at this event."""
    stmt = select(EventMeeting).where(
        EventMeeting.status == MeetingStatus.ACCEPTED, EventMeeting.starts_at < end, EventMeeting.ends_at > start
    )
    stmt = stmt.where(_involving(list(user_ids))) if user_ids else stmt.where(EventMeeting.event_id == event_id)
    if exclude is not None:
        stmt = stmt.where(EventMeeting.id != exclude)
    with all_regions(read_only=True):
        return list(db.session.scalars(stmt))


@dataclass(frozen=True)
class Offer:
    """A slot that is free for both people, with the places still free in it."""

    slot: Slot
    places: list[str]


def offers(event: Event, setup: MeetingSetup, user_ids: list[int], now: datetime | None = None) -> list[Offer]:
    """The coming slots in which none of these people has an accepted meeting, each with its free places."""
    now = now or utcnow()
    coming = [s for s in slot_rules.slots(event, setup) if s.starts_at > now]
    if not coming:
        return []
    start, end = coming[0].starts_at, coming[-1].ends_at
    busy = _accepted_overlapping(start, end, user_ids=user_ids)
    taken = _accepted_overlapping(start, end, event_id=event.id)
    out = []
    for slot in coming:
        if any(slot.overlaps(m.starts_at, m.ends_at) for m in busy):
            continue
        held = {m.place for m in taken if slot.overlaps(m.starts_at, m.ends_at)}
        free = [place for place in setup.places if place not in held]
        if free:
            out.append(Offer(slot, free))
    return out


def check_free(event: Event, starts_at: datetime, ends_at: datetime, place: str, user_ids, exclude=None) -> None:
    """Refuse (409) a time at which one of the people already meets someone, or a place taken then."""
    if _accepted_overlapping(starts_at, ends_at, user_ids=user_ids, exclude=exclude):
        raise Conflict(SLOT_TAKEN, "starts_at")
    taken = _accepted_overlapping(starts_at, ends_at, event_id=event.id, exclude=exclude)
    if any(m.place == place for m in taken):
        raise Conflict(PLACE_TAKEN, "place")


# -- a meeting's life ------------------------------------------------------------------------------------


def open_setup(event: Event) -> MeetingSetup:
    """The set-up of an event that takes meetings now: switched on, published, not over."""
    setup = setup_of(event.id)
    if setup is None or not setup.enabled:
        raise MeetingError(_m("This event offers no meetings."))
    if event.status != EventStatus.PUBLISHED:
        raise MeetingError(_m("This event does not take place."))
    if event.ends_at <= utcnow():
        raise MeetingError(_m("This event is over."))
    return setup


def _profile_for(user: User, seen_by: User) -> Profile | None:
    """As whom the person appears to the other: an own profile the other may see, else their first one."""
    with all_regions(read_only=True):
        mine = list(
            db.session.scalars(
                select(Profile).where(Profile.user_id == user.id, Profile.archived_at.is_(None)).order_by(Profile.id)
            )
        )
    viewer = Viewer.of(seen_by)
    return next((p for p in mine if find_visible_profile(viewer, p.id) is not None), mine[0] if mine else None)


def propose(event: Event, user: User, other: Profile, starts_at: datetime, place: str, note: str) -> EventMeeting:
    """Propose a meeting to someone registered for the same event, in a free slot at a free place."""
    setup = open_setup(event)
    if other.user_id is None or other.user_id == user.id:
        raise MeetingError(_m("Choose someone else registered for the event."), "profile_id")
    if other.user_id not in registered(event.id, [other.user_id]):
        raise MeetingError(_m("This person is not registered for the event."), "profile_id")
    slot = slot_rules.slot_at(event, setup, starts_at)
    if slot is None:
        raise MeetingError(_m("Choose one of the event's slots."), "starts_at")
    if slot.starts_at <= utcnow():
        raise MeetingError(_m("This slot has begun already."), "starts_at")
    if place not in setup.places:
        raise MeetingError(_m("Choose one of the event's tables or places."), "place")
    pair = [user.id, other.user_id]
    with all_regions(read_only=True):
        already = db.session.scalar(
            select(func.count()).where(
                EventMeeting.event_id == event.id,
                EventMeeting.status.in_(OPEN),
                EventMeeting.proposer_id.in_(pair),
                EventMeeting.invitee_id.in_(pair),
            )
        )
        invitee = db.session.get(User, other.user_id)
    if already:
        raise MeetingError(_m("You already have a meeting or an open proposal with this person at this event."))
    check_free(event, slot.starts_at, slot.ends_at, place, pair)
    meeting = EventMeeting(
        event_id=event.id,
        proposer_id=user.id,
        invitee_id=invitee.id,
        proposer_profile_id=getattr(_profile_for(user, invitee), "id", None),
        invitee_profile_id=other.id,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        place=place,
        note=note.strip(),
    )
    with region_scope(event.region_id):
        db.session.add(meeting)
        db.session.flush()
        _tell(meeting, invitee, "meeting_proposed")
    return meeting


def accept(meeting: EventMeeting, user: User) -> EventMeeting:
    """The invited person accepts: the time is booked for both and the place; refused if either is taken."""
    _answerable(meeting, user)
    event = meeting.event
    open_setup(event)
    people = [meeting.proposer_id, meeting.invitee_id]
    if registered(event.id, people) != set(people):
        raise MeetingError(_m("One of you is no longer registered for the event."))
    check_free(event, meeting.starts_at, meeting.ends_at, meeting.place, people, exclude=meeting.id)
    with region_scope(event.region_id):
        meeting.status = MeetingStatus.ACCEPTED
        meeting.decided_at = utcnow()
        meeting.sequence += 1
        start = meeting.starts_at
        db.session.add_all(
            [MeetingBooking(meeting_id=meeting.id, starts_at=start, user_id=person) for person in people]
            + [MeetingBooking(meeting_id=meeting.id, starts_at=start, event_id=event.id, place=meeting.place)]
        )
        db.session.flush()
        _tell(meeting, meeting.proposer, "meeting_accepted")
    return meeting


def decline(meeting: EventMeeting, user: User) -> EventMeeting:
    """The invited person declines the proposal."""
    _answerable(meeting, user)
    return _close(meeting, MeetingStatus.DECLINED, meeting.proposer, "meeting_declined")


def withdraw(meeting: EventMeeting, user: User) -> EventMeeting:
    """The proposer takes back a proposal not answered yet."""
    if meeting.proposer_id != user.id:
        raise MeetingError(_m("Only the person who proposed the meeting can withdraw it."))
    if meeting.status != MeetingStatus.PROPOSED:
        raise MeetingError(_m("This proposal has been answered already."))
    return _close(meeting, MeetingStatus.WITHDRAWN, meeting.invitee, "meeting_withdrawn")


def cancel(meeting: EventMeeting, user: User) -> EventMeeting:
    """Either person calls off an accepted meeting: the time and the place are free again."""
    if meeting.status != MeetingStatus.ACCEPTED:
        raise MeetingError(_m("Only an accepted meeting can be cancelled."))
    if meeting.ends_at <= utcnow():
        raise MeetingError(_m("This meeting is over."))
    other = meeting.invitee if user.id == meeting.proposer_id else meeting.proposer
    with region_scope(meeting.region_id):
        db.session.execute(delete(MeetingBooking).where(MeetingBooking.meeting_id == meeting.id))
    meeting.sequence += 1
    return _close(meeting, MeetingStatus.CANCELLED, other, "meeting_cancelled")


def end_for_cancelled_registration(registration) -> list[EventMeeting]:
    """A person gave their place at the event back: their open meetings there end, and the others are told
    (an accepted meeting is cancelled and its bookings freed; a proposal is withdrawn, or declined if it was
    theirs to answer). Called by the events in the transaction of the cancellation (``install``)."""
    person = registration.user_id
    with all_regions(read_only=True):
        found = list(
            db.session.scalars(
                _loaded(select(EventMeeting)).where(
                    EventMeeting.event_id == registration.event_id,
                    EventMeeting.status.in_(OPEN),
                    _involving([person]),
                )
            ).unique()
        )
    _end_for(person, found)
    return found


def end_for_erased_account(meeting: EventMeeting, erased: User) -> None:
    """The account ``erased`` is being erased (``EventMeeting.on_erase``, called by hub.privacy for each meeting
    of the person, after their account and profile lost their name): the same rule as for a place given back, so an
    accepted meeting still to come is cancelled (bookings freed) and an open proposal withdrawn or declined, the
    other person told as for any such change, under the erased person's pseudonym. Past meetings stay as they
    were: the coordination's figures count them."""
    if meeting.status not in OPEN or (meeting.status == MeetingStatus.ACCEPTED and meeting.is_over):
        return
    _end_for(erased.id, [meeting])


def _end_for(person: int, found: list[EventMeeting]) -> None:
    """The person leaves these open meetings: accepted ones are cancelled, proposals withdrawn (theirs) or
    declined (to them); the other person is told each time (unless their own account is erased too)."""
    for meeting in found:
        other = meeting.invitee if person == meeting.proposer_id else meeting.proposer
        if meeting.status == MeetingStatus.ACCEPTED:
            with region_scope(meeting.region_id):
                db.session.execute(delete(MeetingBooking).where(MeetingBooking.meeting_id == meeting.id))
            meeting.sequence += 1
            _close(meeting, MeetingStatus.CANCELLED, other, "meeting_cancelled")
        elif meeting.proposer_id == person:
            _close(meeting, MeetingStatus.WITHDRAWN, other, "meeting_withdrawn")
        else:
            _close(meeting, MeetingStatus.DECLINED, other, "meeting_declined")


def _answerable(meeting: EventMeeting, user: User) -> None:
    if meeting.invitee_id != user.id:
        raise MeetingError(_m("Only the person invited can accept or decline a proposal."))
    if meeting.status != MeetingStatus.PROPOSED:
        raise MeetingError(_m("This proposal has been answered already."))


def _close(meeting: EventMeeting, status: MeetingStatus, tell: User, template: str) -> EventMeeting:
    with region_scope(meeting.region_id):
        meeting.status = status
        meeting.decided_at = utcnow()
        db.session.flush()
        if tell.erased_at is None:
            _tell(meeting, tell, template)
    return meeting


def _tell(meeting: EventMeeting, user: User, template: str) -> None:
    """Tell the other person, in the hub and by e-mail as they chose (topic "meetings")."""
    actor = meeting.other(user.id)
    notify(
        user,
        MEETINGS.key,
        template,
        link=external_url("meetings.mine"),
        region=meeting.region_id,
        meeting=meeting,
        event=meeting.event,
        other_name=meeting.name_of(actor),
        addressee_name=meeting.name_of(user.id),
    )
