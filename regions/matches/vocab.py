"""The vocabulary of matches: status, roles, check-ins, ledger entries, documents."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from hub.audit.vocab import value_labels
from hub.core.mail.topics import register_topic


class MatchStatus(enum.StrEnum):
    PROPOSED = "proposed"
    ACTIVE = "active"
    COMPLETED = "completed"
    DISCONTINUED = "discontinued"


# proposed → active → completed | discontinued; a proposal can also be dropped (discontinued).
TRANSITIONS = {
    MatchStatus.PROPOSED: {MatchStatus.ACTIVE, MatchStatus.DISCONTINUED},
    MatchStatus.ACTIVE: {MatchStatus.COMPLETED, MatchStatus.DISCONTINUED},
    MatchStatus.COMPLETED: set(),
    MatchStatus.DISCONTINUED: set(),
}


class MemberRole(enum.StrEnum):
    CREATIVE = "creative"
    ORGANISATION = "organisation"
    OTHER = "other"


class CheckInStatus(enum.StrEnum):
    ON_TRACK = "on_track"
    ATTENTION = "attention"
    AT_RISK = "at_risk"


class LedgerKind(enum.StrEnum):
    COMMITMENT = "commitment"  # money promised for a purpose (Mittelbindung)
    PAYMENT = "payment"  # money paid out (Auszahlung)


class SuggestionStatus(enum.StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


STATUS_LABELS = {
    MatchStatus.PROPOSED: _l("proposed"),
    MatchStatus.ACTIVE: _l("active"),
    MatchStatus.COMPLETED: _l("completed"),
    MatchStatus.DISCONTINUED: _l("discontinued"),
}
ROLE_LABELS = {
    MemberRole.CREATIVE: _l("Creative"),
    MemberRole.ORGANISATION: _l("Organisation"),
    MemberRole.OTHER: _l("Further member"),
}
CHECK_IN_LABELS = {
    CheckInStatus.ON_TRACK: _l("on track"),
    CheckInStatus.ATTENTION: _l("needs attention"),
    CheckInStatus.AT_RISK: _l("at risk"),
}
LEDGER_LABELS = {LedgerKind.COMMITMENT: _l("Commitment"), LedgerKind.PAYMENT: _l("Payment")}

# Documents and receipts: checked by their content, not their name.
DOCUMENT_TYPES = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
    "application/vnd.oasis.opendocument.text": ".odt",
    "text/plain": ".txt",
}
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024


value_labels("cocreation_match", "status", STATUS_LABELS)
value_labels("match_member", "role", ROLE_LABELS)
value_labels("match_ledger_entry", "kind", LEDGER_LABELS)


MILESTONES = register_topic(
    "milestones",
    _l("Milestones of my matches"),
    _l("A reminder before a milestone of your match is due, and when it is overdue."),
)
