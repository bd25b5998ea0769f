"""The vocabulary of speed-dating: sides, how meetings are chosen, and the interest people state afterwards."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from hub.core.mail.topics import register_topic


class Side(enum.StrEnum):
    """Creatives move from table to table; organisations hold the tables."""

    CREATIVE = "creative"
    ORGANISATION = "organisation"


class PairingMode(enum.StrEnum):
    EVERYONE = "everyone"  # every creative meets every organisation (but the pairs to avoid)
    WISHES = "wishes"  # only the pairs wished for


class Interest(enum.StrEnum):
    """What a participant says after the session about a person they met."""

    DEFINITELY = "definitely"  # "unbedingt"
    GLADLY = "gladly"  # "gern"
    RATHER_NOT = "rather_not"  # "eher nicht"


# The longest note a rater may keep about a person they met.
NOTE_LENGTH = 500

SIDE_LABELS = {Side.CREATIVE: _l("Creatives"), Side.ORGANISATION: _l("Organisations")}

PAIRING_MODE_LABELS = {
    PairingMode.EVERYONE: _l("Everyone meets everyone"),
    PairingMode.WISHES: _l("Only the meetings wished for"),
}

INTEREST_LABELS = {
    Interest.DEFINITELY: _l("definitely"),
    Interest.GLADLY: _l("gladly"),
    Interest.RATHER_NOT: _l("rather not"),
}


RATINGS = register_topic(
    "ratings",
    _l("Speed-dating ratings"),
    _l("A reminder to rate the people you met before the deadline; for the coordination, when ratings close."),
)
