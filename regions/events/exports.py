"""An event's registrations as a spreadsheet: the columns are declared here once, CSV and XLSX written by
`hub.core.spreadsheets`."""

from __future__ import annotations

from flask_babel import gettext as _

from hub.core.spreadsheets import Column, Sheet
from regions.events import services, vocab


def registrations_sheet(event) -> Sheet:
    """Every registration of the event with its status, times and answers, in the list's order."""
    questions = event.questions or []
    columns = [
        Column("name", _("Name")),
        Column("email", _("E-mail address")),
        Column("status", _("Status")),
        Column("registered_at", _("Registered at"), "datetime"),
        Column("checked_in_at", _("Checked in"), "datetime"),
        *[Column(f"answer:{q['key']}", q["label"]) for q in questions],
    ]
    rows = [
        {
            "name": r.user.name,
            "email": r.user.email,
            "status": str(vocab.REGISTRATION_LABELS[r.status]),
            "registered_at": r.queued_at,
            "checked_in_at": r.checked_in_at,
            **{f"answer:{q['key']}": r.answers.get(q["key"], "") for q in questions},
        }
        for r in services.registrations(event)
    ]
    return Sheet(_("Registrations"), columns, rows)
