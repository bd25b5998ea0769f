"""Whose notifications: a person sees and marks only their own; anyone else's does not exist for them."""

from __future__ import annotations

from hub.core.actions import Actor, NotFound
from hub.notifications import services
from hub.notifications.models import Notification


def own_notification(actor: Actor, notification_id: int) -> Notification:
    """One of the actor's own notifications; NotFound for anyone else's."""
    found = services.own_notification(actor.require_person(), notification_id)
    if found is None:
        raise NotFound()
    return found
