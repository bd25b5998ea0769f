"""Everything a person changes about their notifications and e-mails, once for the pages and the API.

None commits: ``hub.core.glue`` does. The unsubscribe link's actions have no actor: the signed link is the
credential (``hub.notifications.services.read_token``).
"""

from __future__ import annotations

from hub.core.actions import Actor
from hub.notifications import services
from hub.notifications.models import Notification, NotificationSettings


def mark_read(actor: Actor, notification_ids: list[int] | None = None) -> int:
    """Mark some of one's own notifications read (others' ids are passed over), or all of them."""
    return services.mark_read(actor.require_person(), notification_ids)


def mark_opened(actor: Actor, notification: Notification) -> None:
    """An opened notification counts as read; looking changes nothing for a read-only account (the umbrella)."""
    user = actor.require_person()
    if notification.read_at is None and not user.is_read_only:
        services.mark_read(user, [notification.id])


def choose_settings(
    actor: Actor, *, emailed: set[str] | None = None, digest: str | None = None
) -> NotificationSettings:
    """Choose which topics come by e-mail (those left out are off) and how often the digest comes."""
    return services.choose(actor.require_person(), emailed=emailed, digest=digest)


def unsubscribe(email: str, topic: str) -> None:
    """No more e-mails of the link's topic to the link's address."""
    services.unsubscribe(email, topic)


def resubscribe(email: str, topic: str) -> None:
    """Take an unsubscribe back."""
    services.resubscribe(email, topic)
