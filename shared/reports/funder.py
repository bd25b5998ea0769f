"""The funder report of a cohort (Bericht an den Fördermittelgeber) as a PDF in the user's language.

It shows what the dashboard shows, from the same `Dashboard`: the key figures, the charts (the very
SVGs of the pages, drawn by fpdf2), the tables by region, then the list of the cohort's matches with
challenge, status and outcome, and the funding of every match. Without a cohort it is a report for
the period (the matches running in it, as on the dashboard).

Speed: a thousand matches with long texts make about 370 pages in under two seconds (most of it
fpdf2 placing the text), far within the ten seconds the funder report may take.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import datetime

from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select

from hub.core.db import db
from hub.core.pdf import FONT_FAMILY, HubPDF
from hub.core.tenancy import all_regions
from hub.core.text import fold
from regions.matches.models import Match
from regions.matches.vocab import STATUS_LABELS, MatchStatus
from shared.reports import charts, services
from shared.reports.kpis import Dashboard, matches_in_scope
from shared.reports.tables import Table, display

TEXT_LIMIT = 600  # characters of a challenge or outcome in the list; the match's page has the rest
CHARTS = ("participants", "new_profiles", "matches", "funding")
TABLES = ("participants", "new_profiles", "events", "events_by_region", "matches", "funding", "cross_region")
LIST_SIZE = 8  # pt, the matches and funding lists
MONEY_KEYS = ("budget", "committed", "paid", "remaining")


@dataclass(frozen=True)
class MatchLine:
    """One match as the report lists it."""

    region: str
    title: str
    status: MatchStatus
    challenge: str
    outcome: str
    budget: int  # cents
    committed: int
    paid: int
    started: bool

    @property
    def remaining(self) -> int:
        return self.budget - self.paid

    @property
    def funded(self) -> bool:
        return self.started


def report_matches(report: Dashboard) -> list[MatchLine]:
    """The report's matches (the cohort's in its regions, or those running in its period), by region then title."""
    ids = [r.id for r in report.regions]
    # Cross-region reporting: the wall is opened read-only, and the query names the report's regions.
    with all_regions(read_only=True):
        found = db.session.execute(
            select(
                Match.id,
                Match.region_id,
                Match.title,
                Match.status,
                Match.challenge,
                Match.outcome,
                Match.budget_cents,
                Match.committed_cents,
                Match.paid_cents,
                Match.started_on,
            ).where(matches_in_scope(report.period, ids))
        ).all()
    regions = {r.id: r for r in report.regions}
    found = sorted(
        found,
        key=lambda m: (regions[m.region_id].position, regions[m.region_id].name, fold(m.title), m.title, m.id),
    )
    return [
        MatchLine(
            regions[m.region_id].name,
            m.title,
            MatchStatus(m.status),
            m.challenge or "",
            m.outcome or "",
            m.budget_cents,
            m.committed_cents,
            m.paid_cents,
            m.started_on is not None,
        )
        for m in found
    ]


def shorten(text: str, limit: int = TEXT_LIMIT) -> str:
    """The text on one line, at most `limit` characters, cut after a whole word with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if text[limit - 1] != " " and " " in cut[limit // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.–-") + "…"


def funder_report_pdf(report: Dashboard, *, generated_at: datetime | None = None, compress: bool = True) -> bytes:
    """The funder report of the dashboard's cohort (or period) as PDF; `compress=False` for tests."""
    period = report.period
    if period.cohort is not None:
        scope_line = _("Cohort: %(name)s", name=period.cohort.name)
    else:
        scope_line = _("Report for the period (no cohort chosen)")
    pdf = HubPDF(
        _("Report to the funder"),
        [
            scope_line,
            _(
                "Period: %(start)s – %(end)s",
                start=format_date(period.start, "medium"),
                end=format_date(period.end, "medium"),
            ),
            _("Regions: %(names)s", names=", ".join(r.name for r in report.regions)),
        ],
        author="CIMIS Hub",
        generated_at=generated_at,
        lang=str(get_locale() or "de").replace("_", "-"),
        compress=compress,
    )
    pdf.add_page()
    _key_figures(pdf, report)
    _charts(pdf, report)
    _tables(pdf, report)
    matches = report_matches(report)
    _match_list(pdf, report, matches)
    _funding_list(pdf, report, matches)
    return pdf.to_bytes()


# -- the parts --------------------------------------------------------------------------------------


def _key_figures(pdf: HubPDF, report: Dashboard) -> None:
    pdf.heading(_("Key figures"))
    figures = [(str(label), display(value, kind)) for _key, label, value, kind in report.headline()]
    cohort = report.period.cohort
    if cohort is not None:
        figures.append((_("Funding per match"), display(cohort.funding_per_match_cents, "money")))
        figures.append((_("Planned expert events"), display(cohort.planned_expert_events, "int")))
    pdf.key_value(figures, label_width=70)


def _svg_for_pdf(svg: Markup) -> io.BytesIO:
    """A chart as fpdf2 draws it: its labels in the PDF's own embedded font (the pages' font list names
    fonts fpdf2 would replace by an unembedded Helvetica without €), without the <title>/<desc> for
    screen readers, which fpdf2 does not draw."""
    text = str(svg).replace(f'font-family="{charts.FONT}"', f'font-family="{FONT_FAMILY}"')
    text = re.sub(r"<(title|desc)>[^<]*</\1>", "", text)
    return io.BytesIO(text.encode("utf-8"))


def _charts(pdf: HubPDF, report: Dashboard) -> None:
    drawn = services.dashboard_charts(report)
    pdf.heading(_("Charts"), keep_with_next=80)
    for key in CHARTS:
        pdf.image(_svg_for_pdf(drawn[key]), w=pdf.epw)
        pdf.ln(4)


def _table(pdf: HubPDF, table: Table) -> None:
    pdf.heading(str(table.title), size=12)
    headings = [str(c.label) for c in table.columns]
    rows = [[display(row.get(c.key), c.kind) for c in table.columns] for row in table.all_rows()]
    widths = [None if c.kind == "text" else 1 for c in table.columns]
    pdf.data_table(headings, rows, col_widths=widths, size=8.5 if len(table.columns) < 7 else 7.5)
    if str(table.note):
        pdf.paragraph(str(table.note), size=8)
        pdf.ln(3)


def _tables(pdf: HubPDF, report: Dashboard) -> None:
    pdf.add_page()
    pdf.heading(_("Figures in detail"))
    for key in TABLES:
        _table(pdf, report[key])


def _match_list(pdf: HubPDF, report: Dashboard, matches: list[MatchLine]) -> None:
    pdf.add_page()
    if report.period.cohort is not None:
        pdf.heading(_("Matches of the cohort"))
    else:
        pdf.heading(_("Matches in the period"))
    if not matches:
        pdf.paragraph(_("No matches yet."))
        return
    pdf.data_table(
        [_("Region"), _("Match"), _("Status"), _("Challenge"), _("Outcome")],
        [
            [m.region, shorten(m.title), str(STATUS_LABELS[m.status]), shorten(m.challenge), shorten(m.outcome)]
            for m in matches
        ],
        col_widths=(None, 3, None, 5, 4),  # region and status as wide as their words, the texts share the rest
        size=LIST_SIZE,
        max_lines=None,  # the texts are shortened already; wrapped between words, never cut
    )


def _funding_list(pdf: HubPDF, report: Dashboard, matches: list[MatchLine]) -> None:
    funded = [m for m in matches if m.funded]
    pdf.heading(_("Funding per match"), size=12)
    if not funded:
        pdf.paragraph(_("No matches yet."))
        return
    rows = [
        [
            m.region,
            shorten(m.title),
            str(STATUS_LABELS[m.status]),
            *(display(getattr(m, k), "money") for k in MONEY_KEYS),
        ]
        for m in funded
    ]
    total = [_("Total"), "", "", *(display(sum(getattr(m, k) for m in funded), "money") for k in MONEY_KEYS)]
    pdf.data_table(
        [_("Region"), _("Match"), _("Status"), _("Budget"), _("Committed"), _("Paid"), _("Remaining")],
        [*rows, total],
        col_widths=(None, 1, None, None, None, None, None),
        size=LIST_SIZE,
        max_lines=None,
    )
    pdf.paragraph(str(report["funding"].note), size=8)
