"""The fixed vocabularies of profiles: kinds, submarkets of the Kultur- und Kreativwirtschaft, visibility."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from hub.audit.vocab import value_labels


class ProfileKind(enum.StrEnum):
    """A creative (freelancer, studio, agency) or an organisation (company, association, institution)."""

    CREATIVE = "creative"
    ORGANISATION = "organisation"


class Visibility(enum.StrEnum):
    """Who may see a profile; chosen by the participant, private by default (GDPR Art. 25)."""

    PRIVATE = "private"  # the own region's coordination only
    REGION = "region"  # members of the own region
    NETWORK = "network"  # signed-in members of all regions


class ContactVisibility(enum.StrEnum):
    """Who sees e-mail and phone of a visible profile."""

    MEMBERS = "members"  # every signed-in member who may see the profile
    ON_REQUEST = "on_request"  # only after an accepted contact request


KIND_LABELS = {ProfileKind.CREATIVE: _l("Creative"), ProfileKind.ORGANISATION: _l("Organisation")}

VISIBILITY_LABELS = {
    Visibility.PRIVATE: _l("Private: only the coordination of my region"),
    Visibility.REGION: _l("Region: members of my region"),
    Visibility.NETWORK: _l("Network: signed-in members of all four regions"),
}

CONTACT_VISIBILITY_LABELS = {
    ContactVisibility.MEMBERS: _l("Shown to signed-in network members who may see my profile"),
    ContactVisibility.ON_REQUEST: _l("Shown only after I accept a contact request"),
}

# The submarkets of the Kultur- und Kreativwirtschaft (German federal classification).
SUBMARKETS = {
    "music": _l("Music industry"),
    "books": _l("Book market"),
    "art": _l("Art market"),
    "film": _l("Film industry"),
    "broadcasting": _l("Broadcasting"),
    "performing_arts": _l("Performing arts"),
    "design": _l("Design"),
    "architecture": _l("Architecture"),
    "press": _l("Press"),
    "advertising": _l("Advertising"),
    "software_games": _l("Software and games"),
    "other": _l("Other"),
}

# German names as they appear in spreadsheets, for the import.
SUBMARKET_GERMAN_NAMES = {
    "musikwirtschaft": "music",
    "buchmarkt": "books",
    "kunstmarkt": "art",
    "filmwirtschaft": "film",
    "rundfunkwirtschaft": "broadcasting",
    "markt für darstellende künste": "performing_arts",
    "darstellende künste": "performing_arts",
    "designwirtschaft": "design",
    "architekturmarkt": "architecture",
    "pressemarkt": "press",
    "werbemarkt": "advertising",
    "software-/games-industrie": "software_games",
    "software/games": "software_games",
    "sonstiges": "other",
}

LANGUAGES = {
    "de": _l("German"),
    "en": _l("English"),
    "cs": _l("Czech"),
    "pl": _l("Polish"),
    "hsb": _l("Upper Sorbian"),
    "fr": _l("French"),
    "es": _l("Spanish"),
    "uk": _l("Ukrainian"),
    "ru": _l("Russian"),
    "ar": _l("Arabic"),
}

# The wording of the consent a participant gives for showing the profile. Its version is the privacy notice's
# (hub.privacy.legal.consent_version): a new version asks everyone again.
CONSENT_TEXT = _l(
    "I agree that CIMIS Hub shows my profile to the people I chose above, for networking within the "
    "program CROSS INNOVATION MADE IN SAXONY II. I can withdraw this consent at any time; my profile then "
    "leaves the directory at once."
)


value_labels("profile", "kind", KIND_LABELS)
value_labels("profile", "visibility", VISIBILITY_LABELS)
value_labels("profile", "contact_visibility", CONTACT_VISIBILITY_LABELS)
