"""The kinds of e-mail a person can choose to get or not, registered by the features that send them.

An outbox message names its kind (``OutboxMessage.topic``); which kinds a person gets is theirs to choose, and
the feature that keeps those choices (hub.notifications) tells the outbox (``set_recipient_policy``).
"""

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
