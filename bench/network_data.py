"""A generated network for the umbrella's dashboards and reports: people, profiles, events, registrations,
contacts, cohorts and matches with milestones and funding, over the regions of config/regions.toml.

    from network_data import generate_network          # from a script in bench/
    from bench.network_data import generate_network    # from the tests (the repository root is on sys.path)

    summary = generate_network(app, profiles=100_000, events=20_000, matches=1_000, seed=1)

Fills a migrated database (the regions are synced if it has none) with bulk Core inserts — executemany
in chunks with explicit ids, inside ``all_regions()``, every region-scoped row naming its region — and
commits. The data is a pure function of the sizes, the seed and ``today`` (default: today in Berlin):
the same arguments give the same rows on SQLite and PostgreSQL. Only the accounts' session tokens are
random (they are secrets). Rows that already exist are left alone; new ids follow the highest ones.

What it makes (shares are approximate):
- one account per profile with a participant membership in the profile's region; a coordinator per
  region, an umbrella account and an administrator, all with the password ``password``;
- profiles spread over the regions (Dresden 30 %, Erzgebirge and Lausitz 25 % each, Meißen 20 %; a
  region the weights do not name gets an average share), 60 % creatives with 1–3 submarkets and 40 %
  organisations with a sector (one in ten with a submarket too), created between 2025-01-01 and the end
  of 2026-11 (never after ``today``), ids in the order of creation; 80 % visible to the network, 12 % to
  the region, 8 % private; 95 % with consent; 3 % archived;
- their directory rows, built by the directory's own ``entry_row`` / ``term_rows``;
- events from 1 January of last year to the end of next year (2025–2027 in 2026) of every type, 5 % cancelled,
  8 % of the future ones drafts, the rest (about
  92 %) published, with registrations (about 5.4 per event that is not a draft: 6 % cancelled, waiting lists
  where a small capacity is full; about 10 % of the registrants from another region, never for
  region-only events; 60 % of the registered people of past published events checked in) and the
  events' counters equal to their rows;
- contact requests (``profiles // 5`` by default; 25 % across regions; 60 % accepted, 30 % pending,
  10 % declined) between listed profiles that could see each other;
- two cohorts, "CIMIS II 2025/26" (2025-09-01 – 2026-06-30) and "CIMIS II 2026/27" (2026-09-01 –
  2027-06-30), 2,500.00 € per match (an existing cohort of the same name is reused as it is);
- matches split between the cohorts that have begun, statuses by the cohort's progress, each with a
  creative, an organisation and sometimes a third member of its region, 3–5 milestones (undone ones
  that are due are overdue) and ledger entries: commitments, payments never above the commitments,
  corrections (negative amounts) of discontinued matches; the running totals never exceed the
  budget, and the match's ``committed_cents`` / ``paid_cents`` are the sums of its entries.

Run it alone to time it: ``.venv/bin/python bench/network_data.py [--profiles 100000] [--database-url …]``.
"""

from __future__ import annotations

import bisect
import random
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")
PASSWORD = "bench password 1234"
DOMAIN = "netz.bench.example"
CHUNK = 5000
REGION_WEIGHTS = {"dresden": 0.30, "erzgebirge": 0.25, "lausitz": 0.25, "meissen": 0.20}
COHORTS = [
    ("CIMIS II 2025/26", date(2025, 9, 1), date(2026, 6, 30)),
    ("CIMIS II 2026/27", date(2026, 9, 1), date(2027, 6, 30)),
]
FUNDING_CENTS = 250_000
PROFILES_FROM = date(2025, 1, 1)
PROFILES_UNTIL = date(2026, 12, 1)  # exclusive


def event_years(today: date) -> tuple[date, date]:
    """The events' span: from 1 January of last year to the end of next year (2025–2027 in 2026), so a network
    made on any day has past events and coming ones."""
    return date(today.year - 1, 1, 1), date(today.year + 2, 1, 1)  # the end is exclusive


@dataclass
class NetworkSummary:
    """What a test or a benchmark needs to know about the generated network."""

    seed: int
    today: date
    password: str
    region_ids: dict[str, int]
    umbrella_id: int
    umbrella_email: str
    admin_id: int
    admin_email: str
    coordinator_ids: dict[str, int]
    coordinator_emails: dict[str, str]
    cohort_ids: dict[str, int]  # by name, oldest first
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)

    @property
    def cohorts(self) -> list[int]:
        """The cohort ids, oldest first."""
        return list(self.cohort_ids.values())


# -- vocabulary -----------------------------------------------------------------------------------


def _words(text: str, sep: str | None = None) -> list[str]:
    return text.split(sep)


FIRST_NAMES = _words(
    "Anna Lena Marie Sophie Laura Julia Lea Hannah Clara Paula Johanna Katharina Franziska Susanne Sabine Petra "
    "Claudia Jana Kathrin Ulrike Jörg Jürgen Uwe Frank Thomas Michael Andreas Stefan Matthias Christian Tobias "
    "Lukas Felix Jonas Paul Maximilian Moritz Erik Sören Björn Götz Kai Mirko Ronny Peggy Mandy Ines Heiko"
)
SURNAMES = _words(
    "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer Koch Bauer Richter Klein "
    "Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann Hartmann Lange Werner Krause Lehmann Schulze "
    "Köhler Herrmann König Walter Kaiser Fuchs Peters Scholz Möller Weiß Jung Hahn Schubert Vogel Friedrich "
    "Keller Günther Berger Winkler Lorenz Baumann Franke Albrecht Böhm Winter Kraus Stein Jäger Seidel Heinrich "
    "Brandt Haas Dietrich Ziegler Kühn Pohl Engel Horn Busch Bergmann Kretschmar Ullrich Wendt Nowak Kaschube"
)
STEMS = _words(
    "Holz Möbel Kunst Licht Klang Bild Medien Text Foto Film Ton Musik Bühne Spiel Web Marken Produkt Raum Mode "
    "Textil Keramik Glas Metall Papier Druck Buch Farbe Form Wald Berg Zinn Spitzen Porzellan Garten Natur Werk"
)
TOWNS = {
    "erzgebirge": "Annaberg-Buchholz,Schneeberg,Aue-Bad Schlema,Marienberg,Olbernhau,Stollberg,Seiffen,Zwönitz",
    "meissen": "Meißen,Radebeul,Coswig,Riesa,Großenhain,Moritzburg,Weinböhla,Nossen",
    "lausitz": "Bautzen,Görlitz,Hoyerswerda,Zittau,Kamenz,Löbau,Weißwasser,Herrnhut",
    "dresden": "Dresden,Pirna,Freital,Radebeul,Heidenau,Radeberg,Sebnitz,Dippoldiswalde",
}
SECTORS = _words(
    "Handwerk,Maschinenbau,Tourismus,Gesundheit,Bildung,Einzelhandel,Automobilzulieferer,Landwirtschaft,IT,"
    "Logistik,Gastronomie,Energie,Bauwesen,Textilindustrie,Mikroelektronik,Verwaltung,Museum,Sozialwesen",
    ",",
)
TAGS = _words(
    "Produktdesign,Grafikdesign,Fotografie,Website,Social Media,Onlineshop,Illustration,Film,Animation,"
    "Storytelling,Ausstellungsdesign,Innenarchitektur,Möbelbau,Keramik,Textildesign,Mode,Schmuck,Musik,"
    "Sounddesign,Podcast,Theater,Workshops,Moderation,Prozessberatung,Digitalisierung,Nachhaltigkeit,"
    "Upcycling,Markenentwicklung,Corporate Design,Typografie,Verpackung,Messestand,Texte,Übersetzung,"
    "Game Design,Virtual Reality,3D-Druck,Prototypen,Holz,Metall,Glas,Papier,Druck,Kalligrafie,Vermittlung,"
    "Kulturelle Bildung,Barrierefreiheit,Ehrenamt,Tourismus,Regionalmarketing,Fördermittel,Kooperation,"
    "Veranstaltungen,Architektur,Lichtdesign,Bühnenbild,Kostüm,Video,Drohnenaufnahmen,Webentwicklung,"
    "App-Entwicklung,UX-Design,Datenvisualisierung,Lehmbau,Restaurierung,Handwerk,Schnitzen,Drechseln,"
    "Klöppeln,Spielzeug,Porzellan,Zinn,Fachkräfte,Employer Branding,Onboarding,Change-Management",
    ",",
)
WORDS = _words(
    "und die der das für mit in von wir ein eine auf im zu den auch als bei aus unsere neue Projekte Region "
    "Handwerk Design Kunden Ideen Werkstatt Unternehmen Zusammenarbeit Kultur Kreativwirtschaft Erfahrung "
    "Leidenschaft Tradition Moderne Material Produkte Lösungen Menschen Familien Besucher Vernetzung Zukunft "
    "gemeinsam entwickeln gestalten suchen bieten bauen erzählen zeigen begleiten erproben Partner Aufträge "
    "Digitalisierung Nachhaltigkeit Qualität Sachsen Erzgebirge Lausitz Elbtal Dresden Meißen Strukturwandel"
)
EVENT_TITLES = {
    "kickoff": ["Auftakt mit Speed-Dating", "Auftaktveranstaltung"],
    "speed_dating": ["Speed-Dating Kreative treffen Unternehmen", "Matching-Abend"],
    "expert": ["Fachveranstaltung Digitalisierung", "Expertenabend Fördermittel", "Fachforum Marke und Design"],
    "peer_learning": ["Peer-Learning der Matches", "Werkstattgespräch", "Kollegiale Beratung"],
    "network_meeting": ["Netzwerktreffen", "Kreativstammtisch", "Unternehmerfrühstück"],
    "final": ["Abschlussveranstaltung", "Ergebnispräsentation der Matches"],
    "other": ["Atelierrundgang", "Exkursion", "Sprechstunde der Koordination"],
}
EVENT_TYPE_WEIGHTS = {
    "network_meeting": 30,
    "expert": 22,
    "peer_learning": 20,
    "speed_dating": 10,
    "other": 14,
    "kickoff": 2,
    "final": 2,
}
VENUES = ["Kulturhaus", "Alte Tuchfabrik", "Rathaussaal", "Kreativzentrum", "Stadtbibliothek", "Online"]
CHALLENGES = [
    "Wie erreichen wir jüngere Kundschaft, ohne die Stammkunden zu verlieren?",
    "Unsere Ehrenamtlichen brauchen ein besseres Onboarding.",
    "Wir wollen unsere Produkte online verkaufen, wissen aber nicht wie.",
    "Die Ausstellung soll für Schulklassen und Familien lebendiger werden.",
    "Wir finden keine Auszubildenden mehr und brauchen einen neuen Auftritt als Arbeitgeber.",
    "Aus Produktionsresten soll eine eigene kleine Produktlinie werden.",
    "Unser Betrieb soll in der Region als Ort für Kultur sichtbar werden.",
]
MATCH_TITLES = [
    "Onlineshop für {org}",
    "Neuer Markenauftritt: {org}",
    "Onboarding für Ehrenamtliche bei {org}",
    "Digitale Ausstellung für {org}",
    "Produktlinie aus Resten — {org}",
    "Arbeitgebermarke {org}",
]
MILESTONES = [
    "Kick-off-Workshop",
    "Bedarfsanalyse",
    "Konzept abgestimmt",
    "Prototyp",
    "Test mit Nutzerinnen und Nutzern",
    "Umsetzung",
    "Abschlusspräsentation",
]
GREETING = "Guten Tag, ich habe Ihr Profil im Verzeichnis gefunden und würde mich gern austauschen."
PURPOSES = ["Honorar Gestaltung", "Material und Prototyp", "Honorar Beratung", "Honorar Fotografie"]


def _choices(weights: dict[str, float]):
    keys = list(weights)
    cumulative, total = [], 0.0
    for key in keys:
        total += weights[key]
        cumulative.append(total)
    return keys, cumulative


def _pick(rng: random.Random, keys_cum) -> str:
    keys, cumulative = keys_cum
    return keys[bisect.bisect_right(cumulative, rng.random() * cumulative[-1])]


def _text(rng: random.Random, n: int) -> str:
    words = rng.choices(WORDS, k=n)
    words[0] = words[0].capitalize()
    return " ".join(words) + "."


def _moment(rng: random.Random, start: datetime, end: datetime) -> datetime:
    """A moment in [start, end) (start itself when the range is empty), to the second."""
    span = int((end - start).total_seconds())
    return start + timedelta(seconds=rng.randrange(span)) if span > 0 else start


def _day(rng: random.Random, start: date, end: date) -> date:
    """A day in [start, end] (start when the range is empty)."""
    span = (end - start).days
    return start + timedelta(days=rng.randint(0, span)) if span > 0 else start


def _day_start(day: date) -> datetime:
    return datetime.combine(day, clock(0), BERLIN).astimezone(UTC)


class _Pool:
    """Candidates of one region, in the order they joined: pick one who had joined by a given moment."""

    def __init__(self):
        self.times: list[float] = []
        self.items: list = []

    def add(self, at: datetime, item) -> None:
        self.times.append(at.timestamp())
        self.items.append(item)

    def before(self, moment: datetime) -> int:
        return bisect.bisect_right(self.times, moment.timestamp())


# -- the generator --------------------------------------------------------------------------------


def generate_network(
    app,
    profiles: int = 100_000,
    events: int = 20_000,
    matches: int = 1_000,
    seed: int = 1,
    *,
    contacts: int | None = None,
    today: date | None = None,
    password: str = PASSWORD,
    verbose: bool = False,
) -> NetworkSummary:
    """Fill the app's migrated database with a generated network and commit; see the module's docstring."""
    from hub.core.db import db
    from hub.core.tenancy import all_regions

    with app.app_context(), all_regions():
        try:
            return _Generator(db, profiles, events, matches, seed, contacts, today, password, verbose).run()
        finally:
            db.session.remove()


def existing_network(app, seed: int = 1, password: str = PASSWORD) -> NetworkSummary | None:
    """The summary of a network generated earlier into this database with this seed, or None.

    For benchmarks that keep their database between runs; the counts are those of the whole database.
    """
    from sqlalchemy import func, select

    from hub.accounts.models import User
    from hub.cohorts.models import Cohort
    from hub.core.db import db
    from hub.core.tenancy import all_regions
    from hub.core.tenancy.models import Region

    tag = f"s{seed}"
    with app.app_context(), all_regions():
        try:
            regions = {r.slug: r.id for r in db.session.scalars(select(Region).where(Region.active))}
            emails = {slug: f"koordination.{slug}.{tag}@{DOMAIN}" for slug in regions}
            umbrella, admin = f"dachprojekt.{tag}@{DOMAIN}", f"admin.{tag}@{DOMAIN}"
            wanted = [umbrella, admin, *emails.values()]
            ids = dict(db.session.execute(select(User.email, User.id).where(User.email.in_(wanted))).all())
            if umbrella not in ids or admin not in ids:
                return None
            cohorts = dict(db.session.execute(select(Cohort.name, Cohort.id).order_by(Cohort.starts_on)).all())
            counts = {
                table.name: db.session.scalar(select(func.count()).select_from(table))
                for table in db.metadata.sorted_tables
                if table.name in _COUNTED
            }
            return NetworkSummary(
                seed=seed,
                today=datetime.now(BERLIN).date(),
                password=password,
                region_ids=regions,
                umbrella_id=ids[umbrella],
                umbrella_email=umbrella,
                admin_id=ids[admin],
                admin_email=admin,
                coordinator_ids={slug: ids[email] for slug, email in emails.items() if email in ids},
                coordinator_emails={slug: email for slug, email in emails.items() if email in ids},
                cohort_ids={name: cohorts[name] for name, _s, _e in COHORTS if name in cohorts},
                counts=counts,
            )
        finally:
            db.session.remove()


_COUNTED = _words(
    "user_account membership profile directory_entry directory_term event registration contact_request cohort "
    "cocreation_match match_member match_milestone match_ledger_entry"
)


class _Generator:
    def __init__(self, db, profiles, events, matches, seed, contacts, today, password, verbose):
        self.db = db
        self.n_profiles, self.n_events, self.n_matches = profiles, events, matches
        self.n_contacts = profiles // 5 if contacts is None else contacts
        self.seed = seed
        self.rng = random.Random(seed)
        self.today = today or datetime.now(BERLIN).date()
        self.now = _day_start(self.today)  # everything generated happened before today began
        self.password = password
        self.verbose = verbose
        self.phases: dict[str, float] = {}
        self.counts: dict[str, int] = {}

    # -- plumbing ---------------------------------------------------------------------------------

    def _phase(self, name: str, started: float) -> None:
        self.phases[name] = time.perf_counter() - started
        if self.verbose:
            print(f"#   {name:14s} {self.phases[name]:6.1f} s", flush=True)

    def _next_id(self, table) -> int:
        from sqlalchemy import func, select

        return (self.conn.execute(select(func.max(table.c.id))).scalar() or 0) + 1

    def _insert(self, table, rows: list[dict]) -> None:
        from sqlalchemy import insert

        statement = insert(table)
        for start in range(0, len(rows), CHUNK):
            self.conn.execute(statement, rows[start : start + CHUNK])
        self.counts[table.name] = self.counts.get(table.name, 0) + len(rows)

    def run(self) -> NetworkSummary:
        from sqlalchemy import select

        from hub.core.tenancy.models import Region
        from hub.core.tenancy.registry import sync_regions

        started = time.perf_counter()
        session = self.db.session
        if session.scalar(select(Region.id).where(Region.active).limit(1)) is None:
            sync_regions()
        regions = session.scalars(select(Region).where(Region.active).order_by(Region.position, Region.id)).all()
        self.region_ids = {r.slug: r.id for r in regions}
        default = sum(REGION_WEIGHTS.values()) / len(REGION_WEIGHTS)
        self.region_pick = _choices({r.slug: REGION_WEIGHTS.get(r.slug, default) for r in regions})
        self.conn = session.connection()

        step = time.perf_counter()
        self._staff()
        self._profiles()
        self._phase("people", step)
        step = time.perf_counter()
        self._directory()
        self._phase("directory", step)
        step = time.perf_counter()
        self._events()
        self._phase("events", step)
        step = time.perf_counter()
        self._contacts()
        self._phase("contacts", step)
        step = time.perf_counter()
        self._cohorts()
        self._matches()
        self._phase("matches", step)
        step = time.perf_counter()
        self._fix_sequences()
        session.commit()
        self._phase("commit", step)
        return NetworkSummary(
            seed=self.seed,
            today=self.today,
            password=self.password,
            region_ids=dict(self.region_ids),
            umbrella_id=self.umbrella_id,
            umbrella_email=self.umbrella_email,
            admin_id=self.admin_id,
            admin_email=self.admin_email,
            coordinator_ids=dict(self.coordinator_ids),
            coordinator_emails=dict(self.coordinator_emails),
            cohort_ids={c["name"]: c["id"] for c in self.cohorts},
            counts=dict(self.counts),
            seconds=time.perf_counter() - started,
            phases=dict(self.phases),
        )

    # -- people -----------------------------------------------------------------------------------

    def _staff(self) -> None:
        """Umbrella, administrator and one coordinator per region, with a password."""
        from hub.accounts.models import Membership, User
        from hub.accounts.passwords import hash_password
        from hub.core.roles import Role

        self.users_table, self.memberships_table = User.__table__, Membership.__table__
        self.next_user = self._next_id(self.users_table)
        self.next_membership = self._next_id(self.memberships_table)
        hashed = hash_password(self.password)
        created = _day_start(date(2024, 11, 1))
        tag = f"s{self.seed}"
        users, memberships = [], []

        def user(email: str, name: str, role) -> int:
            uid = self.next_user
            self.next_user += 1
            users.append(self._user_row(uid, email, name, created, role, hashed))
            return uid

        self.umbrella_email = f"dachprojekt.{tag}@{DOMAIN}"
        self.umbrella_id = user(self.umbrella_email, "Dachprojekt (generiert)", Role.UMBRELLA)
        self.admin_email = f"admin.{tag}@{DOMAIN}"
        self.admin_id = user(self.admin_email, "Administration (generiert)", Role.ADMIN)
        self.coordinator_ids, self.coordinator_emails = {}, {}
        for slug, region_id in self.region_ids.items():
            email = f"koordination.{slug}.{tag}@{DOMAIN}"
            uid = user(email, f"Koordination {slug.capitalize()} (generiert)", None)
            self.coordinator_ids[slug], self.coordinator_emails[slug] = uid, email
            memberships.append(self._membership_row(uid, region_id, Role.COORDINATOR, created))
        self._insert(self.users_table, users)
        self._insert(self.memberships_table, memberships)

    @staticmethod
    def _user_row(uid, email, name, created, role, hashed=None) -> dict:
        return {
            "id": uid,
            "email": email,
            "name": name,
            "password_hash": hashed,
            "global_role": role,
            "locale": None,
            "active": True,
            "created_at": created,
            "last_login_at": None,
        }

    def _membership_row(self, uid, region_id, role, created) -> dict:
        mid = self.next_membership
        self.next_membership += 1
        return {"id": mid, "user_id": uid, "region_id": region_id, "role": role, "created_at": created}

    def _profiles(self) -> None:
        """One participant account, membership and profile per profile, in the order they joined."""
        from hub.core.roles import Role
        from regions.profiles.models import Profile
        from regions.profiles.vocab import SUBMARKETS, ContactVisibility, ProfileKind, Visibility

        rng = self.rng
        table = Profile.__table__
        first_id = self._next_id(table)
        start = _day_start(PROFILES_FROM)
        end = min(_day_start(PROFILES_UNTIL), self.now)
        joined = sorted(_moment(rng, start, end) for _ in range(self.n_profiles))
        submarkets = list(SUBMARKETS)
        tag_weights = [1 / (rank + 1) ** 0.8 for rank in range(len(TAGS))]
        towns = {slug: TOWNS.get(slug, slug.capitalize()).split(",") for slug in self.region_ids}
        tag = f"s{self.seed}"
        users, memberships, rows = [], [], []
        # Pools for the later steps: (profile id, user id, region id) by region, and by region and kind.
        self.people: dict[int, _Pool] = {rid: _Pool() for rid in self.region_ids.values()}
        self.listed: dict[int, _Pool] = {rid: _Pool() for rid in self.region_ids.values()}
        self.network: dict[int, _Pool] = {rid: _Pool() for rid in self.region_ids.values()}
        self.by_kind: dict[tuple[int, str], _Pool] = {
            (rid, kind): _Pool() for rid in self.region_ids.values() for kind in ("creative", "organisation")
        }
        for n, created in enumerate(joined):
            pid, uid = first_id + n, self.next_user
            self.next_user += 1
            slug = _pick(rng, self.region_pick)
            region_id = self.region_ids[slug]
            first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
            creative = rng.random() < 0.6
            town = rng.choice(towns[slug]) if rng.random() < 0.9 else ""
            if creative:
                name = rng.choice([f"{first} {last}", f"Studio {last}", f"Atelier {first} {last}"])
                chosen = list(dict.fromkeys(rng.choices(submarkets, k=rng.randint(1, 3))))
                sector = ""
            else:
                stem = rng.choice(STEMS)
                name = rng.choice(
                    [f"{stem}werkstatt {last}", f"Tischlerei {last}", f"{last} & {rng.choice(SURNAMES)} GmbH",
                     f"{stem}verein {town or slug.capitalize()} e.V.", f"{last} {stem}technik GmbH"]
                )  # fmt: skip
                chosen = [rng.choice(submarkets)] if rng.random() < 0.1 else []
                sector = rng.choice(SECTORS)
            roll = rng.random()
            visibility = Visibility.NETWORK if roll < 0.80 else Visibility.REGION if roll < 0.92 else Visibility.PRIVATE
            consent = rng.random() < 0.95
            archived = _moment(rng, created, self.now) if rng.random() < 0.03 else None
            offer = list(dict.fromkeys(rng.choices(TAGS, weights=tag_weights, k=rng.randint(1, 4))))
            need = list(dict.fromkeys(rng.choices(TAGS, weights=tag_weights, k=rng.randint(0, 3))))
            email = f"teilnehmer{n + 1}.{tag}@{DOMAIN}"
            users.append(self._user_row(uid, email, f"{first} {last}", created, None))
            memberships.append(self._membership_row(uid, region_id, Role.PARTICIPANT, created))
            rows.append(
                {
                    "id": pid,
                    "region_id": region_id,
                    "user_id": uid,
                    "kind": ProfileKind.CREATIVE if creative else ProfileKind.ORGANISATION,
                    "display_name": name[:120],
                    "organisation_name": "",
                    "pitch": _text(rng, rng.randint(8, 14))[:280],
                    "description": _text(rng, rng.randint(20, 45)),
                    "submarkets": chosen,
                    "sector": sector,
                    "offer_tags": offer,
                    "offers_text": _text(rng, rng.randint(5, 12)) if rng.random() < 0.5 else "",
                    "need_tags": need,
                    "needs_text": _text(rng, rng.randint(5, 10)) if need and rng.random() < 0.4 else "",
                    "town": town,
                    "website": f"https://www.example-{pid}.de" if rng.random() < 0.5 else "",
                    "contact_email": email,
                    "email_key": email,  # the address as the unique index compares it (already lower case)
                    "contact_phone": "",
                    "languages": ["de"] if rng.random() < 0.8 else ["de", "en"],
                    "picture": None,
                    "visibility": visibility,
                    "contact_visibility": ContactVisibility.ON_REQUEST,
                    "consent_version": "2026-11" if consent else None,
                    "consent_given_at": created if consent else None,
                    "archived_at": archived,
                    "created_at": created,
                    "updated_at": archived or created,
                }
            )
            person = (pid, uid, region_id, visibility, name)
            self.people[region_id].add(created, person)
            if archived is None:
                self.by_kind[(region_id, "creative" if creative else "organisation")].add(created, person)
                if consent and visibility != Visibility.PRIVATE:
                    self.listed[region_id].add(created, person)
                if consent and visibility == Visibility.NETWORK:
                    self.network[region_id].add(created, person)
        self._insert(self.users_table, users)
        self._insert(self.memberships_table, memberships)
        self._insert(table, rows)
        self.profile_rows = rows

    def _directory(self) -> None:
        """The directory's rows of every new profile, made by the directory's own functions."""
        from regions.profiles.models import Profile
        from shared.directory import counts
        from shared.directory.index import ENTRY, TERM, entry_row, term_rows

        # entry_row() and term_rows() read plain attributes and two properties of a profile; a light
        # stand-in with the same properties spares 100,000 instrumented ORM objects.
        view = type("ProfileRow", (SimpleNamespace,), {"has_consent": vars(Profile)["has_consent"],
                                                       "tags": vars(Profile)["tags"]})  # fmt: skip
        entries, terms = [], []
        for start in range(0, len(self.profile_rows), CHUNK):
            for row in self.profile_rows[start : start + CHUNK]:
                profile = view(**row)
                entries.append(entry_row(profile))
                terms.extend(term_rows(profile))
            self._insert(ENTRY, entries)
            self._insert(TERM, terms)
            entries, terms = [], []
        counts.rebuild(self.conn)  # the facet counters the index keeps, from every entry
        self.profile_rows = None

    # -- events and registrations -----------------------------------------------------------------

    def _events(self) -> None:
        from regions.events.models import Event, Registration
        from regions.events.vocab import Audience, EventStatus, EventType, RegistrationStatus

        rng = self.rng
        event_table, registration_table = Event.__table__, Registration.__table__
        next_event, next_registration = self._next_id(event_table), self._next_id(registration_table)
        type_pick = _choices(EVENT_TYPE_WEIGHTS)
        slugs = {rid: slug for slug, rid in self.region_ids.items()}
        other_regions = {rid: [r for r in self.region_ids.values() if r != rid] for rid in self.region_ids.values()}
        events_from, events_until = event_years(self.today)
        first, days = _day_start(events_from), (events_until - events_from).days
        events, registrations = [], []
        for n in range(self.n_events):
            eid = next_event + n
            region_id = self.region_ids[_pick(rng, self.region_pick)]
            kind = EventType(_pick(rng, type_pick))
            day = events_from + timedelta(days=rng.randrange(days))
            all_day = rng.random() < 0.04
            if all_day:
                starts = _day_start(day)
                ends = _day_start(day + timedelta(days=rng.choice([1, 1, 2])))
            else:
                local = datetime.combine(day, clock(rng.randrange(9, 20), rng.choice([0, 30])), BERLIN)
                starts = local.astimezone(UTC)
                ends = starts + timedelta(minutes=rng.choice([90, 120, 180, 240]))
            roll = rng.random()
            status = EventStatus.CANCELLED if 0.08 <= roll < 0.13 else EventStatus.PUBLISHED
            if roll < 0.08 and starts > self.now:
                status = EventStatus.DRAFT  # a draft in the past would have been published or dropped
            roll = rng.random()
            audience = Audience.PUBLIC if roll < 0.3 else Audience.NETWORK if roll < 0.7 else Audience.REGION
            capacity = rng.choice([None, None, None, None, 6, 8, 20, 30, 40, 60, 100])
            created = min(starts - timedelta(days=rng.randint(14, 120)), self.now - timedelta(days=1))
            created = max(created, first - timedelta(days=30))
            registered = waitlisted = 0
            if status != EventStatus.DRAFT:
                until = min(starts, self.now)
                past = status == EventStatus.PUBLISHED and ends <= self.now
                seen: set[int] = set()
                for _ in range(rng.randint(1, 10)):
                    home = region_id
                    if audience != Audience.REGION and rng.random() < 0.14:
                        home = rng.choice(other_regions[region_id])
                    at = _moment(rng, created, until)
                    pool = self.people[home]
                    eligible = pool.before(at)
                    if not eligible:
                        continue
                    uid = pool.items[rng.randrange(eligible)][1]
                    if uid in seen:
                        continue
                    seen.add(uid)
                    cancelled_at = checked_in = None
                    if rng.random() < 0.06:
                        state = RegistrationStatus.CANCELLED
                        cancelled_at = _moment(rng, at, until)
                    elif capacity is None or registered < capacity:
                        state = RegistrationStatus.REGISTERED
                        registered += 1
                        if past and rng.random() < 0.6:
                            checked_in = starts + timedelta(minutes=rng.randint(-15, 40))
                    else:
                        state = RegistrationStatus.WAITLISTED
                        waitlisted += 1
                    registrations.append(
                        {
                            "id": next_registration + len(registrations),
                            "region_id": region_id,
                            "event_id": eid,
                            "user_id": uid,
                            "status": state,
                            "answers": {},
                            "registered_by_id": None,
                            "queued_at": at,
                            "created_at": at,
                            "cancelled_at": cancelled_at,
                            "checked_in_at": checked_in,
                        }
                    )
            title = rng.choice(EVENT_TITLES[kind.value])
            town = rng.choice(TOWNS.get(slugs[region_id], "Sachsen").split(","))
            events.append(
                {
                    "id": eid,
                    "region_id": region_id,
                    "series_id": None,
                    "detached": False,
                    "uid": f"netz-{self.seed}-{eid}@cimis-hub",
                    "sequence": 1 if status == EventStatus.CANCELLED else 0,
                    "title": f"{title} {town}",
                    "type": kind,
                    "description": _text(rng, rng.randint(15, 40)),
                    "starts_at": starts,
                    "ends_at": ends,
                    "timezone": "Europe/Berlin",
                    "all_day": all_day,
                    "venue": rng.choice(VENUES),
                    "address": f"Markt {rng.randint(1, 30)}, {town}",
                    "online_url": "",
                    "audience": audience,
                    "capacity": capacity,
                    "registration_deadline": None,
                    "status": status,
                    "questions": [],
                    "registered_count": registered,
                    "waitlisted_count": waitlisted,
                    "created_at": created,
                    "updated_at": created,
                }
            )
        self._insert(event_table, events)
        self._insert(registration_table, registrations)

    # -- contacts ---------------------------------------------------------------------------------

    def _contacts(self) -> None:
        from shared.contacts.models import ContactRequest, ContactStatus

        rng = self.rng
        table = ContactRequest.__table__
        next_id = self._next_id(table)
        other_regions = {rid: [r for r in self.region_ids.values() if r != rid] for rid in self.region_ids.values()}
        start = _day_start(PROFILES_FROM + timedelta(days=31))
        pairs: set[tuple[int, int]] = set()
        rows = []
        attempts = 0
        while len(rows) < self.n_contacts and attempts < self.n_contacts * 20:
            attempts += 1
            at = _moment(rng, start, self.now)
            home = self.region_ids[_pick(rng, self.region_pick)]
            cross = rng.random() < 0.25
            away = rng.choice(other_regions[home]) if cross and other_regions[home] else home
            # Across the border only profiles visible to the whole network can see, and ask, each other.
            pools = self.network if away != home else self.listed
            senders, recipients = pools[home], pools[away]
            n_senders, n_recipients = senders.before(at), recipients.before(at)
            if not n_senders or not n_recipients:
                continue
            sender = senders.items[rng.randrange(n_senders)]
            recipient = recipients.items[rng.randrange(n_recipients)]
            key = (min(sender[0], recipient[0]), max(sender[0], recipient[0]))
            if sender[0] == recipient[0] or key in pairs:
                continue
            pairs.add(key)
            roll = rng.random()
            status = (
                ContactStatus.ACCEPTED
                if roll < 0.6
                else ContactStatus.PENDING
                if roll < 0.9
                else ContactStatus.DECLINED
            )
            decided = (
                None if status == ContactStatus.PENDING else _moment(rng, at, min(at + timedelta(days=14), self.now))
            )
            rows.append(
                {
                    "id": next_id + len(rows),
                    "sender_profile_id": sender[0],
                    "recipient_profile_id": recipient[0],
                    "sender_region_id": home,
                    "recipient_region_id": away,
                    "message": GREETING,
                    "status": status,
                    "created_at": at,
                    "decided_at": decided,
                }
            )
        self._insert(table, rows)

    # -- cohorts and matches ----------------------------------------------------------------------

    def _cohorts(self) -> None:
        from sqlalchemy import select

        from hub.cohorts.models import Cohort

        table = Cohort.__table__
        next_id = self._next_id(table)
        self.cohorts = []
        new = []
        for name, starts_on, ends_on in COHORTS:
            found = self.conn.execute(select(table).where(table.c.name == name)).mappings().first()
            if found is not None:
                self.cohorts.append(dict(found))
                continue
            row = {
                "id": next_id + len(new),
                "name": name,
                "starts_on": starts_on,
                "ends_on": ends_on,
                "funding_per_match_cents": FUNDING_CENTS,
                "planned_expert_events": 3,
                "description": "Durchgang mit Auftakt und Speed-Dating, sieben Monaten Matches, Fachveranstaltungen "
                "und Abschlussveranstaltung (generiert).",
                "created_at": _day_start(starts_on - timedelta(days=60)),
            }
            new.append(row)
            self.cohorts.append(row)
        self._insert(table, new)

    def _matches(self) -> None:
        from regions.matches.models import LedgerEntry, Match, MatchMember, Milestone
        from regions.matches.vocab import MatchStatus, MemberRole

        rng = self.rng
        tables = [Match.__table__, MatchMember.__table__, Milestone.__table__, LedgerEntry.__table__]
        ids = [self._next_id(t) for t in tables]
        rows: list[list[dict]] = [[], [], [], []]
        begun = [c for c in self.cohorts if c["starts_on"] < self.today] or self.cohorts[:1]
        for n in range(self.n_matches):
            cohort = begun[n % len(begun)]
            region_slug = _pick(rng, self.region_pick)
            region_id = self.region_ids[region_slug]
            coordinator = self.coordinator_ids[region_slug]
            c_start, c_end = cohort["starts_on"], cohort["ends_on"]
            last_day = self.today - timedelta(days=1)
            proposed = min(_day(rng, c_start, c_start + timedelta(days=75)), last_day)
            roll = rng.random()
            if c_end < self.today:  # the cohort is over
                status = (
                    MatchStatus.COMPLETED if roll < 0.62 else MatchStatus.DISCONTINUED if roll < 0.77
                    else MatchStatus.ACTIVE if roll < 0.95 else MatchStatus.PROPOSED
                )  # fmt: skip
            else:
                status = (
                    MatchStatus.ACTIVE if roll < 0.58 else MatchStatus.PROPOSED if roll < 0.80
                    else MatchStatus.COMPLETED if roll < 0.88 else MatchStatus.DISCONTINUED
                )  # fmt: skip
            started = ended = None
            if status != MatchStatus.PROPOSED and not (status == MatchStatus.DISCONTINUED and rng.random() < 0.3):
                started = min(proposed + timedelta(days=rng.randint(5, 30)), last_day)
            if status in (MatchStatus.COMPLETED, MatchStatus.DISCONTINUED):
                begin = started or proposed
                earliest = begin + timedelta(days=60 if status == MatchStatus.COMPLETED else 10)
                ended = _day(rng, min(earliest, last_day), min(c_end + timedelta(days=30), last_day))
            members = self._members(rng, region_id, _day_start(proposed))
            if len(members) < 2:
                continue  # a region too small for a team at this date
            mid = ids[0] + len(rows[0])
            org = next(m for m in members if m[1] == MemberRole.ORGANISATION)
            for profile_id, role, _name in members:
                rows[1].append(
                    {
                        "id": ids[1] + len(rows[1]),
                        "region_id": region_id,
                        "match_id": mid,
                        "profile_id": profile_id,
                        "role": role,
                        "role_note": "",
                    }
                )
            self._milestones(rng, rows[2], ids[2], mid, region_id, status, proposed, started, ended, c_end)
            budget = cohort["funding_per_match_cents"]
            committed, paid = self._ledger(
                rng, rows[3], ids[3], mid, region_id, status, started, ended, budget, coordinator
            )
            title = rng.choice(MATCH_TITLES).format(org=org[2])
            rows[0].append(
                {
                    "id": mid,
                    "region_id": region_id,
                    "cohort_id": cohort["id"],
                    "title": title[:200],
                    "challenge": rng.choice(CHALLENGES),
                    "goals": _text(rng, rng.randint(10, 25)),
                    "status": status,
                    "proposed_on": proposed,
                    "started_on": started,
                    "ended_on": ended,
                    "outcome": _text(rng, rng.randint(15, 30)) if status == MatchStatus.COMPLETED else "",
                    "case_study": "",
                    "case_study_published_at": None,
                    "budget_cents": budget,
                    "paid_cents": paid,
                    "committed_cents": committed,
                    "session_id": None,
                    "created_by_id": coordinator,
                    "created_at": _day_start(proposed),
                    "updated_at": _day_start(ended or started or proposed),
                }
            )
        for table, table_rows in zip(tables, rows, strict=True):
            self._insert(table, table_rows)

    def _members(self, rng, region_id: int, moment: datetime) -> list[tuple[int, object, str]]:
        """A creative, an organisation and sometimes a third person of the region who had joined by then."""
        from regions.matches.vocab import MemberRole

        chosen: list[tuple[int, object, str]] = []
        wanted = [("creative", MemberRole.CREATIVE), ("organisation", MemberRole.ORGANISATION)]
        if rng.random() < 0.3:
            wanted.append((rng.choice(["creative", "organisation"]), MemberRole.OTHER))
        for kind, role in wanted:
            pool = self.by_kind[(region_id, kind)]
            eligible = pool.before(moment)
            if not eligible:
                continue
            pid, _uid, _region, _visibility, name = pool.items[rng.randrange(eligible)]
            if all(pid != c[0] for c in chosen):
                chosen.append((pid, role, name))
        roles = {c[1] for c in chosen}
        return chosen if {MemberRole.CREATIVE, MemberRole.ORGANISATION} <= roles else []

    def _milestones(self, rng, out, first_id, mid, region_id, status, proposed, started, ended, c_end) -> None:
        from regions.matches.vocab import MatchStatus

        count = rng.randint(3, 5)
        begin = (started or proposed) + timedelta(days=20)
        finish = max(c_end, begin + timedelta(days=30))
        step = (finish - begin).days / count
        titles = rng.sample(MILESTONES, count)
        last_day = self.today - timedelta(days=1)
        for k in range(count):
            due = begin + timedelta(days=int(step * k + rng.uniform(0, step)))
            done = None
            if status == MatchStatus.COMPLETED:
                done = max(min(due + timedelta(days=rng.randint(-10, 10)), ended), started or proposed)
            elif status == MatchStatus.ACTIVE:
                if due < self.today and rng.random() < 0.75:
                    done = min(due + timedelta(days=rng.randint(-7, 7)), last_day)
                elif due >= self.today and rng.random() < 0.1:
                    done = _day(rng, started or proposed, last_day)
            elif status == MatchStatus.DISCONTINUED and due < ended and rng.random() < 0.6:
                done = min(due, ended)
            out.append(
                {
                    "id": first_id + len(out),
                    "region_id": region_id,
                    "match_id": mid,
                    "title": titles[k],
                    "due_on": due,
                    "done_on": done,
                    "note": "",
                }
            )

    def _ledger(self, rng, out, first_id, mid, region_id, status, started, ended, budget, by_id) -> tuple[int, int]:
        """Commitments, then payments (never more than committed), then perhaps a correction; the totals."""
        from regions.matches.vocab import LedgerKind as kinds
        from regions.matches.vocab import MatchStatus

        if status == MatchStatus.PROPOSED or started is None:
            return 0, 0
        last_day = min(ended or self.today - timedelta(days=1), self.today - timedelta(days=1))
        if status == MatchStatus.COMPLETED:
            committed = budget if rng.random() < 0.85 else int(budget * rng.uniform(0.7, 1.0)) // 100 * 100
            paid = committed if rng.random() < 0.8 else int(committed * rng.uniform(0.8, 1.0))
        elif status == MatchStatus.ACTIVE:
            committed = int(budget * rng.uniform(0.4, 1.0)) // 5000 * 5000
            paid = int(committed * rng.uniform(0.0, 0.8)) if rng.random() < 0.8 else 0
        else:  # discontinued
            committed = int(budget * rng.uniform(0.0, 0.6)) // 5000 * 5000
            paid = int(committed * rng.uniform(0.0, 0.5))
        entries: list[tuple[object, date, int, str]] = []
        when = started
        for part in _split(rng, committed, rng.randint(1, 2)):
            when = _day(rng, when, min(when + timedelta(days=20), last_day))
            entries.append((kinds.COMMITMENT, when, part, rng.choice(PURPOSES)))
        for number, part in enumerate(_split(rng, paid, rng.randint(1, 3)), start=1):
            when = _day(rng, when, min(when + timedelta(days=45), last_day))
            entries.append((kinds.PAYMENT, when, part, f"Abschlag {number} laut Rechnung"))
        if status == MatchStatus.DISCONTINUED and committed > paid and rng.random() < 0.5:
            back = (committed - paid) // 2 or committed - paid
            entries.append((kinds.COMMITMENT, last_day, -back, "Storno: Mittelbindung nach Abbruch aufgehoben"))
            committed -= back
        for kind, booked, cents, purpose in entries:
            out.append(
                {
                    "id": first_id + len(out),
                    "region_id": region_id,
                    "match_id": mid,
                    "kind": kind,
                    "booked_on": booked,
                    "amount_cents": cents,
                    "purpose": purpose,
                    "receipt_id": None,
                    "by_id": by_id,
                    "created_at": _day_start(booked) + timedelta(hours=10),
                }
            )
        return committed, paid

    # -- finishing --------------------------------------------------------------------------------

    def _fix_sequences(self) -> None:
        """PostgreSQL: move every id sequence past the explicit ids (SQLite needs nothing)."""
        if self.conn.dialect.name != "postgresql":
            return
        from sqlalchemy import text

        for name in sorted(self.counts):
            if name in ("directory_entry", "directory_term"):
                continue
            self.conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), GREATEST((SELECT max(id) FROM {name}), 1))"
                )
            )


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    """A positive total in up to `parts` positive amounts of whole euros where possible (nothing for 0)."""
    if total <= 0:
        return []
    if parts == 1 or total < parts * 100:
        return [total]
    cuts = sorted(rng.sample(range(1, total // 100), min(parts - 1, total // 100 - 1)))
    amounts, previous = [], 0
    for cut in cuts:
        amounts.append(cut * 100 - previous)
        previous = cut * 100
    amounts.append(total - previous)
    return [a for a in amounts if a > 0]


# -- timing on its own ----------------------------------------------------------------------------


def main() -> None:
    """Generate the network into a fresh database and print the time and the row counts."""
    import argparse

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _support import BENCH_CONFIG, bench_database

    parser = argparse.ArgumentParser()
    parser.add_argument("--profiles", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--matches", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with bench_database(args.database_url) as url:
        from flask_migrate import upgrade

        from hub import create_app
        from hub.core.db import db
        from hub.core.tenancy.registry import sync_regions

        app = create_app({**BENCH_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            upgrade()
            sync_regions()
        summary = generate_network(
            app, profiles=args.profiles, events=args.events, matches=args.matches, seed=args.seed, verbose=True
        )
        print(
            f"# generated in {summary.seconds:.1f} s on {url.split(':', 1)[0]} "
            f"(seed {summary.seed}, today {summary.today})"
        )
        for name, count in sorted(summary.counts.items()):
            print(f"{name:24s} {count:9,d}")
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
