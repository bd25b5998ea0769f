"""Re-planning an evening under way from a round on: someone left, someone arrived, a table broke.

The rounds before that round were held and stay exactly as they were, with their ratings; the meetings still to
come, of the people still there, take the rounds from there on, at the tables still in use, in the fewest rounds
possible. Ratings of held rounds do not stand in the way: a meeting can only be rated once it has taken place.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from hub.core.db import db, utcnow
from hub.core.schemas import _m
from regions.speeddating import schedule as generator
from regions.speeddating.models import Meeting, Rating, SpeedDatingSession
from regions.speeddating.services import SpeedDatingError, planned_meetings, schedule_error, store_schedule


@dataclass(frozen=True)
class Replanned:
    """The new schedule of the whole evening, the round (0-based) it was re-planned from, and how many meetings
    fixed by hand lost their table."""

    schedule: generator.Schedule
    from_round: int
    released: int


def last_rated_round(session: SpeedDatingSession) -> int | None:
    """The latest round (0-based) with a rated meeting: it was held, so only later rounds can be re-planned."""
    return db.session.scalar(
        select(func.max(Meeting.round))
        .join(Rating, Rating.meeting_id == Meeting.id)
        .where(Meeting.session_id == session.id)
    )


def first_round_to_replan(session: SpeedDatingSession, now: datetime | None = None) -> int:
    """The round (0-based) a re-plan most likely starts from: the first that has not begun by the plan."""
    now = now or utcnow()
    coming = next((r for r in range(session.rounds) if session.round_start(r) > now), session.rounds)
    rated = last_rated_round(session)
    return coming if rated is None else max(coming, rated + 1)


def replan_from(
    session: SpeedDatingSession,
    from_round: int,
    *,
    absent: Collection[int] = (),
    tables_out_of_use: Collection[int] = (),
) -> Replanned:
    """Keep the rounds before ``from_round`` (0-based) and schedule every meeting not held yet anew from there on,
    for everyone but the ``absent`` (participant ids), at every table but those out of use (0-based). Meetings
    fixed by hand in those rounds keep their place, unless their table is out of use. The caller commits."""
    if not 0 <= from_round <= session.rounds:
        raise SpeedDatingError(_m("This round does not exist in this session."), "from_round")
    rated = last_rated_round(session)
    if rated is not None and rated >= from_round:
        raise SpeedDatingError(
            _m(
                "Meetings of round {rated} have been rated, so that round has been held: "
                "re-plan from round {next} or later."
            ).format(rated=rated + 1, next=rated + 2),
            "from_round",
        )
    people = {p.id: p for p in session.participants}
    if any(person_id not in people for person_id in absent):
        raise SpeedDatingError(_m("This person does not take part in the session."), "absent")
    if any(not 0 <= table < session.tables for table in tables_out_of_use):
        raise SpeedDatingError(_m("This table does not exist in this session."), "tables_out_of_use")
    in_use = [t for t in range(session.tables) if t not in set(tables_out_of_use)]
    if not in_use:
        raise SpeedDatingError(_m("At least one table must stay in use."), "tables_out_of_use")

    there = {p.side for p in people.values() if p.id not in set(absent)}
    # With one side gone entirely nothing is left to meet; that is no reason to refuse.
    wanted = planned_meetings(session, without=absent) if len(there) == 2 else []
    held = {
        (m.creative_id, m.organisation_id): generator.Slot(m.round, m.table)
        for m in session.meetings
        if m.round < from_round
    }
    coming = [m for m in session.meetings if m.round >= from_round]
    still_wanted = set(wanted) - held.keys()
    pinned = [m for m in coming if m.pinned and (m.creative_id, m.organisation_id) in still_wanted]
    kept = {(m.creative_id, m.organisation_id): generator.Slot(m.round, m.table) for m in pinned if m.table in in_use}
    try:
        result = generator.replan(held, wanted, from_round, in_use, fixed=kept)
    except generator.ScheduleError as exc:
        raise schedule_error(exc) from exc

    store_schedule(session, result, kept, from_round)
    return Replanned(schedule=result, from_round=from_round, released=len(pinned) - len(kept))
