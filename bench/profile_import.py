"""How long the coordination's profile import takes for a large spreadsheet: preview and import.

Generates its own file: N participant rows (default 10,000) as German Excel saves a CSV — semicolons,
CRLF, UTF-8 with BOM (or Windows-1252 with --encoding cp1252) — with German headings, umlauts,
quoted cells holding semicolons and line breaks, several submarkets, tags and languages per row.

Times, on a fresh database made with the real migrations:
- service: ``read_table`` + ``plan_import`` (the preview), then ``claim_upload`` + ``plan_import`` +
  ``import_profiles`` + commit (the confirmation), then the preview of the same file again (every row
  already present);
- web: the same through the test client as a logged-in coordinator of another region — the upload
  answering with the rendered preview page, and the confirmation answering with its redirect.

Usage:
  .venv/bin/python bench/profile_import.py [--rows 10000] [--encoding utf-8-sig|cp1252]
  .venv/bin/python bench/profile_import.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/hub_bench_import
A PostgreSQL database that does not exist is created and dropped afterwards.
"""

from __future__ import annotations

import argparse
import csv
import io
import platform
import random
import re
import sys
import time
from pathlib import Path

from _support import BENCH_CONFIG, bench_database  # noqa: E402 - bench/ is on sys.path when run as a script

# The code of the checkout this script is in, not whichever copy the venv has installed.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SEED = 20261125
PASSWORD = "bench password 1234"
FIRST = ["Anna", "Jörg", "Käthe", "Ülrich", "Małgorzata", "Søren", "Grit", "Maik", "Doreen", "Heiko", "Ines", "Björn"]
LAST = ["Müller", "Schröder", "Weiß", "Krüger", "Größel", "Nowak", "Hähnel", "Böhme", "Lößnitz", "Pötzsch", "Kühn"]
TOWNS = ["Görlitz", "Bautzen", "Annaberg-Buchholz", "Meißen", "Radebeul", "Zittau", "Freiberg", "Löbau", "Großenhain"]
SUBMARKETS = ["Designwirtschaft", "Musikwirtschaft", "Software-/Games-Industrie", "Kunstmarkt", "Werbemarkt"]
TAGS = ["Fotografie", "Möbelbau", "Prozessberatung", "Webdesign", "Öffentlichkeitsarbeit", "Holz", "Keramik", "Video"]
SECTORS = ["Handwerk", "Tourismus", "Soziokultur", "Maschinenbau", "Gastronomie"]
LANGUAGES = ["Deutsch", "Englisch", "Polnisch", "Tschechisch", "Obersorbisch"]
HEADER = [
    "Name",
    "Art",
    "Organisation",
    "E-Mail",
    "Telefon",
    "Ort",
    "Website",
    "Kurzbeschreibung",
    "Beschreibung",
    "Teilmärkte",
    "Branche",
    "Angebote",
    "Bedarfe",
    "Sprachen",
]


def generate_csv(rows: int, encoding: str, seed: int = SEED) -> bytes:
    """A participant list as German Excel writes it."""
    rnd = random.Random(seed)
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    for i in range(rows):
        name = f"{rnd.choice(FIRST)} {rnd.choice(LAST)}"
        organisation = rnd.random() < 0.3
        writer.writerow(
            [
                f"{name} {i}",
                "Organisation" if organisation else "Kreative",
                f"Werkstatt {rnd.choice(LAST)} e. V." if organisation else "",
                f"teilnehmer.{i}@beispiel-sachsen.de",
                f"+49 351 {rnd.randint(100000, 999999)}",
                rnd.choice(TOWNS),
                f"https://www.beispiel-{i}.de" if rnd.random() < 0.5 else "",
                f"Wir gestalten in {rnd.choice(TOWNS)}; mit Freude an Größe und Maß.",
                "Erste Zeile der Beschreibung.\nZweite Zeile mit Umlauten: äöü ÄÖÜ ß." if i % 7 == 0 else "",
                "" if organisation else ", ".join(rnd.sample(SUBMARKETS, rnd.randint(1, 2))),
                rnd.choice(SECTORS) if organisation else "",
                ", ".join(rnd.sample(TAGS, 3)),
                ", ".join(rnd.sample(TAGS, 2)),
                ", ".join(rnd.sample(LANGUAGES, rnd.randint(1, 3))),
            ]
        )
    text = out.getvalue()
    return text.encode(encoding) if encoding != "cp1252" else text.replace("Ł", "L").replace("ł", "l").encode(encoding)


def _seconds(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main() -> None:
    """Generate the file, time preview and import through the service and through the web."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--encoding", default="utf-8-sig", choices=["utf-8-sig", "cp1252"])
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with bench_database(args.database_url) as url:
        _run(url, args)


def _run(url: str, args) -> None:
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from hub import create_app
    from hub.accounts import services as accounts
    from hub.core.db import db
    from hub.core.roles import Role
    from hub.core.tenancy import all_regions, region_scope
    from hub.core.tenancy.models import Region
    from hub.core.tenancy.registry import sync_regions
    from regions.profiles import transfer
    from regions.profiles.models import Profile

    app = create_app(
        {
            **BENCH_CONFIG,
            # The login's back-off keeps its counters in the limiter's storage, which exists only while the
            # limiter is on (with it off, the login below fails); the one login and two posts stay far below it.
            "RATELIMIT_ENABLED": True,
            "SQLALCHEMY_DATABASE_URI": url,
        }
    )
    data = generate_csv(args.rows, args.encoding)
    with app.app_context(), all_regions():
        upgrade()
        sync_regions()
        regions = db.session.scalars(select(Region).where(Region.active).order_by(Region.id)).all()
        service_region, web_region = regions[0], regions[1]
        coordinator = accounts.create_user(
            "coordinator@bench.example", "Bench Coordinator", PASSWORD, role=Role.COORDINATOR, region=web_region
        )
        db.session.commit()
        coordinator_email, web_slug = coordinator.email, web_region.slug
        service_region_id, dialect = service_region.id, db.engine.dialect.name
        db.session.remove()

    print(
        f"# {platform.node()} · {platform.processor() or platform.machine()} · {time.strftime('%Y-%m-%d')} · "
        f"{dialect} · {args.rows} rows, "
        f"{len(data) / 1024 / 1024:.1f} MB {args.encoding} CSV",
        flush=True,
    )

    with app.test_request_context(), region_scope(service_region_id):
        preview, plan = _seconds(lambda: transfer.plan_import(transfer.read_table(data, "teilnehmer.csv")))
        assert plan.ok and len(plan.new_rows) == args.rows, [r.problems for r in plan.problem_rows[:3]]
        token = transfer.keep_upload(data, "csv")

        def confirm():
            result = transfer.import_profiles(transfer.plan_import(transfer.claim_upload(token)))
            db.session.commit()
            return result

        imported, result = _seconds(confirm)
        assert result.created == args.rows
        db.session.remove()
        again, plan = _seconds(lambda: transfer.plan_import(transfer.read_table(data, "teilnehmer.csv")))
        assert len(plan.present_rows) == args.rows
        count = db.session.scalar(select(func.count()).select_from(Profile))
        assert count == args.rows, count
        db.session.remove()
    print(f"service  preview {preview:6.2f} s   import {imported:6.2f} s   preview again (all present) {again:6.2f} s")

    client = app.test_client()
    assert client.post("/login", data={"email": coordinator_email, "password": PASSWORD}).status_code == 302
    upload = {"file": (io.BytesIO(data), "teilnehmer.csv")}
    preview, response = _seconds(
        lambda: client.post(f"/{web_slug}/profiles/import", data=upload, content_type="multipart/form-data")
    )
    assert response.status_code == 200, response.status_code
    page = response.get_data(as_text=True)
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    imported, response = _seconds(lambda: client.post(f"/{web_slug}/profiles/import/confirm", data={"token": token}))
    assert response.status_code == 302, response.status_code
    with app.app_context(), all_regions():
        count = db.session.scalar(select(func.count()).select_from(Profile))
        assert count == 2 * args.rows, count
    print(
        f"web      preview {preview:6.2f} s   import {imported:6.2f} s   "
        f"(preview page {len(page) / 1024 / 1024:.1f} MB)"
    )


if __name__ == "__main__":
    main()
