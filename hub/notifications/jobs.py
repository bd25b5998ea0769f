"""Read notifications are deleted once their retention has passed."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l

from hub.core.jobs import delete_older_than, job
from hub.notifications.models import Notification


@job("notifications.retention", every=timedelta(hours=6), title=_l("Delete old read notifications"))
def retention() -> dict[str, int]:
    """Delete read notifications older than RETENTION_NOTIFICATION_DAYS."""
    days = current_app.config["RETENTION_NOTIFICATION_DAYS"]
    return {
        "deleted": delete_older_than(Notification, Notification.created_at, days, Notification.read_at.is_not(None))
    }
