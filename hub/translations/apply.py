"""Merge translations from a Python dict file into a catalogue: `python -m hub.translations.apply de FILE`.

The dict ``TRANSLATIONS`` maps English msgids to translations (plurals: the singular msgid to a
tuple); entries already translated are kept unless --force.
Prints the msgids that are still untranslated.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    """Apply the translations and list what is missing."""
    lang, source, *rest = argv
    force = "--force" in rest
    table = runpy.run_path(source)["TRANSLATIONS"]
    po = HERE / lang / "LC_MESSAGES" / "messages.po"
    with open(po, "rb") as fh:
        catalog = read_po(fh, locale=lang)
    missing = []
    for message in catalog:
        if not message.id:
            continue
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        empty = not (any(message.string) if isinstance(message.string, tuple) else message.string)
        if key in table and (force or empty):
            value = table[key]
            message.string = tuple(value) if isinstance(message.id, tuple) else value
            message.flags.discard("fuzzy")
            empty = False
        if empty:
            missing.append(key)
    with open(po, "wb") as fh:
        write_po(fh, catalog, width=100)
    for msgid in missing:
        print(f"untranslated: {msgid!r}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
