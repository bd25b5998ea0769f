"""Fill the English catalogue: the msgids are English, so each translation is its msgid.

Run by `make extract-messages` after `pybabel update`, so that the English catalogue is complete too.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parent / "en" / "LC_MESSAGES" / "messages.po"


def main() -> None:
    """Copy every msgid into its empty English msgstr."""
    with open(PO, "rb") as fh:
        catalog = read_po(fh, locale="en")
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            if not any(message.string):
                message.string = tuple(message.id)
        elif not message.string:
            message.string = message.id
        message.flags.discard("fuzzy")
    with open(PO, "wb") as fh:
        write_po(fh, catalog, width=100, omit_header=False)


if __name__ == "__main__":
    main()
