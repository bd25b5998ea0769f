"""`HubPDF`: the hub's A4 document on fpdf2. Import it where a document is made, not at the top of a module
that the app imports when it is built (hub/core/pdf.py says why)."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from flask_babel import gettext as _
from fpdf import FPDF

from hub.core.pdf import FONT_FAMILY, FONT_FILES, PAGE_COUNT_ALIAS, PT, created_note, font_path

logging.getLogger("fontTools").setLevel(logging.WARNING)  # its subsetter logs every glyph at INFO


class HubPDF(FPDF):
    """An A4 document with the hub's font, a header of title lines and a footer "Page x of y" on every page."""

    def __init__(
        self,
        title: str,
        header_lines: Sequence[str] = (),
        *,
        orientation: str = "portrait",
        author: str = "CIMIS Hub",
        generated_at: datetime | None = None,
        lang: str | None = None,
        compress: bool = True,
    ):
        super().__init__(orientation=orientation, unit="mm", format="A4")
        for style, filename in FONT_FILES.items():
            self.add_font(FONT_FAMILY, style, font_path(filename))
        self.set_font(FONT_FAMILY, size=10)
        self.set_margins(12, 12, 12)
        self.set_auto_page_break(True, margin=16)
        self.set_compression(compress)
        self.header_lines = [title, *header_lines]
        self._wrapped: dict[tuple, list[str]] = {}
        self._widths: dict[tuple, float] = {}
        self.generated_at = generated_at or datetime.now(UTC)
        self.footer_note = created_note(self.generated_at)
        self.set_title(title)
        self.set_author(author)
        self.set_creator("CIMIS Hub")
        self.set_creation_date(self.generated_at)
        self.alias_nb_pages(PAGE_COUNT_ALIAS)
        if lang:
            self.set_lang(lang)

    # -- page furniture -----------------------------------------------------------------------------

    def header(self) -> None:
        """The title in bold, the other lines small, a rule below."""
        if not self.header_lines:
            return
        title, *rest = self.header_lines
        self.paragraph(title, size=12, style="B", page_breaks=False)
        for line in rest:
            self.paragraph(line, size=8.5, page_breaks=False)
        self.set_line_width(0.3)
        self.line(self.l_margin, self.y + 1.5, self.w - self.r_margin, self.y + 1.5)
        self.set_y(self.y + 5)
        self.set_font(FONT_FAMILY, "", 10)

    def footer(self) -> None:
        """ "Page x of y" and when the document was made.

        The page count is filled in at the end, in the room its alias takes: left-aligned, a short count
        leaves blank room behind it instead of a gap in front.
        """
        self.set_font(FONT_FAMILY, "", 7.5)
        self.set_xy(self.l_margin, self.h - 11)
        page = _("Page %(page)s of %(pages)s", page=self.page_no(), pages=self.str_alias_nb_pages)
        self.cell(self.epw / 2, 4, page)  # cell(), not text(): fpdf2 fills in the alias only there
        self.cell(self.epw / 2, 4, self.footer_note, align="R")

    # -- content helpers ----------------------------------------------------------------------------

    def paragraph(
        self,
        text: str,
        size: float = 10,
        style: str = "",
        width: float | None = None,
        x: float | None = None,
        page_breaks: bool = True,
    ) -> None:
        """Text wrapped to `width` (default: to the right margin), starting at x (default: the left margin)."""
        self.set_font(FONT_FAMILY, style, size)
        x = self.l_margin if x is None else x
        line_height = size * PT * 1.3
        for line in self.wrap(text, width or (self.w - self.r_margin - x), max_lines=None):
            if page_breaks and self.y + line_height > self.page_break_trigger:
                self.add_page()
                self.set_font(FONT_FAMILY, style, size)
            self.text(x, self.y + line_height * 0.5 + size * PT * 0.35, line)
            self.set_y(self.y + line_height)

    def heading(self, text: str, size: float = 14, keep_with_next: float = 30) -> None:
        """A bold heading that never ends up alone at the bottom of a page."""
        if self.y + keep_with_next > self.page_break_trigger:
            self.add_page()
        self.paragraph(text, size=size, style="B")
        self.set_font(FONT_FAMILY, "", 10)
        self.ln(1.5)

    def key_value(self, rows: Iterable[tuple[str, str]], label_width: float = 40, size: float = 10) -> None:
        """Label: value lines, the labels bold; empty values are left out."""
        for label, value in rows:
            if value in (None, ""):
                continue
            if self.y + size * PT * 1.3 > self.page_break_trigger:
                self.add_page()
            top = self.y
            self.paragraph(f"{label}:", size=size, style="B", width=label_width - 2)
            below_label = self.y
            self.set_y(top)
            self.paragraph(str(value), size=size, x=self.l_margin + label_width)
            self.set_y(max(self.y, below_label))
        self.ln(2)

    def data_table(
        self,
        headings: Sequence[str],
        rows: Iterable[Sequence[str]],
        col_widths: Sequence[float | None] | None = None,
        repeat_headings: bool = True,
        size: float = 9,
        max_lines: int = 6,
    ) -> None:
        """A ruled table with a bold heading row, repeated on every page it runs onto.

        `col_widths` are relative weights of the usable width (like fpdf2's `table()`); None makes a column
        as wide as its widest cell. Long cell text wraps (at most `max_lines` lines). This draws with `text()`
        and `line()`, not with `FPDF.table()`: that one needs about 2 ms per cell, far too slow for a
        300-page schedule.
        """
        weights = list(col_widths or [1] * len(headings))
        fitted = {}
        if None in weights:
            rows = list(rows)
            for i, weight in enumerate(weights):
                if weight is None:
                    self.set_font(FONT_FAMILY, "B", size)
                    widest = self.string_width(headings[i])
                    self.set_font(FONT_FAMILY, "", size)
                    widest = max(widest, *(self.string_width(text) for text in {row[i] for row in rows} or {""}))
                    fitted[i] = min(widest + 2 * _TableDrawer.PADDING + 0.5, self.epw / 3)
        rest = self.epw - sum(fitted.values())
        total = sum(w for w in weights if w is not None) or 1
        widths = [fitted[i] if w is None else rest * w / total for i, w in enumerate(weights)]
        table = _TableDrawer(self, widths, size, max_lines)
        table.row(headings, heading=True)
        for cells in rows:
            if not table.row(cells):  # the page was full: a new one has begun
                if repeat_headings:
                    table.row(headings, heading=True)
                table.row(cells, force=True)
        table.close()
        self.ln(3)

    def wrap(self, text: str, width: float, max_lines: int | None = 6) -> list[str]:
        """The lines of `text` in the current font for a column `width` mm wide (words kept whole if they fit).

        Past `max_lines` (None: no limit) the text is cut, with an ellipsis.
        """
        key = (self.font_family, self.font_style, self.font_size_pt, text, width, max_lines)
        lines = self._wrapped.get(key)
        if lines is None:  # schedules repeat the same times and names thousands of times
            lines = self._wrapped[key] = self._wrap(str(text), width, max_lines)
        return lines

    def string_width(self, text: str) -> float:
        """`get_string_width()` in the current font, remembered: it costs as much as drawing the text."""
        key = (self.font_family, self.font_style, self.font_size_pt, text)
        width = self._widths.get(key)
        if width is None:
            width = self._widths[key] = self.get_string_width(text)
        return width

    def _wrap(self, text: str, width: float, max_lines: int | None) -> list[str]:
        lines: list[str] = []
        for paragraph in text.split("\n"):
            if self.string_width(paragraph) <= width:
                lines.append(paragraph)
                continue
            current = ""
            for word in paragraph.split(" "):
                candidate = f"{current} {word}" if current else word
                if self.string_width(candidate) <= width:
                    current = candidate
                    continue
                if current:
                    lines.append(current)
                current = word
                while self.string_width(current) > width and len(current) > 1:
                    cut = len(current) - 1
                    while cut > 1 and self.string_width(current[:cut]) > width:
                        cut -= 1
                    lines.append(current[:cut])
                    current = current[cut:]
            lines.append(current)
        if max_lines is not None and len(lines) > max_lines:
            lines = lines[:max_lines]
            lines[-1] = lines[-1][:-1] + "…"
        return lines

    def to_bytes(self) -> bytes:
        """The finished document."""
        return bytes(self.output())


class _TableDrawer:
    """Draws the rows of one `HubPDF.data_table`; the column rules once per page, not once per row."""

    PADDING = 1.2

    def __init__(self, pdf: HubPDF, widths: list[float], size: float, max_lines: int):
        self.pdf, self.widths, self.size, self.max_lines = pdf, widths, size, max_lines
        self.line_height = size * PT * 1.25
        self.top: float | None = None  # where the table began on this page

    def row(self, cells: Sequence[str], heading: bool = False, force: bool = False) -> bool:
        """Draw one row and return True; if it does not fit, start a new page instead and return False."""
        pdf, pad = self.pdf, self.PADDING
        pdf.set_font(FONT_FAMILY, "B" if heading else "", self.size)
        wrapped = [
            pdf.wrap(text, width - 2 * pad, self.max_lines) for text, width in zip(cells, self.widths, strict=True)
        ]
        height = max(len(lines) for lines in wrapped) * self.line_height + 2 * pad
        needed = 2 * height if heading else height  # a heading row keeps at least one row below it
        if not force and pdf.y + needed > pdf.page_break_trigger:
            self.close()
            pdf.add_page()
            if not heading:
                return False
        left, top = pdf.l_margin, pdf.y
        right = left + sum(self.widths)
        if self.top is None:
            self.top = top
            pdf.set_line_width(0.4)
            pdf.line(left, top, right, top)
        if heading:
            pdf.set_fill_color(230)
            pdf.rect(left, top, right - left, height, style="F")
            pdf.set_fill_color(0)  # as the text colour, so text() adds no colour operators
        baseline = top + pad + self.line_height * 0.5 + self.size * PT * 0.35
        x = left
        for lines, width in zip(wrapped, self.widths, strict=True):
            for i, line in enumerate(lines):
                if line:
                    pdf.text(x + pad, baseline + i * self.line_height, line)
            x += width
        pdf.set_line_width(0.4 if heading else 0.15)
        pdf.line(left, top + height, right, top + height)
        pdf.set_y(top + height)
        return True

    def close(self) -> None:
        """Draw the column rules of the part of the table on this page."""
        if self.top is None:
            return
        pdf = self.pdf
        pdf.set_line_width(0.15)
        x = pdf.l_margin
        for width in (0, *self.widths):
            x += width
            pdf.line(x, self.top, x, pdf.y)
        self.top = None
