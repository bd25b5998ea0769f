"""Notifications (issue 12): what people are told in the hub and by e-mail, and their choices.

``services.notify()`` stores a notification and queues its e-mail unless the person switched the topic
off; every e-mail carries a one-click unsubscribe link (``/unsubscribe/<token>``, no login needed).
Features register their topics with ``topics.register_topic``.
"""
