"""A participant's evening, as they see it at the event: where and when their next meeting is, and the rest
of their plan round by round (with the rounds they sit out), measured against the clock.

Read only: it changes nothing, so pages (``Mein Abend``) and a home page may ask it as often as they like.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from regions.speeddating import services
from regions.speeddating.models import Meeting, SessionParticipant, SpeedDatingSession

DONE, NOW, NEXT, LATER = "done", "now", "next", "later"


@dataclass(frozen=True)
class Slot:
    """One round of a participant's plan: a meeting (partner and table), or a pause when ``meeting`` is None."""

    round: int  # 0-based, like the schedule's
    starts_at: datetime
    ends_at: datetime
    state: str  # DONE (the round has ended), NOW (under way), NEXT (the first to come), LATER
    meeting: Meeting | None = None
    partner: SessionParticipant | None = None

    @property
    def table(self) -> int | None:
        return None if self.meeting is None else self.meeting.table


@dataclass(frozen=True)
class Evening:
    """A participant's plan for one session, as of ``now``."""

    session: SpeedDatingSession
    participant: SessionParticipant
    now: datetime
    slots: tuple[Slot, ...]

    @property
    def meetings(self) -> list[Slot]:
        return [s for s in self.slots if s.meeting is not None]

    @property
    def current(self) -> Slot | None:
        """The round under way (a meeting or a pause), if any."""
        return next((s for s in self.slots if s.state == NOW), None)

    @property
    def next_meeting(self) -> Slot | None:
        """The meeting to go to: the one under way, else the first still to come."""
        return next((s for s in self.meetings if s.state in (NOW, NEXT, LATER)), None)

    @property
    def to_come(self) -> list[Slot]:
        """The rounds after the next meeting (the rest of the plan)."""
        after = self.next_meeting
        return [s for s in self.slots if after is not None and s.round > after.round]

    @property
    def done(self) -> list[Slot]:
        return [s for s in self.meetings if s.state == DONE]

    @property
    def started(self) -> bool:
        return bool(self.slots) and self.now >= self.slots[0].starts_at

    @property
    def over(self) -> bool:
        """Every meeting of the plan has taken place (nothing more to go to)."""
        return bool(self.meetings) and self.next_meeting is None


def _state(session: SpeedDatingSession, round_: int, now: datetime) -> str:
    if now >= session.round_end(round_):
        return DONE
    return NOW if now >= session.round_start(round_) else LATER


def evening_of(session: SpeedDatingSession, participant: SessionParticipant, now: datetime) -> Evening:
    """The participant's plan, one slot per round of the schedule (a pause where they meet nobody)."""
    people = {p.id: p for p in session.participants}
    mine = {
        m.round: m for m in session.meetings if participant.id in (m.creative_id, m.organisation_id) and m.round >= 0
    }
    slots: list[Slot] = []
    seen_next = False
    for round_ in range(max([session.rounds, *(r + 1 for r in mine)])):
        meeting = mine.get(round_)
        state = _state(session, round_, now)
        if state == LATER and meeting is not None and not seen_next:
            state = NEXT
        if meeting is not None and state in (NOW, NEXT):
            seen_next = True
        partner = None
        if meeting is not None:
            partner = people.get(
                meeting.organisation_id if meeting.creative_id == participant.id else meeting.creative_id
            )
        slots.append(
            Slot(
                round=round_,
                starts_at=session.round_start(round_),
                ends_at=session.round_end(round_),
                state=state,
                meeting=meeting,
                partner=partner,
            )
        )
    return Evening(session=session, participant=participant, now=now, slots=tuple(slots))


def the_evening_to_show(sessions: Iterable[SpeedDatingSession], now: datetime) -> SpeedDatingSession | None:
    """Of a person's sessions, the one their "evening" means now: the one under way or the next to come, else the
    last that took place."""
    sessions = list(sessions)
    coming = [s for s in sessions if s.ends_at >= now]
    if coming:
        return min(coming, key=lambda s: (s.starts_at, s.id))
    return max(sessions, key=lambda s: (s.starts_at, s.id), default=None)


def rating_progress(session: SpeedDatingSession, participant: SessionParticipant) -> tuple[int, int]:
    """(people rated, people met) of a participant: "3 of 8 rated"."""
    met = {
        m.organisation_id if m.creative_id == participant.id else m.creative_id
        for m in services.meetings_of(session, participant)
    }
    return len(met & set(services.ratings_by(session, participant))), len(met)
