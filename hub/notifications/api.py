"""A person's notifications and e-mail choices in the JSON API."""

from __future__ import annotations

from flask_login import current_user, login_required
from flask_smorest import Blueprint, abort

from hub.core.access import personal
from hub.core.db import db
from hub.notifications import services
from hub.notifications.schemas import (
    MarkReadSchema,
    NotificationPageSchema,
    NotificationQuerySchema,
    NotificationSchema,
    SettingsSchema,
)
from hub.notifications.topics import ALL, DIGEST, topics

blp = Blueprint(
    "api_notifications",
    __name__,
    url_prefix="/api/v1/notifications",
    description="The caller's own notifications and which of them come by e-mail",
)
SECURITY = [{"bearerAuth": []}]


def _settings_body() -> dict:
    settings = services.settings_of(current_user)
    muted = set(settings.muted_topics or ())
    choosable = [key for key in topics() if key != DIGEST.key]
    return {
        "emailed": [] if ALL in muted else [key for key in choosable if key not in muted],
        "digest": services.digest_frequency(current_user),
        "topics": {key: str(topics()[key].label) for key in choosable},
    }


@blp.get("/")
@blp.arguments(NotificationQuerySchema, location="query")
@blp.response(200, NotificationPageSchema)
@blp.doc(security=SECURITY)
@login_required
def list_notifications(args):
    """The caller's notifications, newest first (30 a page)."""
    page = services.notifications_of(current_user, page=args["page"], unread_only=args["unread"])
    return {
        "items": page.items,
        "unread": services.unread_count(current_user),
        "page": page.page,
        "pages": page.pages,
    }


@blp.get("/<int:notification_id>")
@blp.response(200, NotificationSchema)
@blp.doc(security=SECURITY)
@login_required
def get_notification(notification_id: int):
    """One of the caller's notifications (someone else's answers 404)."""
    return services.own_notification(current_user, notification_id) or abort(404)


@blp.post("/read")
@blp.arguments(MarkReadSchema)
@blp.response(200, NotificationPageSchema(only=("unread",)))
@blp.doc(security=SECURITY)
@login_required
@personal
def mark_read(data):
    """Mark some of the caller's notifications read (``ids``), or all of them."""
    services.mark_read(current_user, data.get("ids"))
    db.session.commit()
    return {"unread": services.unread_count(current_user)}


@blp.get("/settings")
@blp.response(200, SettingsSchema)
@blp.doc(security=SECURITY)
@login_required
def get_settings():
    """Which topics come by e-mail, and how often the digest comes (coordinators)."""
    return _settings_body()


@blp.patch("/settings")
@blp.arguments(SettingsSchema)
@blp.response(200, SettingsSchema)
@blp.doc(security=SECURITY)
@login_required
@personal
def patch_settings(data):
    """Change the e-mail choices; a field left out stays as it is."""
    emailed = set(data["emailed"]) if "emailed" in data else None
    try:
        services.choose(current_user, emailed=emailed, digest=data.get("digest"))
    except services.NotificationError as exc:
        db.session.rollback()
        abort(422, errors={"json": exc.errors()})
    db.session.commit()
    return _settings_body()
