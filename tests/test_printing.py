"""Printed speed-dating schedules: per person, per table and the master plan, as PDF and as print-ready HTML.

The PDFs are read back from their own bytes (uncompressed, text decoded through the embedded fonts'
ToUnicode maps), so the tests see what a PDF viewer shows, not what the code meant to write.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask_babel import gettext as _
from jinja2 import ChoiceLoader, FileSystemLoader
from markupsafe import escape

from hub.core import pdf as hub_pdf
from hub.core.pdf import pdf_response, slug_filename
from hub.core.pdf_document import HubPDF
from regions.speeddating import printing
from regions.speeddating.printing import (
    PrintablePlan,
    PrintMeeting,
    PrintPerson,
    print_context,
    schedule_pdf,
    table_blocks,
)
from regions.speeddating.vocab import Side
from tests.pdfreader import pdf_pages, texts

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "regions" / "speeddating" / "templates"
GENERATED = datetime(2024, 11, 10, 9, 30, tzinfo=UTC)

JOERG, ANNA, BEN = 1, 2, 3
BRAUEREI, KULTURHAUS = 11, 12


def small_plan(**changes) -> PrintablePlan:
    """3 creatives, 2 organisations, 2 tables, 3 rounds of 7 minutes with 1 minute between them.

    13:00 UTC on a November Saturday is 14:00 in Berlin. Each creative sits out one round.
    """
    people = (
        PrintPerson(JOERG, "Jörg Weiß", Side.CREATIVE, "Studio Weiß"),
        PrintPerson(ANNA, "Anna Muster", Side.CREATIVE),
        PrintPerson(BEN, "Ben Beispiel", Side.CREATIVE, "Prozessberatung Muster"),
        PrintPerson(BRAUEREI, "Koordination Brauerei", Side.ORGANISATION, "Alte Brauerei"),
        PrintPerson(KULTURHAUS, "Team Kulturhaus", Side.ORGANISATION, "Kulturhaus Aue"),
    )
    meetings = (
        PrintMeeting(0, 0, JOERG, BRAUEREI),
        PrintMeeting(0, 1, ANNA, KULTURHAUS),
        PrintMeeting(1, 0, BEN, BRAUEREI),
        PrintMeeting(1, 1, JOERG, KULTURHAUS),
        PrintMeeting(2, 0, ANNA, BRAUEREI),
        PrintMeeting(2, 1, BEN, KULTURHAUS),
    )
    fields = dict(
        session_title="Speed-Dating am Nachmittag",
        event_title="Auftaktveranstaltung Erzgebirge",
        venue="Kulturhaus Schneeberg",
        region_name="Erzgebirge",
        starts_at=datetime(2024, 11, 16, 13, 0, tzinfo=UTC),
        round_minutes=7,
        break_minutes=1,
        tables=2,
        rounds=3,
        people=people,
        meetings=meetings,
    )
    return PrintablePlan(**{**fields, **changes})


def big_plan(creatives: int, organisations: int, tables: int, rounds: int) -> PrintablePlan:
    """A full plan: in every round each table holds one organisation and one creative, none twice."""
    people = [PrintPerson(c, f"Kreative Person {c}", Side.CREATIVE, f"Studio {c}") for c in range(creatives)]
    people += [
        PrintPerson(10_000 + o, f"Kontakt {o}", Side.ORGANISATION, f"Verein {o} e.V.") for o in range(organisations)
    ]
    meetings = [
        PrintMeeting(r, t, (r * tables + t) % creatives, 10_000 + (t + r // creatives * tables) % organisations)
        for r in range(rounds)
        for t in range(tables)
    ]
    return small_plan(tables=tables, rounds=rounds, people=tuple(people), meetings=tuple(meetings))


@pytest.fixture
def request_ctx(app):
    """A request in the default language (German)."""
    with app.test_request_context():
        yield


def render(part: str, plan: PrintablePlan | None = None) -> list[list[tuple[str, ...]]]:
    data = schedule_pdf(plan or small_plan(), part, generated_at=GENERATED, compress=False)
    assert data.startswith(b"%PDF-")
    return pdf_pages(data)


# -- the PDFs ---------------------------------------------------------------------------------------


def test_each_person_gets_a_page_with_their_rounds_in_berlin_time(request_ctx):
    pages = render("people")
    assert len(pages) == 5  # creatives first, by name; then the organisations
    names = [next(line[0] for line in page if line[0] in {p.name for p in small_plan().people}) for page in pages]
    assert names == ["Anna Muster", "Ben Beispiel", "Jörg Weiß", "Koordination Brauerei", "Team Kulturhaus"]

    joerg = pages[2]
    assert (_("Round"), _("Time"), _("Table"), _("Conversation partner")) in joerg
    assert ("1", "14:00–14:07", "1", "Koordination Brauerei (Alte Brauerei)") in joerg
    assert ("2", "14:08–14:15", "2", "Team Kulturhaus (Kulturhaus Aue)") in joerg
    assert ("3", "14:16–14:23", "—", _("Break")) in joerg
    assert (f"{_('Organisation')}:", "Studio Weiß") in joerg
    assert (f"{_('Meetings')}:", "2") in joerg

    brauerei = pages[3]
    assert ("1", "14:00–14:07", "1", "Jörg Weiß (Studio Weiß)") in brauerei
    assert ("2", "14:08–14:15", "1", "Ben Beispiel (Prozessberatung Muster)") in brauerei
    assert ("3", "14:16–14:23", "1", "Anna Muster") in brauerei


def test_a_participants_own_schedule_holds_only_their_sheet(request_ctx):
    data = schedule_pdf(small_plan(), "people", only={JOERG}, generated_at=GENERATED, compress=False)
    (page,) = pdf_pages(data)
    assert ("Jörg Weiß",) in page
    assert ("1", "14:00–14:07", "1", "Koordination Brauerei (Alte Brauerei)") in page
    assert [s.person.id for s in print_context(small_plan(), only={JOERG, BRAUEREI})["people"]] == [JOERG, BRAUEREI]


def test_each_table_gets_a_page_with_who_sits_there(request_ctx):
    pages = render("tables")
    assert len(pages) == 2
    assert (_("Table %(number)s", number=1),) in pages[0]
    assert (_("Table %(number)s", number=2),) in pages[1]
    assert (_("Round"), _("Time"), _("Organisation"), _("Creative participant")) in pages[0]
    assert ("1", "14:00–14:07", "Koordination Brauerei (Alte Brauerei)", "Jörg Weiß (Studio Weiß)") in pages[0]
    assert ("2", "14:08–14:15", "Team Kulturhaus (Kulturhaus Aue)", "Jörg Weiß (Studio Weiß)") in pages[1]


def test_a_table_without_a_meeting_in_a_round_says_it_is_free(request_ctx):
    plan = small_plan(meetings=small_plan().meetings[1:])  # table 1 stays empty in round 1
    pages = render("tables", plan)
    assert ("1", "14:00–14:07", _("free"), "—") in pages[0]
    assert _("free") in texts(render("master", plan)[0])


def test_the_master_plan_shows_rounds_by_tables(request_ctx):
    (page,) = render("master")
    assert (_("Round"), _("Time"), _("Table %(number)s", number=1), _("Table %(number)s", number=2)) in page
    # a cell is "creative /" over the organisation's name
    assert ("1", "14:00–14:07", "Jörg Weiß\u00a0/", "Anna Muster\u00a0/") in page
    assert ("Alte Brauerei", "Kulturhaus Aue") in page
    assert ("3", "14:16–14:23", "Anna Muster\u00a0/", "Ben Beispiel\u00a0/") in page


def test_every_page_has_the_header_and_page_x_of_y(request_ctx):
    pages = render("people")
    for number, page in enumerate(pages, 1):
        assert page[0] == (_("Schedule per person"),)
        assert page[1] == ("Speed-Dating am Nachmittag · Auftaktveranstaltung Erzgebirge",)
        assert page[2][0].endswith("14:00–14:23 · Kulturhaus Schneeberg · Erzgebirge")
        assert "16" in page[2][0] and "2024" in page[2][0]
        footer = page[-1]
        assert footer[0] == _("Page %(page)s of %(pages)s", page=number, pages=len(pages))
        assert footer[1].startswith(_("Created on %(date)s", date="")) and "10.11.24" in footer[1]


def test_the_schedules_are_german_by_default(request_ctx):
    joerg = render("people")[2]
    assert ("Runde", "Uhrzeit", "Tisch", "Gesprächspartner:in") in joerg
    assert ("3", "14:16–14:23", "—", "Pause") in joerg
    assert ("Ablaufplan je Person",) in joerg
    assert joerg[-1] == ("Seite 3 von 5", "Erstellt am 10.11.24, 10:30")
    assert ("Tisch 1",) in render("tables")[0]


def test_the_pdf_has_its_metadata_and_is_the_same_every_time(request_ctx):
    data = schedule_pdf(small_plan(), "tables", generated_at=GENERATED, compress=False)
    assert b"/CreationDate (D:20241110093000Z)" in data
    assert b"/Author (Erzgebirge)" in data and b"/Creator (CIMIS Hub)" in data
    assert re.search(rb"/Title \((.*?)\)", data).group(1) == _("Schedule per table").encode("latin-1")
    assert schedule_pdf(small_plan(), "tables", generated_at=GENERATED) == schedule_pdf(
        small_plan(), "tables", generated_at=GENERATED
    )


def test_the_fonts_are_the_hubs_own_dejavu(request_ctx):
    fonts = ROOT / "hub" / "static" / "fonts"
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
        assert hub_pdf.font_path(name) == fonts / name
    assert "Bitstream Vera" in (fonts / "LICENSE-DejaVu.txt").read_text()
    data = schedule_pdf(small_plan(), "people", generated_at=GENERATED, compress=False)
    embedded = set(re.findall(rb"/FontName /\w+\+(\S+)", data))
    assert embedded == {b"DejaVuSansBook", b"DejaVuSansBold"}
    assert b"Helvetica" not in data


def test_an_unknown_part_is_refused(request_ctx):
    with pytest.raises(ValueError):
        schedule_pdf(small_plan(), "everything")


def test_a_long_session_runs_onto_many_pages_with_the_heading_row_on_each(request_ctx):
    plan = big_plan(60, 40, 20, 120)
    assert len(plan.meetings) == 2400
    pages = render("master", plan)
    assert len(pages) >= 10
    heading = (_("Round"), _("Time"), *(_("Table %(number)s", number=t) for t in range(1, 11)))
    second_block = (_("Round"), _("Time"), *(_("Table %(number)s", number=t) for t in range(11, 21)))
    assert all(heading in page or second_block in page for page in pages)
    assert sum(heading in page for page in pages) == sum(second_block in page for page in pages)
    rounds = [line[0] for page in pages for line in page if line[0].isdigit() and len(line) > 2]
    assert rounds == [str(r) for r in range(1, 121)] * 2  # every round once in each block, in order
    assert max(len(line) for page in pages for line in page) <= 12  # round, time and ten tables


def test_a_hundred_tables_are_split_into_blocks_of_ten(request_ctx):
    assert [len(b) for b in table_blocks(100)] == [10] * 10
    assert [len(b) for b in table_blocks(12)] == [6, 6]
    assert [len(b) for b in table_blocks(21)] == [7, 7, 7]
    plan = big_plan(100, 100, 100, 2)
    pages = render("master", plan)
    assert len(pages) == 10
    assert (_("Tables %(first)s–%(last)s", first=91, last=100),) in pages[-1]
    assert print_context(plan)["master_landscape"]
    assert not print_context(small_plan())["master_landscape"]


@pytest.mark.slow
def test_big_schedules_render_in_reasonable_time(request_ctx):
    """Guards the hand-drawn tables: fpdf2's table() needed ~28 s for this."""
    import time

    plan = big_plan(60, 40, 20, 120)
    started = time.perf_counter()
    data = schedule_pdf(plan, "people")
    assert time.perf_counter() - started < 10
    assert data.startswith(b"%PDF-")


def test_a_hub_pdf_takes_svg_charts_and_long_text(request_ctx):
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50" viewBox="0 0 100 50">'
        b'<rect width="60" height="40"/></svg>'
    )
    pdf = HubPDF("Bericht", ["Erzgebirge"], generated_at=GENERATED, compress=False)
    pdf.add_page()
    pdf.heading("Förderung")
    pdf.image(io.BytesIO(svg), w=80)
    pdf.key_value([("Matches", "10"), ("Budget", "25.000,00 €")])
    pdf.data_table(["A", "B"], [["1", "zwei"]])
    pdf.paragraph("Ein langer Bericht über Kooperationen. " * 600)
    pages = pdf_pages(bytes(pdf.output()))
    assert len(pages) > 2
    assert all(page[0] == ("Bericht",) and page[1] == ("Erzgebirge",) for page in pages)


# -- the plan ---------------------------------------------------------------------------------------


def test_round_times_follow_berlin_across_the_end_of_summer_time():
    plan = small_plan(starts_at=datetime(2025, 10, 26, 0, 55, tzinfo=UTC), round_minutes=5, break_minutes=5)
    assert plan.round_start(0).strftime("%H:%M %Z") == "02:55 CEST"
    assert plan.round_start(1).strftime("%H:%M %Z") == "02:05 CET"
    assert plan.round_end(1).strftime("%H:%M") == "02:10"


@pytest.mark.parametrize(
    "meetings, problem",
    [
        ((PrintMeeting(0, 0, JOERG, BRAUEREI), PrintMeeting(0, 0, ANNA, KULTURHAUS)), "two meetings at table"),
        ((PrintMeeting(0, 0, JOERG, BRAUEREI), PrintMeeting(0, 1, JOERG, KULTURHAUS)), "two meetings in round"),
        ((PrintMeeting(0, 2, JOERG, BRAUEREI),), "outside the plan"),
        ((PrintMeeting(3, 0, JOERG, BRAUEREI),), "outside the plan"),
        ((PrintMeeting(0, 0, BRAUEREI, JOERG),), "needs a known"),
        ((PrintMeeting(0, 0, 99, BRAUEREI),), "needs a known"),
    ],
)
def test_an_inconsistent_plan_is_refused(meetings, problem):
    with pytest.raises(ValueError, match=problem):
        small_plan(meetings=meetings)


def test_a_plan_needs_an_aware_start_time():
    with pytest.raises(ValueError):
        small_plan(starts_at=datetime(2024, 11, 16, 14, 0))


# -- the HTML ---------------------------------------------------------------------------------------


def render_html(app, part: str, plan: PrintablePlan | None = None) -> str:
    """The print template as the view will render it (its blueprint is not registered here, so the
    speed-dating templates are added to the app's template loader for this one render)."""
    env = app.jinja_env.overlay(loader=ChoiceLoader([FileSystemLoader(TEMPLATES), app.jinja_env.loader]))
    return env.get_template(f"speeddating/print/{part}.html").render(**print_context(plan or small_plan()), part=part)


@pytest.mark.parametrize("part", printing.PARTS)
def test_the_print_pages_are_self_contained_and_script_free(app, request_ctx, part):
    html = render_html(app, part)
    assert html.lstrip().lower().startswith("<!doctype html>")
    assert '<html lang="de">' in html
    assert 'href="/static/css/print.css?v=' in html  # the hub's own stylesheet, fingerprinted
    assert "style=" not in html and "<style" not in html and "<script" not in html
    assert not re.search(r"(src|href)=\"(https?:)?//", html)
    assert escape(_("To print, use your browser's print function (Ctrl+P).")) in html
    assert "<caption>" in html and '<th scope="col">' in html and '<th scope="row">' in html
    assert "Auftaktveranstaltung Erzgebirge" in html


def test_the_people_print_page_has_a_sheet_per_person(app, request_ctx):
    html = render_html(app, "people")
    assert html.count('<section class="sheet"') == 5
    joerg = html[html.index('id="person-1"') : html.index('id="person-11"')]
    assert "Jörg Weiß" in joerg and "Studio Weiß" in joerg
    assert re.search(r'<tr>\s*<th scope="row">1</th>\s*<td>14:00–14:07</td><td>1</td>', joerg)
    assert re.search(
        rf'<tr class="break">\s*<th scope="row">3</th>\s*<td>14:16–14:23</td><td>—</td><td>{_("Break")}</td>', joerg
    )


def test_the_tables_and_master_print_pages(app, request_ctx):
    tables = render_html(app, "tables")
    assert tables.count('<section class="sheet"') == 2
    assert _("Table %(number)s", number=2) in tables
    assert "<td>Koordination Brauerei (Alte Brauerei)</td><td>Jörg Weiß (Studio Weiß)</td>" in tables
    master = render_html(app, "master")
    assert '<body class="print-document master">' in master  # three tables or fewer: portrait
    assert "<td>Jörg Weiß\u00a0/\nAlte Brauerei</td>" in master
    wide = render_html(app, "master", big_plan(30, 20, 20, 2))
    assert "print-document master landscape" in wide
    assert wide.count('<section class="sheet"') == 2


def test_the_print_stylesheet_breaks_pages_and_loads_nothing_from_outside():
    css = (ROOT / "hub" / "static" / "css" / "print.css").read_text()
    assert "size: A4" in css and "break-after: page" in css
    assert "@import" not in css
    assert all(not url.startswith(("http", "//")) for url in re.findall(r"url\(\"?([^\")]+)", css))
    for url in re.findall(r"url\(\"?([^\")]+)", css):
        assert (ROOT / "hub" / "static" / "css" / url).resolve().is_file()


# -- serving ----------------------------------------------------------------------------------------


def test_a_pdf_response_is_shown_inline_with_a_safe_file_name(app, request_ctx):
    response = pdf_response(b"%PDF-1.4 ...", "Ablaufplan Jörg Weiß.pdf")
    assert response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('inline; filename="ablaufplan-joerg-weiss.pdf"')
    assert "filename*=UTF-8''Ablaufplan%20J%C3%B6rg%20Wei%C3%9F.pdf" in disposition
    assert "no-store" in response.headers["Cache-Control"]
    assert pdf_response(b"", "x.pdf", download=True).headers["Content-Disposition"].startswith("attachment;")


def test_slug_filename():
    assert slug_filename("Auftakt Schneeberg", "Tische") == "auftakt-schneeberg-tische.pdf"
    assert slug_filename("Größe & Übermaß!") == "groesse-uebermass.pdf"
    assert slug_filename("", "…") == "document.pdf"
