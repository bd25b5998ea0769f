"""Merge translations from a Python dict file into a catalogue: `python -m hub.translations.apply de FILE`.

The dict maps English msgids to translations; entries already translated are kept unless --force.
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
        if message.id in table and (force or not message.string):
            message.string = table[message.id]
            message.flags.discard("fuzzy")
        if not message.string:
            missing.append(message.id)
    with open(po, "wb") as fh:
        write_po(fh, catalog, width=100)
    for msgid in missing:
        print(f"untranslated: {msgid!r}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
