"""How the import reads an "Angebote" or "Bedarfe" cell (regions/profiles/terms.py): pure, no app, no database.

Each case is a cell as coordinators write it and what becomes of it: the terms (the profile's tags), the text
(sentences, and terms beyond 15), and what is left out.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regions.profiles.terms import _read, read_cell, text_with


@pytest.fixture(autouse=True)
def _clean_database():
    """Nothing to clean: these tests touch no database (this replaces the suite's autouse fixture here)."""
    yield


def reading(cell: str) -> tuple[list[str], str, list[str]]:
    found = read_cell(cell)
    return found.terms, found.text, list(found.left_out)


LISTS = {
    "commas": ("Fotografie, Video, Schnitt", ["Fotografie", "Video", "Schnitt"]),
    "semicolons": ("Tontechnik; Komposition; Live-Musik", ["Tontechnik", "Komposition", "Live-Musik"]),
    "line breaks": ("Fotografie\nVideo\r\nSchnitt", ["Fotografie", "Video", "Schnitt"]),
    "bullets": ("• Illustration\n• Siebdruck\n- Kurse für Kinder", ["Illustration", "Siebdruck", "Kurse für Kinder"]),
    "middle dots": ("Holz · Metall · Glas", ["Holz", "Metall", "Glas"]),
    "a final full stop": ("Fotografie, Video.", ["Fotografie", "Video"]),
    "und between single words": ("Fotografie, Video und Schnitt", ["Fotografie", "Video", "Schnitt"]),
    "u., oder, & and a spaced slash": (
        "Holz u. Metall; Ton & Licht; Audio / Video",
        ["Holz", "Metall", "Ton", "Licht", "Audio", "Video"],
    ),
    "a half word before und stays one term": ("Grafik- und Webdesign", ["Grafik- und Webdesign"]),
    "und between longer sides stays one term": ("Kunst am Bau und Skulptur", ["Kunst am Bau und Skulptur"]),
    "a phrase of up to six words": ("Beratung zu Fördermitteln der EU", ["Beratung zu Fördermitteln der EU"]),
    "a slash inside a word": ("Fotograf/in, Software/Games", ["Fotograf/in", "Software/Games"]),
    "commas in brackets become slashes": (
        "Übersetzung (Tschechisch, Polnisch), Video",
        ["Übersetzung (Tschechisch/Polnisch)", "Video"],
    ),
    "two letters are a term": ("3D-Druck, KI, VR", ["3D-Druck", "KI", "VR"]),
    "a term once, however spelled": ("Möbelbau, moebelbau, MÖBELBAU", ["Möbelbau"]),
    "quotation marks around a term": ("„Upcycling“, 'Design'", ["Upcycling", "Design"]),
    "English": ("Photography, Video and Editing", ["Photography", "Video", "Editing"]),
}


@pytest.mark.parametrize("cell,terms", list(LISTS.values()), ids=list(LISTS))
def test_a_list_gives_its_terms_and_no_text(cell, terms):
    assert reading(cell) == (terms, "", [])


SENTENCES = {
    "starts with Wir": "Wir suchen Räume für eine Ausstellung, gern in Görlitz oder Zittau.",
    "starts with Ich": "Ich biete Fotografie",
    "starts with an article": "Eine Werkstatt mit Drehbank",
    "starts with Unsere": "Unsere Werkstatt steht Vereinen offen",
    "more than six words": "Proberaum in Löbau oder Umgebung für zwei Abende in der Woche",
    "longer than 60 characters": "Kommunikationsberatungsdienstleistungsangebotsentwicklungsprojekte",
    "a sentence mark inside": "Beratung. Vernetzung. Förderung.",
    "an abbreviation": "z. B. Fotografie",
    "ends with a question mark": "Wer hat Räume?",
    "a colon": "Schwerpunkt: Fotografie",
    "a number with a decimal comma (no tag holds a comma)": "Räume bis 3,5 m Höhe",
    "an English sentence": "We are looking for a small office in Bautzen.",
}


@pytest.mark.parametrize("cell", list(SENTENCES.values()), ids=list(SENTENCES))
def test_a_sentence_is_kept_whole_as_text_and_gives_no_term(cell):
    assert reading(cell) == ([], cell, [])


def test_a_sentence_is_never_cut_at_its_commas_into_terms():
    cell = "Wir bieten Workshops, Beratung und Begleitung für Vereine an."
    assert reading(cell) == ([], cell, [])


def test_lines_of_terms_and_lines_of_sentences_are_read_each_for_itself():
    cell = "Etiketten-Design; Kommunikation und Marketing\nEin neues Logo für unser Jubiläum 2027."
    assert reading(cell) == (
        ["Etiketten-Design", "Kommunikation", "Marketing"],
        "Ein neues Logo für unser Jubiläum 2027.",
        [],
    )


def test_a_cell_of_sentences_only_is_kept_as_written():
    cell = "Wir suchen Räume; am liebsten in Zittau.\nAuch gern gebraucht!"
    assert reading(cell) == ([], cell, [])


LEFT_OUT = {
    "a single letter": ("Fotografie, a", ["Fotografie"], ["a"]),
    "a single capital letter": ("C++, C, Java", ["C++", "Java"], ["C"]),
    "a single digit": ("Video, 3", ["Video"], ["3"]),
    "a tick": ("x", [], ["x"]),
    "usw. as a part": ("Werkstatt, Holz, usw.", ["Werkstatt", "Holz"], ["usw."]),
    "usw. at a part's end": ("Fotografie, Video usw.", ["Fotografie", "Video"], ["usw."]),
    "etc.": ("Design etc.", ["Design"], ["etc."]),
    "u. v. m.": ("Holz, Metall u. v. m.", ["Holz", "Metall"], ["u. v. m."]),
    "und vieles mehr": ("Holz und vieles mehr", ["Holz"], ["und vieles mehr"]),
    "an ellipsis": ("Holz, Metall …", ["Holz", "Metall"], ["…"]),
    "keine": ("keine", [], ["keine"]),
    "k. A.": ("k. A.", [], ["k. A."]),
    "n/a": ("n/a", [], ["n/a"]),
}


@pytest.mark.parametrize("cell,terms,left_out", list(LEFT_OUT.values()), ids=list(LEFT_OUT))
def test_single_characters_fillers_and_words_for_nothing_are_left_out_and_named(cell, terms, left_out):
    assert reading(cell) == (terms, "", left_out)


@pytest.mark.parametrize("cell", ["-", "–", "/", "?", "...", " ", "", ";;", "-\n-"])
def test_a_cell_without_a_letter_or_digit_is_empty(cell):
    found = read_cell(cell)
    assert (found.terms, found.text, found.left_out, found.plain) == ([], "", (), True)


def test_the_first_15_terms_are_tags_and_the_others_join_the_text_as_one_list():
    terms = [f"Begriff {n}" for n in range(1, 19)]
    found = read_cell(", ".join(terms))
    assert found.terms == terms[:15] and found.extra_terms == tuple(terms[15:])
    assert found.text == "Begriff 16, Begriff 17, Begriff 18"


def test_sentences_and_the_list_beyond_15_go_one_to_a_line():
    found = read_cell("Wir suchen Räume.\n" + ", ".join(f"T{n:02d}" for n in range(17)))
    assert found.text == "Wir suchen Räume.\nT15, T16"


@pytest.mark.parametrize(
    "column,cell,text",
    [
        ("", "Wir suchen Räume.", "Wir suchen Räume."),
        (
            "Porträts seit 2010.",
            "Fotografie; Wir fliegen auch Drohnen.",
            "Porträts seit 2010.\n\nWir fliegen auch Drohnen.",
        ),
        ("Wir suchen Räume.", "Wir suchen Räume.", "Wir suchen Räume."),  # an export read back: not twice
        ("Porträts seit 2010.", "Fotografie", "Porträts seit 2010."),
    ],
)
def test_the_text_of_a_cell_goes_after_the_rows_text_column(column, cell, text):
    assert text_with(column, read_cell(cell)) == text


@pytest.mark.parametrize(
    "cell,plain",
    [
        ("Fotografie, Video; Schnitt", True),  # what the profile form would make of it too
        ("Holz und Metall", False),  # cut at "und"
        ("Fotografie\nVideo", False),  # cut at a line break
        ("Holz, holz", False),  # once
        ("Fotografie, x", False),  # left out
        ("Wir suchen Räume.", False),  # text
    ],
)
def test_a_reading_is_plain_when_the_terms_are_the_cell_cut_at_commas_and_semicolons(cell, plain):
    assert read_cell(cell).plain is plain


TOKENS = [
    "Fotografie", "Video", "Holz", "Metall", "Möbelbau", "moebelbau", "KI", "3D-Druck", "Software/Games", "a", "C",
    "3", "x", "Wir", "wir", "Ich", "Die", "Eine", "und", "Und", "u", "ODER", "sowie", "and", "or", "usw", "etc",
    "uvm", "keine", "Keine", "nichts", "none", "KA", "NA", "-", "_", "-Holz", "Grafik-", "5", "Kunst", "am", "Bau",
    "Räume", "für", "Kurse", "Ton", "Licht", "Begriff",
]  # fmt: skip
TOKENS += [f"T{n}" for n in range(20)]  # enough different words for more than 15 terms
SEPARATORS = [" ", " ", " ", ", ", ",", " , ", ",,", "  "]


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(TOKENS), st.sampled_from(SEPARATORS)), max_size=30))
def test_the_shortcut_for_plain_word_lists_reads_every_cell_as_the_rule_does(pieces):
    cell = "".join(token + separator for token, separator in pieces).strip()
    assert read_cell(cell) == _read(cell)
