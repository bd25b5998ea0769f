"""Demo team across regions: a Meißen match (the winery and the porcelain designer) that a Dresden games studio
joined once both coordinations agreed. Runs after the matches' demo loader (the features' order), in its
cohort; a second run changes nothing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from hub.accounts.services import user_by_email
from hub.cohorts.models import Cohort
from hub.core.actions import Actor
from hub.core.db import berlin_today, db
from hub.core.demo import DOMAIN
from hub.core.roles import Role
from hub.core.tenancy import region_scope
from hub.core.tenancy.models import Region
from regions.matches import services as matches
from regions.matches.demo import COHORT
from regions.matches.models import Match
from regions.matches.vocab import MatchStatus, MemberRole
from regions.profiles import services as profiles
from regions.teams import actions

TITLE = "Digitale Weinprobe im Elbland"


def load_demo_teams() -> int:
    """The Meißen match with its Dresden member (asked by Meißen, accepted by Dresden), in the matches' cohort."""
    regions = {r.slug: r for r in db.session.scalars(select(Region))}
    cohort = db.session.scalar(select(Cohort).where(Cohort.name == COHORT))
    if cohort is None or "meissen" not in regions or "dresden" not in regions:
        return 0
    meissen, dresden = regions["meissen"], regions["dresden"]
    coordination = user_by_email(f"koordination.meissen@{DOMAIN}")
    dresden_coordination = user_by_email(f"koordination.dresden@{DOMAIN}")
    people = [user_by_email(f"{local}@{DOMAIN}") for local in ("porzellandesign", "weingut", "games-studio")]
    if coordination is None or dresden_coordination is None or None in people:
        return 0
    with region_scope(meissen):
        if db.session.scalar(select(Match.id).where(Match.title == TITLE)) is not None:
            return 0
        creative, organisation = (profiles.own_profile(user) for user in people[:2])
        if creative is None or organisation is None:
            return 0
        match = matches.create_match(
            cohort,
            [(creative, MemberRole.CREATIVE), (organisation, MemberRole.ORGANISATION)],
            title=TITLE,
            challenge="Eine Weinprobe, die man zu Hause mit Porzellan, Film und Spiel erlebt.",
            by=coordination,
        )
        today = berlin_today()
        started = today if cohort.contains(today) else cohort.starts_on
        matches.change_status(match, MatchStatus.ACTIVE, started)
        matches.add_milestone(
            match, "Drehbuch der Weinprobe abgestimmt", min(started + timedelta(weeks=6), cohort.ends_on)
        )
        db.session.flush()
    with region_scope(dresden):
        studio = profiles.own_profile(people[2])
    if studio is None:
        return 2
    with region_scope(meissen):
        guest = actions.request_guest(
            Actor(coordination, Role.COORDINATOR),
            match.id,
            profile_id=studio.id,
            role=MemberRole.CREATIVE,
            role_note="Spielerische Elemente der Weinprobe",
        )
    with region_scope(dresden):
        actions.accept(Actor(dresden_coordination, Role.COORDINATOR), guest.id)
    return 4
