"""Who may see and change speed-dating: the one home of its access rules.

The coordination (and the umbrella, reading) sees every session of the region and is the only one to
change sessions, participants, pairs and the schedule. A participant sees their own participation (their
meetings) and rates the people they met; the coordination may open anyone's participation to type in their
paper form. A participation of someone else answers NotFound to a participant, as if it did not exist.
Pages, API and actions all load through here.
"""

from __future__ import annotations

from hub.core.actions import Actor, Forbidden, NotFound, get_or_404
from hub.core.schemas import ServiceError, _m
from regions.speeddating.models import Meeting, SessionParticipant, SpeedDatingSession

NOT_IN_THE_SESSION = _m("This person does not take part in the session.")


def readable_session(actor: Actor, session_id: int) -> SpeedDatingSession:
    """A session of the region, for the coordination and the umbrella (participants see their participation)."""
    session = get_or_404(SpeedDatingSession, session_id)
    if not actor.reviews:
        raise Forbidden()
    return session


def managed_session(actor: Actor, session_id: int) -> SpeedDatingSession:
    """A session the actor changes: the coordination only."""
    session = readable_session(actor, session_id)
    actor.require_coordination()
    return session


def managed_meeting(actor: Actor, meeting_id: int) -> tuple[Meeting, SpeedDatingSession]:
    """A meeting of the schedule and its session, to move, swap or fix by hand: the coordination only."""
    meeting = get_or_404(Meeting, meeting_id)
    return meeting, managed_session(actor, meeting.session_id)


def readable_meeting(actor: Actor, meeting_id: int) -> tuple[Meeting, SpeedDatingSession]:
    meeting = get_or_404(Meeting, meeting_id)
    return meeting, readable_session(actor, meeting.session_id)


def is_own(participant: SessionParticipant, actor: Actor) -> bool:
    """Whether the participation is the actor's own (their profile takes part)."""
    return actor.user is not None and participant.profile.user_id == actor.user.id


def readable_participation(actor: Actor, participant_id: int) -> SessionParticipant:
    """A participation: the person's own, or anyone's for the coordination and the umbrella; NotFound otherwise."""
    participant = get_or_404(SessionParticipant, participant_id)
    if not (is_own(participant, actor) or actor.reviews):
        raise NotFound()
    return participant


def rating_participation(actor: Actor, participant_id: int) -> SessionParticipant:
    """A participation the actor may rate for: their own, or anyone's for the coordination (a paper form)."""
    participant = readable_participation(actor, participant_id)
    if not (is_own(participant, actor) or actor.coordinates):
        raise Forbidden()
    return participant


def is_paper_form(participant: SessionParticipant, actor: Actor) -> bool:
    """A rating entered for someone else: the coordination typing in their paper form.

    Decided by whose participation it is, not by the actor's role: a coordinator who takes part rates as
    themselves, like everyone else (``rating_participation`` has already said who may rate for whom).
    """
    return not is_own(participant, actor)


def shows_profile(actor: Actor, participant: SessionParticipant) -> bool:
    """Whether the actor sees more of a person met than their name and organisation (picture, offers, needs):
    where the directory would show them the profile (listed for the region or the network, their own, or the
    coordination's and the umbrella's view)."""
    return actor.reviews or is_own(participant, actor) or participant.profile.is_listed


def participant_in(session: SpeedDatingSession, participant_id: int | None, field: str) -> SessionParticipant:
    """A participant of this session named in a request's field; anyone else is refused with the field named."""
    found = next((p for p in session.participants if p.id == participant_id), None)
    if found is None:
        raise ServiceError(NOT_IN_THE_SESSION, field)
    return found
