"""Notifications (issue 12): what people are told in the hub and by e-mail, and their choices.

``services.notify()`` stores a notification and queues its e-mail unless the person switched the topic
off; every e-mail carries a one-click unsubscribe link (``/unsubscribe/<token>``, no login needed).
Features register their topics with ``topics.register_topic``. The outbox asks ``services.outgoing`` before it
takes a message (installed with ``services.install``).
"""

from hub.core.features import Feature

FEATURE = Feature(
    "hub.notifications",
    pages=("hub.notifications.views:bp",),
    api=("hub.notifications.api:blp",),
    jobs="hub.notifications.jobs",
    install=("hub.notifications.views:install", "hub.notifications.services:install"),
)
