"""Words of the audit log: kinds of subject, actions, channels and the audited fields, in the user's language.

Subjects are named by their table; the hub knows these names as words only and imports no feature.
A field without a label here is shown by its column name.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

SUBJECT_TYPES = {
    "profile": _l("Profile"),
    "event": _l("Event"),
    "event_series": _l("Event series"),
    "registration": _l("Registration"),
    "cocreation_match": _l("Match"),
    "match_member": _l("Match member"),
    "match_guest": _l("Match member from another region"),
    "match_milestone": _l("Milestone"),
    "match_ledger_entry": _l("Ledger entry"),
    "membership": _l("Membership"),
    "access_request": _l("Request for access"),
}

# Entries that record an act of data protection rather than a change of an audited model (hub.privacy):
# an account's erasure and a coordinator's export of a person's data, named by account number only.
PRIVACY_EVENTS = {
    "user_account": _l("Account"),
    "data_export": _l("Data export"),
}
LOGGED_TYPES = {**SUBJECT_TYPES, **PRIVACY_EVENTS}

ACTION_LABELS = {
    "create": _l("created"),
    "update": _l("changed"),
    "delete": _l("deleted"),
}

VIA_LABELS = {
    "web": _l("web page"),
    "api": _l("API"),
    "cli": _l("command line"),
    "system": _l("system"),
}

FIELD_LABELS = {
    "address": _l("Address"),
    "all_day": _l("All day"),
    "amount_cents": _l("Amount"),
    "answers": _l("Answers"),
    "archived_at": _l("Archived on"),
    "audience": _l("Audience"),
    "booked_on": _l("Booked on"),
    "budget_cents": _l("Budget"),
    "by_id": _l("Booked by (account no.)"),
    "cancelled_at": _l("Cancelled on"),
    "capacity": _l("Places"),
    "case_study": _l("Case study"),
    "case_study_published_at": _l("Case study published on"),
    "challenge": _l("Challenge"),
    "checked_in_at": _l("Checked in on"),
    "cohort_id": _l("Cohort (no.)"),
    "decided_at": _l("Answered on"),
    "decided_by_id": _l("Answered by (account no.)"),
    "decline_reason": _l("Reason"),
    "consent_given_at": _l("Consent given on"),
    "consent_version": _l("Consent wording"),
    "contact_email": _l("Contact e-mail"),
    "contact_phone": _l("Contact phone"),
    "contact_visibility": _l("Contact details shown"),
    "created_at": _l("Created"),
    "created_by_id": _l("Created by (account no.)"),
    "description": _l("Description"),
    "detached": _l("Changed on its own"),
    "display_name": _l("Name"),
    "done_on": _l("Reached on"),
    "due_on": _l("Due"),
    "ends_at": _l("End"),
    "ended_on": _l("Ended on"),
    "event_id": _l("Event (no.)"),
    "goals": _l("Goals"),
    "invitation_id": _l("Invitation (no.)"),
    "kind": _l("Kind"),
    "languages": _l("Languages"),
    "match_id": _l("Match (no.)"),
    "need_tags": _l("Needs (tags)"),
    "needs_text": _l("Needs"),
    "note": _l("Note"),
    "offer_tags": _l("Offers (tags)"),
    "offers_text": _l("Offers"),
    "online_url": _l("Online link"),
    "organisation": _l("Organisation"),
    "organisation_name": _l("Organisation"),
    "outcome": _l("Outcome"),
    "picture": _l("Picture"),
    "pitch": _l("Short description"),
    "profile_id": _l("Profile (no.)"),
    "proposed_on": _l("Proposed on"),
    "purpose": _l("Purpose"),
    "questions": _l("Questions"),
    "queued_at": _l("Queued at"),
    "receipt_id": _l("Receipt (no.)"),
    "registered_by_id": _l("Registered by (account no.)"),
    "registration_deadline": _l("Registration deadline"),
    "role": _l("Role"),
    "role_note": _l("Role in the team"),
    "rrule": _l("Repeat rule"),
    "sector": _l("Sector"),
    "series_id": _l("Series (no.)"),
    "session_id": _l("Speed-dating session (no.)"),
    "started_on": _l("Started on"),
    "starts_at": _l("Start"),
    "status": _l("Status"),
    "submarkets": _l("Submarkets"),
    "timezone": _l("Time zone"),
    "title": _l("Title"),
    "town": _l("Town"),
    "type": _l("Kind of event"),
    "uid": _l("Calendar UID"),
    "user_id": _l("Account (no.)"),
    "visibility": _l("Visibility"),
    "website": _l("Website"),
}


# Words for coded values (statuses, kinds, roles): {(subject type, field): {code: label}}. The features
# that own the codes register them (``value_labels(...)`` in their vocab module), as they register demo
# data, so that the hub names none of them itself.
VALUE_LABELS: dict[tuple[str, str], dict[str, object]] = {}


def value_labels(subject_type: str, field: str, labels: dict) -> None:
    """Show the codes of ``field`` of ``subject_type`` in the log by these labels."""
    VALUE_LABELS[(subject_type, field)] = {str(code): label for code, label in labels.items()}


def _hub_roles() -> None:
    from hub.core.i18n import ROLE_LABELS

    value_labels("membership", "role", ROLE_LABELS)


_hub_roles()
