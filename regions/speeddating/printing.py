"""Printable speed-dating schedules: one sheet per person, one per table and the master plan.

`print_context(plan)` makes every row once (times already in the plan's time zone and the user's
language); the PDFs of `schedule_pdf()` and the templates in templates/speeddating/print/ both show
those rows. Both need a Flask request context: the texts come from flask_babel.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from flask_babel import format_date, format_time, get_locale
from flask_babel import gettext as _

from hub.core.pdf import created_note
from regions.speeddating.vocab import Side

if TYPE_CHECKING:
    from hub.core.pdf_document import HubPDF

PARTS = ("people", "tables", "master")
DASH = "—"
PORTRAIT_TABLES = 5  # a master plan with more tables is printed landscape ...
TABLES_PER_BLOCK = 10  # ... in blocks of at most this many tables side by side


@dataclass(frozen=True)
class PrintPerson:
    id: int
    name: str
    side: Side
    organisation: str = ""

    @property
    def label(self) -> str:
        """Name and organisation: "Jörg Weiß (Alte Brauerei)"."""
        if self.organisation and self.organisation != self.name:
            return f"{self.name} ({self.organisation})"
        return self.name

    @property
    def short_label(self) -> str:
        """What fits into a cell of the master plan: the organisation's name, a creative's own name."""
        if self.side == Side.ORGANISATION and self.organisation:
            return self.organisation
        return self.name


@dataclass(frozen=True)
class PrintMeeting:
    round: int  # 0-based
    table: int  # 0-based
    creative_id: int
    organisation_id: int


@dataclass(frozen=True)
class PrintablePlan:
    """Everything the printed schedules of one speed-dating session show; times are UTC-aware."""

    session_title: str
    event_title: str
    venue: str
    region_name: str
    starts_at: datetime  # start of the first round
    round_minutes: int
    break_minutes: int
    tables: int
    rounds: int
    people: tuple[PrintPerson, ...]
    meetings: tuple[PrintMeeting, ...]
    timezone: str = "Europe/Berlin"

    def __post_init__(self):
        if self.starts_at.tzinfo is None:
            raise ValueError("starts_at must be timezone-aware (UTC)")
        if self.round_minutes <= 0 or self.break_minutes < 0 or self.rounds < 0 or self.tables < 0:
            raise ValueError("rounds, tables and minutes must not be negative")
        self._by_person  # noqa: B018 -- builds the indexes, which check the meetings

    def round_start(self, r: int) -> datetime:
        """When round r (0-based) begins, in the plan's time zone."""
        utc = self.starts_at + timedelta(minutes=r * (self.round_minutes + self.break_minutes))
        return utc.astimezone(ZoneInfo(self.timezone))

    def round_end(self, r: int) -> datetime:
        return self.round_start(r) + timedelta(minutes=self.round_minutes)

    def person(self, person_id: int) -> PrintPerson:
        return self._people[person_id]

    def meetings_of(self, person_id: int) -> dict[int, PrintMeeting]:
        """The person's meetings by round."""
        return self._by_person.get(person_id, {})

    def meeting_at(self, round: int, table: int) -> PrintMeeting | None:
        return self._grid.get((round, table))

    def partner(self, meeting: PrintMeeting, person_id: int) -> PrintPerson:
        """The other person of a meeting."""
        other = meeting.organisation_id if person_id == meeting.creative_id else meeting.creative_id
        return self._people[other]

    @cached_property
    def _people(self) -> dict[int, PrintPerson]:
        return {p.id: p for p in self.people}

    @cached_property
    def _grid(self) -> dict[tuple[int, int], PrintMeeting]:
        grid = {}
        for m in self.meetings:
            if not (0 <= m.round < self.rounds and 0 <= m.table < self.tables):
                raise ValueError(f"meeting outside the plan: round {m.round}, table {m.table}")
            if (m.round, m.table) in grid:
                raise ValueError(f"two meetings at table {m.table} in round {m.round}")
            grid[m.round, m.table] = m
        return grid

    @cached_property
    def _by_person(self) -> dict[int, dict[int, PrintMeeting]]:
        sides = {Side.CREATIVE: "creative_id", Side.ORGANISATION: "organisation_id"}
        found: dict[int, dict[int, PrintMeeting]] = {}
        for m in self._grid.values():
            for side, field in sides.items():
                person = self._people.get(getattr(m, field))
                if person is None or person.side != side:
                    raise ValueError(f"meeting in round {m.round} needs a known {side}, not {getattr(m, field)}")
                rounds = found.setdefault(person.id, {})
                if m.round in rounds:
                    raise ValueError(f"{person.name} has two meetings in round {m.round}")
                rounds[m.round] = m
        return found


# -- the rows -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PersonRow:
    round: int  # 1-based
    time: str
    table: int | None  # 1-based; None in a break
    partner: PrintPerson | None
    cells: tuple[str, str, str, str]  # as printed: round, time, table, partner (or "Break")

    @property
    def is_break(self) -> bool:
        return self.partner is None


@dataclass(frozen=True, slots=True)
class PersonSchedule:
    person: PrintPerson
    side_label: str
    meetings: int
    rows: tuple[PersonRow, ...]


@dataclass(frozen=True, slots=True)
class TableRow:
    round: int
    time: str
    organisation: PrintPerson | None
    creative: PrintPerson | None
    cells: tuple[str, str, str, str]  # as printed: round, time, organisation (or "free"), creative

    @property
    def is_free(self) -> bool:
        return self.organisation is None


@dataclass(frozen=True, slots=True)
class TableSchedule:
    number: int  # 1-based
    label: str  # "Table 3"
    rows: tuple[TableRow, ...]


@dataclass(frozen=True, slots=True)
class MasterRow:
    round: int
    time: str
    cells: tuple[str, ...]  # "creative / organisation" per table of the block, or "free"


@dataclass(frozen=True, slots=True)
class MasterBlock:
    first: int  # 1-based table numbers
    last: int
    label: str  # "Tables 1–10"
    table_labels: tuple[str, ...]
    rows: tuple[MasterRow, ...]


def table_blocks(tables: int, per_block: int = TABLES_PER_BLOCK) -> list[range]:
    """The tables (0-based) side by side on one page width, in blocks of even size: 12 -> 6 + 6."""
    if tables <= 0:
        return []
    blocks = math.ceil(tables / per_block)
    size = math.ceil(tables / blocks)
    return [range(start, min(start + size, tables)) for start in range(0, tables, size)]


def _clock(moment: datetime) -> str:
    """14:05 in the user's locale, in the time zone the plan's moment is in already."""
    return format_time(moment, "HH:mm", rebase=False)


def _sort_key(person: PrintPerson) -> tuple:
    plain = unicodedata.normalize("NFKD", person.name.casefold())
    return (person.side != Side.CREATIVE, "".join(c for c in plain if not unicodedata.combining(c)), person.id)


def print_context(
    plan: PrintablePlan, generated_at: datetime | None = None, only: Collection[int] | None = None
) -> dict:
    """Everything the three printed documents show, for the PDFs and the templates alike.

    `only`: the people whose sheets to make (default: everyone's), e.g. a participant's own schedule.
    """
    generated_at = generated_at or datetime.now(UTC)
    times = [f"{_clock(plan.round_start(r))}–{_clock(plan.round_end(r))}" for r in range(plan.rounds)]
    side_labels = {Side.CREATIVE: _("Creative participant"), Side.ORGANISATION: _("Organisation")}
    pause, free = _("Break"), _("free")
    people = []
    for person in sorted(plan.people, key=_sort_key):
        if only is not None and person.id not in only:
            continue
        mine = plan.meetings_of(person.id)
        rows = []
        for r in range(plan.rounds):
            if m := mine.get(r):
                partner = plan.partner(m, person.id)
                cells = (str(r + 1), times[r], str(m.table + 1), partner.label)
                rows.append(PersonRow(r + 1, times[r], m.table + 1, partner, cells))
            else:
                rows.append(PersonRow(r + 1, times[r], None, None, (str(r + 1), times[r], DASH, pause)))
        people.append(PersonSchedule(person, side_labels[person.side], len(mine), tuple(rows)))

    tables = []
    for t in range(plan.tables):
        rows = []
        for r in range(plan.rounds):
            if m := plan.meeting_at(r, t):
                org, creative = plan.person(m.organisation_id), plan.person(m.creative_id)
                cells = (str(r + 1), times[r], org.label, creative.label)
                rows.append(TableRow(r + 1, times[r], org, creative, cells))
            else:
                rows.append(TableRow(r + 1, times[r], None, None, (str(r + 1), times[r], free, DASH)))
        tables.append(TableSchedule(t + 1, _("Table %(number)s", number=t + 1), tuple(rows)))

    blocks = []
    for block in table_blocks(plan.tables, plan.tables if plan.tables <= PORTRAIT_TABLES else TABLES_PER_BLOCK):
        rows = []
        for r in range(plan.rounds):
            cells = []
            for t in block:
                m = plan.meeting_at(r, t)
                cells.append(
                    f"{plan.person(m.creative_id).short_label}\u00a0/\n{plan.person(m.organisation_id).short_label}"
                    if m
                    else free
                )
            rows.append(MasterRow(r + 1, times[r], tuple(cells)))
        first, last = block[0] + 1, block[-1] + 1
        blocks.append(
            MasterBlock(
                first,
                last,
                _("Tables %(first)s–%(last)s", first=first, last=last),
                tuple(_("Table %(number)s", number=t + 1) for t in block),
                tuple(rows),
            )
        )

    when = ""
    if plan.rounds:
        first, last = plan.round_start(0), plan.round_end(plan.rounds - 1)
        when = f"{format_date(first.date(), 'full')}, {_clock(first)}–{_clock(last)}"
    return {
        "plan": plan,
        "lang": str(get_locale() or "de").replace("_", "-"),
        "titles": {
            "people": _("Schedule per person"),
            "tables": _("Schedule per table"),
            "master": _("Master plan"),
        },
        "header_lines": [
            " · ".join(s for s in (plan.session_title, plan.event_title) if s),
            " · ".join(s for s in (when, plan.venue, plan.region_name) if s),
        ],
        "headings": {
            "people": (_("Round"), _("Time"), _("Table"), _("Conversation partner")),
            "tables": (_("Round"), _("Time"), _("Organisation"), _("Creative participant")),
            "master": (_("Round"), _("Time")),
        },
        "labels": {
            "organisation": _("Organisation"),
            "side": _("Taking part as"),
            "meetings": _("Meetings"),
            "break": pause,
            "free": free,
            "print_hint": _("To print, use your browser's print function (Ctrl+P)."),
        },
        "times": times,
        "people": people,
        "tables": tables,
        "master_blocks": blocks,
        "master_landscape": plan.tables > PORTRAIT_TABLES,
        "generated_at": generated_at,
        "created": created_note(generated_at),
    }


# -- the PDFs -------------------------------------------------------------------------------------


def schedule_pdf(
    plan: PrintablePlan,
    part: str,
    *,
    only: Collection[int] | None = None,
    generated_at: datetime | None = None,
    compress: bool = True,
) -> bytes:
    """One of the printed documents ("people", "tables" or "master") as PDF, in the user's language.

    `only` as for `print_context`; `compress=False` leaves the page contents readable (for tests).
    """
    if part not in PARTS:
        raise ValueError(f"unknown part {part!r}, expected one of {PARTS}")
    from hub.core.pdf_document import HubPDF  # fpdf2: loaded by the first PDF, not at start-up

    ctx = print_context(plan, generated_at, only)
    pdf = HubPDF(
        ctx["titles"][part],
        ctx["header_lines"],
        orientation="landscape" if part == "master" and ctx["master_landscape"] else "portrait",
        author=plan.region_name or "CIMIS Hub",
        generated_at=ctx["generated_at"],
        lang=ctx["lang"],
        compress=compress,
    )
    {"people": _people_pdf, "tables": _tables_pdf, "master": _master_pdf}[part](pdf, ctx)
    return pdf.to_bytes()


def _people_pdf(pdf: HubPDF, ctx: dict) -> None:
    labels = ctx["labels"]
    for schedule in ctx["people"]:
        pdf.add_page()
        pdf.heading(schedule.person.name)
        pdf.key_value(
            [
                (labels["organisation"], schedule.person.organisation),
                (labels["side"], schedule.side_label),
                (labels["meetings"], str(schedule.meetings)),
            ]
        )
        pdf.data_table(
            ctx["headings"]["people"], (row.cells for row in schedule.rows), col_widths=(None, None, None, 1)
        )


def _tables_pdf(pdf: HubPDF, ctx: dict) -> None:
    for schedule in ctx["tables"]:
        pdf.add_page()
        pdf.heading(schedule.label)
        pdf.data_table(ctx["headings"]["tables"], (row.cells for row in schedule.rows), col_widths=(None, None, 1, 1))


def _master_pdf(pdf: HubPDF, ctx: dict) -> None:
    if not ctx["master_blocks"]:
        pdf.add_page()
    for block in ctx["master_blocks"]:
        pdf.add_page()
        if len(ctx["master_blocks"]) > 1:
            pdf.heading(block.label, size=11)
        tables = len(block.table_labels)
        pdf.data_table(
            (*ctx["headings"]["master"], *block.table_labels),
            ((str(row.round), row.time, *row.cells) for row in block.rows),
            col_widths=(None, None, *[1] * tables),
            size=7 if tables > 4 else 8.5,
        )
