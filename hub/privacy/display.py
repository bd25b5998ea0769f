"""How a person's data is shown to them: a word for every field and column, and every value as a reader sees it.

The readable export page uses both; ``field_label`` also names the fields in every form's error summary.
"""

from __future__ import annotations

import re
from datetime import datetime

from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

# Words for the export's columns that the audit log's vocabulary (hub.audit.vocab.FIELD_LABELS) lacks.
EXPORT_LABELS = {
    "id": _l("No."),
    "action": _l("Action"),
    "active": _l("Active"),
    "actor_id": _l("Done by (account no.)"),
    "at": _l("When"),
    "author_id": _l("Written by (account no.)"),
    "body": _l("Text"),
    "by_user_id": _l("By (account no.)"),
    "changes": _l("Changes"),
    "consent_withdrawn_at": _l("Consent withdrawn on"),
    "creative_id": _l("Creative (no.)"),
    "detail": _l("Details"),
    "device": _l("Device"),
    "email": _l("E-mail address"),
    "entered_by_id": _l("Entered by (account no.)"),
    "erased_at": _l("Erased on"),
    "expires_at": _l("Expires on"),
    "global_role": _l("Role in all regions"),
    "interest": _l("Interest"),
    "ip_address": _l("Network address"),
    "last_login_at": _l("Last login"),
    "last_seen_at": _l("Last seen"),
    "locale": _l("Language"),
    "meeting_id": _l("Meeting (no.)"),
    "method": _l("Method"),
    "name": _l("Name"),
    "organisation_id": _l("Organisation (no.)"),
    "password_reset_expires_at": _l("Password reset link valid until"),
    "pinned": _l("Pinned"),
    "ratee_id": _l("Rated person (no.)"),
    "rater_id": _l("Rated by (no.)"),
    "reasons": _l("Reasons"),
    "region_id": _l("Region (no.)"),
    "registration_id": _l("Registration (no.)"),
    "remember": _l("Stay logged in"),
    "round": _l("Round"),
    "score": _l("Score"),
    "side": _l("Side"),
    "subject_id": _l("Record (no.)"),
    "subject_label": _l("Record"),
    "subject_type": _l("Kind of record"),
    "table": _l("Table"),
    "totp_enabled_at": _l("Two-factor authentication on since"),
    "totp_last_step": _l("Last code used (time step)"),
    "updated_at": _l("Changed on"),
    "version": _l("Version"),
    "via": _l("Via"),
    # Conversations (issue 18).
    "sender_user_id": _l("Written by (account no.)"),
    "recipient_user_id": _l("Written to (account no.)"),
    "conversation_id": _l("Conversation (no.)"),
    "read_upto": _l("Read up to message (no.)"),
    "mail_waiting": _l("E-mail about unread messages sent"),
    "blocked_at": _l("Blocked on"),
    "reporter_user_id": _l("Reported by (account no.)"),
    "reporter_profile_id": _l("Reported by (profile no.)"),
    "reported_user_id": _l("Reported person (account no.)"),
    "reported_profile_id": _l("Reported person (profile no.)"),
    "handled_at": _l("Handled on"),
    "handled_by_user_id": _l("Handled by (account no.)"),
    # Fields of forms (named in a form's error summary).
    "confirmation": _l("Confirmation"),
    "password": _l("Password"),
    "password_confirm": _l("Repeat password"),
    "current_password": _l("Current password"),
    "password_or_code": _l("Password or code"),
    "code": _l("Code"),
    "consent": _l("Consent"),
    "pair_id": _l("Pair"),
    "participant_id": _l("Participant"),
    "limit": _l("Number of suggestions"),
    "mode": _l("Who meets whom"),
    "on": _l("Date"),
    "repeat": _l("Repeat"),
    "starts_on": _l("Starts on"),
    "ends_on": _l("Ends on"),
    "funding_per_match": _l("Funding per match"),
    "planned_expert_events": _l("Planned expert events"),
    "message": _l("Message"),
    "reason": _l("Reason"),
    "amount": _l("Amount"),
}
ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def field_label(key: str) -> str:
    """The word for a field or column (the export, the forms' error summary); its name where none is known."""
    from hub.audit.vocab import FIELD_LABELS

    return str(EXPORT_LABELS.get(key) or FIELD_LABELS.get(key, key))


def shown(value) -> str:
    """A value of the export as a reader sees it: times in Berlin, lists and mappings spelled out, nothing as a dash."""
    if value is None or value == "" or value == [] or value == {}:
        return "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, str) and ISO_TIME.match(value):
        try:
            return format_datetime(datetime.fromisoformat(value), "dd.MM.yyyy, HH:mm")
        except ValueError:
            return value
    if isinstance(value, list):
        return ", ".join(shown(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {shown(v)}" for k, v in value.items())
    return str(value)
