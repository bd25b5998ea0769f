"""How fast the shared directory answers: search() and the whole page, on a generated network.

Generates its own data: N profiles (default 100,000) over the four regions, with German names,
pitches, descriptions of about 60 words, towns of Saxony, tags from a vocabulary of a few hundred,
submarkets, sectors and kinds; most are visible to the network with consent, some to their region
only, some private, a few without consent or archived. Words follow a Zipf distribution, and the
query terms are picked from the generated text so that one is in about 1 % of the profiles and one
in about a third. The viewer is a participant of one region (Lausitz), the realistic case.

The database is made with the real migrations; profiles are inserted with Core and then indexed by
``shared.directory.index.rebuild_all`` (the production code). Each case runs the real
``shared.directory.search.search`` in a request context beside a naive scan (``naive_search``: ``LIKE '%word%'``
over the folded text with the visibility rule and the same filters, a COUNT and the first page in name order),
interleaved run by run after 3 warm-up runs each, and prints median and p95 of both with the load average;
then the whole page through the test client (20 warm-up runs, then --page-runs timed ones).

Usage:
  .venv/bin/python bench/directory_search.py [--profiles 100000] [--runs 200]
  .venv/bin/python bench/directory_search.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/hub_bench
A PostgreSQL database that does not exist is created and dropped afterwards; --keep keeps the
database (and reuses its data on the next run with the same URL).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from itertools import accumulate
from pathlib import Path
from types import SimpleNamespace

from _support import postgres_database  # noqa: E402 - bench/ is on sys.path when run as a script

# The code of the checkout this script is in, not whichever copy the venv has installed.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SEED = 20261125
WARMUP = 20
PASSWORD = "bench password 1234"
VIEWER_REGION = "lausitz"


def _words(text: str, sep: str | None = None) -> list[str]:
    return text.split(sep)


# -- vocabulary -----------------------------------------------------------------------------------

STOPWORDS = _words(
    "und die der das für mit in von wir ich ein eine auf im zu den dem auch als bei aus sowie unsere "
    "unser ihre neue seit über gern mehr an oder sind ist wie nach vor allem ganz besonders"
)
STEMS = _words(
    "Holz Möbel Kunst Licht Klang Bild Stadt Land Kultur Medien Text Foto Film Ton Musik Bühne Spiel "
    "Web Marken Produkt Raum Mode Textil Keramik Glas Metall Papier Druck Buch Verlag Schrift Farbe "
    "Form Wald Berg Erz Zinn Spitzen Porzellan Wein Garten Natur Energie Zukunft Bildung Werk Team "
    "Kunden Innovation Daten Software Spiele Kommunikation Veranstaltungs Tourismus Heimat Handwerks "
    "Kreativ Design Architektur Innen Ausstellungs Objekt Schmuck Leder Stein Lehm Stoff Klöppel "
    "Schnitz Drechsel Uhren Orgel Instrumenten Puppen Figuren Theater Tanz Zirkus Radio Podcast "
    "Video Animations Illustrations Grafik Typo Kalligrafie Fotografie Werbe Presse Zeitungs Online "
    "Digital Nachhaltigkeits Kreislauf Upcycling Reparatur Coworking Gründungs Förder Netzwerk"
)
HEADS = _words(
    "bau design gestaltung werkstatt atelier handwerk kunst technik produktion beratung entwicklung "
    "konzept projekt studio agentur arbeit markt branche szene wirtschaft kultur verein labor schule "
    "kurs festival messe ausstellung sammlung manufaktur restaurierung vermittlung strategie"
)
STANDALONE = _words(
    "Onboarding Storytelling Workshop Workshops Kooperation Partner Kunden Auftraggeber Förderung "
    "Fördermittel Ausschreibung Vernetzung Prototyp Prototypen Markenauftritt Webseite Shop Katalog "
    "Broschüre Logo Corporate Identity Social Media Kampagne Imagefilm Fotoshooting Messestand Möbel "
    "Einzelstücke Kleinserien Auftragsarbeit Qualität Erfahrung Leidenschaft Region Sachsen Erzgebirge "
    "Lausitz Elbtal Tradition Moderne Handarbeit Nachhaltigkeit Ressourcen Material Materialien Idee "
    "Ideen Lösung Lösungen Unternehmen Mittelstand Handwerksbetrieb Startups Gründer Verwaltung "
    "Museum Bibliothek Hochschule Studierende Jugendliche Familien Senioren Touristen Besucher Gäste "
    "Führung Führungen Seminar Vortrag Lesung Konzert Aufführung Premiere Ausstellung Vernissage "
    "Residenz Stipendium Wettbewerb Preis Auszeichnung Zusammenarbeit Austausch Begegnung Dialog "
    "Zukunftswerkstatt Strukturwandel Innovationen Digitalisierung Barrierefreiheit Inklusion "
    "Kletterwand Kletterwände Straße Königsbrücker Brücke Mühle Hof Scheune Remise Bahnhof"
)
FIRST_NAMES = _words(
    "Anna Lena Marie Sophie Laura Julia Lea Hannah Clara Paula Johanna Katharina Franziska Susanne "
    "Sabine Petra Claudia Jana Kathrin Ulrike Jörg Jürgen Uwe Frank Thomas Michael Andreas Stefan "
    "Matthias Christian Tobias Lukas Felix Jonas Paul Maximilian Moritz Erik Sören Björn Götz Kai"
)
SURNAMES = _words(
    "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer Koch Bauer "
    "Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann Hartmann Lange "
    "Schmitt Werner Krause Meier Lehmann Schmid Schulze Maier Köhler Herrmann König Walter Mayer "
    "Huber Kaiser Fuchs Peters Lang Scholz Möller Weiß Jung Hahn Schubert Vogel Friedrich Keller "
    "Günther Frank Berger Winkler Roth Beck Lorenz Baumann Franke Albrecht Schuster Simon Ludwig "
    "Böhm Winter Kraus Martin Schumacher Krämer Vogt Stein Jäger Otto Sommer Groß Seidel Heinrich "
    "Brandt Haas Schreiber Graf Schulte Dietrich Ziegler Kuhn Kühn Pohl Engel Horn Busch Bergmann"
)
CREATIVE_FORMS = ("{first} {last}", "{first} {last}", "Studio {last}", "Atelier {first} {last}", "{last} {stem}design")
ORG_FORMS = (
    "{stem}werkstatt {last}",
    "Tischlerei {last}",
    "{last} & {last2} GmbH",
    "{stem}verein {town} e.V.",
    "{town}er {stem}manufaktur",
    "Kreativwerk {town}",
    "{last} {stem}technik GmbH",
)
TOWNS = {
    "erzgebirge": _words(
        "Annaberg-Buchholz,Schneeberg,Aue-Bad Schlema,Marienberg,Olbernhau,Stollberg,Zwönitz,Seiffen,"
        "Schwarzenberg,Eibenstock,Oberwiesenthal,Thalheim,Lößnitz,Ehrenfriedersdorf,Lauter-Bernsbach",
        ",",
    ),
    "meissen": _words(
        "Meißen,Radebeul,Coswig,Riesa,Großenhain,Moritzburg,Weinböhla,Nossen,Gröditz,Strehla,Lommatzsch,"
        "Radeburg,Niederau,Klipphausen,Diera-Zehren",
        ",",
    ),
    "lausitz": _words(
        "Bautzen,Görlitz,Hoyerswerda,Zittau,Kamenz,Löbau,Weißwasser,Niesky,Bischofswerda,Herrnhut,"
        "Oybin,Schirgiswalde-Kirschau,Königswartha,Radibor,Ebersbach-Neugersdorf",
        ",",
    ),
    "dresden": _words(
        "Dresden,Pirna,Freital,Radeberg,Heidenau,Dippoldiswalde,Sebnitz,Bad Schandau,Königstein,"
        "Wilsdruff,Ottendorf-Okrilla,Arnsdorf,Dohna,Glashütte,Altenberg",
        ",",
    ),
}
SECTORS = _words(
    "Handwerk Maschinenbau Tourismus Gesundheit Bildung Einzelhandel Automobilzulieferer Landwirtschaft "
    "IT Logistik Gastronomie Energie Bauwesen Textilindustrie Mikroelektronik Verwaltung Kirche Sozialwesen "
    "Forstwirtschaft Glasindustrie"
)
SUBMARKET_CODES = _words(
    "music books art film broadcasting performing_arts design architecture press advertising software_games other"
)


def _zipf(n: int, s: float = 1.0) -> list[float]:
    return list(accumulate(1 / (rank + 1) ** s for rank in range(n)))


class Generator:
    """Deterministic German-ish profile data (the same on every run and database)."""

    def __init__(self, seed: int = SEED):
        self.rng = random.Random(seed)
        rng = random.Random(seed + 1)
        compounds = [stem + head for stem in STEMS for head in HEADS]
        rng.shuffle(compounds)
        words = [*STANDALONE, *STEMS, *compounds]
        rng.shuffle(words)
        # Function words on top, then content words by a Zipf law.
        self.words = [*STOPWORDS, *words]
        self.word_weights = _zipf(len(self.words), 1.0)
        tags = [*STANDALONE[:60], *(stem + head for stem in STEMS[:40] for head in HEADS[:6])]
        rng.shuffle(tags)
        self.tags = tags[:320]
        self.tag_weights = _zipf(len(self.tags), 0.9)
        self.sector_weights = _zipf(len(SECTORS), 0.8)
        self.submarket_weights = _zipf(len(SUBMARKET_CODES), 0.6)

    def _text(self, n: int) -> str:
        picked = self.rng.choices(self.words, cum_weights=self.word_weights, k=n)
        out, sentence = [], 0
        for word in picked:
            out.append(word.capitalize() if sentence == 0 else word)
            sentence += 1
            if sentence > 6 and self.rng.random() < 0.15:
                out[-1] += "."
                sentence = 0
        return " ".join(out).rstrip(".") + "."

    def profile(self, i: int, region_slug: str, region_id: int, user_id: int | None) -> dict:
        rng = self.rng
        organisation = rng.random() < 0.3
        town = rng.choice(TOWNS[region_slug]) if rng.random() < 0.92 else ""
        fill = {
            "first": rng.choice(FIRST_NAMES),
            "last": rng.choice(SURNAMES),
            "last2": rng.choice(SURNAMES),
            "stem": rng.choice(STEMS),
            "town": town or TOWNS[region_slug][0],
        }
        name = rng.choice(ORG_FORMS if organisation else CREATIVE_FORMS).format(**fill)
        offer_tags = list(dict.fromkeys(rng.choices(self.tags, cum_weights=self.tag_weights, k=rng.randint(1, 5))))
        need_tags = list(dict.fromkeys(rng.choices(self.tags, cum_weights=self.tag_weights, k=rng.randint(0, 3))))
        roll = rng.random()
        visibility = "network" if roll < 0.8 else "region" if roll < 0.92 else "private"
        now = datetime(2026, 11, 1, tzinfo=UTC)
        row = {
            "region_id": region_id,
            "user_id": user_id,
            "kind": "organisation" if organisation else "creative",
            "display_name": name[:120],
            "organisation_name": (rng.choice(SURNAMES) + " GmbH") if not organisation and rng.random() < 0.1 else "",
            "pitch": self._text(rng.randint(8, 16))[:280],
            "description": self._text(rng.randint(45, 75)),
            "submarkets": []
            if organisation
            else list(
                dict.fromkeys(rng.choices(SUBMARKET_CODES, cum_weights=self.submarket_weights, k=rng.randint(1, 3)))
            ),
            "sector": rng.choices(SECTORS, cum_weights=self.sector_weights)[0] if organisation else "",
            "offer_tags": offer_tags,
            "offers_text": self._text(rng.randint(0, 15)) if rng.random() < 0.6 else "",
            "need_tags": need_tags,
            "needs_text": self._text(rng.randint(0, 12)) if rng.random() < 0.4 else "",
            "town": town,
            "website": f"https://www.example-{i}.de" if rng.random() < 0.5 else "",
            "contact_email": f"kontakt{i}@example.org",
            "email_key": f"kontakt{i}@example.org",  # as the unique index compares it
            "contact_phone": "",
            "languages": ["de"] if rng.random() < 0.7 else ["de", "en"],
            "visibility": visibility,
            "contact_visibility": "on_request",
            "consent_version": None,
            "consent_given_at": None,
            "archived_at": None,
            "created_at": now,
            "updated_at": now,
        }
        if rng.random() < 0.94:
            row["consent_version"], row["consent_given_at"] = "2026-11", now
        if rng.random() < 0.02:
            row["archived_at"] = now
        return row


# -- setup ----------------------------------------------------------------------------------------


def _load(db, n: int, regions: dict) -> None:
    """Insert users and profiles with Core, then index them with rebuild_all (the production code)."""
    from sqlalchemy import insert, select

    from hub.accounts.models import User
    from regions.profiles.models import Profile
    from regions.profiles.vocab import ProfileKind, Visibility
    from shared.directory.index import rebuild_all

    gen = Generator()
    started = time.perf_counter()
    slugs = list(regions)
    connection = db.session.connection()
    with_account = [i for i in range(n) if i % 5 != 0]  # a fifth are kept by the coordination without account
    connection.execute(
        insert(User.__table__),
        [{"email": f"p{i}@bench.example", "name": f"Person {i}"} for i in with_account],
    )
    emails = dict(connection.execute(select(User.email, User.id).where(User.email.like("p%@bench.example"))).all())
    user_ids = {i: emails[f"p{i}@bench.example"] for i in with_account}
    rows = []
    for i in range(n):
        slug = slugs[i % len(slugs)]
        row = gen.profile(i, slug, regions[slug].id, user_ids.get(i))
        row["kind"] = ProfileKind(row["kind"])
        row["visibility"] = Visibility(row["visibility"])
        rows.append(row)
    for chunk in range(0, n, 5000):
        connection.execute(insert(Profile.__table__), rows[chunk : chunk + 5000])
    db.session.commit()
    indexed = rebuild_all(db.session)
    db.session.commit()
    print(f"# generated and indexed {indexed} profiles in {time.perf_counter() - started:.1f} s")


def _pick_terms(db, n: int) -> tuple[tuple[str, int], tuple[str, int]]:
    """The content words whose prefix query matches closest to 1 % and to a third of the profiles."""
    from sqlalchemy import func, literal_column, select, text

    from shared.directory.models import DirectoryEntry
    from shared.directory.text import fold

    candidates = sorted({fold(w) for w in [*STEMS, *STANDALONE]} - {fold(w) for w in STOPWORDS})
    counts = {}
    for word in candidates:
        if db.engine.dialect.name == "postgresql":
            stmt = (
                select(func.count())
                .select_from(DirectoryEntry.__table__)
                .where(literal_column("search_tsv").op("@@")(func.to_tsquery("simple", f"{word}:*")))
            )
        else:
            stmt = text("SELECT count(*) FROM directory_fts WHERE directory_fts MATCH :e").bindparams(
                e=f'body : "{word}"*'
            )
        counts[word] = db.session.scalar(stmt)
    rare = min(candidates, key=lambda w: (abs(counts[w] - n * 0.01), w))
    frequent = min(candidates, key=lambda w: (abs(counts[w] - n / 3), w))
    return (rare, counts[rare]), (frequent, counts[frequent])


def _most_frequent(db) -> tuple[str, str, str, str]:
    """The tag, the town, the sector and the submarket that most profiles have (the widest filters without a word)."""
    from sqlalchemy import func, select

    from shared.directory.models import DirectoryEntry, DirectoryTerm

    tag = db.session.scalar(
        select(DirectoryTerm.value)
        .where(DirectoryTerm.facet == "tag")
        .group_by(DirectoryTerm.value)
        .order_by(func.count().desc())
        .limit(1)
    )
    town = db.session.scalar(
        select(DirectoryEntry.town)
        .where(DirectoryEntry.town != "")
        .group_by(DirectoryEntry.town)
        .order_by(func.count().desc())
        .limit(1)
    )
    sector = db.session.scalar(
        select(DirectoryEntry.sector)
        .where(DirectoryEntry.sector != "")
        .group_by(DirectoryEntry.sector)
        .order_by(func.count().desc())
        .limit(1)
    )
    submarket = db.session.scalar(
        select(DirectoryTerm.value)
        .where(DirectoryTerm.facet == "submarket")
        .group_by(DirectoryTerm.value)
        .order_by(func.count().desc())
        .limit(1)
    )
    return tag, town, sector, submarket


def _timed(fn, runs: int) -> list[float]:
    for _ in range(WARMUP):
        fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return samples


def _timed_pair(real, naive, runs: int) -> tuple[list[float], list[float]]:
    """Both functions, interleaved run by run, so that whatever else the machine does hits both alike."""
    for _ in range(3):
        real()
        naive()
    samples: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for fn, out in ((real, samples[0]), (naive, samples[1])):
            start = time.perf_counter()
            fn()
            out.append((time.perf_counter() - start) * 1000)
    return sorted(samples[0]), sorted(samples[1])


def _p95(samples: list[float]) -> float:
    return samples[min(len(samples) - 1, int(len(samples) * 0.95))]


def _report(name: str, samples: list[float], extra: str = "") -> None:
    print(f"{name:44s} median {statistics.median(samples):7.2f} ms   p95 {_p95(samples):7.2f} ms   {extra}", flush=True)


def _report_pair(name: str, real: list[float], naive: list[float], extra: str = "") -> None:
    print(
        f"{name:44s} search {statistics.median(real):7.2f} / {_p95(real):7.2f} ms   "
        f"naive scan {statistics.median(naive):7.2f} / {_p95(naive):7.2f} ms   "
        f"p95 ratio {_p95(real) / _p95(naive):5.2f}   {extra}",
        flush=True,
    )


def naive_search(viewer, query, by_slug) -> int:
    """The yardstick: a plain ``LIKE '%word%'`` over the entries' folded text with the visibility rule and the same
    filters, the total by COUNT and the first page in name order; no index for the words, no facet counts."""
    from sqlalchemy import func, select

    from hub.core.db import db
    from hub.core.tenancy import all_regions
    from shared.directory.models import DirectoryEntry as E
    from shared.directory.search import _filter_conditions, visible_to
    from shared.directory.text import terms

    conditions = [visible_to(viewer), *_filter_conditions(query, by_slug)]
    conditions += [E.body.like(f"%{word}%") for word in terms(query.q)]
    with all_regions():
        total = db.session.scalar(select(func.count()).select_from(E).where(*conditions))
        page = select(E.profile_id).where(*conditions).order_by(E.name_key, E.profile_id)
        db.session.scalars(page.limit(query.per_page).offset((query.page - 1) * query.per_page)).all()
    return total


def main() -> None:
    """Generate the network, time search() for each case and the whole page, print medians and p95."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--profiles", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--page-runs", type=int, default=100)
    parser.add_argument("--database-url")
    parser.add_argument("--keep", action="store_true", help="keep the database (and reuse its data)")
    parser.add_argument("--only", help="run only the cases whose name contains this")
    args = parser.parse_args()
    scratch = None if args.database_url else tempfile.mkdtemp(prefix="hub-bench-")
    url = args.database_url or f"sqlite:///{scratch}/bench.sqlite3"
    os.environ["HUB_DATABASE_URL"] = url
    if url.startswith("postgresql"):
        drop = postgres_database(url, args.keep)
    else:
        drop = (lambda: None) if args.keep or not scratch else (lambda: shutil.rmtree(scratch, ignore_errors=True))
    try:
        _run(url, args)
    finally:
        drop()


def _run(url: str, args) -> None:
    from flask_migrate import upgrade
    from sqlalchemy import func, select, text

    from hub import create_app
    from hub.accounts import services
    from hub.accounts.models import User
    from hub.core.db import analyze, db
    from hub.core.roles import Role
    from hub.core.tenancy import all_regions
    from hub.core.tenancy.models import Region
    from hub.core.tenancy.registry import sync_regions
    from regions.profiles.models import Profile
    from shared.directory.search import DirectoryQuery, Viewer, search

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789",
            "PASSWORD_HASH_PROFILE": "cheapest",
            "WTF_CSRF_ENABLED": False,
            "MAIL_SERVER": "",
            # The login throttle needs the limiter (in memory); the limits are far above these runs.
            "RATELIMIT_ENABLED": True,
            **{key: "1000000 per minute" for key in ("LOGIN_LIMIT_PER_IP", "API_LIMIT_PER_USER", "API_LIMIT_PER_IP")},
        }
    )
    with app.app_context(), all_regions():
        upgrade()
        sync_regions()
        analyze()  # as `hub setup` does after migrating: planner statistics for new indexes and tables
        regions = {r.slug: r for r in db.session.scalars(select(Region).where(Region.active).order_by(Region.id))}
        existing = db.session.scalar(select(func.count()).select_from(Profile))
        if existing != args.profiles:
            if existing:
                raise SystemExit(f"the database holds {existing} profiles, not {args.profiles}: use another URL")
            viewer_user = services.create_user(
                "viewer@bench.example", "Bench Viewer", PASSWORD, role=Role.PARTICIPANT, region=regions[VIEWER_REGION]
            )
            db.session.commit()
            assert viewer_user.id == 1
            _load(db, args.profiles, regions)
            # The steady state after a bulk load: PostgreSQL's autovacuum has made planner statistics
            # and the visibility map; on SQLite the daily job db.statistics has run ANALYZE, and the
            # write-ahead log is copied back into the database.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                if db.engine.dialect.name == "postgresql":
                    connection.execute(text("VACUUM ANALYZE"))
                else:
                    connection.execute(text("ANALYZE"))
                    connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        (rare, rare_n), (frequent, frequent_n) = _pick_terms(db, args.profiles)
        top_tag, top_town, top_sector, top_submarket = _most_frequent(db)
        by_slug = {slug: SimpleNamespace(id=region.id) for slug, region in regions.items()}
        viewer = Viewer.of(db.session.get(User, 1))
        db.session.remove()

    with app.app_context():
        version = db.session.scalar(
            text("SELECT sqlite_version()") if url.startswith("sqlite") else text("SHOW server_version")
        )
        db.session.remove()
    print(
        f"# {platform.node()} · {platform.processor() or platform.machine()} · {os.cpu_count()} cores · "
        f"Python {platform.python_version()} · {time.strftime('%Y-%m-%d %H:%M')} · "
        f"{url.split(':', 1)[0]} {version} · {args.profiles} profiles over {len(regions)} regions"
    )
    print(
        f"# rare term {rare!r} in {rare_n} profiles ({rare_n / args.profiles:.1%}), frequent term "
        f"{frequent!r} in {frequent_n} ({frequent_n / args.profiles:.1%}); viewer: a participant of {VIEWER_REGION}; "
        f"{WARMUP} warm-up + {args.runs} timed runs each"
    )
    other = "erzgebirge"
    cases = [
        ("rare term + region + kind", DirectoryQuery(q=rare, region=other, kind="creative")),
        ("frequent term + region + kind", DirectoryQuery(q=frequent, region=other, kind="creative")),
        ("frequent term alone", DirectoryQuery(q=frequent)),
        ("rare term alone", DirectoryQuery(q=rare)),
        ("no term + region + kind", DirectoryQuery(region=other, kind="creative")),
        ("no term, no filter (the landing page)", DirectoryQuery()),
        ("no term, landing page 50", DirectoryQuery(page=50)),
        ("no term + region", DirectoryQuery(region=other)),
        ("no term + kind organisation", DirectoryQuery(kind="organisation")),
        ("no term + tag (the most frequent)", DirectoryQuery(tag=top_tag)),
        ("no term + town", DirectoryQuery(town=top_town)),
        ("no term + sector (the most frequent)", DirectoryQuery(sector=top_sector)),
        ("no term + submarket (the most frequent)", DirectoryQuery(submarket=top_submarket)),
        ("no term + town + kind", DirectoryQuery(town=top_town, kind="creative")),
        ("no term + sector + region", DirectoryQuery(sector=top_sector, region=other)),
        ("no term + submarket + region + kind", DirectoryQuery(submarket=top_submarket, region=other, kind="creative")),
        ("two terms (rare + frequent) + region", DirectoryQuery(q=f"{rare} {frequent}", region=other)),
        ("frequent term + region + kind, page 5", DirectoryQuery(q=frequent, region=other, kind="creative", page=5)),
    ]
    load = os.getloadavg()
    print(
        f"# load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
        f"search and naive scan interleaved, {args.runs} runs each"
    )
    for name, query in cases:
        if args.only and args.only not in name:
            continue
        with app.test_request_context():
            result = search(viewer, query)
            naive_total = naive_search(viewer, query, by_slug)
            db.session.remove()

            def one(query=query):
                search(viewer, query)
                db.session.remove()

            def scan(query=query):
                naive_search(viewer, query, by_slug)
                db.session.remove()

            real, naive = _timed_pair(one, scan, args.runs)
        found = f"{result.total}{'' if result.total_exact else '+ (bounded)'} found"
        _report_pair(name, real, naive, f"{found}, {len(result.profiles)} shown; the scan: {naive_total}")
    load = os.getloadavg()
    print(f"# load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")

    client = app.test_client()
    response = client.post("/login", data={"email": "viewer@bench.example", "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    for name, params in [
        ("page: rare term + region + kind", {"q": rare, "region": other, "kind": "creative"}),
        ("page: frequent term + region + kind", {"q": frequent, "region": other, "kind": "creative"}),
        ("page: no term, no filter", {}),
    ]:
        if args.only and args.only not in name:
            continue
        page = client.get("/directory/", query_string=params)
        assert page.status_code == 200 and "profile-card" in page.get_data(as_text=True)

        def fetch(params=params):
            client.get("/directory/", query_string=params).get_data()

        _report(f"GET /directory/ — {name[6:]}", _timed(fetch, args.page_runs), f"{len(page.data) // 1024} kB")
    with app.app_context():
        db.engine.dispose()


if __name__ == "__main__":
    main()
