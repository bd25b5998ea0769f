"""Milestone reminders to the match teams: once shortly before a milestone is due, once when overdue."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hub.accounts.services import external_url
from hub.core.db import db, in_transaction
from hub.core.jobs import each_region, effects, job
from hub.notifications.services import notify
from regions.matches.models import Match, MatchMember, Milestone
from regions.matches.vocab import MILESTONES, MatchStatus
from regions.profiles.models import Profile


def _berlin_today():
    return datetime.now(ZoneInfo(current_app.config["TIMEZONE"])).date()


def _open_milestones(first_day, last_day) -> list[tuple[Milestone, Match]]:
    """Milestones not done, due between two days, of active matches (with each team's people)."""
    rows = db.session.execute(
        select(Milestone, Match)
        .join(Match, Match.id == Milestone.match_id)
        .where(
            Match.status == MatchStatus.ACTIVE,
            Milestone.done_on.is_(None),
            Milestone.due_on >= first_day,
            Milestone.due_on <= last_day,
        )
        .order_by(Milestone.due_on, Milestone.id)
        .options(selectinload(Match.members).selectinload(MatchMember.profile).selectinload(Profile.user))
    )
    return list(rows)


def _tell(milestone, match, user, template, effect, region):
    return notify(
        user,
        MILESTONES.key,
        template,
        link=external_url("region.matches.show", region=region.slug, match_id=milestone.match_id),
        region=region,
        effect=effect,
        milestone=milestone,
        match=match,
    )


def _sweep(job_id: str, template: str, milestones: list[tuple[Milestone, Match]], region) -> int:
    """Tell every person of each team once per milestone and due date."""
    keyed = []
    for milestone, match in milestones:
        people = {m.profile.user.id: m.profile.user for m in match.members if m.profile.user}
        for user in people.values():
            if user.active:
                subject = f"milestone:{milestone.id}:user:{user.id}"
                keyed.append((milestone, match, user, subject, milestone.due_on.isoformat()))
    done = effects.done(job_id, ((subject, slot) for *_, subject, slot in keyed))
    told = 0
    for milestone, match, user, subject, slot in keyed:
        if (subject, slot) not in done:
            tell = partial(_tell, milestone, match, user, template, (job_id, subject, slot), region)
            told += in_transaction(tell) is not None
    return told


@job("matches.milestone_reminders", every=timedelta(hours=1), title=_l("Remind match teams of their milestones"))
def milestone_reminders() -> dict[str, int]:
    """Tell each team's people of a milestone due within MILESTONE_REMINDER_DAYS, and of one overdue."""
    today = _berlin_today()
    soon = today + timedelta(days=current_app.config["MILESTONE_REMINDER_DAYS"])
    due = overdue = 0
    for region in each_region():
        due += _sweep("matches.milestone_due", "milestone_due", _open_milestones(today, soon), region)
        # Overdue since yesterday up to a month: older ones were told when they became overdue.
        overdue += _sweep(
            "matches.milestone_overdue",
            "milestone_overdue",
            _open_milestones(today - timedelta(days=30), today - timedelta(days=1)),
            region,
        )
    return {"due_soon": due, "overdue": overdue}
