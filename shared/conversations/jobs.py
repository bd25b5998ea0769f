"""Messages are deleted once their retention has passed, and so are handled reports."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l

from hub.core.jobs import delete_older_than, job
from hub.core.tenancy import all_regions
from shared.conversations.models import ConversationReport, Message


@job("conversations.retention", every=timedelta(hours=6), title=_l("Delete old messages and handled reports"))
def retention() -> dict[str, int]:
    """Delete messages written more than MESSAGE_RETENTION_DAYS ago, and reports handled more than
    CONVERSATION_REPORT_RETENTION_DAYS ago (reports span the regions: the job opts out of the wall)."""
    messages = delete_older_than(Message, Message.created_at, current_app.config["MESSAGE_RETENTION_DAYS"])
    with all_regions():
        reports = delete_older_than(
            ConversationReport,
            ConversationReport.handled_at,
            current_app.config["CONVERSATION_REPORT_RETENTION_DAYS"],
            ConversationReport.handled_at.is_not(None),
        )
    return {"messages": messages, "reports": reports}
