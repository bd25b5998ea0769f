"""Every number of the dashboard equals an independent count on generated data (issue 6, "Done when").

The network comes from tests/generated_network.py (a seeded generator that writes down what it made), the
expected figures from tests/independent_count.py (every table counted from those records with plain Python,
following the definitions in shared/reports/kpis.py). Here the dashboard is compared with the count, cell by
cell — for the current and the previous cohort, a period of chosen days, a single month, a cohort within
chosen days, and the default (the cohort running today, or the last twelve months); for all four regions
together and for each region alone, as its coordination sees it — and then through the pages, the JSON API
and the CSV export.

The clock is stopped (time_machine) at a chosen "now" (winter, summer, the night of a clock change, a night
when Berlin is a day ahead of UTC), so that "held", "today" and "overdue" are exact.
"""

from __future__ import annotations

import csv
import io
import pickle
import random
import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from hub.core.db import db
from hub.core.tenancy.models import Region
from shared.reports import kpis, period
from tests.generated_network import SLUGS, Network, build_network
from tests.independent_count import expected, headline
from tests.pages import bearer, page, table_cells
from tests.spreadsheet_reader import read_field

# The frozen "now" of each seed (seed % 4). No cohort runs today in seeds 2 and 5: their default is a year.
NOWS = [
    datetime(2026, 1, 20, 9, 15, tzinfo=UTC),  # winter
    datetime(2025, 7, 3, 14, 40, tzinfo=UTC),  # summer
    datetime(2026, 3, 29, 1, 30, tzinfo=UTC),  # 03:30 in Berlin, the night the clocks go forward
    datetime(2025, 10, 31, 23, 30, tzinfo=UTC),  # already 1 November in Berlin
]
SEEDS = range(6)
TEXT_COLUMNS = {"region", "submarket", "month", "type", "match", "milestone"}
CODES = ("region_slug", "code", "month_start", "match_id")


def network(app, time_machine, seed: int) -> Network:
    """The generated network of a seed, made and read with the clock stopped at its "now"."""
    now = NOWS[seed % len(NOWS)]
    time_machine.move_to(now, tick=False)
    return build_network(app, seed, now, cohort_runs_today=seed % 3 != 2)


def regions_in(slugs: list[str]) -> list[Region]:
    by_slug = {r.slug: r for r in db.session.scalars(select(Region))}
    return [by_slug[s] for s in slugs]


# -- comparing tables ---------------------------------------------------------------------------------


def computed_row(table, row: dict) -> dict:
    """A row of a computed table as compared: its columns (text as shown) and the codes that name it."""
    out = {c.key: str(row.get(c.key)) if c.kind == "text" else row.get(c.key) for c in table.columns}
    out.update({key: row[key] for key in CODES if key in row})
    return out


def expected_row(row: dict) -> dict:
    return {key: str(value) if key in TEXT_COLUMNS else value for key, value in row.items()}


def row_name(row: dict) -> str:
    for key in ("region_slug", "code", "month", "match_id"):
        if row.get(key) is not None:
            return f"{key}={row[key]}"
    return "total"


def compare_rows(where: str, got: list[dict], want: list[dict]) -> list[str]:
    found = []
    if len(got) != len(want):
        found.append(f"{where}: {len(got)} rows, expected {len(want)}")
    for got_row, want_row in zip(got, want, strict=False):
        for key, value in want_row.items():
            if got_row.get(key) != value:
                found.append(f"{where}, {row_name(want_row)}, {key}: expected {value!r}, got {got_row.get(key)!r}")
    return found


def table_differences(where: str, table, want: dict) -> list[str]:
    """Every cell (and column) of a computed table that differs from the independent count."""
    found = []
    if [c.key for c in table.columns] != want["columns"]:
        found.append(f"{where}: columns {[c.key for c in table.columns]}, expected {want['columns']}")
    rows = [computed_row(table, row) for row in table.rows]
    found += compare_rows(where, rows, [expected_row(row) for row in want["rows"]])
    if (table.total is None) != (want["total"] is None):
        found.append(f"{where}: total row {table.total!r}, expected {want['total']!r}")
    elif want["total"] is not None:
        found += compare_rows(where, [computed_row(table, table.total)], [expected_row(want["total"])])
    return found


def dashboard_differences(net: Network, frame, slugs: list[str], report) -> list[str]:
    where = f"seed {net.seed}, {frame.name}, {'+'.join(slugs)}"
    want = expected(net, frame, slugs)
    found = []
    if set(report.tables) != set(want):
        found.append(f"{where}: tables {sorted(report.tables)}, expected {sorted(want)}")
    for key, table in want.items():
        if key in report.tables:
            found += table_differences(f"{where}, {key}", report[key], table)
    shown = {key: value for key, _label, value, _kind in report.headline()}
    for key, value in headline(want).items():
        if shown.get(key) != value:
            found.append(f"{where}, headline {key}: expected {value!r}, got {shown.get(key)!r}")
    return found


def period_differences(net: Network, frame, chosen) -> list[str]:
    got = (chosen.start, chosen.end, chosen.cohort_id, chosen.today)
    want = (frame.start, frame.end, frame.cohort["id"] if frame.cohort else None, frame.today)
    return [] if got == want else [f"seed {net.seed}, {frame.name}: period {got}, expected {want}"]


# -- the computation ----------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_every_dashboard_number_equals_an_independent_count(app, time_machine, seed):
    net = network(app, time_machine, seed)
    all_four = random.Random(seed).sample(SLUGS, len(SLUGS))  # rows follow the order the regions are given in
    found, raised = [], []
    with app.test_request_context(), force_locale("en"):
        for frame in net.frames:
            chosen = period.resolve(period.PeriodSchema().load(frame.args))
            found += period_differences(net, frame, chosen)
            for slugs in [all_four, *([s] for s in SLUGS)]:
                try:
                    report = kpis.compute(regions_in(slugs), chosen)
                except Exception as exc:  # one failing period must not hide the numbers of the others
                    db.session.rollback()
                    raised.append(f"seed {seed}, {frame.name}, {'+'.join(slugs)}: compute() raised {exc!r}"[:300])
                    continue
                found += dashboard_differences(net, frame, slugs, report)
                # The same report built again from its rows as the dashboards keep them (pickled, as in the cache).
                kept = pickle.loads(pickle.dumps(kpis.Snapshot.of(report)))
                rebuilt = kpis.compute(regions_in(slugs), chosen, snapshot=kept)
                found += [f"rebuilt from kept rows: {d}" for d in dashboard_differences(net, frame, slugs, rebuilt)]
    assert not raised + found, "\n".join([*raised, f"{len(found)} numbers differ:", *found[:60]])


# -- the same numbers through the API, the pages and the CSV export -----------------------------------

MONEY_COLUMNS = {"budget", "committed", "paid", "remaining"}
ROUTE_SEEDS = (0, 2)  # a cohort runs today; none does (the default is the last twelve months)


def kind_of(key: str) -> str:
    """How a column's cells are given: by the column's key (region columns count)."""
    if key in TEXT_COLUMNS:
        return "text"
    if key in MONEY_COLUMNS:
        return "money"
    return {"attendance": "percent", "due_on": "date"}.get(key, "int")


def in_german(app, tables: dict[str, dict]) -> dict[str, dict]:
    """The expected tables with their texts (labels, "Total") as a German page shows them."""
    with app.test_request_context(), force_locale("de"):
        return {
            key: {
                "columns": table["columns"],
                "rows": [expected_row(row) for row in table["rows"]],
                "total": expected_row(table["total"]) if table["total"] is not None else None,
            }
            for key, table in tables.items()
        }


def query(frame) -> str:
    return "&".join(f"{key}={value}" for key, value in frame.args.items())


# The JSON API: money an exact decimal string in euros, a rate a fraction to four places, dates ISO.


def as_json(value, kind: str):
    if value is None:
        return None
    if kind == "money":
        assert value >= 0
        return f"{value // 100}.{value % 100:02d}"
    if kind == "percent":
        return round(value, 4)
    if kind == "date":
        return value.isoformat()
    return value


def json_row(row: dict, columns: list[str]) -> dict:
    out = {key: as_json(row[key], kind_of(key)) for key in columns}
    for key in CODES:
        if key in row:
            out[key] = row[key].isoformat() if key == "month_start" and row[key] is not None else row[key]
    return out


def api_differences(where: str, body: dict, want: dict[str, dict], headline_want: dict) -> list[str]:
    found = []
    for key, table in want.items():
        got = body["tables"].get(key)
        if got is None:
            found.append(f"{where}: no table {key}")
            continue
        columns = [(c["key"], c["kind"]) for c in got["columns"]]
        if columns != [(c, kind_of(c)) for c in table["columns"]]:
            found.append(f"{where}, {key}: columns {columns}")
        rows = [json_row(row, table["columns"]) for row in table["rows"]]
        found += compare_rows(f"{where}, {key}", got["rows"], rows)
        total = json_row(table["total"], table["columns"]) if table["total"] is not None else None
        if (got["total"] is None) != (total is None):
            found.append(f"{where}, {key}: total {got['total']!r}, expected {total!r}")
        elif total is not None:
            found += compare_rows(f"{where}, {key}", [got["total"]], [total])
    shown = {item["key"]: (item["value"], item["kind"]) for item in body["headline"]}
    for key, value in headline_want.items():
        kind = "money" if key.startswith("funding_") else "int"
        if shown.get(key) != (as_json(value, kind), kind):
            found.append(f"{where}, headline {key}: expected {(as_json(value, kind), kind)!r}, got {shown.get(key)!r}")
    return found


@pytest.mark.parametrize("seed", ROUTE_SEEDS)
def test_the_kpi_api_gives_the_same_numbers_to_the_umbrella_and_to_each_coordination(
    app, client, auth, make, time_machine, seed
):
    net = network(app, time_machine, seed)
    found = []
    auth.login(make.umbrella())
    for frame in (net.frame("current cohort"), net.frame("custom period"), net.frame("default")):
        response = client.get(f"/api/v1/kpis?{query(frame)}")
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
        cohort = {"id": frame.cohort["id"], "name": frame.cohort["name"]} if frame.cohort else None
        assert body["period"] == {"from": frame.start.isoformat(), "to": frame.end.isoformat(), "cohort": cohort}
        assert body["regions"] == list(SLUGS)
        want = expected(net, frame, list(SLUGS))
        found += api_differences(f"umbrella, {frame.name}", body, in_german(app, want), headline(want))
    for slug in SLUGS:
        token = make.access_token(make.coordinator(slug)).extra
        frame = net.frame("current cohort")
        response = client.get(f"/api/v1/regions/{slug}/kpis?{query(frame)}", headers=bearer(token))
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
        assert body["regions"] == [slug]
        want = expected(net, frame, [slug])
        found += api_differences(f"coordination {slug}, {frame.name}", body, in_german(app, want), headline(want))
    assert not found, f"{len(found)} numbers differ:\n" + "\n".join(found[:60])


# The dashboard page and the CSV export: the numbers as people read them in German.


def from_page(text: str, kind: str):
    """A cell of a German page as a value: 1.234 · 1.234,56 € (→ cents) · 45 % (→ points) · 26.11.2026."""
    text = text.replace("\xa0", " ").replace("\u202f", " ").strip()
    if kind == "text":
        return text
    if text in ("", "–"):
        return None
    number = text.removesuffix("€").removesuffix("%").strip().replace(".", "").replace(",", ".")
    if kind == "date":
        return datetime.strptime(text, "%d.%m.%Y").date()
    if kind == "money":
        return int(Decimal(number) * 100)
    return float(number) if kind == "percent" else int(number)


def from_csv(text: str, kind: str):
    """A cell of the CSV for German Excel: 1234 · 1234,56 (→ cents) · 45,5 (percent points) · 26.11.2026; text as
    German Excel shows it (``="08/2025"`` is the text 08/2025, which it would otherwise take for a date)."""
    if kind == "text":
        return read_field(text) if text else text
    if text == "":
        return None
    if kind == "date":
        return datetime.strptime(text, "%d.%m.%Y").date()
    if kind == "money":
        return int(Decimal(text.replace(",", ".")) * 100)
    return float(text.replace(",", ".")) if kind == "percent" else int(text)


def shown_differences(where: str, columns: list[str], got: list[list[str]], want: list[dict], read, points: float):
    """Cells read back from a page or a file against the expected rows; a rate may be rounded to ``points``."""
    found = []
    if len(got) != len(want):
        found.append(f"{where}: {len(got)} rows, expected {len(want)}")
    for cells, row in zip(got, want, strict=False):
        if len(cells) != len(columns):
            found.append(f"{where}, {row_name(row)}: {len(cells)} cells, expected {len(columns)}")
            continue
        for key, text in zip(columns, cells, strict=True):
            kind, value = kind_of(key), read(text, kind_of(key))
            if kind == "percent" and value is not None and row[key] is not None:
                same = abs(value - row[key] * 100) <= points
            else:
                same = value == row[key]
            if not same:
                found.append(f"{where}, {row_name(row)}, {key}: expected {row[key]!r}, shown {text!r}")
    return found


def page_differences(where: str, html: str, want: dict[str, dict], headline_want: dict) -> list[str]:
    found = []
    for key, table in want.items():
        head, rows, foot = table_cells(html, f"table-{key}")
        if len(head) != len(table["columns"]):
            found.append(f"{where}, {key}: headings {head}")
        total = [table["total"]] if table["total"] is not None else []
        found += shown_differences(
            f"{where}, {key}", table["columns"], rows + foot, table["rows"] + total, from_page, 0.5
        )
    for key, value in headline_want.items():
        shown = re.search(rf'<div class="kpi" id="kpi-{key}"><dt>.*?</dt><dd>(.*?)</dd>', html, re.S)
        kind = "money" if key.startswith("funding_") else "int"
        if shown is None or from_page(shown.group(1), kind) != value:
            found.append(f"{where}, headline {key}: expected {value!r}, shown {shown and shown.group(1)!r}")
    return found


@pytest.mark.parametrize("seed", ROUTE_SEEDS)
def test_the_dashboard_pages_show_the_same_numbers_to_the_umbrella_and_to_each_coordination(
    app, client, auth, make, time_machine, seed
):
    net = network(app, time_machine, seed)
    found = []
    auth.login(make.umbrella())
    for frame in (net.frame("current cohort"), net.frame("custom period")):
        response = client.get(f"/umbrella/dashboard?{query(frame)}")
        assert response.status_code == 200
        want = expected(net, frame, list(SLUGS))
        found += page_differences(f"umbrella, {frame.name}", page(response), in_german(app, want), headline(want))
    auth.logout()
    frame = net.frame("default")
    for slug in SLUGS:
        auth.login(make.coordinator(slug))
        response = client.get(f"/{slug}/dashboard")
        assert response.status_code == 200
        want = expected(net, frame, [slug])
        del want["comparison"]  # one region is compared with nobody
        found += page_differences(f"coordination {slug}, default", page(response), in_german(app, want), headline(want))
        auth.logout()
    assert not found, f"{len(found)} numbers differ:\n" + "\n".join(found[:60])


def csv_rows(response) -> tuple[list[str], list[list[str]]]:
    """The heading and the rows of a CSV export, read as German Excel splits it."""
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig")), delimiter=";"))
    return rows[0], rows[1:]


@pytest.mark.parametrize("seed", ROUTE_SEEDS)
def test_every_table_exported_as_csv_holds_the_same_numbers(app, client, auth, make, time_machine, seed):
    net = network(app, time_machine, seed)
    found = []
    auth.login(make.umbrella())
    frame = net.frame("current cohort")
    want = in_german(app, expected(net, frame, list(SLUGS)))
    for key, table in want.items():
        head, rows = csv_rows(client.get(f"/umbrella/dashboard/export?{query(frame)}&table={key}&format=csv"))
        if len(head) != len(table["columns"]):
            found.append(f"umbrella CSV {key}: headings {head}")
        total = [table["total"]] if table["total"] is not None else []
        found += shown_differences(f"umbrella CSV {key}", table["columns"], rows, table["rows"] + total, from_csv, 0.05)
    auth.logout()
    slug = SLUGS[seed % len(SLUGS)]
    auth.login(make.coordinator(slug))
    frame = net.frame("custom period")
    want = in_german(app, expected(net, frame, [slug]))
    for key in ("participants", "events", "funding", "cross_region", "overdue"):
        table = want[key]
        _, rows = csv_rows(client.get(f"/{slug}/dashboard/export?{query(frame)}&table={key}&format=csv"))
        total = [table["total"]] if table["total"] is not None else []
        found += shown_differences(f"{slug} CSV {key}", table["columns"], rows, table["rows"] + total, from_csv, 0.05)
    assert not found, f"{len(found)} numbers differ:\n" + "\n".join(found[:60])
