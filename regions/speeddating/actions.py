"""Everything that changes speed-dating, written once for the pages, the API, the CLI and jobs.

Each action takes plain values and the acting person, loads what it names through
``regions.speeddating.access`` (who may), turns ids into objects of the region and applies the rules of
``services`` and ``replanning``; it raises ``ServiceError`` naming the field. None commits:
``hub.core.glue`` does. Times without an offset are wall-clock times in Europe/Berlin (``services.in_utc``).
"""

from __future__ import annotations

from hub.core.actions import Actor, get_for_field
from hub.core.schemas import ServiceError, _m
from regions.events.models import Event
from regions.profiles.models import Profile
from regions.speeddating import access, replanning, services
from regions.speeddating.models import Meeting, PairPreference, Rating, SpeedDatingSession
from regions.speeddating.vocab import Interest

OTHER_MEETING = _m("Choose two different meetings of this session.")

# -- sessions and participants ------------------------------------------------------------------------


def create_session(actor: Actor, *, event_id: int, **settings) -> SpeedDatingSession:
    """Set up a session at an event of the region, with everyone registered for it who has a profile here.

    Its rounds start with the event unless ``starts_at`` says otherwise.
    """
    actor.require_coordination()
    event = get_for_field(Event, event_id, "event_id", _m("Please choose an event of the region."))
    session = services.create_session(event, services.in_utc(settings))
    services.take_from_registrations(session)
    return session


def update_session(actor: Actor, session_id: int, changes: dict) -> SpeedDatingSession:
    """Change a session's settings (a change of tables or mode makes the schedule again, refused once rated)."""
    session = access.managed_session(actor, session_id)
    services.update_session(session, services.in_utc(changes))
    return session


def add_participant(actor: Actor, session_id: int, *, profile_id: int):
    """Add a person of the region by their profile (not archived), on the side their profile says."""
    session = access.managed_session(actor, session_id)
    profile = get_for_field(Profile, profile_id, "profile_id", _m("Please choose a profile of the region."))
    return services.add_participant(session, profile)


def take_registrations(actor: Actor, session_id: int, *, checked_in_only: bool = False) -> tuple[int, list[str]]:
    """Add everyone registered for the event (or only those checked in); (added, names of those without a
    profile in the region)."""
    session = access.managed_session(actor, session_id)
    return services.take_from_registrations(session, checked_in_only=checked_in_only)


def remove_participant(actor: Actor, session_id: int, *, participant_id: int) -> SpeedDatingSession:
    """Take someone out of the session (not once ratings exist)."""
    session = access.managed_session(actor, session_id)
    services.remove_participant(session, access.participant_in(session, participant_id, "participant_id"))
    return session


def set_pair(actor: Actor, session_id: int, *, creative_id: int, organisation_id: int, kind: str) -> PairPreference:
    """Wish or avoid the meeting of a creative and an organisation of the session."""
    session = access.managed_session(actor, session_id)
    return services.set_pair(session, creative_id, organisation_id, kind)


def remove_pair(actor: Actor, session_id: int, *, pair_id: int) -> SpeedDatingSession:
    session = access.managed_session(actor, session_id)
    services.remove_pair(session, pair_id)
    return session


# -- the schedule ---------------------------------------------------------------------------------------


def generate_schedule(actor: Actor, session_id: int) -> SpeedDatingSession:
    """(Re)build the schedule with the fewest rounds, keeping the meetings fixed by hand."""
    session = access.managed_session(actor, session_id)
    services.generate_schedule(session)
    return session


def replan(actor: Actor, session_id: int, *, from_round: int, absent=(), tables_out_of_use=()) -> replanning.Replanned:
    """Re-plan the rest of the evening from a round on (0-based): the rounds before stay as they were held."""
    session = access.managed_session(actor, session_id)
    return replanning.replan_from(session, from_round, absent=absent, tables_out_of_use=tables_out_of_use)


def move_meeting(actor: Actor, meeting_id: int, *, round: int, table: int) -> Meeting:  # noqa: A002
    """Put a meeting at another round and table (0-based) by hand, and fix it there."""
    meeting, session = access.managed_meeting(actor, meeting_id)
    services.move_meeting(session, meeting, round, table)
    return meeting


def swap_meetings(actor: Actor, meeting_id: int, *, other_id: int) -> list[Meeting]:
    """Exchange the places of two meetings of the same session, and fix both."""
    meeting, session = access.managed_meeting(actor, meeting_id)
    other = get_for_field(Meeting, other_id, "other_id", OTHER_MEETING)
    services.swap_meetings(session, meeting, other)
    return [meeting, other]


def pin_meeting(actor: Actor, meeting_id: int, *, pinned: bool) -> Meeting:
    """Fix a meeting where it is (a new schedule keeps it), or release it."""
    meeting, _session = access.managed_meeting(actor, meeting_id)
    services.set_pinned(meeting, pinned)
    return meeting


# -- ratings --------------------------------------------------------------------------------------------


NOTE_NEEDS_AN_ANSWER = _m("Please choose an answer as well: a note is kept with the rating.")


def _rate(actor: Actor, rater, ratee_id: int, interest: Interest, note: str | None = None) -> Rating:
    # A rating entered for someone else is their paper form, marked with who typed it in.
    entered_by = actor.user if access.is_paper_form(rater, actor) else None
    return services.rate(rater.session, rater, ratee_id, interest, note=note, entered_by=entered_by)


def rate(actor: Actor, participant_id: int, *, ratee_id: int, interest: Interest, note: str | None = None) -> Rating:
    """Say (or change) what a participant thinks of a person they met: their own, or their paper form."""
    return _rate(actor, access.rating_participation(actor, participant_id), ratee_id, interest, note)


def rate_meetings(
    actor: Actor, participant_id: int, choices: dict[int, Interest], notes: dict[int, str] | None = None
) -> list[Rating]:
    """A participant's form of ratings, one choice per person met (participant id → interest) with an optional
    note each (participant id → text), kept whole or not at all; a refusal about a person names their row
    (``interest_<participant id>``). A note needs a choice: it is kept with the rating."""
    rater = access.rating_participation(actor, participant_id)
    notes = notes or {}
    for ratee_id, note in notes.items():
        if note and ratee_id not in choices:
            raise ServiceError(NOTE_NEEDS_AN_ANSWER, f"interest_{ratee_id}")
    ratings = []
    for ratee_id, interest in choices.items():
        try:
            ratings.append(_rate(actor, rater, ratee_id, interest, notes.get(ratee_id)))
        except ServiceError as exc:
            if exc.field != "ratee_id":
                raise
            raise ServiceError(exc.message, f"interest_{ratee_id}") from exc
    return ratings


def enter_paper_form(
    actor: Actor,
    session_id: int,
    *,
    rater_id: int | None,
    ratee_id: int,
    interest: Interest,
    note: str | None = None,
) -> Rating:
    """Type in a paper form by session: what ``rater_id`` thinks of ``ratee_id`` (the coordination)."""
    session = access.managed_session(actor, session_id)
    if rater_id is None:
        raise ServiceError(_m("This field is required."), "rater_id")
    return _rate(actor, access.participant_in(session, rater_id, "rater_id"), ratee_id, interest, note)
