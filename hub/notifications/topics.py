"""The digest's topic, and the registry of topics (hub.core.mail.topics) as this feature reads it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from hub.core.mail.topics import _TOPICS, ALL, Topic, label_of, register_topic, topics  # noqa: F401  (_TOPICS: for tests)

# The coordinators' digest: how often it comes is its own choice (weekly, daily, never), so it is not one
# of the checkboxes; its unsubscribe link sets it to "never".
DIGEST = register_topic(
    "digest",
    _l("Digest for the coordination"),
    _l("New profiles, registrations, contact requests and overdue milestones of your region."),
    coordinators_only=True,
)


__all__ = ["ALL", "DIGEST", "Topic", "label_of", "register_topic", "topics"]
