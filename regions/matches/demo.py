"""Demo cohort, speed-dating and matches: the program's own example (Alte Brauerei with a process consultant)
as an active match that came out of the speed-dating at the Erzgebirge kickoff, and a proposal in Lausitz.

Every step looks for what it would make first, so a second run changes nothing. People are placeholders.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from hub.accounts.models import User
from hub.accounts.services import create_user, user_by_email
from hub.cohorts import services as cohorts
from hub.cohorts.models import Cohort
from hub.core.db import db
from hub.core.demo import DEMO_PASSWORD, DOMAIN
from hub.core.roles import Role
from hub.core.tenancy import all_regions, region_scope
from hub.core.tenancy.models import Region
from regions.events import services as events
from regions.events.demo import load_demo_events
from regions.events.models import Event
from regions.matches import funding, services, suggesting
from regions.matches.models import Match
from regions.matches.vocab import CheckInStatus, LedgerKind, MatchStatus, SuggestionStatus
from regions.profiles import services as profiles
from regions.profiles.demo import load_demo_profiles
from regions.profiles.models import Profile
from regions.profiles.schemas import ProfileInputSchema
from regions.speeddating import services as speeddating
from regions.speeddating.models import SpeedDatingSession
from regions.speeddating.vocab import Interest

COHORT = "CIMIS II 2026/27"
KICKOFF = ("erzgebirge", "Auftakt CIMIS II Erzgebirge mit Speed-Dating")
FINAL = ("dresden", "Abschlussveranstaltung CIMIS II")
SESSION = "Speed-Dating beim Auftakt"
MATCH = "Onboarding für Ehrenamtliche"
LAUSITZ_MATCH = "Onlineshop für Oberlausitzer Damast"

# More people of the Erzgebirge network for the speed-dating: (e-mail local part, profile fields).
MORE_ERZGEBIRGE = [
    (
        "bergbaumuseum",
        {
            "kind": "organisation",
            "display_name": "Bergbaumuseum Muster",
            "organisation_name": "Bergbaumuseum Muster im Erzgebirge",
            "town": "Marienberg",
            "sector": "Museum",
            "pitch": "Ein kleines Museum mit großer Geschichte – und dem Wunsch nach jüngerem Publikum.",
            "need_tags": ["Ausstellungsdesign", "Digitalisierung", "Vermittlung"],
            "needs_text": "Eine digitale Ergänzung der Ausstellung für Schulklassen und Familien.",
        },
    ),
    (
        "tischlerei",
        {
            "kind": "organisation",
            "display_name": "Tischlerei Muster Annaberg",
            "town": "Annaberg-Buchholz",
            "sector": "Handwerk",
            "pitch": "Familienbetrieb in dritter Generation, sucht neue Produkte und neue Kundschaft.",
            "need_tags": ["Produktdesign", "Fotografie", "Website"],
        },
    ),
    (
        "fotografie",
        {
            "kind": "creative",
            "display_name": "Fotografie Muster Aue",
            "town": "Aue-Bad Schlema",
            "submarkets": ["art", "advertising"],
            "pitch": "Produkt- und Reportagefotografie für Betriebe der Region.",
            "offer_tags": ["Fotografie", "Website", "Social Media"],
        },
    ),
    (
        "ausstellungsgestaltung",
        {
            "kind": "creative",
            "display_name": "Ausstellungsgestaltung Muster",
            "town": "Chemnitz",
            "submarkets": ["design"],
            "pitch": "Ausstellungen, die man anfassen kann – analog und digital.",
            "offer_tags": ["Ausstellungsdesign", "Digitalisierung", "Grafikdesign"],
        },
    ),
]

# What people said after the speed-dating: (rater, ratee, interest), by display name.
RATINGS = [
    ("Prozessberatung Muster", "Soziokulturelles Zentrum Alte Brauerei", Interest.DEFINITELY),
    ("Soziokulturelles Zentrum Alte Brauerei", "Prozessberatung Muster", Interest.DEFINITELY),
    ("Ausstellungsgestaltung Muster", "Bergbaumuseum Muster", Interest.DEFINITELY),
    ("Bergbaumuseum Muster", "Ausstellungsgestaltung Muster", Interest.DEFINITELY),
    ("Holzgestaltung Muster", "Tischlerei Muster Annaberg", Interest.DEFINITELY),
    ("Tischlerei Muster Annaberg", "Holzgestaltung Muster", Interest.GLADLY),
    ("Fotografie Muster Aue", "Tischlerei Muster Annaberg", Interest.GLADLY),
    ("Tischlerei Muster Annaberg", "Fotografie Muster Aue", Interest.GLADLY),
    ("Fotografie Muster Aue", "Bergbaumuseum Muster", Interest.GLADLY),
    ("Bergbaumuseum Muster", "Prozessberatung Muster", Interest.GLADLY),
    ("Holzgestaltung Muster", "Soziokulturelles Zentrum Alte Brauerei", Interest.RATHER_NOT),
]


def _event(region: Region, title: str) -> Event | None:
    with region_scope(region):
        return db.session.scalar(select(Event).where(Event.title == title).order_by(Event.starts_at).limit(1))


def _cohort(regions: dict[str, Region]) -> tuple[Cohort, int]:
    """The demo cohort: from a month before the kickoff to the final event, 2,500.00 € per match."""
    cohort = db.session.scalar(select(Cohort).where(Cohort.name == COHORT))
    if cohort is not None:
        return cohort, 0
    kickoff = _event(regions[KICKOFF[0]], KICKOFF[1]) if KICKOFF[0] in regions else None
    final = _event(regions[FINAL[0]], FINAL[1]) if FINAL[0] in regions else None
    first_day = kickoff.starts_at.date() if kickoff else date.today()
    cohort = cohorts.save_cohort(
        None,
        {
            "name": COHORT,
            "starts_on": first_day - timedelta(weeks=4),
            "ends_on": final.starts_at.date() if final else first_day + timedelta(weeks=30),
            "funding_per_match": Decimal("2500.00"),
            "planned_expert_events": 3,
            "description": "Zweiter Durchgang: Auftakt mit Speed-Dating, sieben Monate Matches, "
            "drei Fachveranstaltungen zur Digitalisierung, Abschlussveranstaltung.",
        },
    )
    return cohort, 1


def _more_people(region: Region) -> int:
    """Accounts and profiles for the extra Erzgebirge participants that are missing."""
    changes = 0
    for local, fields in MORE_ERZGEBIRGE:
        email = f"{local}@{DOMAIN}"
        user = user_by_email(email)
        if user is None:
            with all_regions():
                user = create_user(email, fields["display_name"], DEMO_PASSWORD, role=Role.PARTICIPANT, region=region)
                db.session.flush()
            changes += 1
        with region_scope(region):
            if profiles.own_profile(user) is not None:
                continue
            data = ProfileInputSchema().load(
                {**fields, "contact_email": email, "visibility": "network", "consent": True, "languages": ["de"]}
            )
            profiles.create_profile(data, user=user, acting_user=user)
            db.session.flush()
            changes += 1
    return changes


def _registrations(kickoff: Event) -> int:
    """Everyone of the region with a demo profile registers for the kickoff."""
    changes = 0
    demo_profiles = db.session.scalars(
        select(Profile).where(Profile.user_id.is_not(None), Profile.contact_email.like(f"%@{DOMAIN}"))
    ).all()
    for profile in demo_profiles:
        user = db.session.get(User, profile.user_id)
        if events.registration_of(kickoff, user) is not None:
            continue
        try:
            events.register(kickoff, user, {"q1": profile.organisation_name or profile.display_name})
        except events.EventError:
            break  # the kickoff is over (demo data loaded long ago): keep what is there
        db.session.flush()
        changes += 1
    return changes


def _session(kickoff: Event) -> tuple[SpeedDatingSession, int]:
    """The speed-dating at the kickoff, its people from the registrations and a generated schedule."""
    session = db.session.scalar(
        select(SpeedDatingSession).where(SpeedDatingSession.event_id == kickoff.id, SpeedDatingSession.title == SESSION)
    )
    if session is not None:
        return session, 0
    session = speeddating.create_session(
        kickoff, {"title": SESSION, "tables": 3, "rating_deadline": kickoff.starts_at + timedelta(days=7)}
    )
    speeddating.take_from_registrations(session)
    speeddating.generate_schedule(session)
    return session, 1


def _ratings(session: SpeedDatingSession) -> int:
    if speeddating.all_ratings(session):
        return 0
    by_name = {p.name: p for p in session.participants}
    changes = 0
    for rater, ratee, interest in RATINGS:
        if rater in by_name and ratee in by_name:
            # The demo shows the evening after the kickoff, whose date lies ahead: rated as once it is over.
            speeddating.rate(session, by_name[rater], by_name[ratee].id, interest, now=session.ends_at)
            changes += 1
    return changes


def _the_example_match(session: SpeedDatingSession, cohort: Cohort, coordinator: User) -> int:
    """Alte Brauerei and Prozessberatung: suggested, accepted and at work, with plan, check-in and money."""
    if db.session.scalar(select(Match.id).where(Match.title == MATCH)) is not None:
        return 0
    changes = 0
    if not suggesting.suggestions_of(session):
        changes += len(suggesting.run_suggestions(session, cohort))
    names = {p.profile_id: p.name for p in session.participants}
    suggestion = next(
        (
            s
            for s in suggesting.suggestions_of(session)
            if s.status == SuggestionStatus.OPEN
            and names.get(s.creative_id) == "Prozessberatung Muster"
            and names.get(s.organisation_id) == "Soziokulturelles Zentrum Alte Brauerei"
        ),
        None,
    )
    if suggestion is None:
        return changes
    match = suggesting.accept(suggestion, cohort, coordinator, title=MATCH)
    today = date.today()
    started = today if cohort.contains(today) else cohort.starts_on
    services.change_status(match, MatchStatus.ACTIVE, on=started)
    match.goals = "Neue Ehrenamtliche finden in den ersten vier Wochen gut hinein und bleiben länger dabei."
    services.add_milestone(
        match, "Ist-Aufnahme: Wie starten Ehrenamtliche heute?", min(started + timedelta(weeks=5), cohort.ends_on)
    )
    services.add_milestone(
        match, "Onboarding-Leitfaden und Willkommensmappe erprobt", min(started + timedelta(weeks=16), cohort.ends_on)
    )
    services.add_check_in(
        match,
        started,
        CheckInStatus.ON_TRACK,
        "Erstes Arbeitstreffen in der Alten Brauerei; Gespräche mit fünf Ehrenamtlichen vereinbart.",
        coordinator,
    )
    member = user_by_email(f"prozessberatung@{DOMAIN}") or coordinator
    services.add_journal_entry(
        match, "Wir haben gesammelt, was neue Ehrenamtliche in den ersten Wochen wissen müssen.", member
    )
    funding.add_entry(
        match,
        LedgerKind.COMMITMENT,
        Decimal("1800.00"),
        booked_on=started,
        purpose="Honorar Prozessberatung: Workshops und Leitfaden",
        by=coordinator,
    )
    funding.add_entry(
        match, LedgerKind.PAYMENT, Decimal("450.00"), booked_on=started, purpose="Abschlag Workshop 1", by=coordinator
    )
    return changes + 7  # the match, two milestones, a check-in, a journal entry, two ledger entries


def _lausitz_proposal(cohort: Cohort) -> int:
    """A proposed match in Lausitz, made by hand."""
    if db.session.scalar(select(Match.id).where(Match.title == LAUSITZ_MATCH)) is not None:
        return 0
    people = []
    for local in ("grafikbuero", "textilmanufaktur"):
        user = user_by_email(f"{local}@{DOMAIN}")
        profile = profiles.own_profile(user) if user else None
        if profile is None:
            return 0
        people.append((profile, None))
    coordinator = user_by_email(f"koordination.lausitz@{DOMAIN}")
    services.create_match(
        cohort,
        people,
        title=LAUSITZ_MATCH,
        challenge="Damast und Frottier aus der Oberlausitz sollen auch online zu finden und zu kaufen sein.",
        by=coordinator,
    )
    return 1


def load_demo_matches() -> int:
    """Create what is missing of the demo cohort, speed-dating and matches."""
    # They build on the demo events and profiles; both loaders only add what is missing.
    changes = load_demo_events() + load_demo_profiles()
    regions = {r.slug: r for r in db.session.scalars(select(Region))}
    cohort, made = _cohort(regions)
    changes += made
    if "erzgebirge" in regions:
        erzgebirge = regions["erzgebirge"]
        changes += _more_people(erzgebirge)
        kickoff = _event(erzgebirge, KICKOFF[1])
        coordinator = user_by_email(f"koordination.erzgebirge@{DOMAIN}")
        if kickoff is not None and coordinator is not None:
            with region_scope(erzgebirge):
                changes += _registrations(kickoff)
                session, made = _session(kickoff)
                changes += made + _ratings(session)
                changes += _the_example_match(session, cohort, coordinator)
    if "lausitz" in regions:
        with region_scope(regions["lausitz"]):
            changes += _lausitz_proposal(cohort)
    db.session.flush()
    return changes
