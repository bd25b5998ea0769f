"""A person's notifications and e-mail choices in the JSON API."""

from __future__ import annotations

from flask_login import current_user, login_required
from flask_smorest import Blueprint

from hub.core.access import personal
from hub.core.actions import Actor
from hub.core.glue import api_action, load
from hub.notifications import access, actions, services
from hub.notifications.schemas import (
    MarkReadSchema,
    NotificationPageSchema,
    NotificationQuerySchema,
    NotificationSchema,
    SettingsSchema,
)

blp = Blueprint(
    "api_notifications",
    __name__,
    url_prefix="/api/v1/notifications",
    description="The caller's own notifications and which of them come by e-mail",
)
SECURITY = [{"bearerAuth": []}]


def _settings_body() -> dict:
    return {
        "emailed": services.emailed_topics(current_user),
        "digest": services.digest_frequency(current_user),
        "topics": {key: str(topic.label) for key, topic in services.choosable_topics(current_user).items()},
    }


@blp.get("/")
@login_required
@blp.arguments(NotificationQuerySchema, location="query")
@blp.response(200, NotificationPageSchema)
@blp.doc(security=SECURITY)
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
@login_required
@blp.response(200, NotificationSchema)
@blp.doc(security=SECURITY)
def get_notification(notification_id: int):
    """One of the caller's notifications (someone else's answers 404)."""
    return load(access.own_notification, Actor.current(), notification_id)


@blp.post("/read")
@login_required
@personal
@blp.arguments(MarkReadSchema)
@blp.response(200, NotificationPageSchema(only=("unread",)))
@blp.doc(security=SECURITY)
@api_action
def mark_read(data):
    """Mark some of the caller's notifications read (``ids``), or all of them."""
    actions.mark_read(Actor.current(), data.get("ids"))
    return {"unread": services.unread_count(current_user)}


@blp.get("/settings")
@login_required
@blp.response(200, SettingsSchema)
@blp.doc(security=SECURITY)
def get_settings():
    """Which topics come by e-mail, and how often the digest comes (coordinators)."""
    return _settings_body()


@blp.patch("/settings")
@login_required
@personal
@blp.arguments(SettingsSchema)
@blp.response(200, SettingsSchema)
@blp.doc(security=SECURITY)
@api_action
def patch_settings(data):
    """Change the e-mail choices; a field left out stays as it is."""
    emailed = set(data["emailed"]) if "emailed" in data else None
    actions.choose_settings(Actor.current(), emailed=emailed, digest=data.get("digest"))
    return _settings_body()
