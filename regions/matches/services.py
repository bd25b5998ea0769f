"""Matches: made from suggestions or by hand; their status, members, milestones, check-ins, journal, documents."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, func, select

from hub.accounts.models import User
from hub.cohorts.models import Cohort
from hub.core.db import berlin_today, db, utcnow
from hub.core.schemas import ServiceError, _m
from regions.matches.models import CheckIn, JournalEntry, Match, MatchMember, Milestone
from regions.matches.vocab import TRANSITIONS, CheckInStatus, MatchStatus, MemberRole
from regions.profiles.models import Profile
from regions.profiles.vocab import ProfileKind


class MatchError(ServiceError):
    """A change to a match that cannot be made."""


ROLE_OF_KIND = {ProfileKind.CREATIVE: MemberRole.CREATIVE, ProfileKind.ORGANISATION: MemberRole.ORGANISATION}
OPEN_STATUSES = (MatchStatus.PROPOSED, MatchStatus.ACTIVE)


def list_matches(*, cohort_id: int | None = None, status: MatchStatus | None = None) -> list[Match]:
    """The region's matches, newest first."""
    query = select(Match).order_by(Match.proposed_on.desc(), Match.id.desc())
    if cohort_id:
        query = query.where(Match.cohort_id == cohort_id)
    if status:
        query = query.where(Match.status == status)
    return list(db.session.scalars(query))


def get_match(match_id: int) -> Match | None:
    return db.session.get(Match, match_id)


def matches_of(user: User) -> list[Match]:
    """The matches of the region the signed-in person is a member of."""
    return list(
        db.session.scalars(
            select(Match)
            .join(MatchMember)
            .join(Profile, Profile.id == MatchMember.profile_id)
            .where(Profile.user_id == user.id)
            .order_by(Match.proposed_on.desc())
        )
    )


def is_member(match: Match, user: User) -> bool:
    return any(m.profile.user_id == user.id for m in match.members)


def open_match_counts(profile_ids, cohort_id: int) -> dict[int, int]:
    """How many proposed or active matches of a cohort each profile is in (profile ids, or a SELECT of them)."""
    rows = db.session.execute(
        select(MatchMember.profile_id, func.count())
        .join(Match)
        .where(
            MatchMember.profile_id.in_(profile_ids if isinstance(profile_ids, Select) else list(profile_ids)),
            Match.cohort_id == cohort_id,
            Match.status.in_(OPEN_STATUSES),
        )
        .group_by(MatchMember.profile_id)
    )
    return dict(rows.all())


def create_match(
    cohort: Cohort,
    members: list[tuple[Profile, MemberRole | None]],
    *,
    title: str,
    challenge: str = "",
    goals: str = "",
    by: User | None = None,
    session_id: int | None = None,
    proposed_on: date | None = None,
) -> Match:
    """A new (proposed) match with its members; the budget is the cohort's funding per match. The caller commits."""
    match = Match(
        cohort=cohort,
        title=title,
        challenge=challenge,
        goals=goals,
        status=MatchStatus.PROPOSED,
        proposed_on=proposed_on or berlin_today(),
        budget_cents=cohort.funding_per_match_cents,
        paid_cents=0,
        committed_cents=0,
        session_id=session_id,
        created_by_id=by.id if by else None,
    )
    seen = set()
    for profile, role in members:
        if profile.id in seen:
            raise MatchError(_m("A person can be in a match only once."), "members")
        seen.add(profile.id)
        match.members.append(MatchMember(profile=profile, role=role or ROLE_OF_KIND[profile.kind]))
    _check_members(match)
    db.session.add(match)
    db.session.flush()
    return match


def _check_members(match: Match) -> None:
    roles = {m.role for m in match.members}
    if MemberRole.CREATIVE not in roles or MemberRole.ORGANISATION not in roles:
        raise MatchError(_m("A match needs at least one creative and one organisation."), "members")


def update_match(match: Match, fields: dict) -> None:
    """Change a match's title, challenge, goals, outcome or case study."""
    for name, value in fields.items():
        setattr(match, name, value)


def change_status(match: Match, status: MatchStatus, on: date | None = None) -> None:
    """Move a match along proposed → active → completed | discontinued, with the date it happened."""
    if status == match.status:
        return
    if status not in TRANSITIONS[match.status]:
        raise MatchError(_m("A match cannot go from this status to the one chosen."), "status")
    on = on or berlin_today()
    if status == MatchStatus.ACTIVE:
        match.started_on = on
    else:
        if match.started_on and on < match.started_on:
            raise MatchError(_m("The end must not be before the start."), "on")
        match.ended_on = on
    match.status = status


def add_member(match: Match, profile: Profile, role: MemberRole, role_note: str = "") -> MatchMember:
    if any(m.profile_id == profile.id for m in match.members):
        raise MatchError(_m("A person can be in a match only once."), "profile_id")
    member = MatchMember(profile=profile, role=role, role_note=role_note)
    match.members.append(member)
    db.session.flush()
    return member


def remove_member(match: Match, member: MatchMember) -> None:
    match.members.remove(member)
    _check_members(match)
    db.session.delete(member)


def _within_cohort(match: Match, day: date, field: str) -> None:
    cohort = match.cohort
    if not cohort.contains(day):
        raise MatchError(
            _m("The date must lie within the cohort ({start} – {end}).").format(
                start=cohort.starts_on.strftime("%d.%m.%Y"), end=cohort.ends_on.strftime("%d.%m.%Y")
            ),
            field,
        )


def add_milestone(match: Match, title: str, due_on: date, note: str = "") -> Milestone:
    """A milestone of the team's plan, due within the cohort's period."""
    _within_cohort(match, due_on, "due_on")
    milestone = Milestone(title=title, due_on=due_on, note=note)
    match.milestones.append(milestone)
    db.session.flush()
    return milestone


def update_milestone(milestone: Milestone, match: Match, fields: dict) -> None:
    """Change a milestone or mark it done (done_on) or open again (done_on None)."""
    if "due_on" in fields:
        _within_cohort(match, fields["due_on"], "due_on")
    for name, value in fields.items():
        setattr(milestone, name, value)


def overdue_milestones(match: Match, today: date | None = None) -> list[Milestone]:
    today = today or berlin_today()
    return [m for m in match.milestones if m.done_on is None and m.due_on < today]


def add_check_in(match: Match, held_on: date, status: CheckInStatus, note: str, by: User) -> CheckIn:
    check_in = CheckIn(held_on=held_on, status=status, note=note, by_id=by.id)
    match.check_ins.append(check_in)
    db.session.flush()
    return check_in


def add_journal_entry(match: Match, body: str, author: User) -> JournalEntry:
    entry = JournalEntry(body=body, author_id=author.id, created_at=utcnow())
    match.journal.append(entry)
    db.session.flush()
    return entry


def publish_case_study(match: Match, publish: bool) -> None:
    """Share the case study network-wide as a blueprint for other teams, or take it back."""
    if publish and not match.case_study.strip():
        raise MatchError(_m("Write the case study before publishing it."), "case_study")
    match.case_study_published_at = utcnow() if publish else None
