"""Speed-dating: sessions from an event's registrations, pairs to wish or avoid, the schedule, the ratings.

Why one module: sessions, people, pairs, the schedule and the ratings share one rule (nothing changes who
meets whom once ratings exist), kept here beside all of them; the schedule's algorithm is in ``schedule``,
re-planning an evening under way in ``replanning``, who may do what in ``access`` and ``actions``.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from hub.accounts.models import User
from hub.cohorts.models import Cohort
from hub.cohorts.services import cohort_for, list_cohorts
from hub.core.db import db, utcnow
from hub.core.schemas import ServiceError, _m
from regions.events.models import Event, Registration
from regions.events.services import to_utc
from regions.events.vocab import RegistrationStatus
from regions.profiles.models import Profile
from regions.profiles.vocab import ProfileKind
from regions.speeddating import schedule as generator
from regions.speeddating.models import Meeting, PairPreference, Rating, SessionParticipant, SpeedDatingSession
from regions.speeddating.vocab import Interest, Side


class SpeedDatingError(ServiceError):
    """A speed-dating change that cannot be made."""


SCHEDULE_MESSAGES = {
    "empty_side": (_m("Both sides need at least one person: add creatives and organisations."), "participants"),
    "wished_and_avoided": (_m("A pair cannot be wished for and avoided at the same time."), "kind"),
    "unknown_person": (_m("This person does not take part in the session."), "participants"),
    "pin_unknown_pair": (_m("A fixed meeting is not among the meetings of this session."), "meeting_id"),
    "pin_person_twice": (_m("Someone would have two meetings in the same round."), "round"),
    "pin_table_twice": (_m("Two meetings would share a table in the same round."), "table"),
    "pin_bad_table": (_m("This table does not exist in this session."), "table"),
    "pin_bad_round": (_m("This round does not exist in this session."), "round"),
    "no_tables": (_m("The session needs at least one table."), "tables"),
}

TIMEZONE = "Europe/Berlin"
BERLIN = ZoneInfo(TIMEZONE)
LOCAL_TIMES = ("starts_at", "rating_deadline")
SIDE_OF_KIND = {ProfileKind.CREATIVE: Side.CREATIVE, ProfileKind.ORGANISATION: Side.ORGANISATION}


def schedule_error(exc: generator.ScheduleError) -> SpeedDatingError:
    message, field = SCHEDULE_MESSAGES.get(exc.code, (_m("The schedule cannot be made."), None))
    return SpeedDatingError(message, field)


# -- sessions and participants ------------------------------------------------------------------------


def list_sessions() -> list[SpeedDatingSession]:
    """The region's sessions, newest event first."""
    return list(
        db.session.scalars(
            select(SpeedDatingSession).join(Event).order_by(Event.starts_at.desc(), SpeedDatingSession.id)
        )
    )


def get_session(session_id: int) -> SpeedDatingSession | None:
    return db.session.get(SpeedDatingSession, session_id)


def in_utc(fields: dict) -> dict:
    """A session's settings with its times in UTC: a time without an offset is a wall-clock time in Berlin."""
    return {k: to_utc(v, TIMEZONE) if k in LOCAL_TIMES and v is not None else v for k, v in fields.items()}


def default_cohort(session: SpeedDatingSession) -> Cohort | None:
    """The cohort a session's matches most likely belong to: the one running at its event (else the newest)."""
    return cohort_for(session.event.starts_at.date()) or next(iter(list_cohorts()), None)


def create_session(event: Event, fields: dict) -> SpeedDatingSession:
    """A new session at an event; its rounds start with the event unless said otherwise. The caller commits."""
    session = SpeedDatingSession(region_id=event.region_id, event=event)
    update_session(session, {**fields, "starts_at": fields.get("starts_at") or event.starts_at})
    db.session.add(session)
    db.session.flush()
    return session


def update_session(session: SpeedDatingSession, fields: dict) -> None:
    """Change a session's settings; a change of tables or mode makes the schedule again (refused once rated)."""
    before = (session.tables, session.mode)
    for name, value in fields.items():
        if value is not None or name == "rating_deadline":
            setattr(session, name, value)
    if session.rating_deadline is not None and session.rating_deadline < session.starts_at:
        raise SpeedDatingError(_m("The rating deadline must be after the session's start."), "rating_deadline")
    if session.meetings and (session.tables, session.mode) != before:
        _refuse_if_rated(session)
        _refuse_pins_beyond_the_tables(session)
        generate_schedule(session)


def _refuse_pins_beyond_the_tables(session: SpeedDatingSession) -> None:
    """A meeting fixed by hand at a table the session would no longer have: say which, and how to go on."""
    # Pins are the coordination's decisions, so fewer tables do not drop them silently.
    beyond = [m for m in session.meetings if m.pinned and m.table >= session.tables]
    if beyond:
        first = min(beyond, key=lambda m: (m.round, m.table))
        raise SpeedDatingError(
            _m(
                "The meeting of {creative} and {organisation} is fixed at table {table} in round {round}, which "
                "{tables} tables leave out: release or move it first, or keep at least {needed} tables."
            ).format(
                creative=first.creative.name,
                organisation=first.organisation.name,
                table=first.table + 1,
                round=first.round + 1,
                tables=session.tables,
                needed=max(m.table for m in beyond) + 1,
            ),
            "tables",
        )


def participants(session: SpeedDatingSession, side: Side | None = None) -> list[SessionParticipant]:
    return [p for p in session.participants if side is None or p.side == side]


def add_participant(session: SpeedDatingSession, profile: Profile, registration: Registration | None = None):
    """Add a person (by their profile in this region) on the side their profile says."""
    if profile.archived_at is not None:
        raise SpeedDatingError(_m("This profile is archived."), "profile_id")
    if any(p.profile_id == profile.id for p in session.participants):
        raise SpeedDatingError(_m("This person takes part already."), "profile_id")
    participant = SessionParticipant(
        region_id=session.region_id,
        profile=profile,
        side=SIDE_OF_KIND[profile.kind],
        registration_id=registration.id if registration else None,
    )
    session.participants.append(participant)
    return participant


def take_from_registrations(session: SpeedDatingSession, *, checked_in_only: bool = False) -> tuple[int, list[str]]:
    """Add everyone registered for the event with an active profile in the region; return (added, the names of
    those without one: none, or archived)."""
    query = select(Registration).where(
        Registration.event_id == session.event_id, Registration.status == RegistrationStatus.REGISTERED
    )
    if checked_in_only:
        query = query.where(Registration.checked_in_at.is_not(None))
    registrations = list(db.session.scalars(query.order_by(Registration.created_at, Registration.id)))
    profiles = {
        p.user_id: p
        for p in db.session.scalars(
            select(Profile).where(
                Profile.user_id.in_([r.user_id for r in registrations]), Profile.archived_at.is_(None)
            )
        )
    }
    taken = {p.profile_id for p in session.participants}
    added, missing = 0, []
    for registration in registrations:
        profile = profiles.get(registration.user_id)
        if profile is None:
            missing.append(db.session.get(User, registration.user_id).name)
        elif profile.id not in taken:
            session.participants.append(
                SessionParticipant(
                    region_id=session.region_id,
                    profile=profile,
                    side=SIDE_OF_KIND[profile.kind],
                    registration_id=registration.id,
                )
            )
            taken.add(profile.id)
            added += 1
    return added, missing


def remove_participant(session: SpeedDatingSession, participant: SessionParticipant) -> None:
    """Take someone out of the session (not once ratings about them exist)."""
    _refuse_if_rated(session)
    session.participants.remove(participant)
    db.session.delete(participant)


def set_pair(session: SpeedDatingSession, creative_id: int, organisation_id: int, kind: str) -> PairPreference:
    """Wish or avoid a meeting of two people; a pair is one or the other, never both."""
    people = {p.id: p for p in session.participants}
    creative, organisation = people.get(creative_id), people.get(organisation_id)
    if creative is None or creative.side != Side.CREATIVE:
        raise SpeedDatingError(_m("Choose a creative of this session."), "creative_id")
    if organisation is None or organisation.side != Side.ORGANISATION:
        raise SpeedDatingError(_m("Choose an organisation of this session."), "organisation_id")
    for pair in session.pairs:
        if pair.creative_id == creative_id and pair.organisation_id == organisation_id:
            if pair.kind != kind:
                raise SpeedDatingError(*SCHEDULE_MESSAGES["wished_and_avoided"])
            return pair
    pair = PairPreference(
        region_id=session.region_id, creative_id=creative_id, organisation_id=organisation_id, kind=kind
    )
    session.pairs.append(pair)
    return pair


def remove_pair(session: SpeedDatingSession, pair_id: int) -> None:
    for pair in session.pairs:
        if pair.id == pair_id:
            session.pairs.remove(pair)
            db.session.delete(pair)
            return
    raise SpeedDatingError(_m("This pair is not part of the session."), "pair_id")


# -- the schedule ---------------------------------------------------------------------------------------


def planned_meetings(session: SpeedDatingSession, *, without: Collection[int] = ()) -> list[tuple[int, int]]:
    """The pairs that should meet: by the session's mode, wishes and pairs to avoid (leaving out people who are
    not there, by participant id)."""
    away = set(without)

    def pairs(kind: str) -> list[tuple[int, int]]:
        chosen = (p for p in session.pairs if p.kind == kind)
        return [(p.creative_id, p.organisation_id) for p in chosen if not {p.creative_id, p.organisation_id} & away]

    try:
        return generator.meetings_for(
            [p.id for p in participants(session, Side.CREATIVE) if p.id not in away],
            [p.id for p in participants(session, Side.ORGANISATION) if p.id not in away],
            session.mode,
            wishes=pairs("wish"),
            avoid=pairs("avoid"),
        )
    except generator.ScheduleError as exc:
        raise schedule_error(exc) from exc


def _refuse_if_rated(session: SpeedDatingSession) -> None:
    if db.session.scalar(select(Rating.id).where(Rating.session_id == session.id).limit(1)) is not None:
        raise SpeedDatingError(
            _m("Ratings have been given already: only the rounds after the rated meetings can be re-planned.")
        )


def generate_schedule(session: SpeedDatingSession) -> generator.Schedule:
    """(Re)build the schedule with the fewest rounds, keeping meetings the coordination fixed by hand."""
    _refuse_if_rated(session)
    meetings = planned_meetings(session)
    wanted = set(meetings)
    pinned = {
        (m.creative_id, m.organisation_id): generator.Slot(m.round, m.table)
        for m in session.meetings
        if m.pinned and (m.creative_id, m.organisation_id) in wanted
    }
    try:
        result = generator.generate(meetings, session.tables, fixed=pinned)
    except generator.ScheduleError as exc:
        raise schedule_error(exc) from exc
    store_schedule(session, result, pinned)
    return result


def store_schedule(
    session: SpeedDatingSession, result: generator.Schedule, pinned: Collection[tuple[int, int]], from_round: int = 0
) -> None:
    """Put a schedule's meetings from a round on in place of the session's (the rounds before stay untouched)."""
    for meeting in [m for m in session.meetings if m.round >= from_round]:
        session.meetings.remove(meeting)
        db.session.delete(meeting)
    db.session.flush()  # free the (round, table) places before the new meetings take them
    for (creative_id, organisation_id), slot in result.slots.items():
        if slot.round >= from_round:
            session.meetings.append(
                Meeting(
                    region_id=session.region_id,
                    creative_id=creative_id,
                    organisation_id=organisation_id,
                    round=slot.round,
                    table=slot.table,
                    pinned=(creative_id, organisation_id) in pinned,
                )
            )
    session.rounds, session.lower_bound, session.generated_at = result.rounds, result.lower_bound, utcnow()
    db.session.flush()


def _check_slot(session: SpeedDatingSession, moving: list[tuple[Meeting, int, int]]) -> None:
    """Refuse a hand change that would seat someone twice in a round or two pairs at one table."""
    moved = {m.id for m, _, _ in moving}
    taken = {(m.round, m.table) for m in session.meetings if m.id not in moved}
    busy = {(m.round, p) for m in session.meetings if m.id not in moved for p in (m.creative_id, m.organisation_id)}
    for meeting, round_, table in moving:
        if not 0 <= table < session.tables:
            raise SpeedDatingError(*SCHEDULE_MESSAGES["pin_bad_table"])
        if round_ < 0 or round_ > session.rounds:
            raise SpeedDatingError(_m("This round does not exist in this session."), "round")
        if (round_, table) in taken:
            raise SpeedDatingError(*SCHEDULE_MESSAGES["pin_table_twice"])
        for person in (meeting.creative_id, meeting.organisation_id):
            if (round_, person) in busy:
                raise SpeedDatingError(*SCHEDULE_MESSAGES["pin_person_twice"])
            busy.add((round_, person))
        taken.add((round_, table))


def move_meeting(session: SpeedDatingSession, meeting: Meeting, round_: int, table: int) -> None:
    """Put a meeting at another round and table by hand, and fix it there (a new last round is allowed)."""
    _refuse_if_rated(session)
    _check_slot(session, [(meeting, round_, table)])
    _apply_slots(session, [(meeting, round_, table)])


def swap_meetings(session: SpeedDatingSession, first: Meeting, second: Meeting) -> None:
    """Exchange the places of two meetings by hand, and fix both."""
    _refuse_if_rated(session)
    if first.session_id != session.id or second.session_id != session.id or first.id == second.id:
        raise SpeedDatingError(_m("Choose two different meetings of this session."), "other_id")
    _check_slot(session, [(first, second.round, second.table), (second, first.round, first.table)])
    _apply_slots(session, [(first, second.round, second.table), (second, first.round, first.table)])


def _apply_slots(session: SpeedDatingSession, moves: list[tuple[Meeting, int, int]]) -> None:
    # Park the moving meetings on free negative rounds first, so that the unique (round, table) rule
    # never sees two of them on one place half-way through.
    for n, (meeting, _, _) in enumerate(moves, start=1):
        meeting.round, meeting.table = -n, 0
    db.session.flush()
    for meeting, round_, table in moves:
        meeting.round, meeting.table, meeting.pinned = round_, table, True
    session.rounds = max(session.rounds, max(r for _, r, _ in moves) + 1)
    db.session.flush()


def set_pinned(meeting: Meeting, pinned: bool) -> None:
    meeting.pinned = pinned


def meetings_of(session: SpeedDatingSession, participant: SessionParticipant) -> list[Meeting]:
    return [m for m in session.meetings if participant.id in (m.creative_id, m.organisation_id)]


# -- ratings --------------------------------------------------------------------------------------------


def participant_of(session: SpeedDatingSession, user: User) -> SessionParticipant | None:
    """The signed-in person's place in the session, if any."""
    for participant in session.participants:
        if participant.profile.user_id == user.id:
            return participant
    return None


def sessions_of(user: User) -> list[SpeedDatingSession]:
    """The sessions of the region the person takes part in."""
    return list(
        db.session.scalars(
            select(SpeedDatingSession)
            .join(SessionParticipant)
            .join(Profile, Profile.id == SessionParticipant.profile_id)
            .join(Event, Event.id == SpeedDatingSession.event_id)
            .where(Profile.user_id == user.id)
            .order_by(Event.starts_at.desc())
        )
    )


OPEN, NOT_YET, CLOSED = "open", "not_yet", "closed"


def rating_state(session: SpeedDatingSession, meeting: Meeting, now: datetime) -> str:
    """Whether a meeting can be rated now: not yet (its round has not ended), open, or closed (the deadline)."""
    # The round's end comes from the session's start, round length and breaks, all required columns, so it is
    # always known; the rating stays a statement about a meeting that took place.
    if not session.rating_open(now):
        return CLOSED
    return OPEN if now >= session.round_end(meeting.round) else NOT_YET


def _local(moment: datetime) -> str:
    return moment.astimezone(BERLIN).strftime("%d.%m.%Y %H:%M")


def ratings_by(session: SpeedDatingSession, rater: SessionParticipant) -> dict[int, Interest]:
    """What a person said about each person they met: {ratee participant id: interest}."""
    return {
        r.ratee_id: r.interest
        for r in db.session.scalars(select(Rating).where(Rating.session_id == session.id, Rating.rater_id == rater.id))
    }


def notes_by(session: SpeedDatingSession, rater: SessionParticipant) -> dict[int, str]:
    """The notes a person keeps with their ratings: {ratee participant id: note} (only those with a note)."""
    return {
        r.ratee_id: r.note
        for r in db.session.scalars(select(Rating).where(Rating.session_id == session.id, Rating.rater_id == rater.id))
        if r.note
    }


def rate(
    session: SpeedDatingSession,
    rater: SessionParticipant,
    ratee_id: int,
    interest: Interest,
    *,
    note: str | None = None,
    entered_by: User | None = None,
    now: datetime | None = None,
) -> Rating:
    """Record (or change) what someone thinks of a person they met, once the meeting has taken place and before
    the deadline; with a note of their own (None: the note stays as it was)."""
    now = now or utcnow()
    if not session.rating_open(now):
        raise SpeedDatingError(_m("The deadline for ratings has passed."), "interest")
    meeting = next(
        (
            m
            for m in meetings_of(session, rater)
            if ratee_id in (m.creative_id, m.organisation_id) and ratee_id != rater.id
        ),
        None,
    )
    if meeting is None:
        raise SpeedDatingError(_m("You can only rate people you met in this session."), "ratee_id")
    if rating_state(session, meeting, now) == NOT_YET:
        ratee = next(p for p in session.participants if p.id == ratee_id)
        raise SpeedDatingError(
            _m("The meeting with {name} has not taken place yet: it can be rated from {time}.").format(
                name=ratee.name, time=_local(session.round_end(meeting.round))
            ),
            "ratee_id",
        )
    rating = db.session.scalar(select(Rating).where(Rating.meeting_id == meeting.id, Rating.rater_id == rater.id))
    if rating is None:
        rating = Rating(
            region_id=session.region_id,
            session_id=session.id,
            meeting_id=meeting.id,
            rater_id=rater.id,
            ratee_id=ratee_id,
            interest=interest,
        )
        db.session.add(rating)
    rating.interest = interest
    if note is not None:
        rating.note = note
    rating.entered_by_id = entered_by.id if entered_by else None
    db.session.flush()
    return rating


def all_ratings(session: SpeedDatingSession) -> list[Rating]:
    return list(db.session.scalars(select(Rating).where(Rating.session_id == session.id)))
