"""Participant lists as coordinators' spreadsheet programs save them, each with the profiles it must give.

``VALID_FILES`` are files an import must take whole: Excel's "CSV UTF-8", its plain CSV (Windows-1252), its
tab-separated and Unicode text, LibreOffice's and Google Sheets' CSV, workbooks written by openpyxl, cells
over several lines, sentences, single letters and fillers in Angebote and Bedarfe, empty optional columns.
Each comes with the profiles it must store (``Expected``), written out by hand from the reading rule of
regions/profiles/terms.py. ``BROKEN_FILES`` must be refused whole, with a message that names row and column.
``big_file`` writes the 10,050-row list.

Why one module: every file is built from the same six participants and the same writers; apart, a reader
would have to hold them together to see what a file must give.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field, replace

import openpyxl

GERMAN_HEADER = [
    "Name",
    "Art",
    "Organisation",
    "E-Mail",
    "Telefon",
    "Ort",
    "Website",
    "Kurzbeschreibung",
    "Teilmärkte",
    "Branche",
    "Angebote",
    "Bedarfe",
    "Sprachen",
]


@dataclass(frozen=True)
class Expected:
    """One profile as the import must store it."""

    display_name: str
    kind: str
    contact_email: str
    organisation_name: str = ""
    contact_phone: str = ""
    town: str = ""
    website: str = ""
    pitch: str = ""
    submarkets: tuple[str, ...] = ()
    sector: str = ""
    offer_tags: tuple[str, ...] = ()
    offers_text: str = ""
    need_tags: tuple[str, ...] = ()
    needs_text: str = ""
    languages: tuple[str, ...] = ()

    @classmethod
    def of(cls, profile) -> Expected:
        """What a stored profile holds, in the same shape."""
        return cls(
            **{
                name: tuple(value) if isinstance(value, list) else getattr(value, "value", value)
                for name in cls.__dataclass_fields__
                for value in [getattr(profile, name)]
            }
        )


@dataclass(frozen=True)
class Participant:
    """One row: its cells by German heading, and the profile it gives."""

    cells: dict[str, str | int]
    expected: Expected

    def row(self, header: list[str]) -> list:
        return [self.cells.get(heading, "") for heading in header]


@dataclass
class SampleFile:
    """A file to upload, and what it must give: the stored profiles, or the refusal's messages."""

    filename: str
    data: bytes
    expected: list[Expected] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)  # for a broken file: what the refusal must say


# -- the participants: the same six in most files -----------------------------------------------------

ANNA = Participant(
    {
        "Name": "Anna Schröder",
        "Art": "Kreative",
        "E-Mail": "anna.schroeder@example.org",
        "Telefon": "0351 4567890",
        "Ort": "Görlitz",
        "Website": "www.anna-schroeder.example",
        "Kurzbeschreibung": "Fotografin für Menschen und Räume",
        "Teilmärkte": "Designwirtschaft, Kunstmarkt",
        "Angebote": "Fotografie, Video und Schnitt",
        "Bedarfe": "Wir suchen Räume für eine Ausstellung im Frühjahr, gern in Görlitz oder Zittau.",
        "Sprachen": "Deutsch, Englisch",
    },
    Expected(
        "Anna Schröder",
        "creative",
        "anna.schroeder@example.org",
        contact_phone="0351 4567890",
        town="Görlitz",
        website="https://www.anna-schroeder.example",
        pitch="Fotografin für Menschen und Räume",
        submarkets=("design", "art"),
        offer_tags=("Fotografie", "Video", "Schnitt"),
        needs_text="Wir suchen Räume für eine Ausstellung im Frühjahr, gern in Görlitz oder Zittau.",
        languages=("de", "en"),
    ),
)
JOERG = Participant(
    {
        "Name": "Jörg Weiß",
        "Art": "Kreativ",
        "E-Mail": "joerg.weiss@example.org",
        "Ort": "Löbau",
        "Teilmärkte": "Musikwirtschaft",
        "Angebote": "Tontechnik; Komposition; Live-Musik",
        "Bedarfe": "Proberaum in Löbau oder Umgebung für zwei Abende in der Woche",
        "Sprachen": "Deutsch",
    },
    Expected(
        "Jörg Weiß",
        "creative",
        "joerg.weiss@example.org",
        town="Löbau",
        submarkets=("music",),
        offer_tags=("Tontechnik", "Komposition", "Live-Musik"),
        needs_text="Proberaum in Löbau oder Umgebung für zwei Abende in der Woche",
        languages=("de",),
    ),
)
HOLZWERK = Participant(
    {
        "Name": "Holzwerk Zittau",
        "Art": "Verein",
        "Organisation": "Holzwerk Zittau e. V.",
        "E-Mail": "info@holzwerk-zittau.example",
        "Telefon": "+49 3583 12345",
        "Ort": "Zittau",
        "Website": "https://holzwerk-zittau.example",
        "Kurzbeschreibung": "Offene Werkstatt für Holz und Metall",
        "Branche": "Handwerk",
        "Angebote": "Werkstatt, Holz u. Metall, x",
        "Bedarfe": "Grafik- und Webdesign, Fotografie, usw.",
    },
    Expected(
        "Holzwerk Zittau",
        "organisation",
        "info@holzwerk-zittau.example",
        organisation_name="Holzwerk Zittau e. V.",
        contact_phone="+49 3583 12345",
        town="Zittau",
        website="https://holzwerk-zittau.example",
        pitch="Offene Werkstatt für Holz und Metall",
        sector="Handwerk",
        offer_tags=("Werkstatt", "Holz", "Metall"),
        need_tags=("Grafik- und Webdesign", "Fotografie"),
    ),
)
KAETHE = Participant(
    {
        "Name": "Käthe Größel",
        "Art": "Kreativschaffende",
        "E-Mail": "kaethe.groessel@example.org",
        "Telefon": "03733 / 12345",
        "Ort": "Annaberg-Buchholz",
        "Kurzbeschreibung": "Weißnäherin – Maß & Stoff",
        "Teilmärkte": "Designwirtschaft",
        "Angebote": "Weißnäherei, Übersetzung (Tschechisch, Polnisch)",
        "Bedarfe": "-",
        "Sprachen": "Deutsch; Tschechisch; Polnisch",
    },
    Expected(
        "Käthe Größel",
        "creative",
        "kaethe.groessel@example.org",
        contact_phone="03733 / 12345",
        town="Annaberg-Buchholz",
        pitch="Weißnäherin – Maß & Stoff",
        submarkets=("design",),
        offer_tags=("Weißnäherei", "Übersetzung (Tschechisch/Polnisch)"),
        languages=("de", "cs", "pl"),
    ),
)
BRAUHAUS = Participant(
    {
        "Name": "Brauhaus Meißen",
        "Art": "Organisation",
        "Organisation": "Brauhaus Meißen GmbH",
        "E-Mail": "kontakt@brauhaus-meissen.example",
        "Telefon": "03521 7654321",
        "Ort": "Meißen",
        "Branche": "Gastronomie",
        "Angebote": "Räume für Veranstaltungen",
        "Bedarfe": "Etiketten-Design; Kommunikation und Marketing\nEin neues Logo für unser Jubiläum 2027.",
    },
    Expected(
        "Brauhaus Meißen",
        "organisation",
        "kontakt@brauhaus-meissen.example",
        organisation_name="Brauhaus Meißen GmbH",
        contact_phone="03521 7654321",
        town="Meißen",
        sector="Gastronomie",
        offer_tags=("Räume für Veranstaltungen",),
        need_tags=("Etiketten-Design", "Kommunikation", "Marketing"),
        needs_text="Ein neues Logo für unser Jubiläum 2027.",
    ),
)
STUDIO = Participant(
    {
        "Name": "Studio Ü",
        "Art": "Kreative",
        "E-Mail": "hallo@studio-ue.example",
        "Ort": "Freiberg",
        "Teilmärkte": "Software-/Games-Industrie",
        "Angebote": "3D-Druck, C, KI",
        "Bedarfe": "keine",
        "Sprachen": "Englisch",
    },
    Expected(
        "Studio Ü",
        "creative",
        "hallo@studio-ue.example",
        town="Freiberg",
        submarkets=("software_games",),
        offer_tags=("3D-Druck", "KI"),
        languages=("en",),
    ),
)
SIX = [ANNA, JOERG, HOLZWERK, KAETHE, BRAUHAUS, STUDIO]


# -- writers -----------------------------------------------------------------------------------------


def csv_bytes(
    rows: list[list],
    *,
    delimiter: str = ";",
    encoding: str = "utf-8-sig",
    newline: str = "\r\n",
    quoting: int = csv.QUOTE_MINIMAL,
    before: str = "",
) -> bytes:
    """Rows as a spreadsheet program writes CSV; cells keep their own line breaks (Excel: CRLF inside too)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline, quoting=quoting)
    writer.writerows(rows)
    return (before + out.getvalue()).encode(encoding)


def table(people: list[Participant], header: list[str] = GERMAN_HEADER) -> list[list]:
    return [header, *(p.row(header) for p in people)]


def xlsx_bytes(rows: list[list], *, above: list[list] = (), notes: bool = False) -> bytes:
    """A workbook from openpyxl: the rows on the first sheet (below ``above``), optionally a notes sheet."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Teilnehmende"
    for row in [*above, *rows]:
        sheet.append([cell.replace("\r\n", "\n") if isinstance(cell, str) else cell for cell in row])
    if notes:
        workbook.create_sheet("Notizen").append(["Name", "Art", "E-Mail"])
        workbook["Notizen"].append(["Nicht importieren", "Kreative", "nein@example.org"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def expected(people: list[Participant]) -> list[Expected]:
    return [p.expected for p in people]


# -- the valid files ---------------------------------------------------------------------------------


def _same_six(filename: str, data: bytes) -> SampleFile:
    return SampleFile(filename, data, expected(SIX))


def _many_terms() -> SampleFile:
    terms = [f"Begriff {n}" for n in range(1, 19)]
    person = Participant(
        {"Name": "Viele Begriffe", "Art": "Kreative", "E-Mail": "viele@example.org", "Angebote": ", ".join(terms)},
        Expected(
            "Viele Begriffe",
            "creative",
            "viele@example.org",
            offer_tags=tuple(terms[:15]),
            offers_text="Begriff 16, Begriff 17, Begriff 18",
        ),
    )
    return SampleFile("viele-begriffe.csv", csv_bytes(table([person, ANNA])), expected([person, ANNA]))


def _text_columns() -> SampleFile:
    header = [*GERMAN_HEADER, "Angebote (Text)", "Bedarfe (Text)"]
    anna = Participant(
        {
            **ANNA.cells,
            "Angebote": "Fotografie; Wir arbeiten auch mit Drohnen.",
            "Angebote (Text)": "Porträts und Reportagen seit 2010.",
            "Bedarfe (Text)": "Räume für eine Ausstellung.",
        },
        replace(
            ANNA.expected,
            offer_tags=("Fotografie",),
            offers_text="Porträts und Reportagen seit 2010.\n\nWir arbeiten auch mit Drohnen.",
            needs_text="Räume für eine Ausstellung.\n\n" + ANNA.expected.needs_text,
        ),
    )
    joerg = Participant({**JOERG.cells, "Bedarfe (Text)": JOERG.cells["Bedarfe"]}, JOERG.expected)
    return SampleFile("mit-textspalten.csv", csv_bytes(table([anna, joerg], header)), expected([anna, joerg]))


def _bullets_over_lines() -> SampleFile:
    person = Participant(
        {
            "Name": "Grit Böhme",
            "Art": "Kreative",
            "E-Mail": "grit.boehme@example.org",
            "Angebote": "• Illustration\n• Siebdruck\n• Kurse für Kinder",
            "Bedarfe": "- Atelier\r\n- Wir suchen eine Druckpresse, gern gebraucht.\r\n- Förderung",  # CRLF in a cell
        },
        Expected(
            "Grit Böhme",
            "creative",
            "grit.boehme@example.org",
            offer_tags=("Illustration", "Siebdruck", "Kurse für Kinder"),
            need_tags=("Atelier", "Förderung"),
            needs_text="Wir suchen eine Druckpresse, gern gebraucht.",
        ),
    )
    people = [person, BRAUHAUS]
    return SampleFile("aufzaehlungen.csv", csv_bytes(table(people), delimiter=",", newline="\n"), expected(people))


def _placeholders() -> SampleFile:
    rows, wanted = [], []
    for n, (offers, needs) in enumerate([("k. A.", "n/a"), ("–", "/"), ("keine Angabe", "?"), ("x", "")], start=1):
        name, email = f"Ohne Angaben {n}", f"leer{n}@example.org"
        cells = {"Name": name, "Art": "Kreative", "E-Mail": email, "Angebote": offers, "Bedarfe": needs}
        rows.append(Participant(cells, Expected(name, "creative", email)))
        wanted.append(rows[-1].expected)
    return SampleFile("platzhalter.csv", csv_bytes(table(rows)), wanted)


def _only_required_columns() -> SampleFile:
    header = ["Name", "Art", "E-Mail"]
    return SampleFile(
        "nur-pflichtspalten.csv",
        csv_bytes(table(SIX, header)),
        [Expected(p.display_name, p.kind, p.contact_email) for p in expected(SIX)],
    )


def _empty_optional_columns() -> SampleFile:
    people = [Participant({k: p.cells[k] for k in ("Name", "Art", "E-Mail")}, p.expected) for p in SIX]
    return SampleFile(
        "leere-spalten.csv",
        csv_bytes(table(people)),
        [Expected(p.display_name, p.kind, p.contact_email) for p in expected(SIX)],
    )


def _english_headings() -> SampleFile:
    header = ["display_name", "kind", "contact_email", "town", "submarkets", "offers", "needs", "languages"]
    rows = [
        header,
        [
            "Studio North",
            "creative",
            "north@example.org",
            "Bautzen",
            "design; software_games",
            "Photography, Video and Editing",
            "We are looking for a small office in Bautzen.",
            "en, de",
        ],
    ]
    wanted = Expected(
        "Studio North",
        "creative",
        "north@example.org",
        town="Bautzen",
        submarkets=("design", "software_games"),
        offer_tags=("Photography", "Video", "Editing"),
        needs_text="We are looking for a small office in Bautzen.",
        languages=("en", "de"),
    )
    return SampleFile("english.csv", csv_bytes(rows, delimiter=",", encoding="utf-8"), [wanted])


def _trailing_empty_columns_and_lines() -> SampleFile:
    rows = [[*row, "", ""] for row in table(SIX)] + [[""] * (len(GERMAN_HEADER) + 2)] * 3
    return _same_six("mit-leeren-zeilen.csv", csv_bytes(rows))


def _xlsx_numbers_and_line_breaks() -> SampleFile:
    anna = Participant({**ANNA.cells, "Telefon": 3514567890}, replace(ANNA.expected, contact_phone="3514567890"))
    people = [anna, JOERG, BRAUHAUS]
    return SampleFile("zahlen.xlsx", xlsx_bytes(table(people)), expected(people))


def _sentences_only() -> SampleFile:
    offers = (
        "Ich bin Fotografin und begleite Unternehmen, Vereine und Kommunen bei ihrer Öffentlichkeitsarbeit, "
        "von der Idee bis zum fertigen Bild."
    )
    needs = "Eine Werkstatt mit Drehbank. Außerdem Kontakt zu Betrieben, die Holz verarbeiten!"
    person = Participant(
        {
            "Name": "Ines Kühn",
            "Art": "Kreative",
            "E-Mail": "ines.kuehn@example.org",
            "Angebote": offers,
            "Bedarfe": needs,
        },
        Expected("Ines Kühn", "creative", "ines.kuehn@example.org", offers_text=offers, needs_text=needs),
    )
    return SampleFile("saetze.csv", csv_bytes(table([person, HOLZWERK])), expected([person, HOLZWERK]))


def valid_files() -> dict[str, SampleFile]:
    """Every valid file by a name that says what it is."""
    six = table(SIX)
    return {
        "Excel CSV UTF-8 (BOM, semicolons, CRLF)": _same_six("excel-utf8.csv", csv_bytes(six)),
        "Excel CSV (Windows-1252, semicolons, CRLF)": _same_six("excel.csv", csv_bytes(six, encoding="cp1252")),
        "Excel CSV with its sep=; line": _same_six("excel-sep.csv", csv_bytes(six, before="sep=;\r\n")),
        "Excel Unicode text (UTF-16, tabs)": _same_six(
            "excel-unicode.txt", csv_bytes(six, delimiter="\t", encoding="utf-16")
        ),
        "Excel text (Windows-1252, tabs)": _same_six(
            "excel-tabs.txt", csv_bytes(six, delimiter="\t", encoding="cp1252")
        ),
        "LibreOffice CSV (commas, UTF-8, LF)": _same_six(
            "libreoffice.csv", csv_bytes(six, delimiter=",", encoding="utf-8", newline="\n")
        ),
        "LibreOffice CSV, every text cell quoted": _same_six(
            "libreoffice-quoted.csv",
            csv_bytes(six, delimiter=",", encoding="utf-8", newline="\n", quoting=csv.QUOTE_NONNUMERIC),
        ),
        "Google Sheets CSV (commas, UTF-8, CRLF)": _same_six(
            "google.csv", csv_bytes(six, delimiter=",", encoding="utf-8")
        ),
        "TSV in UTF-8": _same_six("liste.tsv", csv_bytes(six, delimiter="\t", encoding="utf-8", newline="\n")),
        "CSV with trailing empty columns and lines": _trailing_empty_columns_and_lines(),
        "XLSX from openpyxl": _same_six("liste.xlsx", xlsx_bytes(six)),
        "XLSX with a title above the header and a notes sheet": _same_six(
            "mit-titel.xlsx", xlsx_bytes(six, above=[["Teilnehmende 2026"], []], notes=True)
        ),
        "XLSX with numbers and line breaks in cells": _xlsx_numbers_and_line_breaks(),
        "Windows-1252 with commas, as an English Excel saves it": _same_six(
            "umlaute.csv", csv_bytes(six, encoding="cp1252", delimiter=",")
        ),
        "sentences in Angebote and Bedarfe": _sentences_only(),
        "more than 15 terms": _many_terms(),
        "Angebote (Text) and Bedarfe (Text) columns beside the cells": _text_columns(),
        "bullets and lines in quoted cells": _bullets_over_lines(),
        "placeholders and single letters": _placeholders(),
        "only the required columns": _only_required_columns(),
        "empty optional columns": _empty_optional_columns(),
        "English headings and codes": _english_headings(),
        "CSV UTF-8 without BOM": _same_six("ohne-bom.csv", csv_bytes(six, encoding="utf-8")),
    }


# -- the big file ------------------------------------------------------------------------------------

BIG_ROWS = 10_050


def big_participant(n: int) -> Participant:
    """Row ``n`` of the big file: one of the six, with a name and address of its own."""
    model = SIX[n % len(SIX)]
    local, domain = model.cells["E-Mail"].split("@")
    email = f"{local}.{n}@{domain}"
    name = f"{model.cells['Name']} {n}"
    return Participant(
        {**model.cells, "Name": name, "E-Mail": email},
        replace(model.expected, display_name=name, contact_email=email),
    )


def big_file(broken: int | None = None) -> SampleFile:
    """10,050 participants as Excel's "CSV UTF-8". With ``broken``, that participant (counted from 0) has a bad
    address, and ``messages`` holds the line of the file it starts on (cells over two lines push it down)."""
    people = [big_participant(n) for n in range(BIG_ROWS)]
    rows = table(people)
    messages = []
    if broken is not None:
        rows[broken + 1][GERMAN_HEADER.index("E-Mail")] = "kaputt@"
        line = 1 + sum(1 + sum(str(cell).count("\n") for cell in row) for row in rows[: broken + 1])
        messages = [str(line), "E-Mail: Not a valid e-mail address."]
    return SampleFile("zehntausend.csv", csv_bytes(rows), expected(people), messages)


# -- broken files: refused whole ---------------------------------------------------------------------


def _with(people: list[Participant], row: int, **cells) -> list[list]:
    """The table of the people, spreadsheet row ``row`` changed."""
    rows = table(people)
    for heading, value in cells.items():
        rows[row - 1][GERMAN_HEADER.index(heading.replace("_", "-"))] = value
    return rows


def broken_files() -> dict[str, SampleFile]:
    """Files that must be refused whole, each with what the refusal must say (row and column)."""
    too_long = "Wir bieten " + "sehr viel " * 205 + "an."
    rows_with_extra_field = table(SIX)
    rows_with_extra_field[3] = [*rows_with_extra_field[3], "Notiz"]
    mixed = csv_bytes(table(SIX[:2]), encoding="utf-8") + csv_bytes([KAETHE.row(GERMAN_HEADER)], encoding="cp1252")
    return {
        "invalid e-mail": SampleFile(
            "mail.csv",
            csv_bytes(_with(SIX, 4, E_Mail="holzwerk@")),
            messages=["4", "E-Mail: Not a valid e-mail address."],
        ),
        "duplicate row": SampleFile(
            "doppelt.csv",
            csv_bytes([*table(SIX), ANNA.row(GERMAN_HEADER)]),
            messages=["9", "E-Mail: The same e-mail address as in row 2."],  # line 9: Brauhaus takes two lines
        ),
        "unknown kind": SampleFile(
            "art.csv",
            csv_bytes(_with(SIX, 3, Art="Freelancer")),
            messages=["3", "Art: Unknown kind “Freelancer”: use Kreative or Organisation."],
        ),
        "sentence too long for the text": SampleFile(
            "lang.csv",
            csv_bytes(_with(SIX, 5, Angebote=too_long)),
            messages=["5", "Angebote: With the sentences of this cell the text would be longer than 2000 characters."],
        ),
        "missing required column": SampleFile(
            "ohne-art.csv",
            csv_bytes(table(SIX, [h for h in GERMAN_HEADER if h != "Art"])),
            messages=["The file has no column for: Kind."],
        ),
        "two columns for one field": SampleFile(
            "zwei-mail.csv",
            csv_bytes(table(SIX, [*GERMAN_HEADER, "Mail"])),
            messages=["The columns E-Mail and Mail mean the same field."],
        ),
        "a row with one field too many": SampleFile(
            "feld.csv", csv_bytes(rows_with_extra_field), messages=["Line 4: 14 fields instead of 13."]
        ),
        "two encodings in one file": SampleFile(
            "gemischt.csv", mixed, messages=["Line 4: not in UTF-8, while line 1 is"]
        ),
        "a quotation mark left open": SampleFile(
            "anfuehrung.csv",
            csv_bytes(table(SIX[:2])) + 'Käthe;"Kreative;x@example.org\r\n'.encode(),
            messages=["Line 4: a quoted field is not closed"],
        ),
        "a value right of the last heading": SampleFile(
            "rechts.xlsx",
            xlsx_bytes([*table(SIX[:2]), [*KAETHE.row(GERMAN_HEADER), "Notiz"]]),
            messages=["Row 4: a value in column N, to the right of the last heading."],
        ),
    }
