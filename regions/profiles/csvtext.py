"""CSV text as spreadsheet programs save it: its encoding, its delimiter, and its records, each with the
line of the file it starts on. Whatever cannot be read for certain refuses the file, naming the line."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable

from hub.core.schemas import _m

HEADER_SEARCH_ROWS = 10  # a title or a note may stand above the header row
UNREADABLE = _m("This file is not a readable CSV text. Please save it from Excel as CSV.")
# A well-formed UTF-8 sequence of two to four bytes (RFC 3629). Windows-1252 text holds none, unless it
# holds such letter pairs as "Ã¤" — which is how UTF-8 looks when it was read as Windows-1252 once.
UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]"
    rb"|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
LINE_END = re.compile(rb"\r\n|\r|\n")  # as the CSV reader ends lines


class CsvError(ValueError):
    """The text cannot be read as CSV for certain; ``message`` says why (and where) in the user's language."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) if the file is that; else Windows-1252, as older German Excel saves CSV,
    but only if no line is UTF-8: a file that mixes both would come out garbled either way."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"  # Excel's "Unicode text"
    else:
        try:
            return _checked(data.decode("utf-8-sig"))
        except UnicodeDecodeError as not_utf8:
            utf8 = UTF8_MULTIBYTE.search(data)
            if utf8 and b"\x00" not in data:
                raise CsvError(
                    _m(
                        "Line {line}: not in UTF-8, while line {utf8_line} is – the file mixes two character"
                        " encodings. Please save it again as “CSV UTF-8”."
                    ).format(line=_line_at(data, not_utf8.start), utf8_line=_line_at(data, utf8.start()))
                ) from not_utf8
        encoding = "cp1252"
    try:
        return _checked(data.decode(encoding))
    except UnicodeDecodeError as exc:
        raise CsvError(UNREADABLE) from exc


def _line_at(data: bytes, position: int) -> int:
    return len(LINE_END.findall(data, 0, position)) + 1


def _checked(text: str) -> str:
    """The text without an end-of-file mark; refused if it holds what no text file holds."""
    text = text.rstrip("\x1a")  # the end-of-file mark some old Windows programs still write
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\t\r\n")
    if "\x00" in text or controls > 5 + len(text) // 100:
        raise CsvError(UNREADABLE)
    return text


def records(text: str, header_score: Callable[[list[str]], int]) -> list[tuple[int, list[str]]]:
    """The records of the text, each with the line it starts on, split at the delimiter (semicolon, comma
    or tab) under which the header row names most columns (``header_score``)."""
    first_line, _, rest = text.partition("\n")
    sep = re.fullmatch(r'"?sep=(.)"?', first_line.strip(), re.IGNORECASE)
    if sep:  # Excel's own hint line: it names the delimiter and is no row (but still line 1 of the file)
        text, delimiter, skipped = rest, sep.group(1), 1
    else:
        lines = [line for line in text.splitlines() if line.strip()][:HEADER_SEARCH_ROWS]

        def score(delimiter):
            rows = csv.reader(lines, delimiter=delimiter)
            return max(((header_score(cells), len(cells)) for cells in rows), default=(0, 0))

        delimiter, skipped = max(";,\t", key=score), 0
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    found, line = [], skipped + 1
    try:
        for cells in reader:
            found.append((line, cells))
            line = skipped + reader.line_num + 1
    except csv.Error as exc:
        # The reader says what went wrong only in English words; these are its two about quotation marks.
        if "unexpected end of data" in str(exc):
            message = _m("Line {line}: a quoted field is not closed (a closing quotation mark is missing).")
        elif "expected after" in str(exc):
            line = skipped + reader.line_num
            message = _m(
                "Line {line}: after a closing quotation mark there must be the separator or the end of the line"
                " (a quotation mark inside a field is written twice)."
            )
        else:
            message = _m("Line {line} cannot be read as CSV.")
        raise CsvError(message.format(line=line)) from exc
    except TypeError as exc:  # a delimiter from the sep= line that is no single character
        raise CsvError(UNREADABLE) from exc
    return found
