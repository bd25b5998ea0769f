"""The kinds of e-mail a person can choose to get or not, registered by the features that send them."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

ALL = "all"  # an unsubscribe link of an essential mail (password reset): every optional topic


@dataclass(frozen=True)
class Topic:
    key: str
    label: object  # lazy strings: shown in the reader's language
    hint: object
    coordinators_only: bool = False


_TOPICS: dict[str, Topic] = {}


def register_topic(key: str, label, hint, *, coordinators_only: bool = False) -> Topic:
    """Declare a kind of e-mail (the feature that sends it calls this once, at import)."""
    found = Topic(key, label, hint, coordinators_only)
    if _TOPICS.get(key, found) != found:
        raise ValueError(f"topic {key!r} is registered twice, differently")
    _TOPICS[key] = found
    return found


def topics() -> dict[str, Topic]:
    return dict(_TOPICS)


def label_of(key: str) -> object:
    if key == ALL:
        return _l("all e-mails you can choose")
    topic = _TOPICS.get(key)
    return topic.label if topic else key


INVITATIONS = register_topic(
    "invitations",
    _l("Invitations"),
    _l("Invitations into a regional network, sent by its coordination."),
)

# The coordinators' digest: how often it comes is its own choice (weekly, daily, never), so it is not one
# of the checkboxes; its unsubscribe link sets it to "never".
DIGEST = register_topic(
    "digest",
    _l("Digest for the coordination"),
    _l("New profiles, registrations, contact requests and overdue milestones of your region."),
    coordinators_only=True,
)
