"""Enough of a PDF reader for the hub's own PDFs (HubPDF with ``compress=False``), for the tests.

The text is decoded through the embedded fonts' ToUnicode maps, so a test sees what a PDF viewer shows,
not what the code meant to write.
"""

from __future__ import annotations

import re


def pdf_pages(data: bytes) -> list[list[tuple[str, ...]]]:
    """The text of each page as lines (top to bottom), each line the text pieces at one height, left to right.

    Only text placed on the page itself (``Td``); text inside embedded SVG drawings is in `pdf_strings`.
    """
    pages = []
    for runs in _page_runs(data):
        pieces: dict[float, list[tuple[float, str]]] = {}
        for placed_by, x, y, text in runs:
            if placed_by == "Td":
                pieces.setdefault(round(y, 1), []).append((x, text))
        pages.append([tuple(t for _, t in sorted(pieces[y])) for y in sorted(pieces, reverse=True)])
    return pages


def pdf_strings(data: bytes) -> list[list[str]]:
    """Every text string drawn on each page, in drawing order: page text and the labels of SVG charts
    (fpdf2 places those with a text matrix, ``Tm``, in the drawing's own coordinates)."""
    return [[text for _, _, _, text in runs] for runs in _page_runs(data)]


def _page_runs(data: bytes) -> list[list[tuple[str, float, float, str]]]:
    """Per page, the text blocks as (Td | Tm, x, y, text).

    Enough of a PDF reader for HubPDF's uncompressed output: pages in /Kids order, text in BT..ET blocks,
    glyph codes mapped to characters through each font's ToUnicode CMap.
    """
    raw = data.decode("latin-1")
    objects = {int(n): body for n, body in re.findall(r"(?s)(\d+) 0 obj\s*(.*?)\s*endobj", raw)}

    def stream(number: int) -> str:
        return re.search(r"(?s)stream\r?\n(.*?)\r?\nendstream", objects[number]).group(1)

    unicode_maps = {}
    for number, body in objects.items():
        if "/Subtype /Type0" in body:
            cmap = stream(int(re.search(r"/ToUnicode (\d+) 0 R", body).group(1)))
            mapping = {}
            for section in re.findall(r"(?s)beginbfchar(.*?)endbfchar", cmap):
                for code, char in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", section):
                    mapping[int(code, 16)] = bytes.fromhex(char).decode("utf-16-be")
            for section in re.findall(r"(?s)beginbfrange(.*?)endbfrange", cmap):
                for start, end, char in re.findall(r"<(\w+)>\s*<(\w+)>\s*<(\w+)>", section):
                    for offset in range(int(end, 16) - int(start, 16) + 1):
                        mapping[int(start, 16) + offset] = chr(int(char, 16) + offset)
            unicode_maps[number] = mapping
    font_names = {}
    for body in objects.values():
        for fonts in re.findall(r"(?s)/Font\s*<<(.*?)>>", body):
            font_names.update({name: unicode_maps[int(n)] for name, n in re.findall(r"/(F\d+) (\d+) 0 R", fonts)})

    tree = next(body for body in objects.values() if re.search(r"/Type /Pages\b", body))
    kids = re.search(r"/Kids \[([^\]]*)\]", tree).group(1)
    pages = []
    for page_number in (int(n) for n in re.findall(r"(\d+) 0 R", kids)):
        content = stream(int(re.search(r"/Contents (\d+) 0 R", objects[page_number]).group(1)))
        runs = []
        font = None
        for block in re.findall(r"(?s)BT (.*?) ET", content):
            if choice := re.search(r"/(F\d+) [\d.]+ Tf", block):
                font = choice.group(1)
            if position := re.search(r"([\d.]+) ([\d.]+) Td", block):
                placed_by = "Td"
            elif position := re.search(r"(-?[\d.]+) (-?[\d.]+) Tm", block):
                placed_by = "Tm"
            else:
                continue
            x, y = map(float, position.groups())
            text = "".join(
                _decode(literal, font_names[font]) for literal in re.findall(r"(?s)\(((?:\\.|[^\\)])*)\)\s*Tj", block)
            )
            runs.append((placed_by, x, y, text))
        pages.append(runs)
    return pages


def _decode(literal: str, mapping: dict[int, str]) -> str:
    escapes = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f"}
    raw = re.sub(
        r"\\([0-7]{1,3}|.)",
        lambda m: chr(int(m.group(1), 8)) if m.group(1).isdigit() else escapes.get(m.group(1), m.group(1)),
        literal,
    ).encode("latin-1")
    return "".join(mapping[int.from_bytes(raw[i : i + 2], "big")] for i in range(0, len(raw), 2))


def texts(page: list[tuple[str, ...]]) -> set[str]:
    """All text pieces of a page of `pdf_pages`."""
    return {piece for line in page for piece in line}
