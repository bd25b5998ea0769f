"""The hub's PDF documents: one look for all of them, with fonts from the hub's own files.

DejaVu Sans ships in hub/static/fonts (licence beside it): a PDF must never depend on the fonts of the
machine it is made on, nor fetch anything from the internet. `HubPDF` is an ordinary `fpdf.FPDF`, so
everything fpdf2 can do stays possible, e.g. an SVG chart: ``pdf.image(io.BytesIO(svg_bytes), w=120)``.

This module holds what the pages need without fpdf2 (the fonts, the footer's note, file names, the response);
`HubPDF` itself is in hub/core/pdf_document.py, imported inside the function that makes a document: fpdf2 and
fontTools cost a tenth of a second, which every command, worker and test would otherwise pay at start-up.
"""

from __future__ import annotations

import atexit
import functools
import re
import unicodedata
from contextlib import ExitStack
from datetime import datetime
from importlib.resources import as_file, files
from pathlib import Path
from urllib.parse import quote

from flask import Response
from flask_babel import format_datetime
from flask_babel import gettext as _

FONT_FAMILY = "DejaVu"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
PT = 25.4 / 72  # millimetres per point
PAGE_COUNT_ALIAS = "{pages}"  # holds room for 7 digits ("{nb}" only for 3)

_extracted = ExitStack()  # only used if the hub runs from a zip file
atexit.register(_extracted.close)


@functools.cache
def font_path(filename: str) -> Path:
    """A font file of hub/static/fonts as a path on disk."""
    return _extracted.enter_context(as_file(files("hub").joinpath("static", "fonts", filename)))


def created_note(when: datetime) -> str:
    """ "Created on 16.11.24, 14:00" in the user's language and time zone."""
    return _("Created on %(date)s", date=format_datetime(when, "short"))


def slug_filename(*parts: str, ext: str = "pdf") -> str:
    """A plain ASCII file name from words: ("Auftakt Schneeberg", "Tische") -> "auftakt-schneeberg-tische.pdf"."""
    text = "-".join(p for p in parts if p)
    for umlaut, plain in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("Ä", "Ae"), ("Ö", "Oe"), ("Ü", "Ue"), ("ß", "ss")):
        text = text.replace(umlaut, plain)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80].rstrip("-")
    return f"{slug or 'document'}.{ext}"


def pdf_response(data: bytes, filename: str, *, download: bool = False) -> Response:
    """Serve a PDF to be shown in the browser (or saved, with download=True); never cached by others."""
    ascii_name = slug_filename(filename.removesuffix(".pdf"))
    disposition = "attachment" if download else "inline"
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"
    )
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
